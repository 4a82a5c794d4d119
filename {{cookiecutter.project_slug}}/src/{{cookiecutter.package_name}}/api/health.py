from fastapi import APIRouter
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from ..db.session import ReadSession
from ..errors import Unavailable, responses

router = APIRouter(tags=["health"])


@router.get("/healthz")
def healthz() -> dict[str, str]:
    """Liveness: the process answers; the database is not touched."""
    return {"status": "ok"}


@router.get("/readyz", responses=responses(Unavailable))
def readyz(session: ReadSession) -> dict[str, str]:
    """Readiness: the database answers a query."""
    try:
        session.execute(text("SELECT 1"))
    except SQLAlchemyError as exc:
        raise Unavailable("database unavailable") from exc
    return {"status": "ready"}
