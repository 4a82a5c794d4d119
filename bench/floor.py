"""The in-process floor of a create: ORM insert, commit and read-schema validation, no HTTP.

Run with the rendered project's interpreter: `python floor.py <package>`; prints creates/s.
"""

import importlib
import sys
import time

SECONDS = 2.0


def main(package: str) -> None:
    settings = importlib.import_module(f"{package}.settings").Settings(_env_file=None)
    importlib.import_module(f"{package}.db.migrate").upgrade(settings)
    database = importlib.import_module(f"{package}.db.session").Database.from_settings(settings)
    tag = importlib.import_module(f"{package}.models").Tag
    tag_read = importlib.import_module(f"{package}.schemas").TagRead
    created, deadline = 0, time.perf_counter() + SECONDS
    began = time.perf_counter()
    while time.perf_counter() < deadline:
        with database.unit_of_work() as session:
            row = tag(name=f"floor-{created}")
            session.add(row)
            session.flush()
        tag_read.model_validate(row).model_dump_json()
        created += 1
    database.dispose()
    print(f"creates/s {created / (time.perf_counter() - began):.0f}")


if __name__ == "__main__":
    main(sys.argv[1])
