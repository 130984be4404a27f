"""Packs through the real worker and store: results waiting together go out as one message,
recorded before the send, resent as they were after a crash, settled together, fair across
channels. The sink here stands in for Discord, nonce memory included (the Discord sink itself
runs against the emulator in tests/bot_e2e/test_delivery_ceiling.py)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager

from bot.delivery.channel_buckets import MessageBucket
from bot.delivery.lanes import LaneKey, Waiting
from bot.delivery.pacing import Pacer
from bot.delivery.request_budget import RequestBudget
from bot.delivery.retries import DeliveryFailed
from bot.delivery.worker import PER_CHANNEL, ResultDelivery
from bot.domain.records import Delivery, DeliveryPack, DeliveryState, SessionRecord
from bot.store import Store
from tests.test_delivery import Clock, finished_in

PER_MESSAGE = 10


class Channel:
    """Discord's side: messages by id, and the message each nonce created."""

    def __init__(self) -> None:
        self.messages: dict[int, list[str]] = {}
        self.nonces: dict[str, int] = {}

    def post(self, nonce: str, convo_ids: list[str]) -> int:
        if nonce not in self.nonces:
            self.nonces[nonce] = 9000 + len(self.messages)
            self.messages[self.nonces[nonce]] = convo_ids
        return self.nonces[nonce]

    def shown(self) -> list[str]:
        return [convo for convos in self.messages.values() for convo in convos]


class PackingSink:
    """Packs up to ten results per channel; posts them with the pack's id as nonce."""

    def __init__(self, failures: list[DeliveryFailed] | None = None) -> None:
        self.channel = Channel()
        self.failures = failures or []
        self.sent: list[int] = []  # pack ids, once per send
        self.stall_after_post = False
        self.posted = asyncio.Event()
        self.laned = 0
        self.all_laned = asyncio.Event()
        self.expected = 0

    async def lane_of(self, delivery: Delivery, session: SessionRecord) -> LaneKey:
        """Where the row waits; it joins its lane before its task next yields."""
        assert session.origin.channel_id is not None
        self.laned += 1
        if self.laned == self.expected:
            self.all_laned.set()
        return LaneKey(session.origin.channel_id, MessageBucket.CREATE)

    def choose(self, waiting: Sequence[Waiting]) -> Sequence[Waiting]:
        return waiting[:PER_MESSAGE]

    async def deliver_pack(self, pack: DeliveryPack, sessions: Sequence[SessionRecord]) -> int:
        self.sent.append(pack.id)
        if self.failures:
            raise self.failures.pop(0)
        message_id = self.channel.post(f"pack-{pack.id}", [s.convo_id for s in sessions])
        self.posted.set()
        if self.stall_after_post:
            await asyncio.Event().wait()  # the process dies here: posted, never marked
        return message_id


class GatedPacer(Pacer):
    """Grants no turn until opened, so a test decides what is waiting when the first comes."""

    def __init__(self) -> None:
        super().__init__(RequestBudget(None), None)
        self.gate = asyncio.Event()

    @asynccontextmanager
    async def turn(self, channel_id: int, bucket: MessageBucket) -> AsyncIterator[None]:
        await self.gate.wait()
        yield


async def waiting_for_all(
    worker: ResultDelivery, pacer: GatedPacer, sink: PackingSink, rows: int
) -> int:
    """One pass with all ``rows`` claimed results in their lanes before the first turn."""
    sink.expected = rows
    task = asyncio.create_task(worker.run_once())
    await asyncio.wait_for(sink.all_laned.wait(), 5)
    pacer.gate.set()
    return await task


async def test_results_due_together_go_out_in_packs_of_ten_settled_together(
    store: Store,
) -> None:
    convos = [f"c{index}" for index in range(12)]
    for convo in convos:
        await finished_in(store, convo, channel=3)
    sink, pacer = PackingSink(), GatedPacer()
    worker = ResultDelivery(store, {}, packs=sink, pacer=pacer)
    assert await waiting_for_all(worker, pacer, sink, 12) == 12
    assert [len(shown) for shown in sink.channel.messages.values()] == [10, 2]
    assert sorted(sink.channel.shown()) == sorted(convos)
    for message_id, shown in sink.channel.messages.items():
        for convo in shown:
            [row] = await store.deliveries_for(convo)
            assert (row.state, row.message_id) == (DeliveryState.DELIVERED, message_id)


