"""Lists at scale: what a page of 50 tags takes from a small table and from a large one.

    uv run python -m bench.big_table --project DIR [--project DIR] [--rows 1000,1000000]

For each project, the textbook app, and each table size: a database of its own, filled with
`rows` tags (tag-0000001, ...) once the app has made its schema, then one keep-alive client
times REQUESTS answers of the first page and of a page deep in the table, the 50 rows after
the rows-100th: after a cursor where the list takes one (the side "after" and the last row's
key, as keyset.py encodes them), else at an offset, as the textbook app and lists before
cursors do. It prints the median of each, and how much longer each takes at the largest
size than at the smallest.
"""

import argparse
import base64
import http.client
import json
import statistics
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode, urlsplit

from sqlalchemy import create_engine, text

from bench.__main__ import (
    TEXTBOOK,
    baseline,
    database_urls,
    rendered,
    service,
    started,
    stop_on_sigterm,
)

REQUESTS = 15
WARM_UP = 3
PAGE = 50
FILL = {  # the rows-th tag is tag-<rows, 7 digits>
    "sqlite": "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < :rows) "
    "INSERT INTO tags (name) SELECT printf('tag-%07d', i) FROM n",
    "postgresql": "INSERT INTO tags (name) SELECT 'tag-' || lpad(i::text, 7, '0') "
    "FROM generate_series(1, :rows) AS i",
}


def main() -> None:
    stop_on_sigterm()
    args = parse_args()
    with tempfile.TemporaryDirectory(prefix="big-table-") as workdir:
        work = Path(workdir)
        projects = rendered(args, work)
        apps = [*projects, TEXTBOOK]
        names = [f"big_{index}_{rows}" for index in range(len(apps)) for rows in args.rows]
        figures: dict[tuple[str, int], tuple[float, float]] = {}
        with database_urls(args.database, work, names) as urls:
            url_of = dict(zip(names, urls, strict=True))
            for index, app in enumerate(apps):
                for rows in args.rows:
                    url = url_of[f"big_{index}_{rows}"]
                    if app == TEXTBOOK:
                        process = baseline(app, next(iter(projects.values())), url, 1, work)
                    else:
                        process = service(projects[app], url, 1, work)
                    with started((app, 1), process, url) as running:
                        fill(url, args.database, rows)
                        figures[app, rows] = timed_pages(running.url, rows, app != TEXTBOOK)
    print_report(figures, apps, args.rows)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.partition("\n")[0])
    parser.add_argument("--project", type=Path, action="append", help="a rendered project")
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--session-style", default="sync", help="without --project")
    parser.add_argument("--rows", default="1000,1000000", help="comma-separated table sizes")
    args = parser.parse_args()
    args.session_style = args.session_style.split(",")
    args.rows = [int(rows) for rows in args.rows.split(",")]
    return args


def fill(url: str, database: str, rows: int) -> None:
    """The app's tags replaced by `rows` of the bench's own (the seed's rows would come first
    by name), and the planner told how many there are."""
    engine = create_engine(url)
    try:
        with engine.begin() as connection:
            connection.execute(text("DELETE FROM tags"))
            connection.execute(text(FILL[database]), {"rows": rows})
            connection.execute(text("ANALYZE tags"))
    finally:
        engine.dispose()


def timed_pages(base_url: str, rows: int, ordered: bool) -> tuple[float, float]:
    """The median ms of the first page and of the page after the rows-100th tag (by name
    where the list is `ordered`; the textbook's is in whatever order the table gives)."""
    address = urlsplit(base_url)
    connection = http.client.HTTPConnection(address.hostname or "", address.port)
    try:
        first = _median_ms(connection, {"limit": PAGE}, "tag-0000001" if ordered else None)
        deep = _deep_page(connection, rows - 100)
        after = f"tag-{rows - 99:07d}" if ordered else None
        return first, _median_ms(connection, {"limit": PAGE} | deep, after)
    finally:
        connection.close()


def _deep_page(connection: http.client.HTTPConnection, after: int) -> dict[str, object]:
    """The query that asks for the rows after the `after`-th: a cursor where the list takes
    one, else an offset (`offset`, or the textbook's `skip`)."""
    connection.request("GET", "/openapi.json")
    document = json.loads(connection.getresponse().read())
    taken = {parameter["name"] for parameter in document["paths"]["/tags"]["get"]["parameters"]}
    if "cursor" in taken:
        key = json.dumps(["after", f"tag-{after:07d}"]).encode()
        return {"cursor": base64.urlsafe_b64encode(key).rstrip(b"=").decode()}
    return {"offset" if "offset" in taken else "skip": after}


def _median_ms(
    connection: http.client.HTTPConnection, query: dict[str, object], first: str | None
) -> float:
    path = f"/tags?{urlencode(query)}"
    seconds = []
    for attempt in range(WARM_UP + REQUESTS):
        began = time.perf_counter()
        connection.request("GET", path)
        response = connection.getresponse()
        body = json.loads(response.read())
        if attempt >= WARM_UP:
            seconds.append(time.perf_counter() - began)
    items = body["items"] if isinstance(body, dict) else body
    assert response.status == 200, (path, response.status, str(body)[:300])
    assert len(items) == PAGE, (path, str(body)[:300])
    assert first in (None, items[0]["name"]), (path, str(body)[:300])
    return round(statistics.median(seconds) * 1000, 1)


def print_report(
    figures: dict[tuple[str, int], tuple[float, float]], apps: list[str], sizes: list[int]
) -> None:
    small, large = min(sizes), max(sizes)
    pages = ("first", "deep")
    header = ["app", *(f"{page} at {rows:,} rows ms" for rows in sizes for page in pages)]
    header += [f"first, {large:,} / {small:,}", f"deep, {large:,} / {small:,}"]
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    for app in apps:
        cells = [f"{figures[app, rows][i]}" for rows in sizes for i in (0, 1)]
        ratios = [f"{figures[app, large][i] / figures[app, small][i]:.2f}x" for i in (0, 1)]
        print("| " + " | ".join([app, *cells, *ratios]) + " |")


if __name__ == "__main__":
    main()
