from fastapi import APIRouter
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from ..db.session import DatabaseDep
from ..errors import Unavailable, responses

router = APIRouter(tags=["health"])


@router.get("/healthz")
async def healthz() -> dict[str, str]:
    """Liveness: the process answers; the database is not touched."""
    return {"status": "ok"}


def _ping(session: Session) -> None:
    session.execute(text("SELECT 1"))


@router.get("/readyz", responses=responses(Unavailable))
async def readyz(database: DatabaseDep) -> dict[str, str]:
    """Readiness: the database answers a query."""
    try:
        await database.read(_ping)
    except SQLAlchemyError as exc:
        raise Unavailable("database unavailable") from exc
    return {"status": "ready"}
