"""What routes are given besides their parameters."""

from typing import Annotated

from fastapi import Depends, Request

from ..db.session import Database


async def _database(request: Request) -> Database:
    # async, so FastAPI resolves it in the event loop without taking a thread.
    database: Database = request.app.state.database
    return database


DatabaseDep = Annotated[Database, Depends(_database)]
