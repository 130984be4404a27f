"""Moderator alerts: one per session, its message id kept, acknowledged by the first click."""

from __future__ import annotations

import asyncio
import sqlite3
from dataclasses import replace

import asyncpg
import pytest

from bot.domain.server_records import AlertRecord
from bot.store import Store
from tests.store.tag_requests import request

ALERT = AlertRecord("c1", 1, 20, ("Violence", "Gambling"), 1_000)


async def test_an_alert_round_trip_and_its_message_id(store: Store) -> None:
    await store.create_session(request("c1"), None)
    assert await store.get_alert("c1") is None
    await store.record_alert(ALERT)
    assert await store.get_alert("c1") == ALERT
    await store.record_alert(replace(ALERT, message_id=42))
    assert await store.get_alert("c1") == replace(ALERT, message_id=42)


async def test_the_first_acknowledgement_wins(store: Store) -> None:
    await store.create_session(request("c1"), None)
    await store.record_alert(ALERT)
    won = await asyncio.gather(
        *(store.acknowledge_alert("c1", user, 2_000 + user) for user in range(100, 110))
    )
    assert won.count(True) == 1
    winner = 100 + won.index(True)
    alert = await store.get_alert("c1")
    assert alert is not None
    assert (alert.acknowledged_by, alert.acknowledged_at_ms) == (winner, 2_000 + winner)
    assert not await store.acknowledge_alert("c1", 999, 3_000)


async def test_an_unknown_alert_cannot_be_acknowledged(store: Store) -> None:
    assert not await store.acknowledge_alert("nope", 1, 1)


async def test_a_follow_has_one_alert(store: Store) -> None:
    for convo in ("s1", "s2"):
        await store.create_session(request(convo), None)
    first = AlertRecord("s1", 1, 20, ("Violence",), 1_000, follow_id=7, reping_at_ms=5_000)
    await store.record_alert(first)
    assert await store.follow_alert(7) == first
    assert await store.follow_alert(8) is None
    with pytest.raises((sqlite3.IntegrityError, asyncpg.UniqueViolationError)):
        await store.record_alert(replace(first, convo_id="s2"))
    assert await store.get_alert("s2") is None


async def test_a_reping_is_claimed_by_one_caller_and_sent_once(store: Store) -> None:
    for convo in ("c1", "c2", "c3"):
        await store.create_session(request(convo), None)
    due = replace(ALERT, message_id=42, reping_at_ms=5_000)
    await store.record_alert(due)
    await store.record_alert(replace(due, convo_id="c2", message_id=None))  # not posted yet
    await store.record_alert(replace(due, convo_id="c3", reping_at_ms=9_000))
    assert await store.next_reping_due_ms() == 5_000
    assert await store.claim_due_repings(4_999, 1_000, 10) == []

    claims = await asyncio.gather(*(store.claim_due_repings(6_000, 1_000, 10) for _ in range(8)))
    assert sorted(len(claim) for claim in claims) == [0] * 7 + [1]
    [claimed] = [alert for claim in claims for alert in claim]
    assert (claimed.convo_id, claimed.reping_at_ms) == ("c1", 5_000)
    assert await store.claim_due_repings(6_500, 1_000, 10) == []  # leased
    assert [a.convo_id for a in await store.claim_due_repings(7_000, 1_000, 10)] == ["c1"]

    await store.finish_reping("c1")
    assert await store.claim_due_repings(20_000, 1_000, 10) == [
        replace(due, convo_id="c3", reping_at_ms=9_000)
    ]
    await store.record_alert(replace(due, message_id=43))  # the upsert leaves it finished
    assert (await store.get_alert("c1")) == replace(due, message_id=43, reping_at_ms=None)


async def test_a_released_reping_is_claimable_at_once(store: Store) -> None:
    await store.create_session(request("c1"), None)
    await store.record_alert(replace(ALERT, message_id=42, reping_at_ms=5_000))
    [claimed] = await store.claim_due_repings(6_000, 60_000, 10)
    assert await store.claim_due_repings(7_000, 60_000, 10) == []  # leased
    await store.release_reping("c1")
    assert await store.next_reping_due_ms() == 5_000
    [again] = await store.claim_due_repings(7_000, 60_000, 10)
    assert again == claimed


async def test_an_acknowledged_alert_is_not_repinged(store: Store) -> None:
    await store.create_session(request("c1"), None)
    await store.record_alert(replace(ALERT, message_id=42, reping_at_ms=5_000))
    assert await store.acknowledge_alert("c1", 100, 2_000)
    assert await store.next_reping_due_ms() is None
    assert await store.claim_due_repings(6_000, 1_000, 10) == []