async def test_a_process_killed_between_send_and_record_resends_the_same_pack(
    store: Store,
) -> None:
    for index in range(4):
        await finished_in(store, f"c{index}", channel=3)
    clock = Clock()
    sink, pacer = PackingSink(), GatedPacer()
    sink.stall_after_post = True
    sink.expected = 4
    killed = asyncio.create_task(
        ResultDelivery(store, {}, packs=sink, pacer=pacer, clock=clock).run()
    )
    await asyncio.wait_for(sink.all_laned.wait(), 5)
    pacer.gate.set()
    await asyncio.wait_for(sink.posted.wait(), 5)
    # Killed: it neither records the post nor hands the pack back; its lease runs out.
    clock.now += 60_000
    sink.stall_after_post = False
    restarted = ResultDelivery(store, {}, packs=sink, clock=clock)
    assert await restarted.run_once() == 4
    killed.cancel()
    await asyncio.gather(killed, return_exceptions=True)

    first, again = sink.sent
    assert first == again  # the same pack, so the same nonce: Discord returns the first post
    assert list(sink.channel.messages.values()) == [["c0", "c1", "c2", "c3"]]
    for index in range(4):
        [row] = await store.deliveries_for(f"c{index}")
        assert row.state is DeliveryState.DELIVERED


async def test_a_stop_after_the_send_hands_the_pack_back_and_it_shows_once(store: Store) -> None:
    for index in range(3):
        await finished_in(store, f"c{index}", channel=3)
    sink, pacer = PackingSink(), GatedPacer()
    sink.stall_after_post = True
    sink.expected = 3
    stopped = asyncio.create_task(ResultDelivery(store, {}, packs=sink, pacer=pacer).run())
    await asyncio.wait_for(sink.all_laned.wait(), 5)
    pacer.gate.set()
    await asyncio.wait_for(sink.posted.wait(), 5)
    stopped.cancel()
    await asyncio.gather(stopped, return_exceptions=True)

    sink.stall_after_post = False
    # Well inside the stopped worker's lease, yet at once: the stop handed the pack back.
    assert await ResultDelivery(store, {}, packs=sink).run_once() == 3
    first, again = sink.sent
    assert first == again
    assert list(sink.channel.messages.values()) == [["c0", "c1", "c2"]]


async def test_a_failed_pack_is_retried_whole_then_settled(store: Store) -> None:
    for index in range(2):
        await finished_in(store, f"c{index}", channel=3)
    clock = Clock()
    sink, pacer = PackingSink([DeliveryFailed("503", permanent=False)]), GatedPacer()
    worker = ResultDelivery(store, {}, packs=sink, pacer=pacer, clock=clock)
    await waiting_for_all(worker, pacer, sink, 2)
    [row] = await store.deliveries_for("c0")
    assert (row.state, row.last_error) == (DeliveryState.PENDING, "503")
    clock.now += 60_000
    assert await ResultDelivery(store, {}, packs=sink, clock=clock).run_once() == 2
    first, again = sink.sent
    assert first == again
    assert list(sink.channel.messages.values()) == [["c0", "c1"]]


async def test_a_permanent_failure_settles_every_row_of_the_pack(store: Store) -> None:
    for index in range(2):
        await finished_in(store, f"c{index}", channel=3)
    sink, pacer = PackingSink([DeliveryFailed("403", permanent=True)]), GatedPacer()
    await waiting_for_all(ResultDelivery(store, {}, packs=sink, pacer=pacer), pacer, sink, 2)
    for index in range(2):
        [row] = await store.deliveries_for(f"c{index}")
        assert (row.state, row.last_error) == (DeliveryState.UNDELIVERABLE, "403")


async def test_a_busy_channel_does_not_keep_a_quiet_one_waiting(store: Store) -> None:
    for index in range(PER_CHANNEL + 10):
        await finished_in(store, f"busy{index}", channel=1)
    await finished_in(store, "quiet", channel=2)  # the newest row of all
    sink = PackingSink()
    # Room for a few rows more than the cap: the busy channel's oldest would fill it without it.
    await ResultDelivery(store, {}, packs=sink, batch=PER_CHANNEL + 5).run_once()
    assert "quiet" in sink.channel.shown()
