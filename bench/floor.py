"""The in-process floor of a create: a write as a route makes it (its turn, the ORM insert,
the commit) and read-schema validation, no HTTP.

Run with the rendered project's interpreter: `python floor.py <package> <session_style>`;
prints creates/s.
"""

import asyncio
import importlib
import sys
import time
from typing import Any

SECONDS = 2.0


def main(package: str, style: str) -> None:
    settings = importlib.import_module(f"{package}.settings").Settings(_env_file=None)
    importlib.import_module(f"{package}.maintenance.migrate").upgrade(settings)
    opened = importlib.import_module(f"{package}.db.session").Database.opened
    tag = importlib.import_module(f"{package}.models").Tag
    tag_read = importlib.import_module(f"{package}.schemas").TagRead
    deadline = time.perf_counter() + SECONDS

    def add(session: Any, number: int) -> Any:
        session.add(row := tag(name=f"floor-{number}"))
        return row

    async def add_async(session: Any, number: int) -> Any:
        return add(session, number)

    create = add_async if style == "async" else add

    async def creates() -> int:
        created = 0
        async with opened(settings) as database:
            while time.perf_counter() < deadline:
                row = await database.write(create, created)
                tag_read.model_validate(row).model_dump_json()
                created += 1
        return created

    began = time.perf_counter()
    created = asyncio.run(creates())
    print(f"creates/s {created / (time.perf_counter() - began):.0f}")


if __name__ == "__main__":
    main(*sys.argv[1:3])
