"""Webhook ingest: the real receiver (full verification, durable group commit) against a bare
aiohttp handler that only reads the body and answers 200, driven by the same ``wrk`` load in the
same run over loopback. Each server runs in its own process pinned to core 0, wrk to core 1.

    python -m bench.webhook_ingest [--seconds 4] [--rounds 5] [--connections 16 32 64]

The two servers take turns, round after round, and the real one starts each round from a fresh
copy of the same database: a shared machine's speed drifts by tens of percent within a minute, so
one run of each would compare two different machines. Prints every round with the share of its
core each server used, then per load the median of the per-round ratios. Needs wrk (Debian:
apt-get install wrk). Absolute numbers drift between machines; the ratio is the figure to compare.

The target (>= 0.5x bare with p99 under 20 ms) is judged at the load where the real receiver's
throughput peaks. Throughput is what a server does when the load keeps it busy: the bare handler
is CPU-bound at every load tried, but the durable receiver answers a commit only after its fsync
(a few hundred microseconds on these disks), and wrk's closed loop sends nothing on a connection
until its answer is back. With few connections every one of them waits on the same fsync while
the receiver's core idles (the cpu column shows it); those loads measure how many requests wrk
keeps in flight, and are printed so the latency-bound regime stays visible.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import secrets
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

from aiohttp import web

from bot.app.logsetup import configure_logging
from bot.chatsight.client import ChatsightClient
from bot.config import Secret, Settings
from bot.domain.records import SessionState
from bot.sessions.service import TaggingService, token_hash
from bot.store.sqlite import SQLiteStore
from bot.webhook.receiver import WebhookReceiver
from bot.webhook.server import WebhookServer
from bot.webhook.verifier import SecretRing, WebhookVerifier
from standins.chatsight.webhook import signed_delivery
from standins.loopback import free_port, wait_for_port

SECRET = "bench-shared-secret"
LUA = """
local requests = {}
local i = 0
init = function(args)
  for line in io.lines(args[1]) do
    local path, body = line:match("^(%S+) (.*)$")
    requests[#requests + 1] = wrk.format("POST", path,
      {["Content-Type"] = "application/json"}, body)
  end
  i = math.random(#requests)
end
request = function()
  i = i % #requests + 1
  return requests[i]
end
"""


async def prepare(db_path: Path, requests_path: Path, sessions: int) -> None:
    """Sessions awaiting results, and one signed delivery for each, written for wrk."""
    store = SQLiteStore(db_path)
    await store.open()
    await store.close()
    now = int(time.time() * 1000)
    rows, lines = [], []
    for index in range(sessions):
        convo, token = f"bench-{index:07d}", secrets.token_urlsafe(24)
        rows.append(
            (
                convo,
                "https://s.test/live.m3u8",
                "bench",
                "result",
                SessionState.RUNNING.value,
                token_hash(token),
                now,
                now,
                1,
            )
        )
        body = signed_delivery(SECRET, convo, "Fun,Relaxed", False, now)
        lines.append(f"/webhooks/chatsight/{token} {json.dumps(body, separators=(',', ':'))}")
    # Closed before the file is copied for a round, so the copy holds every row (no WAL left).
    with closing(sqlite3.connect(db_path)) as db, db:
        db.executemany(
            "INSERT INTO sessions (convo_id, stream_url, source, deliveries, state,"
            " webhook_token_hash, created_at, updated_at, channel_id)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )
    requests_path.write_text("\n".join(lines) + "\n")


async def serve(kind: str, port: int, db_path: Path) -> None:
    if kind == "bare":

        async def bare(request: web.Request) -> web.Response:
            await request.read()
            return web.Response(text="OK")

        app = web.Application()
        app.router.add_post("/webhooks/chatsight/{token}", bare)
        server = WebhookServer(app)
        await server.start("127.0.0.1", port)
        await asyncio.Event().wait()
    # Logging as the bot sets it up by default, so the receiver pays for what it logs.
    configure_logging(Settings.log_level, [Secret(SECRET)])
    store = SQLiteStore(db_path)
    await store.open()
    ring = SecretRing(grace_ms=0)
    ring.replace([(SECRET, 0)])
    import aiohttp

    async with aiohttp.ClientSession() as http:
        client = ChatsightClient(http, base_url="http://127.0.0.1:9", api_key=Secret("unused"))
        service = TaggingService(store, client, public_base_url=None)
        receiver = WebhookReceiver(service, WebhookVerifier(ring, max_skew_ms=3_600_000))
        server = WebhookServer(receiver.app())
        await server.start("127.0.0.1", port)
        await asyncio.Event().wait()


def measure(
    kind: str, db_path: Path, requests_path: Path, seconds: int, connections: int
) -> dict[str, float]:
    port = free_port()
    server = subprocess.Popen(
        [
            "taskset",
            "-c",
            "0",
            sys.executable,
            "-m",
            "bench.webhook_ingest",
            "--serve",
            kind,
            "--port",
            str(port),
            "--db",
            str(db_path),
        ],
    )
    try:
        wait_for_port(port, server)
        lua = requests_path.with_suffix(".lua")
        lua.write_text(LUA)
        cpu_before = cpu_seconds(server.pid)
        output = subprocess.run(
            [
                "taskset",
                "-c",
                "1",
                "wrk",
                "-t1",
                f"-c{connections}",
                f"-d{seconds}s",
                "--latency",
                "-s",
                str(lua),
                f"http://127.0.0.1:{port}",
                "--",
                str(requests_path),
            ],
            capture_output=True,
            text=True,
            check=True,
            timeout=seconds + 60,
        ).stdout
        # The server idles while wrk loads its requests, so the load's duration is the divisor.
        busy = (cpu_seconds(server.pid) - cpu_before) / seconds
    finally:
        server.terminate()
        server.wait(timeout=20)
    return {**parse_wrk(output), "cpu": busy}


def cpu_seconds(pid: int) -> float:
    """User and system time of a process and all its threads, from /proc (Linux)."""
    # The fields after the command name, which is in parentheses and may hold spaces.
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def parse_wrk(output: str) -> dict[str, float]:
    def latency_ms(label: str) -> float:
        match = re.search(rf"^\s*{label}%\s+([\d.]+)(us|ms|s)\s*$", output, re.M)
        assert match, output
        value, unit = float(match.group(1)), match.group(2)
        return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value

    rate = re.search(r"Requests/sec:\s+([\d.]+)", output)
    non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    assert rate, output
    return {
        "rps": float(rate.group(1)),
        "p50": latency_ms("50"),
        "p99": latency_ms("99"),
        "errors": float(non2xx.group(1)) if non2xx else 0.0,
    }


TARGET_RATIO = 0.5
TARGET_P99_MS = 20.0


@dataclass(frozen=True)
class LoadSummary:
    """Medians over the rounds at one load; the ratio is the median of per-round ratios."""

    connections: int
    ratio: float
    real_rps: float
    real_p99_ms: float


def run_rounds(
    template: Path, requests_path: Path, args: argparse.Namespace, conns: int
) -> LoadSummary:
    """Alternates bare and real, so each round's ratio compares the machine with itself."""
    ratios, real_rps, real_p99 = [], [], []
    for round_no in range(1, args.rounds + 1):
        fresh = template.with_name(f"round-{round_no}.db")
        shutil.copyfile(template, fresh)
        results = {
            "bare": measure("bare", fresh, requests_path, args.seconds, conns),
            "real": measure("real", fresh, requests_path, args.seconds, conns),
        }
        for kind, r in results.items():
            print(
                f"{conns:>5} {round_no:>5} {kind:>6} {r['rps']:>9.0f} {r['p50']:>7.2f}"
                f" {r['p99']:>7.2f} {r['cpu']:>6.0%} {r['errors']:>7.0f}"
            )
        ratios.append(results["real"]["rps"] / results["bare"]["rps"])
        real_rps.append(results["real"]["rps"])
        real_p99.append(results["real"]["p99"])
        for suffix in ("", "-wal", "-shm"):
            Path(f"{fresh}{suffix}").unlink(missing_ok=True)
    summary = LoadSummary(
        conns, statistics.median(ratios), statistics.median(real_rps), statistics.median(real_p99)
    )
    print(
        f"{conns:>5} median ratio real/bare {summary.ratio:.2f} (rounds: "
        + ", ".join(f"{r:.2f}" for r in ratios)
        + f"), real p99 {summary.real_p99_ms:.2f} ms"
    )
    return summary


def verdict(summaries: list[LoadSummary]) -> tuple[LoadSummary, bool]:
    """The load where the real receiver's throughput peaks, and whether the target holds there."""
    peak = max(summaries, key=lambda summary: summary.real_rps)
    return peak, peak.ratio >= TARGET_RATIO and peak.real_p99_ms < TARGET_P99_MS


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=int, default=4)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--connections", type=int, nargs="+", default=[16, 32, 64])
    parser.add_argument("--sessions", type=int, default=300_000)
    parser.add_argument("--serve", choices=["bare", "real"])
    parser.add_argument("--port", type=int)
    parser.add_argument("--db", type=Path)
    args = parser.parse_args()
    if args.serve:
        asyncio.run(serve(args.serve, args.port, args.db))
        return 0
    if not shutil.which("wrk") or not shutil.which("taskset"):
        print("needs wrk and taskset (Debian: apt-get install wrk util-linux)", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as tmp:
        print(
            f"webhook ingest, {args.rounds} rounds of {args.seconds} s per server,"
            f" cores: {os.cpu_count()}"
        )
        print(
            f"{'conns':>5} {'round':>5} {'server':>6} {'req/s':>9} {'p50 ms':>7} {'p99 ms':>7}"
            f" {'cpu':>6} {'non-200':>7}"
        )
        summaries = []
        for connections in args.connections:
            template = Path(tmp, f"{connections}.db")
            requests_path = Path(tmp, f"{connections}.txt")
            asyncio.run(prepare(template, requests_path, args.sessions))
            summaries.append(run_rounds(template, requests_path, args, connections))
    peak, met = verdict(summaries)
    print(
        f"target >= {TARGET_RATIO}x bare with p99 < {TARGET_P99_MS:.0f} ms, judged where the real"
        f" receiver's throughput peaks ({peak.connections} connections, {peak.real_rps:.0f} req/s):"
        f" ratio {peak.ratio:.2f}, p99 {peak.real_p99_ms:.2f} ms: {'met' if met else 'MISSED'}"
    )
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
