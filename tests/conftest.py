from collections.abc import Callable, Iterator

import pytest

from tests.postgres import postgres_server
from tests.variants import FULL_VARIANTS, Variant, prepare


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


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """The mutation table: failure mode, the guard that caught it, and what it said."""
    rows = [
        (report.passed, *value)
        for report in terminalreporter.getreports("passed") + terminalreporter.getreports("failed")
        if report.when == "call"
        for name, value in report.user_properties
        if name == "mutation"
    ]
    if not rows:
        return
    write = terminalreporter.write_line
    terminalreporter.section("guards against introduced failure modes")
    for variant in sorted({row[1] for row in rows}):
        caught = [row for row in rows if row[1] == variant]
        rate = sum(row[0] for row in caught)
        write(f"{variant}: {rate}/{len(caught)} caught ({100 * rate // len(caught)}%)")
        for passed, _, mode, guard, message in caught:
            mark = "ok  " if passed else "MISS"
            write(f"  {mark} {mode}\n       -> {guard}\n       -> {message}")
