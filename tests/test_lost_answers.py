"""Writes that commit while their answer is lost: the connection to PostgreSQL drops just after
COMMIT, so the bot sees a failure for a write that happened, and tries the announcement again.

The retry must find what the first try stored: a claim it cannot see as its own would leave the
stream "already tagged" by nobody, and a second follow would sample under the first's convoIds.
The loss is made by a loopback proxy of the tests' own between the bot and the database.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.domain.records import Origin, SessionSource, SessionState, TagRequest
from bot.server.announcement import Announcement
from bot.server.autotag import AutoTagger
from bot.store.base import StoreUnavailable
from standins.chatsight import ChatsightSimulator
from standins.loopback import free_port
from tests.core_harness import CollectingSink, core_settings, running_core
from tests.loopback_proxy import LoopbackProxy
from tests.postgres import throwaway_database
from tests.test_following import STREAM, following_of

# PostgreSQL's ReadyForQuery, idle: the statement's transaction has committed.
COMMITTED = b"Z\x00\x00\x00\x05I"
# Its ReadyForQuery inside a transaction: a statement done, the transaction still open.
IN_TRANSACTION = b"Z\x00\x00\x00\x05T"


@pytest.fixture
async def sim() -> AsyncIterator[ChatsightSimulator]:
    async with ChatsightSimulator(
        provisioning_delay=0.01, running_delay=0.05, webhook_retries=2
    ) as simulator:
        yield simulator


@pytest.fixture
async def proxy() -> AsyncIterator[tuple[LoopbackProxy, str]]:
    """The proxy, and the URL of a throwaway database through it."""
    async with throwaway_database() as url, LoopbackProxy.before(url) as relay:
        yield relay, relay.url_through(url)


@pytest.mark.parametrize(
    "write", [b"INSERT INTO autotag_claims", b"INSERT INTO follows"], ids=["claim", "follow"]
)
async def test_an_announcement_whose_write_committed_unseen_is_tagged_once(
    sim: ChatsightSimulator, tmp_path: Path, proxy: tuple[LoopbackProxy, str], write: bytes
) -> None:
    relay, url = proxy
    settings = core_settings(sim, tmp_path / "unused.db", free_port(), database_url=url)
    async with running_core(settings, {}) as core:
        tagger = AutoTagger(core.store, following_of(core), window_s=60)
        await core.store.set_autotag_channel(1, 10, True, 0)
        announcement = Announcement(1, 10, 100, 7, f"Live: {STREAM}?tags=Fun")
        relay.lose_reply(write, COMMITTED)
        with pytest.raises(StoreUnavailable):
            await tagger.on_announcement(announcement)
        assert relay.lost == 1

        assert await tagger.retry_held() == 1
        assert len(sim.requests_to("/stream/tag")) == 1
        [follow] = await core.store.channel_follows(10)
        assert follow.samples == 1
        assert await tagger.retry_held() == 0


async def test_a_webhook_whose_commit_went_unanswered_is_delivered_once(
    sim: ChatsightSimulator, tmp_path: Path, proxy: tuple[LoopbackProxy, str]
) -> None:
    """Refused with 503 (the receiver cannot know it was stored); Chatsight's retry meets the
    stored result and is answered 200; the result is shown once."""
    relay, url = proxy
    sink = CollectingSink()
    settings = core_settings(sim, tmp_path / "unused.db", free_port(), database_url=url)
    async with running_core(settings, {"result": sink}, monitor_interval_s=60) as core:
        await core.service.start(TagRequest("c1", STREAM, SessionSource.SLASH, Origin(1, 2, 3)))
        relay.lose_reply(b"WITH done AS (", COMMITTED)
        await sim.finish("c1")
        attempts = await sim.wait_for_webhooks(2)
        assert [attempt.status for attempt in attempts] == [503, 200]
        assert relay.lost == 1
        [session] = await sink.wait_for(1)
        assert session.state is SessionState.COMPLETED
        await asyncio.sleep(0.3)
        assert len(sink.delivered) == 1


async def test_a_transaction_whose_connection_is_lost_fails_as_an_outage(
    sim: ChatsightSimulator, tmp_path: Path, proxy: tuple[LoopbackProxy, str]
) -> None:
    """The member is told the database is unavailable (not an internal error), nothing is half
    stored, and asking again starts the session."""
    relay, url = proxy
    settings = core_settings(sim, tmp_path / "unused.db", free_port(), database_url=url)
    async with running_core(settings, {}) as core:
        request = TagRequest("c1", STREAM, SessionSource.SLASH, Origin(1, 2, 3))
        relay.lose_reply(b"INSERT INTO sessions", IN_TRANSACTION)
        with pytest.raises(StoreUnavailable):
            await core.service.start(request)
        assert relay.lost == 1
        assert await core.store.get_session("c1") is None
        assert sim.requests_to("/stream/tag") == []
        started = await core.service.start(request)
        assert started.state is SessionState.RUNNING
        assert len(sim.requests_to("/stream/tag")) == 1
