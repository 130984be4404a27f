"""ResultDelivery against the real store: once, retried with backoff, never forever, never twice."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from pathlib import Path

import pytest

from bot.config import Settings
from bot.delivery.retries import DeliveryFailed
from bot.delivery.worker import ResultDelivery
from bot.domain.clock import now_ms
from bot.domain.records import (
    Completion,
    Delivery,
    DeliveryKind,
    DeliveryState,
    Origin,
    SessionRecord,
    SessionSource,
    SessionState,
    TagRequest,
)
from bot.domain.tags import TagResult
from bot.store import Store, open_store


class RecordingSink:
    """Posts nowhere; fails as scripted, then records what it would have posted."""

    def __init__(self, failures: list[DeliveryFailed | Exception] | None = None) -> None:
        self.failures = failures or []
        self.posted: list[tuple[int, str]] = []

    async def deliver(self, delivery: Delivery, session: SessionRecord) -> int | None:
        if self.failures:
            raise self.failures.pop(0)
        self.posted.append((delivery.id, session.convo_id))
        return 1000 + delivery.id


async def finished_in(store: Store, convo: str, *, channel: int) -> None:
    await store.create_session(
        TagRequest(convo, "https://s.test/x", SessionSource.SLASH, Origin(channel_id=channel)),
        None,
    )
    await store.complete(Completion(convo, SessionState.COMPLETED, TagResult(("Fun",))))


async def finished(store: Store, convo: str) -> None:
    await finished_in(store, convo, channel=3)


class Clock:
    """Starts at the real time (rows are stamped with it), then moves only when told."""

    def __init__(self) -> None:
        self.now = now_ms()

    def __call__(self) -> int:
        return self.now


async def test_delivered_once_and_recorded(store: Store) -> None:
    await finished(store, "c1")
    sink = RecordingSink()
    worker = ResultDelivery(store, {"result": sink})
    assert await worker.run_once() == 1
    assert await worker.run_once() == 0
    [row] = await store.deliveries_for("c1")
    assert sink.posted == [(row.id, "c1")]
    assert row.state is DeliveryState.DELIVERED
    assert row.message_id == 1000 + row.id


async def test_transient_failures_back_off_then_deliver(store: Store) -> None:
    await finished(store, "c1")
    clock = Clock()
    sink = RecordingSink([DeliveryFailed("503", permanent=False), RuntimeError("bug in a sink")])
    worker = ResultDelivery(store, {"result": sink}, backoff_base_ms=1000, clock=clock)
    await worker.run_once()
    [row] = await store.deliveries_for("c1")
    assert row.state is DeliveryState.PENDING
    assert row.last_error == "503"
    assert clock.now + 500 <= row.next_attempt_at_ms <= clock.now + 1000
    assert await worker.run_once() == 0  # not due yet
    clock.now = row.next_attempt_at_ms
    await worker.run_once()  # the crash: retried too, with a longer delay
    [row] = await store.deliveries_for("c1")
    assert row.last_error == "RuntimeError"
    assert row.next_attempt_at_ms - clock.now >= 1000
    clock.now = row.next_attempt_at_ms
    await worker.run_once()
    [row] = await store.deliveries_for("c1")
    assert row.state is DeliveryState.DELIVERED
    assert row.attempts == 3
    assert len(sink.posted) == 1


async def test_retry_after_is_respected(store: Store) -> None:
    await finished(store, "c1")
    clock = Clock()
    sink = RecordingSink([DeliveryFailed("429", permanent=False, retry_after_s=30)])
    await ResultDelivery(store, {"result": sink}, clock=clock).run_once()
    [row] = await store.deliveries_for("c1")
    assert row.next_attempt_at_ms >= clock.now + 30_000


async def test_permanent_failure_is_not_retried(store: Store) -> None:
    await finished(store, "c1")
    sink = RecordingSink([DeliveryFailed("403 Missing Access", permanent=True)])
    worker = ResultDelivery(store, {"result": sink}, clock=Clock())
    await worker.run_once()
    [row] = await store.deliveries_for("c1")
    assert row.state is DeliveryState.UNDELIVERABLE
    assert row.last_error == "403 Missing Access"
    assert await worker.run_once() == 0
    assert sink.posted == []


async def test_gives_up_after_max_attempts(store: Store) -> None:
    await finished(store, "c1")
    clock = Clock()
    sink = RecordingSink([DeliveryFailed("502", permanent=False) for _ in range(3)])
    worker = ResultDelivery(store, {"result": sink}, max_attempts=3, clock=clock)
    for _ in range(3):
        clock.now += 10**9
        await worker.run_once()
    [row] = await store.deliveries_for("c1")
    assert row.state is DeliveryState.UNDELIVERABLE


async def test_pending_rows_survive_a_restart_and_go_out_once(tmp_path: Path) -> None:
    first = open_store(Settings(database_url=f"sqlite:///{tmp_path / 'r.db'}"))
    await first.open()
    await finished(first, "c1")
    await finished(first, "c2")
    sink = RecordingSink()
    worker = ResultDelivery(first, {"result": sink}, batch=1)
    await worker.run_once()  # c1 only; then the process "dies"
    await first.close()

    second = open_store(Settings(database_url=f"sqlite:///{tmp_path / 'r.db'}"))
    await second.open()
    try:
        await ResultDelivery(second, {"result": sink}).run_once()
        assert sorted(convo for _, convo in sink.posted) == ["c1", "c2"]
    finally:
        await second.close()


async def test_two_workers_never_hand_a_row_out_twice(store: Store) -> None:
    for index in range(20):
        await finished(store, f"c{index}")
    sink = RecordingSink()
    workers = [ResultDelivery(store, {"result": sink}, batch=5) for _ in range(3)]
    while sum(await asyncio.gather(*(w.run_once() for w in workers))):
        pass
    assert len(sink.posted) == 20
    assert len(set(sink.posted)) == 20


async def test_running_worker_delivers_when_woken(store: Store) -> None:
    sink = RecordingSink()
    worker = ResultDelivery(store, {"result": sink}, max_idle_s=60)
    task = asyncio.create_task(worker.run())
    try:
        await asyncio.sleep(0.05)
        await finished(store, "c1")
        worker.wake()
        for _ in range(100):
            if sink.posted:
                break
            await asyncio.sleep(0.01)
        assert [convo for _, convo in sink.posted] == ["c1"]
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)


async def test_a_wake_at_the_moment_of_shutdown_does_not_hang_it(store: Store) -> None:
    """Python 3.11's ``wait_for`` swallows a cancel that meets a wake-up; Ctrl-C then hangs."""
    worker = ResultDelivery(store, {"result": RecordingSink()}, max_idle_s=60)
    task = asyncio.create_task(worker.run())
    await asyncio.sleep(0.05)  # parked, waiting to be woken
    worker.wake()
    task.cancel()
    done, _ = await asyncio.wait({task}, timeout=2)
    assert task in done
    assert task.cancelled()


