from fastapi import APIRouter
from sqlalchemy.exc import SQLAlchemyError

{% if cookiecutter.auth == "password" -%}
from ..auth.access import PUBLIC
{% endif -%}
from ..errors import Unavailable, responses
from .dependencies import DatabaseDep

router = APIRouter(tags=["health"]{% if cookiecutter.auth == "password" %}, dependencies=[PUBLIC]{% endif %})


@router.get("/healthz")
async def healthz() -> dict[str, str]:
    """Liveness: the process answers; the database is not touched."""
    return {"status": "ok"}


@router.get("/readyz", responses=responses(Unavailable))
async def readyz(database: DatabaseDep) -> dict[str, str]:
    """Readiness: the database answers a query and can take writes."""
    try:
        await database.ping()
    except SQLAlchemyError as exc:
        raise Unavailable("database unavailable") from exc
    if reason := database.unwritable():
        raise Unavailable(f"the database cannot take writes: {reason}")
    return {"status": "ready"}
