"""Each full variant as a user gets it: install, lint, type-check, its own tests, serve; and
every daily command of its Makefile."""

import ast
import json
import re
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import yaml

from tests.rendering import ROOT, answers_of, environment, run
from tests.service import Service, call
from tests.variants import FULL_VARIANTS, Variant, params


@pytest.fixture(params=params(list(FULL_VARIANTS)))
def variant(request: pytest.FixtureRequest, prepared: Callable[[str], Variant]) -> Variant:
    return prepared(request.param)


def pipeline_commands(project: Path) -> list[str]:
    """The shell commands the project's CI pipeline runs, as its file lists them."""
    github = project / ".github" / "workflows" / "ci.yml"
    if github.exists():
        steps = yaml.safe_load(github.read_text())["jobs"]["test"]["steps"]
        return [step["run"] for step in steps if "run" in step]
    gitlab = project / ".gitlab-ci.yml"
    return list(yaml.safe_load(gitlab.read_text())["test"]["script"]) if gitlab.exists() else []


def test_the_pipeline_passes_here(variant: Variant) -> None:
    """What CI runs (pre-commit with ruff, mypy and the import layers; the migration drift
    check; the tests), run here from the pipeline file, so it cannot name a command that
    does not exist."""
    commands = pipeline_commands(variant.project)
    assert commands, f"{variant.name} renders no pipeline"
    for command in commands:
        output = run(["bash", "-c", command], variant.project, **variant.env)
        if command == "make test":
            assert " passed" in output, output
            assert "skipped" not in output, output


def makefile_targets(project: Path) -> list[str]:
    """The targets `make help` lists."""
    return re.findall(r"^  make (\S+)", run(["make"], project), re.MULTILINE)


# Each target not run by the pipeline, with its arguments and what its output shows (None:
# its exit status is the check).
DAILY: dict[str, tuple[list[str], str | None]] = {
    "help": ([], "make migration-check"),
    "install": ([], None),
    "format": ([], "All checks passed!"),
    "typecheck": ([], "Success: no issues found"),
    "migrate": ([], "Running upgrade"),
    "seed": ([], None),
    "migration": (["m=nothing changed"], "no changes to migrate"),
    "fuzz": (["examples=5"], " passed"),
}


@pytest.mark.parametrize("variant_name", params(["sqlite"]))
def test_every_daily_command_runs(
    variant_name: str, prepared: Callable[[str], Variant], tmp_path: Path
) -> None:
    """Each target of the Makefile runs here: the pipeline's (lint, migration-check, test)
    in test_the_pipeline_passes_here, serve below, the others here."""
    project = prepared(variant_name).project
    in_pipeline = {command.split()[1] for command in pipeline_commands(project)}
    assert {"install", "lint", "migration-check", "test"} <= in_pipeline, in_pipeline
    untested = set(makefile_targets(project)) - set(DAILY) - in_pipeline - {"serve", "check"}
    assert not untested, f"Makefile targets no test runs: {sorted(untested)}"
    database = f"sqlite:///{tmp_path / 'daily.db'}"
    for target, (arguments, shown) in DAILY.items():
        output = run(["make", target, *arguments], project, DATABASE_URL=database)
        assert shown is None or shown in output, f"make {target}:\n{output}"
    service = Service(["make", "serve"], project, environment(DATABASE_URL=database), tmp_path)
    try:
        service.start(path="/readyz")
    finally:
        service.kill()


@pytest.fixture
def service(variant: Variant) -> Iterator[Service]:
    service = Service(
        [variant.bin(variant.slug), "serve"], variant.project, environment(**variant.env)
    )
    yield service
    service.kill()


KEPT = {"email": "kept@example.com", "name": "Kept"}
PASSWORD = "a password kept across a restart"


def test_serve_answers_and_keeps_data_across_a_restart(variant: Variant, service: Service) -> None:
    """A row written before a restart reads the same after it: a user, or with accounts (whose
    users only an admin reads) an account signed up, which then signs in."""
    accounts = variant.answers.get("auth") == "password"
    service.start()
    assert call(f"{service.url}/healthz") == (200, {"status": "ok"})
    assert call(f"{service.url}/readyz") == (200, {"status": "ready"})
    if accounts:
        status, kept = call(f"{service.url}/accounts", KEPT | {"password": PASSWORD})
    else:
        status, kept = call(f"{service.url}/users", KEPT)
    assert status == 201, kept
    service.stop()

    service.start()
    if accounts:
        signing_in = {"email": KEPT["email"], "password": PASSWORD}
        _, signed = call(f"{service.url}/accounts/token", signing_in)
        token = {"Authorization": f"Bearer {signed['access_token']}"}  # type: ignore[index]
        assert call(f"{service.url}/accounts/me", headers=token) == (200, kept)
    else:
        assert call(f"{service.url}/users/{kept['id']}") == (200, kept)  # type: ignore[index]
    service.stop()


