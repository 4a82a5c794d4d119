"""Bounded HTTP load: wrk when it is installed, otherwise a small asyncio HTTP/1.1 client.

Both drive `clients` keep-alive connections for `seconds` with one request mix: a share of
creates (`POST /tags` with a unique name), the rest reads (`GET /tags/{id}` of a known id, or
`GET /tags?limit=50`). Both count 2xx creates by their status (201), for the integrity check.
wrk abandons the requests in flight when its time is up, so the server may store up to
`clients` rows it was never seen to answer; the asyncio client lets them finish.
"""

import asyncio
import json
import random
import shutil
import statistics
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

LUA = Path(__file__).with_name("mix.lua")
TIMEOUT_S = 30  # an answer slower than this is a transport error, for both loaders


@dataclass(frozen=True)
class Mix:
    """What one connection sends: creates with this share, else a read of `read_path`."""

    create_share: float
    read_path: str  # "/tags/{id}" picks one of ids; anything else is sent as it is
    ids: tuple[int, ...] = ()
    prefix: str = "b"  # keeps created names unique across rounds


@dataclass(frozen=True)
class Result:
    answered: int
    non_2xx: int
    transport_errors: int
    created: int  # 201 answers
    seconds: float
    p50_ms: float
    p99_ms: float
    max_ms: float
    abandoned_max: int  # requests that may have been in flight when the loader stopped
    # Set by the bench for an app with several workers: the busiest one's share of their CPU.
    busiest_worker_share: float | None = None

    @property
    def per_second(self) -> float:
        return self.answered / self.seconds


def drive(base_url: str, mix: Mix, clients: int, seconds: float, loader: str) -> Result:
    if loader == "wrk":
        return _wrk(base_url, mix, clients, seconds)
    return asyncio.run(_drive(base_url, mix, clients, seconds))


def available_loader() -> str:
    return "wrk" if shutil.which("wrk") else "asyncio"


def _wrk(base_url: str, mix: Mix, clients: int, seconds: float) -> Result:
    with tempfile.TemporaryDirectory() as directory:
        ids = Path(directory, "ids")
        ids.write_text("\n".join(map(str, mix.ids)))
        args = [str(mix.create_share), mix.read_path, str(ids), mix.prefix]
        duration = f"-d{max(1, round(seconds))}s"  # wrk takes whole seconds
        command = [
            "wrk", f"-c{clients}", f"-t{min(clients, 2)}", duration, "--timeout", f"{TIMEOUT_S}s",
            "-s", str(LUA), base_url, "--", *args,
        ]  # fmt: skip
        output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    summary = json.loads(output.splitlines()[-1])
    return Result(
        answered=summary["requests"],
        non_2xx=summary["non_2xx"],
        transport_errors=summary["errors"],
        created=summary["created"],
        seconds=summary["seconds"],
        p50_ms=summary["p50_us"] / 1000,
        p99_ms=summary["p99_us"] / 1000,
        max_ms=summary["max_us"] / 1000,
        abandoned_max=clients,
    )


async def _drive(base_url: str, mix: Mix, clients: int, seconds: float) -> Result:
    url = urlsplit(base_url)
    deadline = time.monotonic() + seconds
    latencies: list[float] = []
    statuses: list[int] = []
    errors = 0
    started = time.monotonic()

    async def connection(number: int) -> None:
        nonlocal errors
        rng = random.Random(number)
        reader, writer = await asyncio.open_connection(url.hostname, url.port)
        sent = 0
        try:
            while time.monotonic() < deadline:
                sent += 1
                request = _request(mix, rng, url.netloc, f"{mix.prefix}-{number}-{sent}")
                began = time.perf_counter()
                writer.write(request)
                async with asyncio.timeout(TIMEOUT_S):  # TimeoutError is an OSError
                    statuses.append(await _response_status(reader))
                latencies.append(time.perf_counter() - began)
        except (OSError, asyncio.IncompleteReadError, ValueError):
            errors += 1
        finally:
            writer.close()

    await asyncio.gather(*(connection(n) for n in range(clients)))
    elapsed = time.monotonic() - started
    ms = sorted(latency * 1000 for latency in latencies) or [0.0]
    return Result(
        answered=len(statuses),
        non_2xx=sum(not 200 <= status < 300 for status in statuses),
        transport_errors=errors,
        created=statuses.count(201),
        seconds=elapsed,
        p50_ms=statistics.median(ms),
        p99_ms=ms[min(len(ms) - 1, int(len(ms) * 0.99))],
        max_ms=ms[-1],
        abandoned_max=errors,
    )


def _request(mix: Mix, rng: random.Random, host: str, name: str) -> bytes:
    if rng.random() < mix.create_share:
        body = json.dumps({"name": name}).encode()
        head = f"POST /tags HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\n"
        return f"{head}Content-Length: {len(body)}\r\n\r\n".encode() + body
    path = mix.read_path.replace("{id}", str(rng.choice(mix.ids))) if mix.ids else mix.read_path
    return f"GET {path} HTTP/1.1\r\nHost: {host}\r\n\r\n".encode()


async def _response_status(reader: asyncio.StreamReader) -> int:
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = dict(line.lower().split(": ", 1) for line in lines[1:] if ": " in line)
    await reader.readexactly(int(headers.get("content-length", 0)))
    return int(lines[0].split()[1])
