"""The command line answers a bad setting, argument or database in one line that names it,
with a status that is not 0, and no traceback."""

import gc
import logging
import threading
import traceback
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import make_url

from {{ cookiecutter.package_name }}.cli import main
from {{ cookiecutter.package_name }}.settings import DRIVERNAME, SCHEMES, Settings

from tests.database import unusable

# What is wrong: the arguments, the environment, and a part of the line the answer ends in.
BAD = {
    "a port past 65535": (["serve", "--port", "70000"], {}, "70000 is out of range"),
    "a negative port": (["serve", "--port", "-1"], {}, "-1 is out of range"),
    "no workers": (["serve", "--workers", "0"], {}, "0 is out of range"),
    "a port that is not a number": (["serve"], {"PORT": "abc"}, "PORT='abc'"),
    "no workers in the environment": (["serve"], {"WORKERS": "0"}, "WORKERS='0'"),
    "an unknown log level": (["serve"], {"LOG_LEVEL": "verbose"}, "LOG_LEVEL='verbose'"),
{%- if cookiecutter.auth == "password" %}
    "no signing key": (["migrate"], {"SECRET_KEY": ""}, "SECRET_KEY: not set; make one with"),
    "a signing key too short to be safe": (
        ["migrate"],
        {"SECRET_KEY": "password123"},
        "SECRET_KEY: shorter than 32 bytes",
    ),
{%- endif %}
{%- if cookiecutter.observability == "opentelemetry" %}
    "an unknown exporter of traces": (
        ["serve"],
        {"OTEL_TRACES_EXPORTER": "otlp,jaeger"},
        "OTEL_TRACES_EXPORTER='otlp,jaeger'",
    ),
{%- endif %}
    "an empty pool": (["migrate"], {"POOL_SIZE": "0"}, "POOL_SIZE='0'"),
    "a wait of less than nothing": (
        ["migrate"],
        {"DATABASE_TIMEOUT_MS": "-1"},
        "DATABASE_TIMEOUT_MS='-1'",
    ),
    "an empty database URL": (["migrate"], {"DATABASE_URL": ""}, "not a database URL"),
    "a URL of no database": (["migrate"], {"DATABASE_URL": "foo://"}, "a foo URL"),
    "a MySQL URL": (["migrate"], {"DATABASE_URL": "mysql://localhost/x"}, "a mysql URL"),
    "a backup over a file": (["backup", "."], {}, ". exists: name a new file"),
    "a restore of no file": (["restore", "no-such-backup"], {}, "no file at no-such-backup"),
    "a revision that does not exist": (
        ["migrate", "nosuchrev"],
        {},
        "'nosuchrev'; the revisions: 0001",
    ),
}


@pytest.fixture
def cli_logging() -> Iterator[None]:
    """The root logger as it was: the command line configures it for its process."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    for handler in set(root.handlers) - set(handlers):
        root.removeHandler(handler)
    root.setLevel(level)


def stopped_threads_of(command: Callable[[], None]) -> None:
    """Run the command, then wait for the threads it started: an async driver stops the
    thread of a connection that failed to open once the connection is collected, after the
    command's event loop is closed (the thread then raises; the command had exited)."""
    before = set(threading.enumerate())
    try:
        command()
    finally:
        if started := set(threading.enumerate()) - before:
            gc.collect()
            for thread in started:
                thread.join(5)


def answer(
    argv: list[str],
    environment: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> tuple[object, str]:
    """The exit status of the command, and what it wrote to stderr."""
    with monkeypatch.context() as patched:
        for name, value in environment.items():
            patched.setenv(name, value)
        try:
            stopped_threads_of(lambda: main(argv))
        except SystemExit as stop:
            status = stop.code
        except Exception as error:  # what the guard reports
            return "raised", f"a traceback of {traceback.format_exception_only(error)[-1]}"
        else:
            status = 0
    # argparse prints its usage and error, then exits 2; the rest exit with their line.
    written = capsys.readouterr().err
    return status, status if isinstance(status, str) else written


@pytest.mark.filterwarnings("ignore::pytest.PytestUnhandledThreadExceptionWarning")
def test_a_bad_setting_or_argument_is_one_line(
    settings: Settings,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    cli_logging: None,
) -> None:
    monkeypatch.setenv("DATABASE_URL", settings.database_url)  # never the configured one
    cases = BAD | {
        what: (["migrate"], environment, said)
        for what, (environment, said) in unusable(settings.database_url, tmp_path).items()
    }
    wrong = []
    for what, (argv, environment, said) in cases.items():
        status, written = answer(argv, environment, monkeypatch, capsys)
        lines = written.strip().splitlines()
        ends_in_one_line = bool(lines) and said in lines[-1] and "\n" not in str(status)
        if status in (0, None, "raised") or not ends_in_one_line or "Traceback" in written:
            command = " ".join(argv)
            wrong.append(f"{what} ({command} with {environment}): status {status}, {written}")
    assert not wrong, (
        "the command line must answer each in one line that says what is wrong, and exit "
        "with a status that is not 0 (cli/commands.py, Settings in settings.py):\n"
        + "\n".join(wrong)
    )


@pytest.mark.parametrize("scheme", SCHEMES)
def test_each_scheme_of_the_database_is_taken_for_the_services_driver(scheme: str) -> None:
    url = Settings(database_url=f"{scheme}:///service.db", _env_file=None).database_url
    assert make_url(url).drivername == DRIVERNAME, (
        f"DATABASE_URL {scheme}://... must be taken as {DRIVERNAME}://..., the driver the "
        f"service installs, not as {make_url(url).drivername}://... (Settings in settings.py)"
    )