OBSERVED = [name for name, answers in FULL_VARIANTS.items() if "observability" in answers]


@pytest.mark.parametrize("variant_name", params(OBSERVED))
def test_metrics_sum_what_every_worker_counted(
    variant_name: str, prepared: Callable[[str], Variant], tmp_path: Path
) -> None:
    """With two workers, /metrics counts every request, whichever worker served it and
    whichever answers the scrape; no connection stays counted in use once they are done."""
    variant = prepared(variant_name)
    shared = tmp_path / "metrics"
    shared.mkdir()
    env = environment(**variant.env, WORKERS="2", PROMETHEUS_MULTIPROC_DIR=str(shared))
    service = Service([variant.bin(variant.slug), "serve"], variant.project, env, tmp_path)
    requests = 40
    try:
        service.start(workers=2)
        for _ in range(requests):  # each on a connection of its own, as the workers take them
            assert call(f"{service.url}/tags?limit=1")[0] == 200
        scrapes = [_metrics(f"{service.url}/metrics") for _ in range(6)]
    finally:
        service.kill()
    counted = json.loads(
        run(
            [variant.bin("python"), "-c", COUNTED, *map(str, shared.glob("counter_*.db"))], tmp_path
        )
    )
    assert len([n for n in counted.values() if n]) == 2, f"not both workers served: {counted}"
    served = [
        scrape.get('http_server_requests_total{method="GET",route="/tags",status="200"}')
        for scrape in scrapes
    ]
    assert served == [requests] * len(scrapes), (
        f"/metrics scraped {len(scrapes)} times counted {served} of {requests} requests: each "
        "scrape must sum every worker's counts (observability/metrics.py, workers.py)"
    )
    in_use = {scrape.get("db_pool_connections_in_use") for scrape in scrapes}
    assert in_use == {0}, f"connections counted in use with no request running: {in_use}"


# The requests each worker counted, by the file it wrote them to (prometheus_client's own).
COUNTED = """
import json, sys
from prometheus_client.mmap_dict import MmapedDict
print(json.dumps({
    path: sum(value for key, value, *_ in MmapedDict.read_all_values_from_file(path)
              if json.loads(key)[1] == "http_server_requests_total")
    for path in sys.argv[1:]
}))
"""


def _metrics(url: str) -> dict[str, float]:
    """Each sample of a Prometheus text page, by its name and labels as written."""
    with urllib.request.urlopen(url, timeout=5) as response:
        text = response.read().decode()
    samples = (line.rpartition(" ") for line in text.splitlines() if not line.startswith("#"))
    return {name: float(value) for name, _, value in samples if name}


# The import names and distribution names (lower case, "_" for "-" and ".") installed.
INSTALLED_NAMES = """
import importlib.metadata as metadata, json, re
modules = {name for name in metadata.packages_distributions() if name.isidentifier()}
names = {re.sub(r"[-_.]+", "_", d.metadata["Name"]).lower() for d in metadata.distributions()}
print(json.dumps(sorted(modules | names)))
"""


def test_the_answers_hook_knows_every_name_the_project_installs(variant: Variant) -> None:
    """A package or project of the name of something it installs shadows it, or depends on
    itself: the hook refuses the names on its list, which must hold every one."""
    hook = ast.parse((ROOT / "hooks" / "pre_gen_project.py").read_text())
    listed = next(
        ast.literal_eval(node.value.args[0])
        for node in hook.body
        if isinstance(node, ast.Assign)
        and getattr(node.targets[0], "id", None) == "DEPENDENCY_NAMES"
        and isinstance(node.value, ast.Call)
    )
    installed = json.loads(run([variant.bin("python"), "-c", INSTALLED_NAMES], variant.project))
    own = {answers_of(variant.project)["package_name"]}
    missing = sorted(
        set(installed) - listed - own - {name for name in installed if name.startswith("_")}
    )
    assert not missing, (
        f"DEPENDENCY_NAMES in hooks/pre_gen_project.py lacks names {variant.name} installs: "
        f"{missing}; a project of one of them would shadow it"
    )
