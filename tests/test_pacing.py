"""Pacing's arithmetic, on a clock the test moves: each channel's bucket spread over its window
and corrected by Discord's answers, the global budget spent one slot at a time, turns."""

from __future__ import annotations

import asyncio

import discord.http
import pytest

from bot.delivery.channel_buckets import ChannelBuckets, MessageBucket
from bot.delivery.http_trace import api_path, bucket_of
from bot.delivery.pacing import Pacer
from bot.delivery.request_budget import RequestBudget

CREATE = MessageBucket.CREATE


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_a_channel_spends_its_five_messages_spread_over_the_window() -> None:
    clock = Clock()
    buckets = ChannelBuckets(clock)
    key = (7, CREATE)
    sent_at = []
    for _ in range(6):
        clock.now = max(clock.now, buckets.ready_at(key))
        buckets.spend(key)
        sent_at.append(clock.now - 100.0)
    # Discord's 5 per 5 s before it answered: one a second, the sixth in the next window.
    assert sent_at == [0.0, 1.0, 2.0, 3.0, 4.0, 5.0]


def test_discords_answers_correct_the_bucket_and_teach_the_others() -> None:
    clock = Clock()
    buckets = ChannelBuckets(clock)
    buckets.spend((7, CREATE))
    buckets.correct((7, CREATE), limit=1000, remaining=999, reset_after_s=1.0)
    assert buckets.ready_at((7, CREATE)) <= clock.now + 0.001
    # A channel never answered yet starts from what the route has shown elsewhere.
    buckets.spend((8, CREATE))
    assert buckets.ready_at((8, CREATE)) <= clock.now + 0.001
    # Edits are their own bucket, still on Discord's published figures.
    buckets.spend((7, MessageBucket.EDIT))
    assert buckets.ready_at((7, MessageBucket.EDIT)) == clock.now + 1.0


def test_a_429_on_the_route_empties_the_bucket_until_its_reset() -> None:
    clock = Clock()
    buckets = ChannelBuckets(clock)
    buckets.correct((7, CREATE), limit=5, remaining=0, reset_after_s=2.5)
    assert buckets.ready_at((7, CREATE)) == clock.now + 2.5


async def test_the_global_budget_hands_out_slots_a_fraction_under_the_limit_apart() -> None:
    clock = Clock()
    budget = RequestBudget(50, clock)
    taken = [await budget.reserve() for _ in range(3)]
    await budget.hold(2.0)  # a global 429: nothing before 2 s from now, in any process
    taken.append(await budget.reserve())
    first, second, third, held = (slot.at - clock.now for slot in taken)
    assert first == 0.0
    # 1000 ms / (50 x 0.95), in whole milliseconds: 47.6 requests a second at most.
    assert second == pytest.approx(0.021)
    assert third - second == pytest.approx(0.021)
    assert held >= 2.0
    assert not RequestBudget(None).paced


async def test_a_post_inside_a_turn_is_that_turns_request_and_channels_wait_apart() -> None:
    clock = Clock()  # never moves: a second turn in the same window would wait for ever
    pacer = Pacer(RequestBudget(None), ChannelBuckets(clock))
    async with asyncio.timeout(5):
        async with pacer.turn(7, CREATE), pacer.turn(7, CREATE):
            pass  # the poster's own turn, inside the lane's: no second spend, no wait
        async with pacer.turn(8, CREATE):
            pass  # another channel's turn does not wait for channel 7's spread
    assert pacer.buckets is not None
    assert pacer.buckets.ready_at((7, CREATE)) == clock.now + 1.0


def test_the_trace_knows_the_routes_it_paces() -> None:
    base = discord.http.Route.BASE
    assert api_path(f"{base}/channels/5/messages?limit=100") == "/channels/5/messages"
    assert api_path("wss://gateway.discord.gg/?v=10") is None
    assert bucket_of("POST", "/channels/5/messages") == (5, CREATE)
    assert bucket_of("PATCH", "/channels/5/messages/9") == (5, MessageBucket.EDIT)
    assert bucket_of("GET", "/channels/5/messages") is None
    assert bucket_of("PUT", "/channels/5/messages/9/reactions/x/@me") is None
