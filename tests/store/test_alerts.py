"""Moderator alerts: one per session, its message id kept, acknowledged by the first click."""

from __future__ import annotations

import asyncio
from dataclasses import replace

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
