"""The benchmark: a rendered service beside the textbook app, under the same load, in one run.

    uv run python -m bench --database sqlite --workers 1

renders the variant (or takes --project), starts it and bench/textbook.py on the same
database engine, and drives each scenario at each client count in alternating rounds. It
prints req/s, p50/p99/max, non-2xx, transport errors and the integrity check (rows stored ==
2xx creates) for both apps, the ratio of their medians, the in-process floor of a create, the
time from start to /readyz and each app's resident memory after the load; --json writes it all.
"""

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import asdict
from pathlib import Path

from sqlalchemy import create_engine, func, make_url, select, table

from bench.load import Mix, Result, available_loader, drive
from tests.postgres import postgres_server
from tests.rendering import environment, render, run
from tests.service import Service, call

BENCH = Path(__file__).parent
SCENARIOS = {  # name: (share of creates, read path)
    "create": (1.0, "/tags"),
    "get": (0.0, "/tags/{id}"),
    "list": (0.0, "/tags?limit=50"),
    "mix": (0.2, "/tags/{id}"),
}
KNOWN_TAGS = 200
APPS = ("service", "textbook")
STALLED = Result(0, 0, 0, 0, 1.0, 0.0, 0.0, 0.0, 0)  # an app that did not answer before a round


def main() -> None:
    args = parse_args()
    with ExitStack() as stack:
        workdir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="bench-")))
        project = args.project or render(workdir, database=args.database)
        answers = json.loads((project / ".cookiecutter.json").read_text())
        args.database = answers["database"]
        # Bytecode compiled once, as a first run leaves it, so start-up is measured as users see it.
        run(["uv", "sync", "--quiet", "--compile-bytecode"], project)
        urls = stack.enter_context(database_urls(args.database, workdir))
        apps = {
            "service": stack.enter_context(
                started(
                    service(project, answers, urls[0], args.workers, workdir), "/readyz", urls[0]
                )
            ),
            "textbook": stack.enter_context(
                started(textbook(project, urls[1], args.workers, workdir), "/tags?limit=1", urls[1])
            ),
        }
        report = {
            "machine": machine(),
            "database": args.database,
            "workers": args.workers,
            "loader": args.loader,
            "seconds": args.seconds,
            "rounds": args.rounds,
            "start_to_ready_s": {name: app.ready_after for name, app in apps.items()},
            "floor_creates_per_s": floor(project, answers, urls[2]),
            "rows": measure(apps, args),
            "rss_mib": {name: app.rss_mib() for name, app in apps.items()},
        }
    print_report(report)
    if args.json:
        args.json.write_text(json.dumps(report, indent=2))


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--clients", default="1,32,64,256", help="comma-separated counts")
    parser.add_argument("--scenarios", default=",".join(SCENARIOS), help="comma-separated")
    parser.add_argument("--seconds", type=float, default=5, help="per round and app")
    parser.add_argument("--rounds", type=int, default=2, help="alternating rounds per cell")
    parser.add_argument("--loader", choices=["wrk", "asyncio"], default=available_loader())
    parser.add_argument("--project", type=Path, help="an already rendered project to measure")
    parser.add_argument("--json", type=Path, help="write the figures here too")
    args = parser.parse_args()
    args.clients = [int(n) for n in args.clients.split(",")]
    args.scenarios = args.scenarios.split(",")
    return args


