"""Runtime configuration from the environment (and an optional .env file).

The bottom of the import graph: it imports nothing of the application.
"""

from typing import Final, Literal

from pydantic import Field, {% if cookiecutter.auth == "password" %}SecretStr, {% endif %}field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy import make_url
from sqlalchemy.exc import ArgumentError

PACKAGE = __name__.partition(".")[0]
DATABASE: Final = "{{ cookiecutter.database }}"
{%- if cookiecutter.auth == "password" %}
# HS256 wants a key of at least its hash's 256 bits (RFC 7518, 3.2).
SECRET_KEY_BYTES: Final = 32
MAKE_A_KEY: Final = f"python -c 'import secrets; print(secrets.token_urlsafe({SECRET_KEY_BYTES}))'"
{%- endif %}
{%- if cookiecutter.database == "sqlite" %}
# The schemes DATABASE_URL may use: the service opens each with its own driver.
SCHEMES: Final = ("sqlite", "sqlite+pysqlite"{% if cookiecutter.session_style == "async" %}, "sqlite+aiosqlite"{% endif %})
DRIVERNAME: Final = "sqlite"
{%- else %}
# The schemes DATABASE_URL may use (postgres:// as hosting platforms write it): the service
# opens each with its own driver.
SCHEMES: Final = ("postgresql", "postgres", "postgresql+psycopg")
DRIVERNAME: Final = "postgresql+psycopg"
{%- endif %}


class Settings(BaseSettings):
    # A refused value is never in the error's text: a URL may hold a password, a key is secret.
    model_config = SettingsConfigDict(env_file=".env", extra="ignore", hide_input_in_errors=True)

    database_url: str = {% if cookiecutter.database == "sqlite" %}f"sqlite:///data/{PACKAGE}.db"{% else %}f"postgresql+psycopg://localhost/{PACKAGE}"{% endif %}

    @field_validator("database_url")
    @classmethod
    def _a_url_of_this_database(cls, text: str) -> str:
        example = cls.model_fields["database_url"].default
        try:
            url = make_url(text)
        except ArgumentError:
            raise ValueError(f"not a database URL; e.g. {example}") from None
        if url.drivername not in SCHEMES:
            raise ValueError(
                f"a {url.drivername} URL: the service runs on {DATABASE} "
                f"({', '.join(SCHEMES)}), e.g. {example}"
            )
{%- if cookiecutter.database == "sqlite" %}
        if url.database in (None, "", ":memory:") or url.query.get("mode") == "memory":
            raise ValueError(
                "a database in memory, which each connection has its own of and the process "
                f"loses at exit; name a file, e.g. {example}"
            )
        if url.host or url.port or url.username or url.password:
            raise ValueError(
                f"a file path takes three slashes (four if absolute), and no host: {example}"
            )
{%- endif %}
        return url.set(drivername=DRIVERNAME).render_as_string(hide_password=False)

    # Each worker process holds up to pool_size + max_overflow connections in each pool.
    pool_size: int = Field(default=5, ge=1)
    max_overflow: int = Field(default=10, ge=0)
    pool_timeout: float = Field(default=30, gt=0)
    # The longest a request waits for the database, counted from its arrival: for its turn
    # among the writers or readers, for another worker's writer, for a lock. Then it answers
    # 503 with Retry-After.
    database_timeout_ms: int = Field(default=5000, ge=1)
    # The longest a migration waits for a lock another connection holds; then it fails and
    # changes nothing, rather than hold up every request that queues behind its own lock.
    migration_lock_timeout_ms: int = Field(default=5000, ge=1)
{%- if cookiecutter.database == "sqlite" %}
    # NORMAL in WAL mode never loses data on a process crash; FULL also survives power loss,
    # but makes every commit wait for the disk, and writes commit on the event loop.
    sqlite_synchronous: Literal["NORMAL", "FULL", "EXTRA"] = "NORMAL"
    sqlite_cache_size_kib: int = Field(default=20000, ge=0)
{%- else %}
    # A server that does not answer a connection attempt within this counts as down.
    connect_timeout_s: int = Field(default=3, ge=2)
    # The server cancels a statement of the service that runs longer than this.
    statement_timeout_ms: int = Field(default=10000, ge=1)
    # ... and a migration's (an index on a large table may take minutes; 0: no limit).
    migration_statement_timeout_ms: int = Field(default=600000, ge=0)
    # Test each connection before use, so a restarted server costs no failed request.
    pool_pre_ping: bool = True
    # Replace connections older than this, below any proxy's or firewall's idle timeout.
    pool_recycle_s: int = Field(default=1800, ge=-1)
{%- endif %}

    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=0, le=65535)
    # What a client may send, and how slowly: a larger body answers 413; a body or a request
    # head that takes longer answers 408 or has its connection closed.
    max_body_bytes: int = Field(default=1 << 20, ge=1)
    body_timeout_s: float = Field(default=20, gt=0)
    header_timeout_s: float = Field(default=10, gt=0)
    # Worker processes; each has its own pool.
    workers: int = Field(default=1, ge=1)
    # A call that holds a worker's event loop longer than this holds up all its requests: a
    # warning names it (0: no warnings).
    blocked_loop_warn_ms: int = Field(default=100, ge=0)
    log_level: Literal["critical", "error", "warning", "info", "debug"] = "info"
    log_format: Literal["text", "json"] = "text"  # json: one object per line, for collectors
    migrate_on_start: bool = True
    seed_on_start: bool = True
{%- if cookiecutter.auth == "password" %}

    # The key that signs access tokens (auth/tokens.py). No default: each deployment makes
    # its own, and every command refuses to run without it.
    secret_key: SecretStr = Field(default=SecretStr(""), validate_default=True)
    access_token_minutes: int = Field(default=15, ge=1, le=24 * 60)
    # How long a refresh token lasts unused: each refresh issues the next, for as long again.
    refresh_token_days: int = Field(default=14, ge=1, le=365)
    # For browsers: refresh tokens in an httpOnly, Secure, SameSite=Strict cookie, not in
    # answers' bodies (auth/refresh.py).
    refresh_token_cookie: bool = False
    # Sign-in attempts per e-mail, and per client address, in a window (auth/throttle.py).
    sign_in_attempts: int = Field(default=5, ge=1)
    sign_in_attempts_per_client: int = Field(default=50, ge=1)
    sign_in_window_s: int = Field(default=900, ge=1, le=24 * 3600)

    @field_validator("secret_key")
    @classmethod
    def _a_strong_key(cls, key: SecretStr) -> SecretStr:
        if not key.get_secret_value():
            raise ValueError(f"not set; make one with: {MAKE_A_KEY}")
        if len(key.get_secret_value().encode()) < SECRET_KEY_BYTES:
            raise ValueError(f"shorter than {SECRET_KEY_BYTES} bytes; make one with: {MAKE_A_KEY}")
        return key
{%- endif %}
{%- if cookiecutter.observability == "opentelemetry" %}

    # Where spans go, by OpenTelemetry's variable: otlp, console, none or several of them
    # joined by commas; unset, otlp where an OTLP endpoint is set (observability/traces.py).
    # Checked here, before the workers start: one refusing to build its app is restarted.
    otel_traces_exporter: str | None = None

    @field_validator("otel_traces_exporter")
    @classmethod
    def _known_exporters(cls, text: str | None) -> str | None:
        if text is None:
            return None
        names = text.replace(" ", "")
        if not set(names.split(",")) <= {"otlp", "console", "none"}:
            raise ValueError("otlp, console or none, or several of them joined by commas")
        return names
{%- endif %}
