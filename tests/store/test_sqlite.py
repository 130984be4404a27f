"""What only the SQLite backend has: its file, PRAGMAs, migrations, and the group-commit writer."""

from __future__ import annotations

import asyncio
import os
import sqlite3
import sys
import threading
from collections.abc import AsyncIterator
from contextlib import closing
from dataclasses import replace
from pathlib import Path
from typing import Any

import aiosqlite
import pytest

from bot.domain.records import (
    Completion,
    CompletionOutcome,
    DeliveryKind,
    DeliveryState,
    SessionState,
)
from bot.domain.refusals import TooManyAlertTags
from bot.domain.tags import TagResult
from bot.errors import ConfigError
from bot.server.guild_config import MAX_ALERT_TAGS, GuildConfig
from bot.store import wal_checkpointer, writer
from bot.store.base import StoreUnavailable
from bot.store.migrations import available_migrations
from bot.store.sqlite import AWAITING_IN_GUILD, OVERDUE_SESSIONS, DatabaseInUse, SQLiteStore
from bot.store.sqlite.lock import ProcessLock
from tests.store.tag_requests import request


@pytest.fixture
async def sqlite_store(tmp_path: Path) -> AsyncIterator[SQLiteStore]:
    db = SQLiteStore(tmp_path / "store.db")
    await db.open()
    yield db
    await db.close()


async def test_session_round_trip_survives_reopen(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "db" / "x.db")
    await store.open()
    assert await store.create_session(request("c1"), "hash")
    await store.mark_running("c1")
    outcome = await store.complete(
        Completion("c1", SessionState.COMPLETED, result=TagResult(("Fun", "Relaxed"), True))
    )
    assert outcome is CompletionOutcome.COMPLETED
    await store.close()

    reopened = SQLiteStore(tmp_path / "db" / "x.db")
    await reopened.open()
    try:
        session = await reopened.get_session("c1")
        assert session is not None
        assert session.state is SessionState.COMPLETED
        assert session.result == TagResult(("Fun", "Relaxed"), True)
        [delivery] = await reopened.deliveries_for("c1")
        assert (delivery.kind, delivery.state) == ("result", DeliveryState.PENDING)
    finally:
        await reopened.close()


async def test_one_failing_write_does_not_fail_its_batch(sqlite_store: SQLiteStore) -> None:
    store = sqlite_store
    await store.create_session(request("c1"), None)

    def broken(db: sqlite3.Connection) -> None:
        db.execute("INSERT INTO deliveries (convo_id) VALUES ('missing')")

    good = store.complete(Completion("c1", SessionState.COMPLETED, TagResult(("Fun",))))
    bad = store._writer.write(broken)
    also_good = store.add_shared_secret("s", 1)
    results = await asyncio.gather(good, bad, also_good, return_exceptions=True)
    assert results[0] is CompletionOutcome.COMPLETED
    assert isinstance(results[1], sqlite3.IntegrityError)
    assert await store.shared_secrets() == [("s", 1)]
    assert len(await store.deliveries_for("c1")) == 1


async def test_a_full_batch_of_results_is_stored_each_once_with_all_its_outbox_rows(
    sqlite_store: SQLiteStore,
) -> None:
    """A batch past one statement's rows (300 results, 4 outbox rows each, a repeat and an
    unknown session among them) commits every result once and queues every row."""
    store = sqlite_store
    kinds = (DeliveryKind.RESULT, DeliveryKind.ALERT, DeliveryKind.SUBSCRIPTION, DeliveryKind.RADAR)
    for index in range(300):
        await store.create_session(replace(request(f"b{index}"), deliveries=kinds), None)

    def completion(convo_id: str) -> Completion:
        return Completion(convo_id, SessionState.COMPLETED, TagResult((convo_id,)))

    convo_ids = [f"b{index}" for index in range(300)]
    outcomes = await asyncio.gather(
        *(store.complete(completion(c)) for c in [*convo_ids, "b7", "nobody"])
    )
    assert outcomes[:300] == [CompletionOutcome.COMPLETED] * 300
    assert outcomes[300:] == [CompletionOutcome.DUPLICATE, CompletionOutcome.UNKNOWN]
    for convo_id in ("b0", "b127", "b128", "b299"):
        session = await store.get_session(convo_id)
        assert session is not None and session.result == TagResult((convo_id,))
        assert {d.kind for d in await store.deliveries_for(convo_id)} == set(kinds)


