"""The benchmark runs: briefly, against the default variant in both session styles, one
worker beside two, on a write and a list (the other scenarios differ only in their routes);
the fallback loader, where wrk is installed, on the mix."""

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from bench.layers import samples_by_layer
from bench.load import available_loader
from tests.rendering import ROOT, environment
from tests.variants import Variant, params

APPS = ("sync", "async", "textbook", "ceiling")
# The loader the bench chooses runs two scenarios; the fallback, where it is not chosen, one.
RUNS = {available_loader(): ("create", "list")}
RUNS.setdefault("asyncio", ("mix",))


def bench(module: str, *arguments: str) -> str:
    """What `python -m module arguments` printed; it must succeed."""
    result = subprocess.run(
        [sys.executable, "-m", module, *arguments],
        cwd=ROOT,
        env=environment(),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


@pytest.mark.parametrize("variant_name", params(["sqlite"]))
def test_bench_measures_every_app(
    variant_name: str, prepared: Callable[[str], Variant], tmp_path: Path
) -> None:
    projects = [prepared(variant_name).project, prepared(f"{variant_name}-async").project]
    for loader, scenarios in RUNS.items():
        report_file = tmp_path / f"bench-{loader}.json"
        command = ["bench", "--loader", loader, "--json", str(report_file)]
        command += [argument for project in projects for argument in ("--project", str(project))]
        command += ["--clients", "4", "--seconds", "0.5", "--rounds", "1", "--workers", "1,2"]
        output = bench(*command, "--scenarios", ",".join(scenarios))
        report = json.loads(report_file.read_text())
        assert report["session_styles"] == ["sync", "async"], report["session_styles"]
        assert all(rate > 0 for rate in report["floor_creates_per_s"].values()), report
        cells = [(row["scenario"], row["workers"]) for row in report["rows"]]
        assert cells == [(s, w) for s in scenarios for w in (1, 2)]
        for row in report["rows"]:
            for app in APPS:
                figures = row[app]
                assert figures["per_s"] > 0, f"{loader}, {app} {row['scenario']}: {figures}"
                errors = figures["non_2xx"] + figures["transport_errors"]
                assert errors == 0, f"{loader}, {app}: {figures}"
            assert row["ratios"].keys() == {"sync", "async"}, row["ratios"]
            assert row["ceiling_shares"].keys() == {"sync", "async"}, row["ceiling_shares"]
        assert f"| {scenarios[0]} | 4 |" in output, output
        assert "| sync / ceiling | async / ceiling |" in output, output
        assert "| sync 2 / 1 | sync 2: busiest worker's CPU |" in output, output
        shares = [
            r["busiest_worker_share"]
            for row in report["rows"]
            if row["workers"] == 2
            for app in APPS
            for r in row[app]["rounds"]
        ]
        assert all(share is not None and 0.5 <= share <= 1 for share in shares), shares
        started = [(server["app"], server["workers"]) for server in report["servers"]]
        assert started == [(app, workers) for workers in (1, 2) for app in APPS], started
        memory = [(server["workers"], len(server["rss_mib"])) for server in report["servers"]]
        assert all(workers == measured for workers, measured in memory), memory


def test_layers_count_a_sample_for_its_innermost_known_frame() -> None:
    loop = "<module> (my-service:10);run (uvicorn/main.py:643)"
    hook = "my_service/db/dialect/async_driver.py"
    raw = "\n".join(
        [
            f"{loop};app (starlette/routing.py:1);get (sqlalchemy/orm/session.py:2) 3",
            # The standard library's frames count for their caller's layer.
            f"{loop};_log (my_service/web/middleware.py:7);emit (logging/__init__.py:1113) 2",
            f"{loop};read (my_service/db/session.py:9);unknown (somewhere.py:1) 1",
            # A frame py-spy could not read, its name broken over two lines.
            f"{loop};get (sqlalchemy/orm/session.py:2);p (\n:-1);close (sqlalchemy/x.py:1) 2",
            # The async driver's calls made on the loop, in our hook: sqlite3's C code.
            f"{loop};get (sqlalchemy/orm/session.py:2);execute ({hook}:49) 6",
            # Other threads (the driver's, the loop watch's) are not the event loop's; py-spy
            # names a method by its class since 0.4.
            "_bootstrap (threading.py:1002);run (aiosqlite/core.py:59) 5",
            "Thread._bootstrap (threading.py:1002);_Watch.run (my_service/web/loop_watch.py:70) 4",
        ]
    )
    assert samples_by_layer(raw, "my_service") == {
        "ORM": 5,
        "our middleware": 2,
        "our services and db": 1,
        "driver": 6,
    }


@pytest.mark.parametrize("variant_name", params(["sqlite"]))
def test_big_table_times_a_first_and_a_deep_page_of_each_app(
    variant_name: str, prepared: Callable[[str], Variant]
) -> None:
    project = prepared(variant_name).project
    output = bench("bench.big_table", "--project", str(project), "--rows", "200,400")
    rows = {line.split(" | ")[0].strip("| "): line for line in output.splitlines()}
    for app in ("sync", "textbook"):
        cells = rows[app].strip("| ").split(" | ")[1:]
        assert len(cells) == 6, rows[app]
        assert all(float(cell.removesuffix("x")) > 0 for cell in cells), rows[app]