class ResultFirstSink(RecordingSink):
    """An alert: it notes whether its session's result had been posted when it went out."""

    def __init__(self, store: Store) -> None:
        super().__init__()
        self._store = store
        self.result_states: list[DeliveryState] = []

    async def deliver(self, delivery: Delivery, session: SessionRecord) -> int | None:
        rows = await self._store.deliveries_for(session.convo_id)
        self.result_states += [row.state for row in rows if row.kind == "result"]
        return await super().deliver(delivery, session)


async def test_an_alert_goes_out_right_after_its_result_in_the_same_pass(
    store: Store,
) -> None:
    request = TagRequest("c1", "https://s.test/x", SessionSource.SLASH, Origin(channel_id=3))
    result_and_alert = (DeliveryKind.RESULT, DeliveryKind.ALERT)
    await store.create_session(replace(request, deliveries=result_and_alert), None)
    await store.complete(Completion("c1", SessionState.COMPLETED, TagResult(("Violence",))))
    alert = ResultFirstSink(store)
    assert await ResultDelivery(store, {"result": RecordingSink(), "alert": alert}).run_once() == 2
    assert alert.result_states == [DeliveryState.DELIVERED]
    assert all(row.attempts == 1 for row in await store.deliveries_for("c1"))


class StuckSink(RecordingSink):
    """A post that never answers, as one caught by a shutdown is."""

    def __init__(self) -> None:
        super().__init__()
        self.entered = asyncio.Event()
        self.entries = 0

    async def deliver(self, delivery: Delivery, session: SessionRecord) -> int | None:
        self.entries += 1
        self.entered.set()
        await asyncio.Event().wait()
        raise AssertionError("unreachable")