async def test_a_refused_edit_keeps_its_neighbours_in_one_commit(
    sqlite_store: SQLiteStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A refusal raised by an edit's change is returned out of the writer, not raised in it:
    raised, it would roll back the batch and have every neighbour redone in a commit of its own."""
    store = sqlite_store
    config = GuildConfig(store)
    await config.change_alert_tags(2, ", ".join(f"T{i}" for i in range(MAX_ALERT_TAGS)), add=True)
    batches: list[int] = []
    transaction = store._writer._transaction

    async def counted(batch: list[Any]) -> list[Any]:
        batches.append(len(batch))
        return await transaction(batch)

    monkeypatch.setattr(store._writer, "_transaction", counted)
    results = await asyncio.gather(
        config.set_seed(1, "first"),
        config.change_alert_tags(2, "One too many", add=True),
        store.add_shared_secret("s", 1),
        return_exceptions=True,
    )
    assert isinstance(results[1], TooManyAlertTags)
    assert batches == [3]
    assert (await config.get(1)).seed == "first"
    assert len((await config.get(2)).alert_tags) == MAX_ALERT_TAGS


async def test_a_bad_statement_is_its_own_error_not_an_unavailable_store(
    sqlite_store: SQLiteStore,
) -> None:
    """SQLite reports both as OperationalError; only a lock or the disk means "try later"."""

    def misspelt(db: sqlite3.Connection) -> None:
        db.execute("UPDATE no_such_table SET x = 1")

    with pytest.raises(sqlite3.OperationalError, match="no such table"):
        await sqlite_store._writer.write(misspelt)
    await sqlite_store.add_shared_secret("s", 1)
    assert await sqlite_store.shared_secrets() == [("s", 1)]


async def test_migrations_record_their_version_in_a_wal_database(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "v.db")
    await store.open()
    await store.close()
    async with aiosqlite.connect(tmp_path / "v.db") as db:
        rows = list(await db.execute_fetchall("PRAGMA user_version"))
        mode = list(await db.execute_fetchall("PRAGMA journal_mode"))
    assert rows[0][0] == available_migrations()[-1][0] >= 6
    assert mode[0][0] == "wal"


async def test_a_database_holding_two_follows_of_one_trigger_still_migrates(
    tmp_path: Path,
) -> None:
    """Before a trigger had one follow, a lost answer could store two: the upgrade keeps both
    (their samples stay theirs) and moves the later one's round out of the first one's way."""
    path = tmp_path / "old.db"
    with closing(sqlite3.connect(path)) as db:
        for version, sql in available_migrations():
            if version <= 15:
                db.executescript(f"BEGIN;\n{sql}\nPRAGMA user_version = {version};\nCOMMIT;")
        for _ in range(2):
            db.execute(
                "INSERT INTO follows (channel_id, stream_url, source, trigger_id,"
                " trigger_position, trigger_round, state, interval_ms, next_sample_at, ends_at,"
                " created_at, updated_at) VALUES (10, 'u', 'autotag', 900, 2, 1, 'active',"
                " 60000, 1000, 100000, 500, 500)"
            )
        db.commit()
    store = SQLiteStore(path)
    await store.open()
    try:
        follows = await store.channel_follows(10)
        assert [(f.id, f.trigger.round) for f in follows] == [(1, 1), (2, -2)]
    finally:
        await store.close()


async def test_close_commits_every_queued_write(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "q.db")
    await store.open()
    writes = [asyncio.ensure_future(store.add_shared_secret(f"s{i}", i)) for i in range(50)]
    await asyncio.sleep(0)
    await store.close()
    assert all(w.done() and w.exception() is None for w in writes)
    reopened = SQLiteStore(tmp_path / "q.db")
    await reopened.open()
    assert len(await reopened.shared_secrets()) == 50
    await reopened.close()


def wal_size(path: Path) -> int:
    return Path(f"{path}-wal").stat().st_size


@pytest.mark.parametrize("every_s", [0.0, 3600.0])
async def test_the_wal_stays_bounded_while_commits_run_back_to_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, every_s: float
) -> None:
    """SQLite's own checkpoint is off (it ran inside a commit, delaying its callers' 200s), and
    the writer's runs beside the commits, where it would always lose the race to restart the
    WAL: the writer finishes it between two transactions. A reader sees every row. The
    checkpointer runs at the loop's priority here: at nice 19 (its own test) a busy machine, such
    as another test worker, can hold it back for the whole run, and this test is about the
    finishing step."""
    monkeypatch.setattr(wal_checkpointer, "CHECKPOINT_EVERY_S", every_s)
    monkeypatch.setattr(wal_checkpointer, "CHECKPOINT_NICE", 0)
    path = tmp_path / "wal.db"
    store = SQLiteStore(path)
    await store.open()
    opened_bytes = wal_size(path)
    for index in range(200):
        assert await store.create_session(request(f"c{index}", channel=index), "hash")
    wal_bytes = wal_size(path)
    assert (await store.get_session("c199")) is not None
    await store.close()
    # The WAL file is reused from its start after a checkpoint, never shrunk: growth is the figure.
    if every_s:
        assert wal_bytes - opened_bytes > 1_000_000
    else:
        assert wal_bytes - opened_bytes < 200_000


async def test_commits_do_not_wait_for_a_checkpoint_under_way(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A checkpoint fsyncs the database file: callers of the commits beside it get their answers
    without waiting for it, and closing the store waits for it to finish."""
    release = threading.Event()
    started = threading.Event()
    checkpoint = wal_checkpointer._checkpoint

    def slow_checkpoint(db: sqlite3.Connection | None) -> None:
        started.set()
        release.wait(10)
        checkpoint(db)

    monkeypatch.setattr(wal_checkpointer, "_checkpoint", slow_checkpoint)
    monkeypatch.setattr(wal_checkpointer, "CHECKPOINT_EVERY_S", 0.0)
    store = SQLiteStore(tmp_path / "slow.db")
    await store.open()
    try:
        assert await store.create_session(request("first", channel=1), "hash")
        assert await asyncio.to_thread(started.wait, 5)
        for index in range(20):
            created = store.create_session(request(f"c{index}", channel=index), "hash")
            assert await asyncio.wait_for(created, timeout=2)
        closing_store = asyncio.ensure_future(store.close())
        await asyncio.sleep(0.05)
        assert not closing_store.done()
    finally:
        release.set()
    await asyncio.wait_for(closing_store, timeout=5)
    reopened = SQLiteStore(tmp_path / "slow.db")
    await reopened.open()
    assert (await reopened.get_session("c19")) is not None
    await reopened.close()


