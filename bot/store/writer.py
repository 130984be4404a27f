"""GroupCommitWriter: every queued write in one transaction, one commit, then each caller answered.

Callers await their own future, which resolves only after the commit, so "answered after it is
durable" still holds for each of them; a burst shares one fsync instead of paying one each
(docs/perf-notes.md: ~0.15x of a bare handler per request, ~0.6x with group commit).

Two choices make the batches large and cheap on a busy loop (measured with bench/webhook_ingest):

- Before committing, the writer lets the loop run a few rounds while new writes keep arriving, so
  requests that are already readable on their sockets join this commit instead of waiting for the
  next. When nothing else is ready the rounds cost a few microseconds.
- The statements run on the loop thread and only ``COMMIT`` (the fsync) on the writer's own
  thread. CPython's sqlite3 releases the GIL around every row it steps, so statements on a second
  thread hand the GIL back and forth with a busy loop once per row. The connection never waits for
  a lock on the loop: its busy timeout is zero there, and when another process holds the write
  lock, ``BEGIN`` waits for it on the writer's thread instead. The connection is used by one side
  at a time, in turn, never by both at once.
- The WAL is checkpointed beside the commits, on a connection and thread of its own
  (wal_checkpointer.py); a batch waits only for the short end of it, not for a whole one.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from bot.domain.records import Completion, CompletionOutcome
from bot.store.base import StoreUnavailable
from bot.store.blocking_thread import BlockingThread
from bot.store.wal_checkpointer import WalCheckpointer

log = logging.getLogger(__name__)

Write = Callable[[sqlite3.Connection], Any]
ApplyCompletions = Callable[[sqlite3.Connection, Sequence[Completion]], list[CompletionOutcome]]

# Loop rounds without a new write before a batch is closed: enough for a request that is readable
# now to be parsed and queued (two or three rounds), few enough to cost nothing when idle.
SETTLE_ROUNDS = 4
# How long BEGIN waits, on the writer's thread, for a write lock another process holds.
LOCK_WAIT_MS = 5000


@dataclass(eq=False, slots=True)
class _Job:
    future: asyncio.Future[Any]
    write: Write | None = None
    completion: Completion | None = None


class GroupCommitWriter:
    def __init__(self, apply_completions: ApplyCompletions, *, max_batch: int = 256) -> None:
        self._apply_completions = apply_completions
        self._max_batch = max_batch
        self._queue: deque[_Job | None] = deque()
        self._wake: asyncio.Future[None] | None = None
        self._thread: BlockingThread | None = None
        self._db: sqlite3.Connection | None = None
        self._task: asyncio.Task[None] | None = None
        # Kept rather than looked up: on Python 3.11 get_running_loop() costs a getpid() call.
        self._event_loop: asyncio.AbstractEventLoop | None = None
        self._wal: WalCheckpointer | None = None

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    async def start(self, connect: Callable[[], sqlite3.Connection]) -> None:
        """``connect`` runs on the writer's thread; it must allow use from the loop's thread too."""
        self._event_loop = asyncio.get_running_loop()
        self._thread = BlockingThread(self._event_loop, "store-writer")
        try:
            self._db = await self._in_thread(connect)
            self._wal = WalCheckpointer(self._event_loop)
            await self._wal.start(self._db, self._thread)
        except BaseException:
            await self._close()
            raise
        self._db.execute("PRAGMA busy_timeout = 0")
        self._db.execute("PRAGMA wal_autocheckpoint = 0")
        self._task = asyncio.create_task(self._loop(), name="store-writer")

    async def stop(self) -> None:
        """Applies everything queued before it, so shutdown never drops an accepted write."""
        if self._task is not None:
            self._push(None)
            await self._task
            self._task = None
        await self._close()

    async def _close(self) -> None:
        if self._wal is not None:
            await self._wal.stop()
            self._wal = None
        if self._db is not None:
            await self._in_thread(self._db.close)
            self._db = None
        if self._thread is not None:
            self._thread.stop()
            self._thread = None

    def _in_thread(self, fn: Callable[..., Any], *args: Any) -> asyncio.Future[Any]:
        assert self._thread is not None
        return self._thread.call(fn, *args)

    def write(self, write: Write) -> asyncio.Future[Any]:
        return self._submit(write, None)

    def complete(self, completion: Completion) -> asyncio.Future[CompletionOutcome]:
        return self._submit(None, completion)

    def _submit(self, write: Write | None, completion: Completion | None) -> asyncio.Future[Any]:
        if not self.running or self._event_loop is None:
            raise StoreUnavailable("the store is not open")
        job = _Job(self._event_loop.create_future(), write, completion)
        self._push(job)
        return job.future

    def _push(self, job: _Job | None) -> None:
        self._queue.append(job)
        wake = self._wake
        if wake is not None:
            self._wake = None
            wake.set_result(None)

    async def _loop(self) -> None:
        stopping = False
        while not stopping:
            if not self._queue:
                assert self._event_loop is not None
                self._wake = self._event_loop.create_future()
                await self._wake
            first = self._queue.popleft()
            if first is None:
                break
            batch = [first]
            quiet = 0
            while len(batch) < self._max_batch and quiet < SETTLE_ROUNDS:
                if not self._queue:
                    quiet += 1
                    await asyncio.sleep(0)
                    continue
                quiet = 0
                job = self._queue.popleft()
                if job is None:
                    stopping = True
                    break
                batch.append(job)
            await self._commit(batch)
            assert self._wal is not None
            self._wal.after_commit()

    async def _commit(self, batch: list[_Job]) -> None:
        try:
            results = await self._transaction(batch)
        except Exception as error:
            # A lock held past LOCK_WAIT_MS fails every job alike: alone, each would wait again.
            if len(batch) == 1 or _locked(error):
                failure = _for_callers(error)
                for job in batch:
                    if not job.future.done():
                        job.future.set_exception(failure)
                return
            # One bad write must not fail its neighbours: apply each on its own.
            for job in batch:
                await self._commit([job])
            return
        for job, result in zip(batch, results, strict=True):
            if not job.future.done():
                job.future.set_result(result)

    async def _transaction(self, batch: list[_Job]) -> list[Any]:
        db, wal = self._db, self._wal
        assert db is not None and wal is not None
        await wal.before_transaction()
        try:
            db.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as error:
            if not _locked(error):
                raise
            await self._in_thread(_begin_when_free, db)
        try:
            results = self._apply(db, batch)
            await self._in_thread(db.execute, "COMMIT")
        except Exception:
            # Not on cancellation: the thread may still be committing; close() rolls back then.
            if db.in_transaction:
                db.execute("ROLLBACK")
            raise
        return results

    def _apply(self, db: sqlite3.Connection, batch: list[_Job]) -> list[Any]:
        """Consecutive completions go to ``apply_completions`` together, other writes one by one."""
        results: list[Any] = []
        index = 0
        while index < len(batch):
            run = []
            while index < len(batch) and batch[index].completion is not None:
                run.append(batch[index].completion)
                index += 1
            if run:
                results.extend(self._apply_completions(db, run))  # type: ignore[arg-type]
                continue
            write = batch[index].write
            assert write is not None
            results.append(write(db))
            index += 1
        return results


# SQLite's primary result codes that describe the database's state, not the statement: a write
# lock, a full or failing disk, a database it cannot open or may not write.
_UNAVAILABLE = frozenset(
    {
        sqlite3.SQLITE_BUSY,
        sqlite3.SQLITE_LOCKED,
        sqlite3.SQLITE_FULL,
        sqlite3.SQLITE_IOERR,
        sqlite3.SQLITE_CANTOPEN,
        sqlite3.SQLITE_READONLY,
    }
)


def _for_callers(error: Exception) -> Exception:
    """A lock or the disk is the store's state; a bad statement stays the writer's own error."""
    code = getattr(error, "sqlite_errorcode", None)
    if isinstance(error, sqlite3.Error) and code is not None and code & 0xFF in _UNAVAILABLE:
        unavailable = StoreUnavailable(f"database: {error}")
        unavailable.__cause__ = error
        return unavailable
    return error


def _locked(error: Exception) -> bool:
    """SQLITE_BUSY: another connection holds the write lock."""
    return (
        isinstance(error, sqlite3.OperationalError)
        and error.sqlite_errorcode == sqlite3.SQLITE_BUSY
    )


def _begin_when_free(db: sqlite3.Connection) -> None:
    """On the writer's thread: wait for another process's write lock, as long as LOCK_WAIT_MS."""
    db.execute(f"PRAGMA busy_timeout = {LOCK_WAIT_MS}")
    try:
        db.execute("BEGIN IMMEDIATE")
    finally:
        db.execute("PRAGMA busy_timeout = 0")
