"""The benchmark: rendered services beside the textbook app, under the same load, in one run.

    uv run python -m bench --database sqlite --session-style sync,async --workers 1,2

renders the variant in each session style (or takes each --project), starts each,
bench/textbook.py and bench/ceiling.py on the same database engine with each number of
workers, and drives each scenario at each client count, all servers in alternating rounds. It
prints, per number of workers, req/s, p50/p99/max, errors, the integrity check (rows stored ==
2xx creates) for every app, the ratio of each service's median to the textbook app's and its
share of the ceiling's (the same routes over the plain driver); what more workers gave
each service; the in-process floor of a create, the time from start to /readyz and each
server's resident memory after the load. --json writes it all.
"""

import argparse
import json
import os
import re
import secrets
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import asdict, replace
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, func, make_url, select, table

from bench.load import Mix, Result, available_loader, drive
from tests.postgres import postgres_server
from tests.rendering import answers_of, environment, render, run
from tests.service import Service, call

BENCH = Path(__file__).parent
SCENARIOS = {  # name: (share of creates, read path)
    "create": (1.0, "/tags"),
    "get": (0.0, "/tags/{id}"),
    "list": (0.0, "/tags?limit=50"),
    "mix": (0.2, "/tags/{id}"),
}
KNOWN_TAGS = 200
TEXTBOOK = "textbook"
CEILING = "ceiling"
# How each baseline app of bench/ is served: the textbook app as the tutorials run it
# (uvicorn's defaults, uvloop when installed), the ceiling as `serve` runs the services.
SERVER_OPTIONS = {TEXTBOOK: [], CEILING: ["--loop", "asyncio", "--http", "httptools"]}
FIGURES = ("req/s", "p50 / p99 ms", "errors")  # each app's cells in the tables
STALLED = Result(0, 0, 0, 0, 1.0, 0.0, 0.0, 0.0, 0)  # a round of an app that was stopped
QUIET_S, QUIET_CPU = 0.5, 0.1  # quiet: no row stored and under a tenth of a core for 0.5 s
Server = tuple[str, int]  # (app, workers)


def main() -> None:
    stop_on_sigterm()
    args = parse_args()
    with ExitStack() as stack:
        workdir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="bench-")))
        projects = rendered(args, workdir)
        args.apps = [*projects, *SERVER_OPTIONS]
        servers = [(app, workers) for workers in args.workers for app in args.apps]
        names = [f"bench_{app}_{workers}" for app, workers in servers]
        names += [f"bench_floor_{style}" for style in projects]
        # style@folder too; PostgreSQL folds unquoted names to lower case
        names = [re.sub(r"\W", "_", name).lower() for name in names]
        if len(set(names)) < len(names):
            raise SystemExit(f"--project: folder names that give two apps one database: {names}")
        urls = stack.enter_context(database_urls(args.database, workdir, names))
        server_urls, floor_urls = urls[: len(servers)], urls[len(servers) :]
        baseline_project = next(iter(projects.values()))
        apps = {}
        for (app, workers), url in zip(servers, server_urls, strict=True):
            process = (
                baseline(app, baseline_project, url, workers, workdir)
                if app in SERVER_OPTIONS
                else service(projects[app], url, workers, workdir)
            )
            apps[app, workers] = stack.enter_context(started((app, workers), process, url))
        report = {
            "machine": machine(),
            "database": args.database,
            "session_styles": list(projects),
            "workers": args.workers,
            "loader": args.loader,
            "seconds": args.seconds,
            "rounds": args.rounds,
            "floor_creates_per_s": {
                style: floor(project, floor_url)
                for (style, project), floor_url in zip(projects.items(), floor_urls, strict=True)
            },
            "rows": measure(apps, args),
            "servers": [server.figures() for server in apps.values()],
        }
    print_report(report)
    if args.json:
        args.json.write_text(json.dumps(report, indent=2))


