"""The benchmark runs: briefly, against the default variant, with each loader available, one
worker beside two."""

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from bench.load import available_loader
from tests.rendering import ROOT, environment
from tests.variants import Variant, params

LOADERS = sorted({"asyncio", available_loader()})


@pytest.mark.parametrize("variant_name", params(["sqlite", "sqlite-async"]))
def test_bench_measures_both_apps(
    variant_name: str, prepared: Callable[[str], Variant], tmp_path: Path
) -> None:
    variant = prepared(variant_name)
    project = variant.project
    for loader in LOADERS:
        report_file = tmp_path / f"bench-{loader}.json"
        command = [sys.executable, "-m", "bench", "--project", str(project), "--loader", loader]
        command += ["--clients", "4", "--seconds", "0.5", "--rounds", "1", "--workers", "1,2"]
        result = subprocess.run(
            [*command, "--json", str(report_file)],
            cwd=ROOT,
            env=environment(),
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        assert result.returncode == 0, result.stdout + result.stderr
        report = json.loads(report_file.read_text())
        assert report["session_style"] == variant.answers.get("session_style", "sync")
        assert report["floor_creates_per_s"] > 0, report
        cells = [(row["scenario"], row["workers"]) for row in report["rows"]]
        assert cells == [(s, w) for s in ("create", "get", "list", "mix") for w in (1, 2)]
        for row in report["rows"]:
            for app in ("service", "textbook"):
                figures = row[app]
                assert figures["per_s"] > 0, f"{loader}, {app} {row['scenario']}: {figures}"
                errors = figures["non_2xx"] + figures["transport_errors"]
                assert errors == 0, f"{loader}, {app}: {figures}"
        assert "| create | 4 |" in result.stdout, result.stdout
        assert "| 1 worker(s) req/s | 2 worker(s) req/s | 2 / 1 |" in result.stdout, result.stdout
        started = [(server["app"], server["workers"]) for server in report["servers"]]
        assert started == [("service", 1), ("textbook", 1), ("service", 2), ("textbook", 2)]