@pytest.mark.skipif(sys.platform != "linux", reason="per-thread nice values are Linux's")
async def test_the_checkpoint_runs_as_background_work(tmp_path: Path) -> None:
    """At nice 19 on its own thread, so on a busy core it never preempts the loop mid-batch."""
    store = SQLiteStore(tmp_path / "nice.db")
    await store.open()
    try:
        (checkpointer,) = [t for t in threading.enumerate() if t.name == "store-checkpointer"]
        assert checkpointer.native_id is not None
        assert os.getpriority(os.PRIO_PROCESS, checkpointer.native_id) == 19
        (writer_thread,) = [t for t in threading.enumerate() if t.name == "store-writer"]
        assert writer_thread.native_id is not None
        assert os.getpriority(os.PRIO_PROCESS, writer_thread.native_id) == os.getpriority(
            os.PRIO_PROCESS, 0
        )
    finally:
        await store.close()
    assert not [t for t in threading.enumerate() if t.name == "store-checkpointer"]


async def test_store_refuses_writes_when_closed(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "c.db")
    with pytest.raises(StoreUnavailable, match="not open"):
        await store.add_shared_secret("s", 1)
    with pytest.raises(StoreUnavailable, match="not open"):
        await store.guild_settings(1)


async def test_a_write_waits_for_another_process_lock_without_blocking_the_loop(
    tmp_path: Path,
) -> None:
    """The CLI's rotate-secret or a second receiver may hold SQLite's write lock for a while."""
    store = SQLiteStore(tmp_path / "l.db")
    await store.open()
    other = sqlite3.connect(tmp_path / "l.db", isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")
        write = asyncio.ensure_future(store.add_shared_secret("s", 1))
        loop = asyncio.get_running_loop()
        started = loop.time()
        for _ in range(15):
            await asyncio.sleep(0.02)
        # A loop stuck in SQLite's busy wait would not get here before the 5 s lock timeout.
        assert loop.time() - started < 2.0
        assert not write.done()
        other.execute("COMMIT")
        await asyncio.wait_for(write, timeout=5)
        assert await store.shared_secrets() == [("s", 1)]
    finally:
        other.close()
        await store.close()


async def test_writes_queued_behind_a_stuck_lock_fail_together_after_one_wait(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each write retried alone would wait again: 10 queued webhooks would hang 10 times longer."""
    monkeypatch.setattr(writer, "LOCK_WAIT_MS", 200)
    store = SQLiteStore(tmp_path / "s.db")
    await store.open()
    other = sqlite3.connect(tmp_path / "s.db", isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")
        loop = asyncio.get_running_loop()
        started = loop.time()
        results = await asyncio.gather(
            *(store.add_shared_secret(f"s{i}", i) for i in range(10)), return_exceptions=True
        )
        assert loop.time() - started < 1.0
        assert all(
            isinstance(r, StoreUnavailable) and isinstance(r.__cause__, sqlite3.OperationalError)
            for r in results
        )
        other.execute("ROLLBACK")
        await store.add_shared_secret("after", 1)
        assert await store.shared_secrets() == [("after", 1)]
    finally:
        other.close()
        await store.close()


def writer_threads() -> int:
    """Counted, not looked for by name alone: other tests' stores may be open in this process."""
    return sum(thread.name == "store-writer" for thread in threading.enumerate())


async def test_a_store_that_cannot_open_leaves_no_thread_behind(tmp_path: Path) -> None:
    (tmp_path / "dir.db").mkdir()
    store = SQLiteStore(tmp_path / "dir.db")
    before = writer_threads()
    with pytest.raises(sqlite3.Error):
        await store.open()
    assert writer_threads() == before
    # Nor its process lock: the next attempt finds the database free.
    lock = ProcessLock(str(tmp_path / "dir.db"))
    lock.acquire()
    lock.release()


async def test_closing_stops_the_writer_thread(tmp_path: Path) -> None:
    before = writer_threads()
    store = SQLiteStore(tmp_path / "t.db")
    await store.open()
    assert writer_threads() == before + 1
    await store.close()
    assert writer_threads() == before


async def test_overdue_and_per_guild_questions_use_the_one_awaiting_index(
    tmp_path: Path,
) -> None:
    """Every completion leaves each awaiting index, so there is one, and both queries use it."""
    store = SQLiteStore(tmp_path / "i.db")
    await store.open()
    await store.create_session(request("old"), None)
    await store.close()
    with closing(sqlite3.connect(tmp_path / "i.db")) as db:
        indexes = db.execute(
            "SELECT name FROM sqlite_master WHERE type = 'index' AND sql LIKE '%starting%'"
        ).fetchall()
        plans = [
            db.execute(f"EXPLAIN QUERY PLAN {query}", params).fetchall()[0][3]
            for query, params in ((OVERDUE_SESSIONS, (1, 2, 3)), (AWAITING_IN_GUILD, (1,)))
        ]
    assert indexes == [("sessions_awaiting",)]
    assert all("USING INDEX sessions_awaiting" in plan for plan in plans), plans


# Opens the store named on the command line in a process of its own, as a second bot would.
OPEN_IN_ANOTHER_PROCESS = """
import asyncio, sys
from bot.store.sqlite import SQLiteStore

async def main() -> None:
    store = SQLiteStore(sys.argv[1])
    await store.open()
    await store.close()

asyncio.run(main())
"""


async def open_in_another_process(path: Path) -> tuple[int, str]:
    """The other process's exit status and what it wrote to stderr."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        OPEN_IN_ANOTHER_PROCESS,
        str(path),
        stderr=asyncio.subprocess.PIPE,
        cwd=Path(__file__).parents[2],
    )
    _, stderr = await asyncio.wait_for(process.communicate(), timeout=60)
    assert process.returncode is not None
    return process.returncode, stderr.decode()


async def test_a_second_process_is_refused_and_told_to_use_postgresql(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "one.db")
    await store.open()
    try:
        status, stderr = await open_in_another_process(tmp_path / "one.db")
        assert status != 0
        assert "DatabaseInUse" in stderr
        assert "another process already uses the SQLite database" in stderr
        assert "DATABASE_URL=postgresql://" in stderr
        # The store that holds the lock carries on.
        await store.add_shared_secret("s", 1)
    finally:
        await store.close()
    # Closed, it lets the next process in.
    assert await open_in_another_process(tmp_path / "one.db") == (0, "")


async def test_the_refusal_is_a_configuration_error_naming_the_variable(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "one.db")
    await store.open()
    try:
        with pytest.raises(DatabaseInUse) as refused:
            await SQLiteStore(tmp_path / "one.db").open()
        assert isinstance(refused.value, ConfigError)
        assert refused.value.user_message.startswith("DATABASE_URL: ")
    finally:
        await store.close()


async def test_an_in_memory_database_takes_no_lock() -> None:
    """Each in-memory database is its own process's alone already."""
    first, second = SQLiteStore(":memory:"), SQLiteStore(":memory:")
    await first.open()
    await second.open()
    await second.close()
    await first.close()