@contextmanager
def database_urls(database: str, workdir: Path) -> Iterator[tuple[str, str, str]]:
    """Empty databases on the same engine: the service's, the textbook app's, the floor's."""
    names = ("bench_service", "bench_textbook", "bench_floor")
    if database == "sqlite":
        service, textbook, floor = (f"sqlite:///{workdir / name}.db" for name in names)
        yield service, textbook, floor
        return
    with postgres_server() as server:
        admin = create_engine(server, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            for name in names:
                connection.exec_driver_sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
                connection.exec_driver_sql(f"CREATE DATABASE {name}")
        admin.dispose()
        base = make_url(server)
        urls = [base.set(database=name).render_as_string(hide_password=False) for name in names]
        yield urls[0], urls[1], urls[2]


def service(project: Path, answers: dict[str, str], url: str, workers: int, logs: Path) -> Service:
    command = [str(project / ".venv" / "bin" / answers["project_slug"]), "serve"]
    env = environment(DATABASE_URL=url, WORKERS=str(workers))
    return Service(command, project, env, logs)


def textbook(project: Path, url: str, workers: int, logs: Path) -> Service:
    """The tutorial's server settings: uvicorn's defaults (uvloop and httptools when
    installed), no access log; the schema is created once, before the workers start."""
    env = environment(DATABASE_URL=url)
    run([str(project / ".venv" / "bin" / "python"), "-c", "import textbook"], BENCH, **env)
    uvicorn = str(project / ".venv" / "bin" / "uvicorn")
    server = Service([uvicorn, "textbook:app", "--no-access-log"], BENCH, env, logs)
    server.command += ["--host", "127.0.0.1", "--port", str(server.port), "--workers", str(workers)]
    return server


class App:
    def __init__(
        self, service: Service, ready_path: str, database_url: str, ready_after: float
    ) -> None:
        self.service, self.ready_path, self.ready_after = service, ready_path, ready_after
        self.url, self.database_url = service.url, database_url
        self.stalled = False  # once it failed to recover, it is not waited for again

    def settle(self, timeout: float = 60) -> bool:
        """Whether the app answers and its table is quiet again within timeout: after a round
        that stalled it, requests the loader abandoned may still be running, and committing."""
        if self.stalled:
            return False
        deadline = time.monotonic() + timeout
        try:
            self.service.wait_for(self.ready_path, timeout)
        except AssertionError:
            self.stalled = True
            return False
        count = -1
        while count != (count := count_tags(self.database_url)) and time.monotonic() < deadline:
            time.sleep(0.5)
        return True

    def rss_mib(self) -> list[float]:
        """Resident memory of each worker process (the process itself with one worker)."""
        assert self.service.process is not None
        pid = self.service.process.pid
        children = Path(f"/proc/{pid}/task/{pid}/children")
        pids = children.read_text().split() if children.exists() else []
        return [_rss_mib(int(p)) for p in pids] if pids else [_rss_mib(pid)]


def _rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return round(int(line.split()[1]) / 1024, 1)
    return 0.0


@contextmanager
def started(server: Service, ready_path: str, database_url: str) -> Iterator[App]:
    began = time.monotonic()
    try:
        server.start(path=ready_path)
        yield App(server, ready_path, database_url, round(time.monotonic() - began, 2))
    finally:
        server.kill()


def floor(project: Path, answers: dict[str, str], url: str) -> float:
    """Creates per second in-process: the same ORM insert + commit + read-schema validation."""
    package = answers["package_name"]
    python = str(project / ".venv" / "bin" / "python")
    output = run([python, str(BENCH / "floor.py"), package], project, DATABASE_URL=url)
    return float(output.split()[-1])


def measure(apps: dict[str, App], args: argparse.Namespace) -> list[dict[str, object]]:
    ids = {name: known_tags(app.url) for name, app in apps.items()}
    rows = []
    for clients in args.clients:
        for scenario in args.scenarios:
            share, path = SCENARIOS[scenario]
            results: dict[str, list[Result]] = {name: [] for name in apps}
            for round_ in range(args.rounds):
                order = list(apps.items())
                for name, app in order if round_ % 2 == 0 else reversed(order):
                    mix = Mix(share, path, ids[name], prefix=f"{scenario}{clients}r{round_}")
                    if not app.settle():
                        print(f"  {name} stalled, not measured: counted as 0/s", file=sys.stderr)
                        results[name].append(STALLED)
                        continue
                    before = count_tags(app.database_url)
                    result = drive(app.url, mix, clients, args.seconds, args.loader)
                    stored = count_tags(app.database_url) - before
                    results[name].append(result)
                    check = result.created <= stored <= result.created + result.abandoned_max
                    rows_ok = check if share else stored == 0
                    progress = f"{scenario:6} {clients:4} {name:8} {result.per_second:8.0f}/s"
                    progress += f" p99 {result.p99_ms:7.1f} ms, non-2xx {result.non_2xx}"
                    print(
                        f"  {progress}, stored {stored} of {result.created} 201s", file=sys.stderr
                    )
                    if not rows_ok:
                        raise SystemExit(f"{name}: {stored} rows stored for {result.created} 201s")
            rows.append(summarise(scenario, clients, results))
    return rows


def summarise(scenario: str, clients: int, results: dict[str, list[Result]]) -> dict[str, object]:
    row: dict[str, object] = {"scenario": scenario, "clients": clients}
    for name, runs in results.items():
        row[name] = {
            "per_s": statistics.median(r.per_second for r in runs),
            "p50_ms": statistics.median(r.p50_ms for r in runs),
            "p99_ms": statistics.median(r.p99_ms for r in runs),
            "max_ms": max(r.max_ms for r in runs),
            "non_2xx": sum(r.non_2xx for r in runs),
            "transport_errors": sum(r.transport_errors for r in runs),
            "rounds": [asdict(r) for r in runs],
        }
    ours, theirs = row["service"], row["textbook"]
    assert isinstance(ours, dict)
    assert isinstance(theirs, dict)
    row["ratio"] = round(ours["per_s"] / theirs["per_s"], 2) if theirs["per_s"] else None
    return row


def known_tags(url: str) -> tuple[int, ...]:
    return tuple(call(f"{url}/tags", {"name": f"known-{n}"})[1]["id"] for n in range(KNOWN_TAGS))


def count_tags(url: str) -> int:
    engine = create_engine(url)
    with engine.connect() as connection:
        count = connection.scalar(select(func.count()).select_from(table("tags"))) or 0
    engine.dispose()
    return count


def machine() -> str:
    cpu = subprocess.run(["nproc"], capture_output=True, text=True, check=False).stdout.strip()
    return f"{cpu} cores, Python {sys.version.split()[0]}"


def print_report(report: dict[str, object]) -> None:
    print(f"\n{report['database']}, {report['workers']} worker(s), {report['loader']}, "
          f"{report['seconds']} s a round, medians of {report['rounds']} rounds; "
          f"{report['machine']}")  # fmt: skip
    print(f"start to /readyz: {report['start_to_ready_s']}; resident MiB: {report['rss_mib']}")
    print(f"in-process floor: {report['floor_creates_per_s']:.0f} creates/s\n")
    # errors: non-2xx answers plus transport errors
    columns = ["scenario", "clients"]
    columns += [
        f"{name} {figure}" for name in APPS for figure in ("req/s", "p50/p99/max ms", "errors")
    ]
    print("| " + " | ".join([*columns, "ratio"]) + " |")
    print("|---" * (len(columns) + 1) + "|")
    for row in report["rows"]:
        cells = [row["scenario"], row["clients"]]
        for name in APPS:
            app = row[name]
            latency = f"{app['p50_ms']:.1f} / {app['p99_ms']:.1f} / {app['max_ms']:.0f}"
            cells += [f"{app['per_s']:.0f}", latency, app["non_2xx"] + app["transport_errors"]]
        cells.append(f"{row['ratio']:.2f}x" if row["ratio"] is not None else "n/a")
        print("| " + " | ".join(map(str, cells)) + " |")


if __name__ == "__main__":
    main()
