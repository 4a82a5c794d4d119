"""Where a request's time goes, layer by layer: py-spy samples a rendered service while the
bench's load runs, and each sample counts for the innermost frame's layer.

    uv run python -m bench.layers --project DIR [--scenario list] [--clients 32]

starts the project (one worker, a database of its own), drives the scenario for --seconds
while `py-spy record --nonblocking` samples the server's event loop thread, and prints each
layer's share of the samples and its time per request: its share of the time between two
answers, as the load keeps the loop busy. A frame in the standard library counts for the
layer that called it. It needs py-spy on PATH or through `uvx`, and leave to trace the
server's process (root, or ptrace allowed).
"""

import argparse
import re
import shutil
import subprocess
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

from bench.__main__ import (
    SCENARIOS,
    database_urls,
    known_tags,
    service,
    started,
    stop_on_sigterm,
)
from bench.load import Mix, Result, available_loader, drive
from tests.rendering import answers_of

# (layer, where its frames' files are), first match from the innermost frame outward; py-spy
# names a file from its package's folder on ("sqlalchemy/orm/loading.py"). PACKAGE stands for
# the project's own.
LAYERS = (
    # The async SQLite driver's calls on the event loop run in our hook, and py-spy cannot see
    # its callee, sqlite3's C code.
    ("driver", ("sqlite3/", "aiosqlite/", "psycopg", "PACKAGE/db/dialect/async_driver.py")),
    # OpenTelemetry's and Prometheus's: the observability option's code and the SDKs it
    # calls, and FastAPI's telemetry (which calls the OpenTelemetry API with the option off too).
    (
        "telemetry",
        (
            "PACKAGE/observability/",
            "PACKAGE/db/traces.py",
            "opentelemetry/",
            "prometheus_client/",
            "fastapi/telemetry/",
        ),
    ),
    ("ORM", ("sqlalchemy/", "greenlet/")),
    ("validation", ("pydantic/", "pydantic_core/", "fastapi/_compat/", "fastapi/encoders")),
    ("our middleware", ("PACKAGE/web/middleware.py", "PACKAGE/web/limits.py", "PACKAGE/logs.py")),
    ("our services and db", ("PACKAGE/",)),
    ("framework", ("fastapi/", "starlette/")),
    ("server", ("uvicorn/", "httptools/", "asyncio/", "anyio/", "h11/")),
)
RATE = 200  # samples per second


def main() -> None:
    stop_on_sigterm()
    args = parse_args()
    py_spy = ["py-spy"] if shutil.which("py-spy") else ["uvx", "py-spy"]
    with tempfile.TemporaryDirectory(prefix="layers-") as workdir:
        work = Path(workdir)
        answers = answers_of(args.project)
        with database_urls(answers["database"], work, ["layers"]) as (url,):
            process = service(args.project, url, 1, work)
            with started(("service", 1), process, url) as app:
                share, path = SCENARIOS[args.scenario]
                mix = Mix(share, path, known_tags(app.url), prefix=args.scenario)
                drive(app.url, mix, args.clients, 2, args.loader)  # warm up
                (server,) = app.workers()
                loaded: list[Result] = []
                load = threading.Thread(
                    target=lambda: loaded.append(
                        drive(app.url, mix, args.clients, args.seconds + 2, args.loader)
                    )
                )
                load.start()
                time.sleep(1)  # the load is on before the samples begin
                samples = work / "samples.txt"
                record = [*py_spy, "record", "--pid", str(server), "--format", "raw"]
                record += ["--rate", str(RATE), "--duration", str(args.seconds), "--nonblocking"]
                subprocess.run([*record, "--output", str(samples)], check=True, capture_output=True)
                load.join()
                layers = samples_by_layer(samples.read_text(), answers["package_name"])
    per_second = loaded[0].per_second
    print(f"{args.project.name}, {args.scenario} at {args.clients} clients: {per_second:.0f} req/s")
    print("| layer | share | µs per request |\n|---|---|---|")
    total = sum(layers.values())
    for layer, count in layers.most_common():
        print(f"| {layer} | {count / total:.0%} | {count / total / per_second * 1e6:.0f} |")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.partition("\n")[0])
    parser.add_argument("--project", type=Path, required=True, help="a rendered project")
    parser.add_argument("--scenario", choices=tuple(SCENARIOS), default="list")
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--seconds", type=int, default=8, help="whole seconds (py-spy)")
    parser.add_argument("--loader", default=available_loader())
    return parser.parse_args()


def samples_by_layer(raw: str, package: str) -> Counter[str]:
    """Samples of the event loop's thread by layer, from py-spy's raw format (a stack of
    frames `function (file:line)` joined by ";", then a count; a frame it could not read
    may hold a line break)."""
    layers: Counter[str] = Counter()
    for stack, count in re.findall(r"^(.+?) (\d+)$", raw, re.MULTILINE | re.DOTALL):
        frames = stack.split(";")
        if frames[0].partition(" (threading.py")[0] in ("_bootstrap", "Thread._bootstrap"):
            continue  # a thread of the driver's, the loop watch's or the pool's
        layers[layer_of(frames, package)] += int(count)
    return layers


def layer_of(frames: list[str], package: str) -> str:
    for frame in reversed(frames):
        where = frame.rpartition(" (")[2]
        for layer, parts in LAYERS:
            if any(where.startswith(part.replace("PACKAGE", package)) for part in parts):
                return layer
    return "other"


if __name__ == "__main__":
    main()
