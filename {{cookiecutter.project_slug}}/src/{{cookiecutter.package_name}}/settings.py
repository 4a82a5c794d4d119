"""Runtime configuration from the environment (and an optional .env file)."""

from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

PACKAGE = __name__.partition(".")[0]


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    database_url: str = f"sqlite:///data/{PACKAGE}.db"
    # Each worker process holds up to pool_size + max_overflow connections.
    pool_size: int = Field(default=5, ge=1)
    max_overflow: int = Field(default=10, ge=0)
    pool_timeout: float = Field(default=30, gt=0)

    sqlite_busy_timeout_ms: int = Field(default=5000, ge=0)
    # NORMAL in WAL mode never loses data on a process crash; FULL also survives power loss.
    sqlite_synchronous: Literal["NORMAL", "FULL", "EXTRA"] = "NORMAL"
    sqlite_cache_size_kib: int = Field(default=20000, ge=0)

    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=0, le=65535)
    log_level: Literal["critical", "error", "warning", "info", "debug"] = "info"
    migrate_on_start: bool = True
    seed_on_start: bool = True