async def test_a_stop_hands_back_the_posts_it_interrupted_at_once(store: Store) -> None:
    await finished(store, "c1")
    stuck = StuckSink()
    task = asyncio.create_task(ResultDelivery(store, {"result": stuck}).run())
    await asyncio.wait_for(stuck.entered.wait(), 5)
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)

    sink = RecordingSink()  # the restarted bot, well inside the stopped worker's lease
    assert await ResultDelivery(store, {"result": sink}).run_once() == 1
    [row] = await store.deliveries_for("c1")
    assert row.state is DeliveryState.DELIVERED
    assert row.attempts == 1


async def test_a_post_that_outlives_its_lease_is_reported_once_with_where_it_waits(
    store: Store, caplog: pytest.LogCaptureFixture
) -> None:
    """Nothing fails while a post hangs, so without this the outbox would only grow quietly."""
    await finished(store, "c1")
    stuck = StuckSink()
    worker = ResultDelivery(store, {"result": stuck}, lease_ms=100, max_idle_s=0.02)
    task = asyncio.create_task(worker.run())
    try:
        await asyncio.wait_for(stuck.entered.wait(), 5)
        for _ in range(100):
            if "longer than a lease" in caplog.text:
                break
            await asyncio.sleep(0.02)
        await asyncio.sleep(0.1)  # more rounds of the worker, none warning twice of one post
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
    # The worker keeps the row's lease while the post hangs: nothing claims it again, and the
    # post is reported once.
    warnings = [r.getMessage() for r in caplog.records if "longer than a lease" in r.getMessage()]
    assert len(warnings) == stuck.entries == 1
    assert "a post of 1 outbox rows (channels 3)" in warnings[0]
    assert " > StuckSink.deliver:" in warnings[0]


class OneChannelAtATime(RecordingSink):
    """Posts each channel's rows one after the other, ``pause_s`` apart, as Discord's bucket of
    5 messages per 5 s paces a burst of alerts to one channel."""

    def __init__(self, pause_s: float) -> None:
        super().__init__()
        self.pause_s = pause_s
        self.calls: list[int] = []
        self._turns: dict[int, asyncio.Lock] = {}

    async def deliver(self, delivery: Delivery, session: SessionRecord) -> int | None:
        self.calls.append(delivery.id)
        async with self._turns.setdefault(delivery.channel_id or 0, asyncio.Lock()):
            await asyncio.sleep(self.pause_s)
            return await super().deliver(delivery, session)


async def test_rows_waiting_longer_than_their_lease_for_their_turn_are_posted_once(
    backend_store: Store,
) -> None:
    """The worker keeps the leases of the rows it holds: waiting for a channel's turn is no
    failure, so neither this worker nor another claims them again meanwhile."""
    for n in range(8):
        await finished_in(backend_store, f"c{n}", channel=3)
    sink = OneChannelAtATime(pause_s=0.1)  # the last row waits 4 leases of 200 ms
    worker = ResultDelivery(backend_store, {"result": sink}, lease_ms=200, max_idle_s=0.01)
    task = asyncio.create_task(worker.run())
    try:
        async with asyncio.timeout(10):
            while len(sink.posted) < 8:
                await asyncio.sleep(0.02)
        await asyncio.sleep(0.2)  # rounds of the worker after the last post: none claims again
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
    rows = [row for n in range(8) for row in await backend_store.deliveries_for(f"c{n}")]
    assert sorted(sink.calls) == sorted(row.id for row in rows)
    assert [(row.state, row.attempts) for row in rows] == [(DeliveryState.DELIVERED, 1)] * 8