def stop_on_sigterm() -> None:
    """End the run on SIGTERM (a kill, a CI job's timeout) as on an error: the servers and the
    throwaway PostgreSQL cluster it started are stopped on the way out, not left running."""
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(128 + signal.SIGTERM))


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--session-style", default="sync", help="comma-separated: sync,async")
    parser.add_argument("--workers", default="1", help="comma-separated worker counts")
    parser.add_argument("--clients", default="1,32,64,256", help="comma-separated counts")
    parser.add_argument("--scenarios", default=",".join(SCENARIOS), help="comma-separated")
    parser.add_argument("--seconds", type=float, default=5, help="per round and app")
    parser.add_argument("--rounds", type=int, default=2, help="alternating rounds per cell")
    parser.add_argument("--loader", choices=["wrk", "asyncio"], default=available_loader())
    parser.add_argument(
        "--project",
        type=Path,
        action="append",
        help="an already rendered project to measure; repeat it for each style, or for two "
        "versions of one (named style@folder: before and after a change, in one run)",
    )
    parser.add_argument("--json", type=Path, help="write the figures here too")
    args = parser.parse_args()
    args.clients = [int(n) for n in args.clients.split(",")]
    args.workers = [int(n) for n in args.workers.split(",")]
    args.scenarios = args.scenarios.split(",")
    args.session_style = args.session_style.split(",")
    if unknown := set(args.session_style) - {"sync", "async"}:
        parser.error(f"unknown session style(s): {', '.join(sorted(unknown))}")
    return args


def rendered(args: argparse.Namespace, workdir: Path) -> dict[str, Path]:
    """The project of each session style to measure, installed, by style (a second project of
    a style by style@folder, its parent folder's name)."""
    projects = {}
    for project in args.project or []:
        answers = answers_of(project)
        style = answers.get("session_style", "sync")
        if projects and answers["database"] != args.database:
            raise SystemExit("--project: projects of one database")
        args.database = answers["database"]
        name = f"{style}@{project.resolve().parent.name}" if style in projects else style
        if name in projects:
            raise SystemExit(f"--project: two projects named {name}")
        projects[name] = project
    if not projects:
        for style in args.session_style:
            answers = {"database": args.database, "session_style": style}
            projects[style] = render(workdir / style, **answers)
    for project in projects.values():
        # Bytecode compiled once, as a first run leaves it: start-up measured as users see it.
        run(["uv", "sync", "--quiet", "--compile-bytecode"], project)
    return projects


