"""The SQLite store: durable, one result per session, group commit, migrations, leases."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from bot.domain.records import (
    Completion,
    CompletionOutcome,
    DeliveryKind,
    DeliveryState,
    Origin,
    SessionSource,
    SessionState,
    TagRequest,
)
from bot.domain.tags import TagResult
from bot.store.base import StoreUnavailable
from bot.store.sqlite import SQLiteStore


def request(convo: str, channel: int = 10, guild: int = 1) -> TagRequest:
    return TagRequest(
        convo, "https://streams.test/a.m3u8", SessionSource.SLASH, Origin(guild, channel)
    )


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
        assert session.completed_at_ms is not None
        [delivery] = await reopened.deliveries_for("c1")
        assert (delivery.kind, delivery.state, delivery.channel_id) == (
            "result",
            DeliveryState.PENDING,
            10,
        )
    finally:
        await reopened.close()


async def test_second_result_changes_nothing(store: SQLiteStore) -> None:
    await store.create_session(request("c1"), None)
    first = Completion("c1", SessionState.COMPLETED, result=TagResult(("Fun",)))
    second = Completion("c1", SessionState.COMPLETED, result=TagResult(("Food",)))
    assert await store.complete(first) is CompletionOutcome.COMPLETED
    assert await store.complete(second) is CompletionOutcome.DUPLICATE
    session = await store.get_session("c1")
    assert session is not None and session.result == TagResult(("Fun",))
    assert len(await store.deliveries_for("c1")) == 1


async def test_duplicates_inside_one_group_commit_complete_once(store: SQLiteStore) -> None:
    await store.create_session(request("c1"), None)
    outcomes = await asyncio.gather(
        *(
            store.complete(Completion("c1", SessionState.COMPLETED, result=TagResult((f"T{i}",))))
            for i in range(20)
        )
    )
    assert outcomes.count(CompletionOutcome.COMPLETED) == 1
    assert outcomes.count(CompletionOutcome.DUPLICATE) == 19
    assert len(await store.deliveries_for("c1")) == 1


async def test_token_must_match_the_stored_hash(store: SQLiteStore) -> None:
    await store.create_session(request("c1"), "right")
    wrong = Completion("c1", SessionState.COMPLETED, TagResult(("Fun",)), token_hash="wrong")
    assert await store.complete(wrong) is CompletionOutcome.UNKNOWN
    session = await store.get_session("c1")
    assert session is not None and session.state is SessionState.STARTING
    right = Completion("c1", SessionState.COMPLETED, TagResult(("Fun",)), token_hash="right")
    assert await store.complete(right) is CompletionOutcome.COMPLETED


async def test_unknown_session_is_unknown(store: SQLiteStore) -> None:
    outcome = await store.complete(Completion("nope", SessionState.COMPLETED, TagResult(())))
    assert outcome is CompletionOutcome.UNKNOWN


async def test_one_failing_write_does_not_fail_its_batch(store: SQLiteStore) -> None:
    import sqlite3

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


async def test_a_bad_statement_is_its_own_error_not_an_unavailable_store(
    store: SQLiteStore,
) -> None:
    """SQLite reports both as OperationalError; only a lock or the disk means "try later"."""
    import sqlite3

    def misspelt(db: sqlite3.Connection) -> None:
        db.execute("UPDATE no_such_table SET x = 1")

    with pytest.raises(sqlite3.OperationalError, match="no such table"):
        await store._writer.write(misspelt)
    await store.add_shared_secret("s", 1)
    assert await store.shared_secrets() == [("s", 1)]


async def test_retried_request_restarts_only_a_stuck_session(store: SQLiteStore) -> None:
    assert await store.create_session(request("c1"), "a")
    assert await store.create_session(request("c1"), "b")  # never got past starting
    await store.mark_running("c1")
    assert not await store.create_session(request("c1"), "c")  # Chatsight has it: leave it
    right = Completion("c1", SessionState.COMPLETED, TagResult(()), token_hash="b")
    assert await store.complete(right) is CompletionOutcome.COMPLETED


async def test_claims_are_leased_and_kind_filtered(store: SQLiteStore) -> None:
    await store.create_session(
        TagRequest("c1", "https://s.test/x", SessionSource.CLI, deliveries=(DeliveryKind.CLI,)),
        None,
    )
    await store.create_session(request("c2"), None)
    for convo in ("c1", "c2"):
        await store.complete(Completion(convo, SessionState.COMPLETED, TagResult(("Fun",))))
    claimed = await store.claim_due_deliveries(["result"], now_ms=10**13, lease_ms=1000, limit=10)
    assert [d.convo_id for d in claimed] == ["c2"]
    again = await store.claim_due_deliveries(["result"], now_ms=10**13, lease_ms=1000, limit=10)
    assert again == []
    later = await store.claim_due_deliveries(["result"], 10**13 + 1000, 1000, 10)
    assert [d.attempts for d in later] == [1]


async def test_failed_start_creates_no_delivery(store: SQLiteStore) -> None:
    await store.create_session(request("c1"), None)
    await store.complete(Completion("c1", SessionState.FAILED, error="no", notify=False))
    assert await store.deliveries_for("c1") == []


async def test_history_and_counts(store: SQLiteStore) -> None:
    for index in range(3):
        await store.create_session(request(f"c{index}", channel=5), None)
    await store.create_session(request("other", channel=6, guild=2), None)
    await store.complete(Completion("c0", SessionState.COMPLETED, TagResult(())))
    assert {s.convo_id for s in await store.channel_sessions(5, 10)} == {"c0", "c1", "c2"}
    assert await store.count_awaiting(1) == 2
    assert await store.healthy()


async def test_migrations_record_their_version(tmp_path: Path) -> None:
    import aiosqlite

    store = SQLiteStore(tmp_path / "v.db")
    await store.open()
    await store.close()
    async with aiosqlite.connect(tmp_path / "v.db") as db:
        rows = list(await db.execute_fetchall("PRAGMA user_version"))
        mode = list(await db.execute_fetchall("PRAGMA journal_mode"))
    assert rows[0][0] >= 1
    assert mode[0][0] == "wal"


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


async def test_store_refuses_writes_when_closed(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "c.db")
    with pytest.raises(StoreUnavailable, match="not open"):
        await store.add_shared_secret("s", 1)


async def test_a_write_waits_for_another_process_lock_without_blocking_the_loop(
    tmp_path: Path,
) -> None:
    """The CLI's rotate-secret or a second receiver may hold SQLite's write lock for a while."""
    import sqlite3

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
    import sqlite3

    from bot.store import writer

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
    import threading

    return sum(thread.name == "store-writer" for thread in threading.enumerate())


async def test_a_store_that_cannot_open_leaves_no_thread_behind(tmp_path: Path) -> None:
    import sqlite3

    (tmp_path / "dir.db").mkdir()
    store = SQLiteStore(tmp_path / "dir.db")
    before = writer_threads()
    with pytest.raises(sqlite3.Error):
        await store.open()
    assert writer_threads() == before


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
    import sqlite3
    from contextlib import closing

    from bot.store.sqlite import AWAITING_IN_GUILD, OVERDUE_SESSIONS

    store = SQLiteStore(tmp_path / "i.db")
    await store.open()
    await store.create_session(request("old"), None)
    await store.create_session(request("other-guild", guild=2), None)
    await store.create_session(request("done"), None)
    await store.complete(Completion("done", SessionState.COMPLETED, TagResult(())))
    assert {s.convo_id for s in await store.awaiting_sessions(2**62, 10)} == {
        "old",
        "other-guild",
    }
    assert await store.count_awaiting(1) == 1
    await store.close()
    with closing(sqlite3.connect(tmp_path / "i.db")) as db:
        indexes = db.execute(
            "SELECT name FROM sqlite_master WHERE type = 'index' AND sql LIKE '%starting%'"
        ).fetchall()
        plans = [
            db.execute(f"EXPLAIN QUERY PLAN {query}", params).fetchall()[0][3]
            for query, params in ((OVERDUE_SESSIONS, (1, 2)), (AWAITING_IN_GUILD, (1,)))
        ]
    assert indexes == [("sessions_awaiting",)]
    assert all("USING INDEX sessions_awaiting" in plan for plan in plans), plans
