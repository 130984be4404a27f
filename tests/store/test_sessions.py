"""Sessions: stored before Chatsight is called, one result each, however results arrive."""

from __future__ import annotations

import asyncio
from dataclasses import replace

from bot.domain.records import (
    Completion,
    CompletionOutcome,
    DeliveryState,
    Origin,
    SessionState,
)
from bot.domain.stream_details import NO_DETAILS, StreamDetails
from bot.domain.tags import TagResult
from bot.store import Store
from tests.store.tag_requests import request


async def test_a_session_round_trip(store: Store) -> None:
    assert await store.create_session(request("c1"), "hash")
    await store.mark_running("c1")
    running = await store.get_session("c1")
    assert running is not None and running.state is SessionState.RUNNING
    outcome = await store.complete(
        Completion("c1", SessionState.COMPLETED, result=TagResult(("Fun", "Relaxed"), True))
    )
    assert outcome is CompletionOutcome.COMPLETED
    session = await store.get_session("c1")
    assert session is not None
    assert session.state is SessionState.COMPLETED
    assert session.result == TagResult(("Fun", "Relaxed"), True)
    assert session.origin == Origin(1, 10)
    assert session.completed_at_ms is not None
    [delivery] = await store.deliveries_for("c1")
    assert (delivery.kind, delivery.state, delivery.channel_id) == (
        "result",
        DeliveryState.PENDING,
        10,
    )


async def test_second_result_changes_nothing(store: Store) -> None:
    await store.create_session(request("c1"), None)
    first = Completion("c1", SessionState.COMPLETED, result=TagResult(("Fun",)))
    second = Completion("c1", SessionState.COMPLETED, result=TagResult(("Food",)))
    assert await store.complete(first) is CompletionOutcome.COMPLETED
    assert await store.complete(second) is CompletionOutcome.DUPLICATE
    session = await store.get_session("c1")
    assert session is not None and session.result == TagResult(("Fun",))
    assert len(await store.deliveries_for("c1")) == 1


async def test_concurrent_results_of_one_session_complete_it_once(store: Store) -> None:
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


async def test_token_must_match_the_stored_hash(store: Store) -> None:
    await store.create_session(request("c1"), "right")
    wrong = Completion("c1", SessionState.COMPLETED, TagResult(("Fun",)), token_hash="wrong")
    assert await store.complete(wrong) is CompletionOutcome.UNKNOWN
    session = await store.get_session("c1")
    assert session is not None and session.state is SessionState.STARTING
    right = Completion("c1", SessionState.COMPLETED, TagResult(("Fun",)), token_hash="right")
    assert await store.complete(right) is CompletionOutcome.COMPLETED


async def test_unknown_session_is_unknown(store: Store) -> None:
    outcome = await store.complete(Completion("nope", SessionState.COMPLETED, TagResult(())))
    assert outcome is CompletionOutcome.UNKNOWN
    assert await store.get_session("nope") is None


async def test_retried_request_restarts_only_a_stuck_session(store: Store) -> None:
    assert await store.create_session(request("c1"), "a")
    assert await store.create_session(request("c1"), "b")  # never got past starting
    await store.mark_running("c1")
    assert not await store.create_session(request("c1"), "c")  # Chatsight has it: leave it
    right = Completion("c1", SessionState.COMPLETED, TagResult(()), token_hash="b")
    assert await store.complete(right) is CompletionOutcome.COMPLETED


async def test_failed_start_creates_no_delivery(store: Store) -> None:
    await store.create_session(request("c1"), None)
    await store.complete(Completion("c1", SessionState.FAILED, error="no", notify=False))
    assert await store.deliveries_for("c1") == []
    session = await store.get_session("c1")
    assert session is not None and session.error == "no"


async def test_history_and_counts(store: Store) -> None:
    for index in range(3):
        await store.create_session(request(f"c{index}", channel=5), None)
    await store.create_session(request("other", channel=6, guild=2), None)
    await store.complete(Completion("c0", SessionState.COMPLETED, TagResult(())))
    assert {s.convo_id for s in await store.channel_sessions(5, 10)} == {"c0", "c1", "c2"}
    assert len(await store.channel_sessions(5, 2)) == 2
    assert await store.count_awaiting(1) == 2
    assert await store.count_awaiting(2) == 1
    assert await store.healthy()


async def test_awaiting_sessions_are_the_overdue_ones(store: Store) -> None:
    await store.create_session(request("old"), None)
    await store.create_session(request("other-guild", guild=2), None)
    await store.create_session(request("done"), None)
    await store.complete(Completion("done", SessionState.COMPLETED, TagResult(())))
    assert await store.claim_overdue_sessions(0, 1, 60_000, 10) == []
    overdue = await store.claim_overdue_sessions(2**62, 1, 60_000, 10)
    assert {s.convo_id for s in overdue} == {"old", "other-guild"}


async def test_the_origin_message_is_bound_to_the_session_and_its_rows(store: Store) -> None:
    await store.create_session(request("c1"), None)
    await store.complete(Completion("c1", SessionState.COMPLETED, TagResult(("Fun",))))
    await store.set_origin_message("c1", 555)
    session = await store.get_session("c1")
    assert session is not None and session.origin.message_id == 555
    [delivery] = await store.deliveries_for("c1")
    assert delivery.reply_to_message_id == 555


async def test_overdue_sessions_are_leased_to_one_poll_at_a_time(store: Store) -> None:
    for convo in ("first", "second"):
        await store.create_session(request(convo), None)
        await asyncio.sleep(0.002)  # created_at orders them
    await store.create_session(request("done"), None)
    await store.complete(Completion("done", SessionState.COMPLETED, TagResult(())))
    now = 2**50
    claimed = await store.claim_overdue_sessions(2**62, now, 60_000, 10)
    assert [s.convo_id for s in claimed] == ["first", "second"]
    assert await store.claim_overdue_sessions(2**62, now + 59_999, 60_000, 10) == []
    # A poll that died leaves its sessions due again once the lease runs out.
    again = await store.claim_overdue_sessions(2**62, now + 60_000, 60_000, 1)
    assert [s.convo_id for s in again] == ["first"]
    assert await store.claim_overdue_sessions(0, now + 10**9, 60_000, 10) == []
    # Leases are the monitors' own: they hide nothing from the other questions.
    assert await store.count_awaiting(1) == 2


async def test_concurrent_claims_never_poll_a_session_twice(store: Store) -> None:
    for index in range(20):
        await store.create_session(request(f"c{index}"), None)
    batches = await asyncio.gather(
        *(store.claim_overdue_sessions(2**62, 2**50, 60_000, 3) for _ in range(10))
    )
    claimed = [session.convo_id for batch in batches for session in batch]
    assert len(claimed) == len(set(claimed)) == 20


async def test_what_a_session_shows_of_its_stream_is_kept_and_filled_in_by_its_page(
    store: Store,
) -> None:
    announced = StreamDetails("Alice (announced)", None, "https://cdn.test/alice.jpg")
    assert await store.create_session(replace(request("c1"), stream=announced), None)
    assert await store.create_session(request("c2"), None)
    page = StreamDetails("Alice", "Speedrun night", None)
    await store.mark_running("c1", page)
    await store.mark_running("c2")

    first, second = await store.get_session("c1"), await store.get_session("c2")
    assert first is not None and second is not None
    assert first.stream == StreamDetails("Alice", "Speedrun night", "https://cdn.test/alice.jpg")
    assert second.stream == NO_DETAILS
    listed = {s.convo_id: s.stream for s in await store.channel_sessions(10, 5)}
    assert listed == {"c1": first.stream, "c2": NO_DETAILS}
