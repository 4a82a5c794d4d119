"""The async engine: psycopg 3 serves both session styles, and in its async mode waits for
the server on its socket, never holding up the event loop."""

from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from ...settings import Settings
from .connections import configure, engine_arguments


def create_async_db_engine(settings: Settings) -> AsyncEngine:
    url, options = engine_arguments(settings)
    # DATABASE_URL names the database alike for both session styles.
    engine = create_async_engine(url.set(drivername="postgresql+psycopg"), **options)
    configure(engine.sync_engine, settings)
    return engine


def async_read_engine(engine: AsyncEngine, settings: Settings) -> AsyncEngine:
    """The engine of read sessions: a pool of its own, whose connections refuse writes."""
    _, options = engine_arguments(settings, reads=True)
    reader = create_async_engine(engine.url, **options)
    configure(reader.sync_engine, settings, reads=True)
    return reader
