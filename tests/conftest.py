from collections.abc import Callable, Iterator

import pytest

from tests.postgres import postgres_server
from tests.test_mutations import PASSES
from tests.variants import FULL_VARIANTS, Variant, prepare

# The files of a model the add-a-model test adds to a rendered project, not tests of ours.
collect_ignore = ["new_model"]

MARKS = {"passed": "ok  ", "failed": "MISS", "skipped": "SKIP"}
PASS_MARKS = {"passed": "pass", "failed": "FAIL", "skipped": "SKIP"}  # a mutation to accept


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    with postgres_server() as url:
        yield url


@pytest.fixture(scope="session")
def prepared(
    tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest
) -> Callable[[str], Variant]:
    """Render and install each full variant once per worker, on first use."""
    cache: dict[str, Variant] = {}

    def get(name: str) -> Variant:
        if name not in cache:
            needs_server = FULL_VARIANTS[name].get("database") == "postgresql"
            url = request.getfixturevalue("postgres_url") if needs_server else None
            cache[name] = prepare(name, tmp_path_factory.mktemp(name), url)
        return cache[name]

    return get


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Slow: what installs a full variant (each a fresh environment, its suite, its service)
    or brings back a failure mode in one; `-m "not slow"` leaves rendering and checking every
    option value, the answers and the mutations' edits."""
    for item in items:
        if "prepared" in getattr(item, "fixturenames", ()) or item.get_closest_marker("mutation"):
            item.add_marker(pytest.mark.slow)
        if item.get_closest_marker("containers"):
            item.add_marker(pytest.mark.slow)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """The mutation table: failure mode, the guard that caught it, and what it said.

    A mutation the suite must accept is listed apart; one that did not run (no PostgreSQL
    server) is listed as skipped and counts as unproven, not as caught."""
    rows = []
    for outcome in ("passed", "failed", "skipped"):
        for report in terminalreporter.getreports(outcome):
            recorded = [value for name, value in report.user_properties if name == "mutation"]
            if report.when == "call" and recorded:
                rows.append((outcome, *recorded[-1]))
    if not rows:
        return
    write = terminalreporter.write_line
    terminalreporter.section("guards against introduced failure modes")
    for variant in sorted({row[1] for row in rows}):
        cases = [row for row in rows if row[1] == variant]
        modes = [row for row in cases if row[3] != PASSES]
        caught = sum(row[0] == "passed" for row in modes)
        skipped = sum(row[0] == "skipped" for row in modes)
        write(
            f"{variant}: {caught}/{len(modes)} caught ({100 * caught // max(len(modes), 1)}%)"
            + (f", {skipped} NOT RUN (skipped)" if skipped else "")
        )
        for outcome, _, mode, guard, message, also in cases:
            mark = MARKS[outcome] if guard != PASSES else PASS_MARKS[outcome]
            write(f"  {mark} {mode}\n       -> {guard}\n       -> {message}")
            if also:
                write(f"       -> and fails {also}")
