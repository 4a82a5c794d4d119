"""Runtime configuration from the environment (and an optional .env file).

The database settings live beside the engine that reads them (db/engine.py).
"""

from typing import Literal

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from .db.engine import PACKAGE, EngineSettings

__all__ = ["PACKAGE", "Settings"]


class Settings(EngineSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=0, le=65535)
    # Worker processes; each has its own pool (see EngineSettings).
    workers: int = Field(default=1, ge=1)
    log_level: Literal["critical", "error", "warning", "info", "debug"] = "info"
    migrate_on_start: bool = True
    seed_on_start: bool = True
