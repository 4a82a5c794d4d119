"""A client walking a list's pages while others insert and delete sees each row that stays
exactly once (a property test: derandomized, so the same examples run every time).
"""

from typing import Any

import hypothesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, Phase, given
from hypothesis import strategies as st
from sqlalchemy import delete
from sqlalchemy.orm import Session, sessionmaker

from {{ cookiecutter.package_name }}.models import Tag

# Names the schema takes (letters and digits, accents and other scripts), some alike once
# composed and lowered, which the API refuses as taken; and any text, which it may refuse.
NAMES = st.text(st.characters(categories=["L", "N"]), min_size=1, max_size=6) | st.text(
    st.characters(codec="utf-8"), min_size=1, max_size=6
)


CHANGES = st.lists(st.one_of(NAMES, st.integers(min_value=0, max_value=50)), max_size=3)


@hypothesis.settings(
    max_examples=20,
    deadline=None,
    derandomize=True,  # the same examples on every run: a guard, not a search
    database=None,
    phases=[Phase.generate, Phase.shrink],  # no explanation: shrinking says enough
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    names=st.lists(NAMES, max_size=12),
    limit=st.integers(min_value=1, max_value=4),
    changes=st.lists(CHANGES, max_size=8),
)
def test_walking_the_pages_lists_each_row_that_stays_once(
    client: TestClient,
    arrange: sessionmaker[Session],
    names: list[str],
    limit: int,
    changes: list[list[str | int]],
) -> None:
    """Between pages, other clients add tags (a name) and delete them (an index into the tags
    there are): walking forwards from the first page to the last, then back to the first,
    each tag there throughout a walk is listed exactly once in it. A tag is its id and name:
    a database may give a new row the id of one deleted."""
    with arrange.begin() as session:
        session.execute(delete(Tag))
    there = [tag for name in names if (tag := _added(client, name)) is not None]
    cursor: str | None = None
    for way, towards in (("forwards", "next_cursor"), ("backwards", "previous_cursor")):
        stayed = {_row(tag) for tag in there}
        seen, cursor = _walk(client, cursor, towards, limit, changes, there, stayed)
        twice = sorted({tag for tag in seen if seen.count(tag) > 1})
        missed = sorted(stayed - set(seen))
        assert (twice, missed) == ([], []), (
            f"walking /tags {way} by {limit} while tags were added and deleted listed {twice} "
            f"twice and missed {missed} (of {sorted(stayed)}): a page must start after its "
            "cursor's row (end before it, walking back), in the list's order, not at a "
            "position (keyset.py)"
        )


def _walk(
    client: TestClient,
    cursor: str | None,
    towards: str,
    limit: int,
    changes: list[list[str | int]],
    there: list[dict[str, Any]],
    stayed: set[tuple[int, str]],
) -> tuple[list[tuple[int, str]], str | None]:
    """The tags of each page from the cursor's on, following each page's `towards` cursor
    and making the changes between pages, for at most 200 pages; and the cursor of the last
    page."""
    seen: list[tuple[int, str]] = []
    for page_number in range(1, 200):
        params: dict[str, Any] = {"limit": limit} | ({"cursor": cursor} if cursor else {})
        response = client.get("/tags", params=params)
        assert response.status_code == 200, f"GET /tags {params}: {response.text}"
        page = response.json()
        assert len(page["items"]) <= limit, page
        seen += [_row(tag) for tag in page["items"]]
        if page[towards] is None:
            return seen, cursor
        cursor = page[towards]
        for change in changes[page_number - 1] if page_number <= len(changes) else []:
            if isinstance(change, str):
                there += [tag] if (tag := _added(client, change)) is not None else []
            elif there:
                gone = there.pop(change % len(there))
                assert client.delete(f"/tags/{gone['id']}").status_code == 204
                stayed.discard(_row(gone))
    return seen, cursor  # a walk that loops: it lists rows twice


def _row(tag: dict[str, Any]) -> tuple[int, str]:
    return tag["id"], tag["name"]


def _added(client: TestClient, name: str) -> dict[str, Any] | None:
    """The tag added, or None if the API refused the name (taken, or not a name)."""
    response = client.post("/tags", json={"name": name})
    assert response.status_code in (201, 409, 422), response.text
    return response.json() if response.status_code == 201 else None