@contextmanager
def database_urls(database: str, workdir: Path, names: list[str]) -> Iterator[list[str]]:
    """An empty database of each name on the same engine."""
    if database == "sqlite":
        yield [f"sqlite:///{workdir / name}.db" for name in names]
        return
    with postgres_server() as server:
        admin = create_engine(server, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            for name in names:
                connection.exec_driver_sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
                connection.exec_driver_sql(f"CREATE DATABASE {name}")
        admin.dispose()
        base = make_url(server)
        yield [base.set(database=name).render_as_string(hide_password=False) for name in names]


def service(project: Path, url: str, workers: int, logs: Path) -> Service:
    slug = answers_of(project)["project_slug"]
    command = [str(project / ".venv" / "bin" / slug), "serve"]
    env = environment(DATABASE_URL=url, WORKERS=str(workers))
    return Service(command, project, env, logs)


def baseline(app: str, project: Path, url: str, workers: int, logs: Path) -> Service:
    """A baseline app of bench/ in the project's environment, served with its SERVER_OPTIONS
    and no access log; its schema is created once, before the workers start."""
    env = environment(DATABASE_URL=url)
    run([str(project / ".venv" / "bin" / "python"), "-c", f"import {app}"], BENCH, **env)
    uvicorn = str(project / ".venv" / "bin" / "uvicorn")
    command = [uvicorn, f"{app}:app", "--no-access-log", *SERVER_OPTIONS[app]]
    server = Service(command, BENCH, env, logs)
    server.command += ["--host", "127.0.0.1", "--port", str(server.port), "--workers", str(workers)]
    return server


def ready_path(server: Server) -> str:
    return "/tags?limit=1" if server[0] == TEXTBOOK else "/readyz"


class App:
    def __init__(
        self, server: Server, service: Service, database_url: str, ready_after: float
    ) -> None:
        self.server, self.service, self.ready_after = server, service, ready_after
        self.ready_path = ready_path(server)
        self.url, self.database_url = service.url, database_url
        self.stalled = False  # once stopped, it is not measured again

    def settle(self, timeout: float = 60) -> None:
        """Wait until the app answers and is quiet again. After a round that stalled it,
        requests the loader abandoned may still be running and committing, and would take
        the cores from whichever app is measured next: an app that does not recover within
        timeout is stopped, and not measured again."""
        if self.stalled:
            return
        deadline = time.monotonic() + timeout
        try:
            self.service.wait_for(self.ready_path, timeout)
        except AssertionError:
            self.stop()
            return
        while not self.quiet():
            if time.monotonic() > deadline:
                self.stop()
                return

    def stop(self) -> None:
        """Stop a stalled app: its requests may sleep in a lock's busy handler, quiet for a
        while, and then work while the next app is measured."""
        self.stalled = True
        self.service.kill()

    def quiet(self) -> bool:
        workers, rows = self.workers(), count_tags(self.database_url)
        before = _cpu_of(workers)
        time.sleep(QUIET_S)
        after = _cpu_of(workers)
        if before is None or after is None:  # the server replaced a worker: not quiet
            return False
        used = sum(after) - sum(before)
        return count_tags(self.database_url) == rows and used < QUIET_CPU * QUIET_S

    def figures(self) -> dict[str, object]:
        app, workers = self.server
        start = {"start_to_ready_s": self.ready_after, "rss_mib": self.rss_mib()}
        return {"app": app, "workers": workers} | start

    def rss_mib(self) -> list[float]:
        """Resident memory of each worker process; none once the app was stopped."""
        return [] if self.stalled else [_rss_mib(pid) for pid in self.workers()]

    def workers(self) -> list[int]:
        """The worker processes (the process itself with one worker): its children but the
        resource tracker that multiprocessing starts beside uvicorn's workers."""
        assert self.service.process is not None
        pid = self.service.process.pid
        children = Path(f"/proc/{pid}/task/{pid}/children")
        pids = children.read_text().split() if children.exists() else []
        return [int(p) for p in pids if not _is_resource_tracker(int(p))] or [pid]


def _is_resource_tracker(pid: int) -> bool:
    try:
        return b"multiprocessing.resource_tracker" in Path(f"/proc/{pid}/cmdline").read_bytes()
    except FileNotFoundError:  # a worker replaced since: _cpu_of notices
        return False


def _rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return round(int(line.split()[1]) / 1024, 1)
    return 0.0


def _busiest_share(workers: list[int], before: list[float] | None) -> float | None:
    """The CPU the busiest worker used since `before`, as a share of all the workers' use.
    uvicorn's workers share one listening socket, and the one that wakes first accepts a
    whole burst of new connections: this shows how the load fell between them."""
    after = _cpu_of(workers)
    if before is None or after is None:
        return None
    used = [end - start for start, end in zip(before, after, strict=True)]
    return round(max(used) / sum(used), 2) if sum(used) else None


def _cpu_of(workers: list[int]) -> list[float] | None:
    """Each worker's CPU seconds so far; None once the server has replaced one."""
    try:
        return [_cpu_seconds(pid) for pid in workers]
    except FileNotFoundError:
        return None


def _cpu_seconds(pid: int) -> float:
    """User and system time the process has used (fields 14 and 15 of /proc/<pid>/stat)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@contextmanager
def started(server: Server, process: Service, database_url: str) -> Iterator[App]:
    began = time.monotonic()
    try:
        process.start(path=ready_path(server))
        yield App(server, process, database_url, round(time.monotonic() - began, 2))
    finally:
        process.kill()


def floor(project: Path, url: str) -> float:
    """Creates per second in-process: the same ORM insert + commit + read-schema validation."""
    answers = answers_of(project)
    package, style = answers["package_name"], answers.get("session_style", "sync")
    python = str(project / ".venv" / "bin" / "python")
    key = secrets.token_urlsafe(32)  # what a project with accounts needs to start
    output = run(
        [python, str(BENCH / "floor.py"), package, style], project, DATABASE_URL=url, SECRET_KEY=key
    )
    # Its line, wherever it falls among the service's log lines (a warning on a busy machine).
    figure = re.search(r"^creates/s (\d+)$", output, re.MULTILINE)
    assert figure, f"floor.py printed no creates/s line:\n{output}"
    return float(figure[1])


def measure(apps: dict[Server, App], args: argparse.Namespace) -> list[dict[str, object]]:
    ids = {server: known_tags(app.url) for server, app in apps.items()}
    rows = []
    for clients in args.clients:
        for scenario in args.scenarios:
            share, path = SCENARIOS[scenario]
            results: dict[Server, list[Result]] = {server: [] for server in apps}
            for round_ in range(args.rounds):
                order = list(apps.items())
                for server, app in order if round_ % 2 == 0 else reversed(order):
                    mix = Mix(share, path, ids[server], prefix=f"{scenario}{clients}r{round_}")
                    results[server].append(measure_round(app, mix, clients, args))
                    app.settle()  # so its leftovers take no cores from the next app measured
            rows += [
                summarise(scenario, clients, workers, {a: results[a, workers] for a in args.apps})
                for workers in args.workers
            ]
    return rows


def measure_round(app: App, mix: Mix, clients: int, args: argparse.Namespace) -> Result:
    name = f"{app.server[0]} x{app.server[1]}"
    if app.stalled:
        print(f"  {name} stalled, not measured: counted as 0/s", file=sys.stderr)
        return STALLED
    before = count_tags(app.database_url)
    workers = app.workers()
    cpu = _cpu_of(workers)
    result = drive(app.url, mix, clients, args.seconds, args.loader)
    if len(workers) > 1:
        result = replace(result, busiest_worker_share=_busiest_share(workers, cpu))
    if result.answered < clients:  # some connection got no answer in the whole round
        app.stop()
    stored = count_tags(app.database_url) - before
    check = result.created <= stored <= result.created + result.abandoned_max
    progress = f"{mix.prefix:12} {name:11} {result.per_second:8.0f}/s"
    progress += f" p99 {result.p99_ms:7.1f} ms, non-2xx {result.non_2xx}"
    if result.busiest_worker_share is not None:
        progress += f", busiest worker {result.busiest_worker_share:.0%} of the CPU"
    print(f"  {progress}, stored {stored} of {result.created} 201s", file=sys.stderr)
    if not (check if mix.create_share else stored == 0):
        raise SystemExit(f"{name}: {stored} rows stored for {result.created} 201s")
    return result


def summarise(
    scenario: str, clients: int, workers: int, results: dict[str, list[Result]]
) -> dict[str, object]:
    figures = {
        name: {
            "per_s": statistics.median(r.per_second for r in runs),
            "p50_ms": statistics.median(r.p50_ms for r in runs),
            "p99_ms": statistics.median(r.p99_ms for r in runs),
            "max_ms": max(r.max_ms for r in runs),
            "non_2xx": sum(r.non_2xx for r in runs),
            "transport_errors": sum(r.transport_errors for r in runs),
            "rounds": [asdict(r) for r in runs],
        }
        for name, runs in results.items()
    }
    services = [name for name in figures if name not in SERVER_OPTIONS]
    return {"scenario": scenario, "clients": clients, "workers": workers, **figures} | {
        "ratios": _ratios(figures, services, TEXTBOOK),
        "ceiling_shares": _ratios(figures, services, CEILING),
    }


def _ratios(
    figures: dict[str, dict[str, Any]], services: list[str], baseline: str
) -> dict[str, float | None]:
    """Each service's req/s over the baseline's; None where the baseline stalled."""
    theirs = figures[baseline]["per_s"]
    return {
        name: round(figures[name]["per_s"] / theirs, 2) if theirs else None for name in services
    }


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


def print_report(report: dict[str, Any]) -> None:
    """Markdown tables, as the READMEs quote them: one per number of workers, then what more
    workers gave each service."""
    styles = report["session_styles"]
    apps = [*styles, *SERVER_OPTIONS]
    floors = ", ".join(
        f"{style} {rate:.0f}/s" for style, rate in report["floor_creates_per_s"].items()
    )
    print(f"\n{report['database']}, services with {' and '.join(styles)} sessions, "
          f"loader {report['loader']}, {report['seconds']:g} s rounds, "
          f"medians of {report['rounds']} alternating rounds; {report['machine']}; "
          f"in-process floor of a create: {floors}")  # fmt: skip
    for workers in report["workers"]:
        print(f"\n{workers} worker(s):\n")
        header = ["load", "clients"]
        header += [f"{app} {figure}" for app in apps for figure in FIGURES]
        header += [f"{style} / {TEXTBOOK}" for style in styles]
        header += [f"{style} / {CEILING}" for style in styles]
        rows = [
            [row["scenario"], row["clients"], *(_figures(row[app]) for app in apps)]
            + [_times(row[style]["per_s"], row[TEXTBOOK]["per_s"]) for style in styles]
            + [_share(row[style]["per_s"], row[CEILING]["per_s"]) for style in styles]
            for row in report["rows"]
            if row["workers"] == workers
        ]
        _print_table(header, rows)
        servers = [server for server in report["servers"] if server["workers"] == workers]
        ready = ", ".join(f"{s['app']} {s['start_to_ready_s']} s" for s in servers)
        rss = ", ".join(
            f"{s['app']} {' + '.join(map(str, s['rss_mib'])) or 'stopped'}" for s in servers
        )
        print(f"\nstart to ready: {ready}; resident MiB per process after the load: {rss}")
    if len(report["workers"]) > 1:
        _print_scaling(report)


def _print_scaling(report: dict[str, Any]) -> None:
    """Each service's req/s at each number of workers, and the ratios against the first."""
    first, *more = workers = report["workers"]
    styles = report["session_styles"]
    by_load = {
        (r["scenario"], r["clients"], r["workers"], style): r[style]
        for r in report["rows"]
        for style in styles
    }
    loads = dict.fromkeys((row["scenario"], row["clients"]) for row in report["rows"])
    print(f"\nthe services with more workers, against {first}:\n")
    header = ["load", "clients"]
    for style in styles:
        header += [f"{style} {w} worker(s) req/s" for w in workers]
        header += [f"{style} {w} / {first}" for w in more]
        header += [f"{style} {w}: busiest worker's CPU" for w in more]
    rows = []
    for scenario, clients in loads:
        row: list[object] = [scenario, clients]
        for style in styles:
            at = {w: by_load[scenario, clients, w, style] for w in workers}
            row += [f"{at[w]['per_s']:.0f}" for w in workers]
            row += [_times(at[w]["per_s"], at[first]["per_s"]) for w in more]
            row += [_shares(at[w]["rounds"]) for w in more]
        rows.append(row)
    _print_table(header, rows)


def _figures(app: dict[str, Any]) -> str:
    if app["per_s"] < 1:
        return "stalled | - | -"
    errors = app["non_2xx"] + app["transport_errors"]
    return f"{app['per_s']:.0f} | {app['p50_ms']:.0f} / {app['p99_ms']:.0f} | {errors}"


def _shares(rounds: list[dict[str, Any]]) -> str:
    """The busiest worker's share of the CPU, lowest to highest over the rounds."""
    shares = sorted(
        r["busiest_worker_share"] for r in rounds if r["busiest_worker_share"] is not None
    )
    if not shares:
        return "-"
    low, high = round(shares[0] * 100), round(shares[-1] * 100)
    return f"{low}%" if low == high else f"{low}-{high}%"


def _times(ours: float, theirs: float) -> str:
    return f"{ours / theirs:.2f}x" if theirs >= 1 else "-"


def _share(ours: float, ceiling: float) -> str:
    return f"{ours / ceiling:.0%}" if ceiling >= 1 else "-"


def _print_table(header: list[str], rows: list[list[object]]) -> None:
    print("| " + " | ".join(header) + " |")
    print("|---" * len(header) + "|")
    for row in rows:
        print("| " + " | ".join(map(str, row)) + " |")


if __name__ == "__main__":
    main()
