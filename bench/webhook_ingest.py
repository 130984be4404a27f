"""Webhook ingest: the real receiver (``chatsight-bot serve-webhooks``: full verification, a
durable commit before each 200) against a bare aiohttp handler that only reads the body and
answers 200, driven by the same ``wrk`` load in the same run over loopback.

    python -m bench.webhook_ingest [--seconds 4] [--rounds 5] [--connections 16 64]
    python -m bench.webhook_ingest --backend postgres --receivers 1 2

SQLite with one receiver is always measured; ``--backend postgres`` adds PostgreSQL with each
count of receiver processes in ``--receivers``, every one against as many bare processes. Servers
run on core 0, wrk on core 1 (bench/ingest_servers.py, bench/ingest_load.py).

Servers take turns, round after round, and the real ones start each round from a fresh copy of
the same database: a shared machine's speed drifts by tens of percent within a minute, so one run
of each would compare two different machines. Prints every round with the share of a core each
server used (and PostgreSQL's processes, ``db cpu``), then per load the medians of the per-round
ratios to bare: throughput, and p99 latency. Needs wrk (Debian: apt-get install wrk). Absolute
numbers drift between machines; the ratios are the figures to compare.

The target, for SQLite with one receiver: p99 at most 2x bare's at every load, and throughput at
least 0.6x bare's at the load where the receiver's throughput peaks. Throughput is what a server
does when the load keeps it busy: the bare handler is CPU-bound at every load tried, but the
durable receiver answers a commit only after its fsync, and wrk's closed loop sends nothing on a
connection until its answer is back. With few connections every one of them waits on the same
fsync while the receiver's core idles (the cpu column shows it); that load measures how many
requests wrk keeps in flight, so only its latency is judged.

"Bare" is the issue's yardstick, a handler in an aiohttp ``Application`` on asyncio's own event
loop. The receiver is served by aiohttp's low-level server instead (bot/webhook/receiver.py),
which skips the application's per-request routing, on uvloop's event loop (bot/app/cli.py), so
every ratio is also printed against the same bare handler on the low-level server and uvloop:
the cost of verifying and committing alone, with the framework's and the loop's share equal.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import statistics
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from bench.ingest_load import cpu_seconds, postgres_cpu_seconds, run_wrk
from bench.ingest_servers import PostgresCopies, SQLiteCopies, sessions_and_requests, start_servers

TARGET_RATIO = 0.6
TARGET_P99_RATIO = 2.0
DEFAULT_POSTGRES = "postgresql://postgres@127.0.0.1:5432/postgres"


@dataclass(frozen=True)
class Setup:
    """One real configuration: a backend and how many receiver processes share it."""

    backend: str
    receivers: int

    @property
    def label(self) -> str:
        return f"{self.backend} x{self.receivers}"


@dataclass(frozen=True)
class LoadSummary:
    """Medians over the rounds at one load; each ratio is the median of per-round ratios.
    ``server_ratio`` and ``server_p99_ratio`` are against the low-level bare server on uvloop."""

    connections: int
    ratio: float
    p99_ratio: float
    real_rps: float
    real_p99_ms: float
    server_ratio: float = 0.0
    server_p99_ratio: float = 0.0


Measured = dict[str, float]


def measure(
    receivers: int,
    database_url: str | None,
    requests_path: Path,
    connections: int,
    seconds: int,
    bare: str = "app",
) -> Measured:
    servers = start_servers(receivers, database_url, requests_path.parent, bare)
    try:
        pids = [process.pid for process in servers.processes]
        cpu_before = sum(map(cpu_seconds, pids))
        db_before = postgres_cpu_seconds()
        result = run_wrk(servers.ports, connections, seconds, requests_path)
        # The servers idle while wrk loads its requests, so the load's duration is the divisor.
        cpu = (sum(map(cpu_seconds, pids)) - cpu_before) / seconds
        db_after = postgres_cpu_seconds()
        db_cpu = sum(cpu - db_before.get(pid, 0.0) for pid, cpu in db_after.items()) / seconds
    finally:
        servers.stop()
    return {**result, "cpu": cpu, "db_cpu": db_cpu}


def show(connections: int, round_no: int, label: str, r: dict[str, float]) -> None:
    print(
        f"{connections:>5} {round_no:>5} {label:>11} {r['rps']:>9.0f} {r['p50']:>7.2f}"
        f" {r['p99']:>7.2f} {r['cpu']:>6.0%} {r['db_cpu']:>6.0%} {r['errors']:>7.0f}",
        flush=True,
    )


async def run_load(
    copies: dict[str, SQLiteCopies | PostgresCopies],
    setups: list[Setup],
    requests_path: Path,
    connections: int,
    args: argparse.Namespace,
) -> dict[Setup, LoadSummary]:
    """Per round, each count of bare processes of both kinds, then every setup with that many
    receivers."""
    runs: dict[Setup, list[tuple[Measured, Measured, Measured]]] = {s: [] for s in setups}
    for round_no in range(1, args.rounds + 1):
        for count in sorted({setup.receivers for setup in setups}):
            bare = measure(count, None, requests_path, connections, args.seconds)
            show(connections, round_no, f"bare x{count}", bare)
            lean = measure(count, None, requests_path, connections, args.seconds, "server")
            show(connections, round_no, f"server x{count}", lean)
            for setup in (s for s in setups if s.receivers == count):
                url = await copies[setup.backend].fresh(f"round{round_no}")
                try:
                    real = measure(count, url, requests_path, connections, args.seconds)
                finally:
                    await copies[setup.backend].discard(url)
                show(connections, round_no, setup.label, real)
                runs[setup].append((bare, lean, real))
    return {setup: summarise(connections, setup, pairs) for setup, pairs in runs.items()}


def summarise(
    connections: int, setup: Setup, rounds: list[tuple[Measured, Measured, Measured]]
) -> LoadSummary:
    ratios = [real["rps"] / bare["rps"] for bare, _, real in rounds]
    p99_ratios = [real["p99"] / bare["p99"] for bare, _, real in rounds]
    summary = LoadSummary(
        connections,
        statistics.median(ratios),
        statistics.median(p99_ratios),
        statistics.median(real["rps"] for _, _, real in rounds),
        statistics.median(real["p99"] for _, _, real in rounds),
        statistics.median(real["rps"] / lean["rps"] for _, lean, real in rounds),
        statistics.median(real["p99"] / lean["p99"] for _, lean, real in rounds),
    )
    print(
        f"{connections:>5} {setup.label}: throughput/bare {summary.ratio:.2f} (rounds: "
        + ", ".join(f"{r:.2f}" for r in ratios)
        + f"), p99/bare {summary.p99_ratio:.2f} (rounds: "
        + ", ".join(f"{r:.2f}" for r in p99_ratios)
        + f"), {summary.real_rps:.0f} req/s, p99 {summary.real_p99_ms:.2f} ms; against the"
        f" low-level bare server on uvloop: throughput {summary.server_ratio:.2f},"
        f" p99 {summary.server_p99_ratio:.2f}",
        flush=True,
    )
    return summary


def verdict(summaries: list[LoadSummary]) -> tuple[LoadSummary, bool]:
    """The load where the receiver's throughput peaks, and whether the target holds: the
    throughput ratio there, the p99 ratio at every load."""
    peak = max(summaries, key=lambda summary: summary.real_rps)
    tails = all(summary.p99_ratio <= TARGET_P99_RATIO for summary in summaries)
    return peak, peak.ratio >= TARGET_RATIO and tails


async def run(args: argparse.Namespace, workdir: Path) -> int:
    setups = [Setup("sqlite", 1)]
    if args.backend == "postgres":
        setups += [Setup("postgres", count) for count in args.receivers]
    elif args.receivers != [1]:
        print("SQLite serves one process: several receivers need --backend postgres")
        return 2
    requests_path = workdir / "requests.txt"
    rows = sessions_and_requests(args.sessions, requests_path)
    copies: dict[str, SQLiteCopies | PostgresCopies] = {"sqlite": SQLiteCopies(workdir)}
    if args.backend == "postgres":
        copies["postgres"] = PostgresCopies(args.postgres_url)
    try:
        for copy in copies.values():
            await copy.prepare(rows)
        del rows
        print(
            f"webhook ingest, {args.rounds} rounds of {args.seconds} s per server,"
            f" cores: {os.cpu_count()}"
        )
        print(
            f"{'conns':>5} {'round':>5} {'server':>11} {'req/s':>9} {'p50 ms':>7} {'p99 ms':>7}"
            f" {'cpu':>6} {'db cpu':>6} {'non-200':>7}"
        )
        by_setup: dict[Setup, list[LoadSummary]] = {setup: [] for setup in setups}
        for connections in args.connections:
            at_load = await run_load(copies, setups, requests_path, connections, args)
            for setup, summary in at_load.items():
                by_setup[setup].append(summary)
    finally:
        for copy in copies.values():
            await copy.close()
    for setup, summaries in by_setup.items():
        print(
            f"{setup.label}: "
            + "; ".join(
                f"{s.connections} connections: throughput {s.ratio:.2f}x bare,"
                f" p99 {s.p99_ratio:.2f}x bare ({s.server_ratio:.2f}x and"
                f" {s.server_p99_ratio:.2f}x the low-level bare server on uvloop)"
                for s in summaries
            )
        )
    peak, met = verdict(by_setup[Setup("sqlite", 1)])
    print(
        f"target (SQLite, one receiver): p99 <= {TARGET_P99_RATIO:.0f}x bare at every load, and"
        f" throughput >= {TARGET_RATIO}x bare where the receiver peaks ({peak.connections}"
        f" connections, {peak.real_rps:.0f} req/s: {peak.ratio:.2f}x): {'met' if met else 'MISSED'}"
    )
    return 0 if met else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=int, default=4)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--connections", type=int, nargs="+", default=[16, 64])
    parser.add_argument("--sessions", type=int, default=300_000)
    parser.add_argument("--backend", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--receivers", type=int, nargs="+", default=[1])
    parser.add_argument(
        "--postgres-url",
        default=os.environ.get("TEST_POSTGRES_URL", DEFAULT_POSTGRES),
        help="a server where the benchmark may create and drop its own databases",
    )
    args = parser.parse_args()
    if not shutil.which("wrk") or not shutil.which("taskset"):
        print("needs wrk and taskset (Debian: apt-get install wrk util-linux)", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as tmp:
        return asyncio.run(run(args, Path(tmp)))


if __name__ == "__main__":
    sys.exit(main())
