"""The in-process floor of a create: ORM insert, commit and read-schema validation, no HTTP.

Run with the rendered project's interpreter: `python floor.py <package> <session_style>`;
prints creates/s. The async style awaits the same unit of work in one event loop.
"""

import asyncio
import importlib
import sys
import time
from typing import Any

SECONDS = 2.0


def main(package: str, style: str) -> None:
    settings = importlib.import_module(f"{package}.settings").Settings(_env_file=None)
    importlib.import_module(f"{package}.db.migrate").upgrade(settings)
    database = importlib.import_module(f"{package}.db.session").Database.from_settings(settings)
    tag = importlib.import_module(f"{package}.models").Tag
    tag_read = importlib.import_module(f"{package}.schemas").TagRead
    deadline = time.perf_counter() + SECONDS

    def create(session: Any, number: int) -> Any:
        session.add(row := tag(name=f"floor-{number}"))
        return row

    def sync_loop() -> int:
        created = 0
        while time.perf_counter() < deadline:
            with database.unit_of_work() as session:
                row = create(session, created)
                session.flush()
            tag_read.model_validate(row).model_dump_json()
            created += 1
        database.dispose()
        return created

    async def async_loop() -> int:
        created = 0
        while time.perf_counter() < deadline:
            async with database.unit_of_work() as session:
                row = create(session, created)
                await session.flush()
            tag_read.model_validate(row).model_dump_json()
            created += 1
        await database.dispose()
        return created

    began = time.perf_counter()
    created = asyncio.run(async_loop()) if style == "async" else sync_loop()
    print(f"creates/s {created / (time.perf_counter() - began):.0f}")


if __name__ == "__main__":
    main(*sys.argv[1:3])
