"""The ingest benchmark's servers and databases.

The real receiver is the shipped command, ``chatsight-bot serve-webhooks``, configured as an
operator would (``DATABASE_URL``, the shared secret), one process per receiver; the yardstick is
a bare aiohttp handler that reads the body and answers 200, as many processes as receivers.
Every server is pinned to core 0 (wrk has core 1); PostgreSQL's own processes run where the
kernel puts them, so on this 2-core machine they take their time from the servers and from wrk.

Every round starts the real receivers on a fresh copy of one prepared database: 300,000
sessions awaiting a result, one signed delivery each in the requests file.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import secrets
import shutil
import sqlite3
import subprocess
import sys
import time
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

import asyncpg
import uvloop
import yarl
from aiohttp import web

from bench.ingest_load import fsync_file
from bench.processes import CLI, receiver_env
from bot.domain.records import SessionState
from bot.sessions.service import token_hash
from bot.store.postgres import PostgresStore
from bot.store.sqlite import SQLiteStore
from bot.webhook.server import WebhookServer
from standins.chatsight.webhook import signed_delivery
from standins.loopback import free_port, wait_for_port

SECRET = "bench-shared-secret"
ROOT = Path(__file__).resolve().parents[1]
SESSION_COLUMNS = (
    "convo_id",
    "stream_url",
    "source",
    "deliveries",
    "state",
    "webhook_token_hash",
    "created_at",
    "updated_at",
    "channel_id",
)

URL = "https://s.test/live.m3u8"
RUNNING = SessionState.RUNNING.value
# The statement is built from the constant column names above, nothing else.
INSERT_SESSION = (
    f"INSERT INTO sessions ({', '.join(SESSION_COLUMNS)})"  # noqa: S608
    f" VALUES ({', '.join('?' for _ in SESSION_COLUMNS)})"
)
Row = tuple[str, str, str, str, str, str, int, int, int]


def sessions_and_requests(sessions: int, requests_path: Path) -> list[Row]:
    """Sessions awaiting results, and one signed delivery for each, written (and fsynced) for
    wrk."""
    now = int(time.time() * 1000)
    rows: list[Row] = []
    lines = []
    for index in range(sessions):
        convo, token = f"bench-{index:07d}", secrets.token_urlsafe(24)
        rows.append((convo, URL, "bench", "result", RUNNING, token_hash(token), now, now, 1))
        body = signed_delivery(SECRET, convo, "Fun,Relaxed", False, now)
        lines.append(f"/webhooks/chatsight/{token} {json.dumps(body, separators=(',', ':'))}")
    requests_path.write_text("\n".join(lines) + "\n")
    fsync_file(requests_path)
    return rows


class SQLiteCopies:
    """A template file; each round gets a byte copy of it, fsynced before the round."""

    def __init__(self, directory: Path) -> None:
        self._template = directory / "template.db"

    async def prepare(self, rows: list[Row]) -> None:
        store = SQLiteStore(self._template)
        await store.open()
        await store.close()
        # Closed before the file is copied for a round, so the copy holds every row (no WAL left).
        with closing(sqlite3.connect(self._template)) as db, db:
            db.executemany(INSERT_SESSION, rows)
        fsync_file(self._template)

    async def fresh(self, name: str) -> str:
        copy = self._template.with_name(f"{name}.db")
        shutil.copyfile(self._template, copy)
        fsync_file(copy)
        return f"sqlite:///{copy}"

    async def discard(self, url: str) -> None:
        path = url.removeprefix("sqlite:///")
        for suffix in ("", "-wal", "-shm", ".lock"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)

    async def close(self) -> None:
        await self.discard(f"sqlite:///{self._template}")


class PostgresCopies:
    """A template database on the server; each round gets ``CREATE DATABASE … TEMPLATE``, then
    a ``CHECKPOINT`` so the round does not pay for writing the copy's pages back."""

    def __init__(self, server_url: str) -> None:
        self._server_url = server_url
        self._template = f"chatsight_bench_{secrets.token_hex(4)}"
        self._admin: asyncpg.Connection | None = None

    def _url(self, database: str) -> str:
        return str(yarl.URL(self._server_url).with_path(f"/{database}"))

    async def prepare(self, rows: list[Row]) -> None:
        self._admin = await asyncpg.connect(self._server_url, timeout=10)
        await self._admin.execute(f'CREATE DATABASE "{self._template}"')
        store = PostgresStore(self._url(self._template))
        await store.open()
        await store.close()
        db = await asyncpg.connect(self._url(self._template), timeout=10)
        try:
            await db.copy_records_to_table("sessions", records=rows, columns=SESSION_COLUMNS)
            await db.execute("VACUUM ANALYZE sessions")
        finally:
            await db.close()

    async def fresh(self, name: str) -> str:
        assert self._admin is not None
        database = f"{self._template}_{name}"
        await self._admin.execute(f'CREATE DATABASE "{database}" TEMPLATE "{self._template}"')
        await self._admin.execute("CHECKPOINT")
        return self._url(database)

    async def discard(self, url: str) -> None:
        assert self._admin is not None
        database = yarl.URL(url).path.lstrip("/")
        await self._admin.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')

    async def close(self) -> None:
        if self._admin is not None:
            await self.discard(self._url(self._template))
            await self._admin.close()
            self._admin = None


