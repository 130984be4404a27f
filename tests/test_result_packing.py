"""Which waiting results go out together: ten at most, 6,000 characters, never one request's
link twice, a followed stream's samples coalesced; and how the bot knows its own posts again."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from typing import cast

import discord

from bot.delivery.lanes import Waiting
from bot.delivery.poster import DiscordPoster
from bot.delivery.result_sink import DiscordResultSink, ResultSinkStore
from bot.domain.alert_policy import AlertDecision
from bot.domain.records import Delivery, DeliveryKind, DeliveryState, Origin
from bot.domain.tags import TagResult
from bot.language.catalogue import ENGLISH_WORDS, Words
from bot.rendering.alerts import alert_embed, alert_session
from bot.rendering.results import (
    EMBED_TOTAL_LIMIT,
    packed_result_embed,
    result_embed,
    shown_session,
)
from bot.rendering.timelines import timeline_follow
from tests.test_rendering import session


def sink(per_message: int = 10) -> DiscordResultSink:
    """``choose`` reads neither Discord nor the store; the client, never connected, knows no
    guild, so results are measured in English."""
    poster = DiscordPoster(discord.Client(intents=discord.Intents.none()))
    return DiscordResultSink(poster, cast(ResultSinkStore, None), per_message=per_message)


def waiting(count: int, **changes: object) -> list[Waiting]:
    """``count`` results waiting in one lane, each for its own request; in a running loop."""
    loop = asyncio.get_running_loop()
    found = []
    for index in range(count):
        record = replace(
            session(**changes),
            convo_id=f"00000000-0000-5000-8000-{index:012d}",
            origin=Origin(guild_id=1, channel_id=5, requester_id=42, message_id=1000 + index),
        )
        row = Delivery(index, record.convo_id, DeliveryKind.RESULT, DeliveryState.PENDING, 0, 0)
        found.append(Waiting(row, record, loop.create_future()))
    return found


async def test_ten_results_at_most_go_in_one_message() -> None:
    queued = waiting(12)
    assert sink().choose(queued) == queued[:10]
    assert sink(per_message=1).choose(queued) == queued[:1]


async def test_two_results_for_one_request_never_share_a_message() -> None:
    queued = waiting(3)
    same = replace(queued[1].session, origin=queued[0].session.origin)
    queued[1] = Waiting(queued[1].delivery, same, queued[1].settled)
    # Discord would merge two embeds with one url into one: the second waits for the next pack.
    assert sink().choose(queued) == [queued[0], queued[2]]


async def test_a_message_stays_within_six_thousand_characters() -> None:
    long_tags = tuple(f"tag-number-{index:04d}" for index in range(150))
    queued = waiting(10, result=TagResult(long_tags))
    chosen = sink().choose(queued)
    assert 1 < len(chosen) < 10
    assert (
        sum(len(packed_result_embed(w.session, words=ENGLISH_WORDS)) for w in chosen)
        <= EMBED_TOTAL_LIMIT
    )


async def test_a_followed_streams_waiting_samples_coalesce_into_one_timeline_edit() -> None:
    queued = waiting(4)
    for index in (0, 2):
        queued[index] = Waiting(
            queued[index].delivery,
            replace(queued[index].session, follow_id=9),
            queued[index].settled,
        )
    assert sink().choose(queued) == [queued[0], queued[2]]
    assert sink().choose(queued[1:]) == [queued[1], queued[3]]  # results skip the samples


def test_a_packed_result_links_to_its_request_and_names_its_session() -> None:
    record = replace(session(), origin=Origin(guild_id=1, channel_id=5, message_id=77))
    embed = packed_result_embed(record, words=ENGLISH_WORDS)
    assert embed.url == "https://discord.com/channels/1/5/77"
    assert shown_session(embed) == record.convo_id
    assert result_embed(record, words=ENGLISH_WORDS).url is None  # alone, it is a reply instead


def test_the_bot_knows_its_own_posts_by_title_and_footer() -> None:
    record = session()
    assert shown_session(result_embed(record, words=ENGLISH_WORDS)) == record.convo_id
    alert = discord.Embed(title="Moderator alert").set_footer(text=f"Session {record.convo_id}")
    assert shown_session(alert) is None
    assert alert_session(alert) == record.convo_id
    assert alert_session(result_embed(record, words=ENGLISH_WORDS)) is None
    timeline = discord.Embed(title="Following stream").set_footer(text="Follow 12 · 3 samples")
    assert timeline_follow(timeline) == 12
    assert timeline_follow(alert) is None
    assert timeline_follow(timeline.set_footer(text="Follow 12 · 1 sample")) == 12


def test_the_bot_knows_its_own_posts_in_whichever_language_they_were_posted() -> None:
    """A server may change its language between a post and the resend looking for it."""
    record, french = session(), Words("fr")
    result = result_embed(record, words=french)
    assert result.title != result_embed(record, words=ENGLISH_WORDS).title
    assert shown_session(result) == record.convo_id
    alert = alert_embed(record, AlertDecision(("Fun",), False, None), result_url=None, words=french)
    assert alert_session(alert) == record.convo_id
    assert shown_session(alert) is None
