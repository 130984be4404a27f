"""WalCheckpointer: copies the writer's WAL back into the database beside the commits.

SQLite's automatic checkpoint runs inside the ``COMMIT`` that crosses its threshold, and one run
on the writer's own connection makes the next transaction wait for it: either way a batch of
callers waits ~2 ms more for its 200 four times a second, 1% of webhooks at 16 connections,
right where the p99 is (docs/perf-notes.md). A ``PASSIVE`` checkpoint on a connection of its
own, on a thread of its own, waits for no writer and holds none up while it copies.

The WAL file is reused from its start only when a write begins after a checkpoint has copied all
of it, and beside a steady stream of commits that checkpoint always loses the race: at 16
connections the WAL grew by 19 MB/s, and a commit that appends to a growing file pays for its
size in the fsync (commit p50 0.35 → 0.6 ms). So once a checkpoint has done the bulk of the
copying, the writer finishes it between two transactions on its own connection: it copies the
few commits that came since and fsyncs a file that is nearly clean already, and the next write
starts the WAL over.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3

from bot.store.blocking_thread import BlockingThread

log = logging.getLogger(__name__)

# At most one checkpoint per interval: under load a batch commits every few ms and writes ~20
# pages, so the WAL stays a few MB; after a quiet spell the first commit checkpoints at once.
CHECKPOINT_EVERY_S = 0.25
CHECKPOINT = "PRAGMA wal_checkpoint(PASSIVE)"
# The checkpoint is background work: on a busy core it runs in the loop's idle moments (while a
# commit's fsync is under way) instead of preempting the loop in the middle of a batch.
CHECKPOINT_NICE = 19


class WalCheckpointer:
    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self._event_loop = loop
        self._thread: BlockingThread | None = None
        self._db: sqlite3.Connection | None = None
        self._writer: tuple[sqlite3.Connection, BlockingThread] | None = None
        self._running: asyncio.Future[None] | None = None
        self._last = 0.0
        self._copied = False

    async def start(self, writer: sqlite3.Connection, writer_thread: BlockingThread) -> None:
        """Opens its own connection to the writer's file; an in-memory database has no WAL."""
        path, synchronous = _file_of(writer)
        if not path:
            return
        self._writer = (writer, writer_thread)
        self._thread = BlockingThread(self._event_loop, "store-checkpointer", nice=CHECKPOINT_NICE)
        try:
            self._db = await self._thread.call(_connect, path, synchronous)
        except BaseException:
            self._thread.stop()
            self._thread = None
            raise

    async def stop(self) -> None:
        """Waits for the checkpoint under way, if any (its failure is logged), then closes."""
        if self._running is not None:
            await asyncio.wait([self._running])
        if self._thread is not None:
            if self._db is not None:
                await self._thread.call(self._db.close)
                self._db = None
            self._thread.stop()
            self._thread = None

    def after_commit(self) -> None:
        """Starts a checkpoint when the interval has passed and none is under way or unfinished."""
        if self._thread is None or self._running is not None or self._copied:
            return
        now = self._event_loop.time()
        if now - self._last < CHECKPOINT_EVERY_S:
            return
        self._last = now
        self._running = self._thread.call(_checkpoint, self._db)
        self._running.add_done_callback(self._done)

    def _done(self, running: asyncio.Future[None]) -> None:
        self._running = None
        if running.cancelled():
            return
        error = running.exception()
        if error is not None:
            log.warning("WAL checkpoint failed (retried later): %s", error)
            return
        self._copied = True

    async def before_transaction(self) -> None:
        """Once a checkpoint beside the commits is done, finishes it on the writer's connection
        and thread: with nothing appended while it runs, it copies the rest of the WAL and the
        next write starts it over (unless a reader's snapshot still needs it; then the next
        interval tries again)."""
        if not self._copied:
            return
        self._copied = False
        assert self._writer is not None  # set whenever a checkpoint could run
        writer, thread = self._writer
        try:
            await thread.call(_checkpoint, writer)
        except sqlite3.Error as error:
            log.warning("WAL checkpoint failed (retried later): %s", error)


def _file_of(db: sqlite3.Connection) -> tuple[str, int]:
    path = next(row[2] for row in db.execute("PRAGMA database_list") if row[1] == "main")
    (synchronous,) = db.execute("PRAGMA synchronous").fetchone()
    return path, synchronous


def _connect(path: str, synchronous: int) -> sqlite3.Connection:
    db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    # The checkpoint fsyncs the database file as the writer's setting says (FULL: before the WAL
    # is reused, so a crash never finds a half-copied page with its WAL frame overwritten).
    db.execute(f"PRAGMA synchronous = {synchronous}")
    return db


def _checkpoint(db: sqlite3.Connection | None) -> None:
    assert db is not None
    db.execute(CHECKPOINT)