@dataclass
class Servers:
    """Server processes, each listening on its port, all stopped together."""

    processes: list[subprocess.Popen[bytes]]
    ports: list[int]

    def stop(self) -> None:
        for process in self.processes:
            process.terminate()
        for process in self.processes:
            process.wait(timeout=30)


def start_servers(
    count: int, database_url: str | None, log_dir: Path, bare: str = "app"
) -> Servers:
    """``count`` bare handlers of kind ``bare`` (``database_url`` None) or ``serve-webhooks``
    receivers, each logging to a file in ``log_dir`` that is shown when one fails to start."""
    servers = Servers([], [])
    logs = []
    for _ in range(count):
        port = free_port()
        if database_url is None:
            command = [sys.executable, "-m", "bench.ingest_servers", "--bare", str(port), bare]
            env = None
        else:
            command = [CLI, "serve-webhooks"]
            # The requests were signed when the database was prepared, minutes ago.
            env = receiver_env(database_url, SECRET, port, WEBHOOK_MAX_SKEW_SECONDS="3600")
        log = log_dir / f"server-{port}.log"
        with log.open("wb") as output:
            process = subprocess.Popen(
                ["taskset", "-c", "0", *command], env=env, cwd=ROOT, stdout=output, stderr=output
            )
        logs.append(log)
        servers.processes.append(process)
        servers.ports.append(port)
    try:
        for process, port in zip(servers.processes, servers.ports, strict=True):
            wait_for_port(port, process, seconds=60)
    except BaseException:
        servers.stop()
        for log in logs:
            print(log.read_text(errors="replace"), file=sys.stderr)
        raise
    return servers


async def serve_bare(port: int, kind: str) -> None:
    """``app``: a handler in an ``Application`` on asyncio's own loop, the yardstick the target
    is set against. ``server``: the same handler on aiohttp's low-level server and uvloop's loop,
    as the receiver is served (bot/webhook/receiver.py, bot/app/cli.py)."""

    async def bare(request: web.BaseRequest) -> web.Response:
        await request.read()
        return web.Response(text="OK")

    if kind == "app":
        app = web.Application()
        app.router.add_post("/webhooks/chatsight/{token}", bare)
        await WebhookServer(app).start("127.0.0.1", port)
    else:
        await WebhookServer(web.Server(bare, access_log=None)).start("127.0.0.1", port)
    await asyncio.Event().wait()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="the bare aiohttp handler, alone")
    parser.add_argument("--bare", type=int, required=True, metavar="PORT")
    parser.add_argument("kind", choices=["app", "server"])
    arguments = parser.parse_args()
    serve = serve_bare(arguments.bare, arguments.kind)
    if arguments.kind == "app":
        asyncio.run(serve)
    else:
        uvloop.run(serve)
