"""Sign-in attempts counted in windows (auth/throttle.py), by the SHA-256 of what they count:
an e-mail, or a client's address. A table, not a model, since no route answers its rows. The
statements on it are here, beside it; services/sign_ins.py runs them."""

from sqlalchemy import BigInteger, Column, Delete, Integer, String, Table, case, delete
from sqlalchemy.sql.dml import ReturningInsert

from ..db import dialect
from ..db.base import Base

sign_in_attempts = Table(
    "sign_in_attempts",
    Base.metadata,
    Column("key", String(64), primary_key=True),
    Column("attempts", Integer, nullable=False),
    Column("resets_at", BigInteger, nullable=False),  # Unix time, in seconds
)
_attempt = sign_in_attempts.c


def counted(key: str, now: int, window_s: int) -> ReturningInsert[int, int]:
    """One more attempt for the key, in one upsert, answering its attempts in the window and
    when the window resets; a window that has ended starts again."""
    ended = _attempt.resets_at <= now
    upsert = dialect.insert(sign_in_attempts).values(key=key, attempts=1, resets_at=now + window_s)
    counted: ReturningInsert[int, int] = upsert.on_conflict_do_update(
        index_elements=[_attempt.key],
        set_={
            "attempts": case((ended, 1), else_=_attempt.attempts + 1),
            "resets_at": case((ended, now + window_s), else_=_attempt.resets_at),
        },
    ).returning(_attempt.attempts, _attempt.resets_at)
    return counted


def cleared(key: str) -> Delete:
    return delete(sign_in_attempts).where(_attempt.key == key)
