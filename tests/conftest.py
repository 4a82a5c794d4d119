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
