"""Following and auto-tagging against the simulator: schedules, the end of a stream, restarts."""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from prometheus_client import REGISTRY

from bot.app.core import TaggingCore
from bot.domain.clock import now_ms
from bot.domain.convo_ids import ConvoIds, Trigger
from bot.domain.records import Origin, SessionRecord, SessionSource, SessionState
from bot.domain.server_records import FollowState
from bot.domain.stream_urls import canonical_stream_url
from bot.server import autotag
from bot.server.announcement import Announcement
from bot.server.autotag import AutoTagger
from bot.server.following import ENDED_REASON, Following, FollowRequest
from bot.store import writer
from bot.store.base import StoreUnavailable
from standins.chatsight import ChatsightSimulator
from standins.loopback import free_port
from tests.core_harness import CollectingSink, core_settings, running_core
from tests.stream_site import Channel, stream_site


@pytest.fixture
async def sim() -> AsyncIterator[ChatsightSimulator]:
    async with ChatsightSimulator(provisioning_delay=0.01, running_delay=0.05) as simulator:
        yield simulator


APP = ConvoIds(application_id=4242)
STREAM = "https://streams.example/live"


def following_of(core: TaggingCore, minute_s: float = 0.02, app: ConvoIds = APP) -> Following:
    """Servers' default interval is 10 minutes: 0.2 s with the default ``minute_s``."""
    return Following(core.store, core.service, app, minute_s=minute_s, max_idle_s=0.05)


async def started(following: Following, request: FollowRequest) -> SessionRecord:
    """Its first sample: without automatic slots (``slots``) a follow never waits for one."""
    first = await following.start(request)
    assert first is not None
    return first


def asked(stream_url: str, interaction_id: int = 900) -> FollowRequest:
    return FollowRequest(
        stream_url,
        SessionSource.SLASH,
        Origin(channel_id=5, requester_id=7),
        Trigger(interaction_id),
    )


async def test_followed_stream_is_sampled_on_schedule_with_fresh_convo_ids(
    sim: ChatsightSimulator, tmp_path: Path
) -> None:
    sink = CollectingSink()
    settings = core_settings(sim, tmp_path / "f.db", free_port())
    async with running_core(settings, {"result": sink}) as core:
        following = following_of(core)
        first = await started(following, asked(f"{STREAM}?tags=Fun|Fun|Violence"))
        runner = asyncio.create_task(following.run())
        try:
            await sink.wait_for(3)
        finally:
            runner.cancel()
        assert first.follow_id is not None
        samples = await core.store.follow_sessions(first.follow_id)
        assert len({s.convo_id for s in samples}) == len(samples) >= 3
        tags = [s.result.tags for s in sink.delivered[:3] if s.result]
        assert tags == [("Fun",), ("Fun",), ("Violence",)]


async def test_following_stops_when_the_stream_ends(
    sim: ChatsightSimulator, tmp_path: Path
) -> None:
    sink = CollectingSink()
    settings = core_settings(sim, tmp_path / "f.db", free_port(), poll_after_seconds=0.05)
    async with running_core(settings, {"result": sink}) as core:
        following = following_of(core, minute_s=0.01)
        first = await started(following, asked(f"{STREAM}?tags=Fun&ended_after=1"))
        runner = asyncio.create_task(following.run())
        assert first.follow_id is not None
        try:
            delivered = await sink.wait_for(2)
            assert delivered[1].state is SessionState.FAILED
            async with asyncio.timeout(5):
                while (follow := await core.store.get_follow(first.follow_id)) is None or (
                    follow.state is not FollowState.ENDED
                ):
                    await asyncio.sleep(0.05)
        finally:
            runner.cancel()
        await asyncio.sleep(0.3)
        assert len(await core.store.follow_sessions(first.follow_id)) == 2
        assert follow.stop_reason == ENDED_REASON


async def test_schedule_resumes_after_a_restart(sim: ChatsightSimulator, tmp_path: Path) -> None:
    settings = core_settings(sim, tmp_path / "f.db", free_port())
    async with running_core(settings, {}) as core:
        first = await started(following_of(core), asked(f"{STREAM}?tags=Fun"))
    assert first.follow_id is not None
    sink = CollectingSink()
    async with running_core(settings, {"result": sink}) as core:
        runner = asyncio.create_task(following_of(core).run())
        try:
            await sink.wait_for(2)
        finally:
            runner.cancel()
        follow = await core.store.get_follow(first.follow_id)
        assert follow is not None
        assert follow.samples >= 2


async def test_announcements_are_tagged_once_per_window_and_only_where_watched(
    sim: ChatsightSimulator, tmp_path: Path
) -> None:
    settings = core_settings(sim, tmp_path / "a.db", free_port())
    async with running_core(settings, {}) as core:
        store = core.store
        tagger = AutoTagger(store, following_of(core), window_s=60)
        await store.set_autotag_channel(1, 10, True, 0)
        text = "Live now! https://streams.example/live?tags=Fun and <https://streams.example/b>."
        first = await tagger.on_announcement(Announcement(1, 10, 100, 7, text))
        again = await tagger.on_announcement(Announcement(1, 10, 101, 7, text))
        elsewhere = await tagger.on_announcement(Announcement(1, 11, 102, 7, text))
        embedded = await tagger.on_announcement(
            Announcement(1, 10, 103, 8, "", ["https://streams.example/c"])
        )
        assert [s.stream_url for s in first] == [
            "https://streams.example/live?tags=Fun",
            "https://streams.example/b",
        ]
        assert again == []
        assert elsewhere == []
        assert [s.stream_url for s in embedded] == ["https://streams.example/c"]
        assert all(s.source is SessionSource.AUTOTAG and s.origin.message_id for s in first)
        assert len(sim.requests_to("/stream/tag")) == 3


async def test_another_spelling_of_a_stream_is_the_same_stream_and_an_offline_one_starts_nothing(
    sim: ChatsightSimulator, tmp_path: Path
) -> None:
    settings = core_settings(sim, tmp_path / "s.db", free_port())
    async with stream_site(off=Channel(live=False)) as site, running_core(settings, {}) as core:
        store = core.store
        tagger = AutoTagger(store, following_of(core), window_s=60)
        await store.set_autotag_channel(1, 10, True, 0)
        text = f"Offline: {site.page('off')} but live: https://streams.example/live?tags=Fun"
        first = await tagger.on_announcement(Announcement(1, 10, 100, 7, text))
        respelled = "https://WWW.Streams.Example/live/?tags=Fun&utm_source=discord#top"
        again = await tagger.on_announcement(Announcement(1, 10, 101, 7, f"Still: {respelled}"))

        assert [s.stream_url for s in first] == ["https://streams.example/live?tags=Fun"]
        assert again == []
        assert [r.json()["url"] for r in sim.requests_to("/stream/tag")] == [
            "https://streams.example/live?tags=Fun"
        ]
        offline = [f for f in await store.channel_follows(10) if f.stream_url == site.page("off")]
        assert offline == []  # ended at once: nothing left to sample


async def test_convo_ids_come_from_discord_not_from_the_database(
    sim: ChatsightSimulator, tmp_path: Path
) -> None:
    """Two fresh databases give their first follows the same row id; Chatsight, which overwrites
    results on a reused convoId, must still see distinct ids (two installations sharing a key)."""
    seen = []
    for name, interaction_id in (("staging", 1001), ("production", 1002)):
        settings = core_settings(sim, tmp_path / f"{name}.db", free_port())
        async with running_core(settings, {}) as core:
            first = await started(following_of(core), asked(f"{STREAM}?tags=Fun", interaction_id))
            seen.append((first.follow_id, first.convo_id))
    (follow_a, convo_a), (follow_b, convo_b) = seen
    assert follow_a == follow_b  # the local row ids collide ...
    assert convo_a != convo_b  # ... the convoIds do not
    assert {r.json()["convoId"] for r in sim.requests_to("/stream/tag")} == {convo_a, convo_b}


class LockingClock:
    """The time; on its ``at``-th reading it also takes the database's write lock from another
    connection, held until ``release``, so the store fails the write that comes next."""

    def __init__(self, database: Path, at: int) -> None:
        self._database = database
        self._at = at
        self._calls = 0
        self._other: sqlite3.Connection | None = None
        self.ahead_ms = 0

    def __call__(self) -> int:
        self._calls += 1
        if self._calls == self._at:
            self._other = sqlite3.connect(self._database, isolation_level=None)
            self._other.execute("BEGIN IMMEDIATE")
        return now_ms() + self.ahead_ms

    def release(self) -> None:
        assert self._other is not None, "the lock was never taken"
        self._other.execute("ROLLBACK")
        self._other.close()


@pytest.mark.parametrize(
    ("failing_reading", "held", "asked_at_once"),
    [
        (1, True, 1),  # the follow's write fails, after the stream's claim was taken
        (2, False, 0),  # the follow is stored, its first sample's write fails
    ],
)
async def test_an_announcement_the_store_failed_midway_is_finished_once(
    sim: ChatsightSimulator,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    failing_reading: int,
    held: bool,
    asked_at_once: int,
) -> None:
    """Claimed but not followed: the retry keeps its own claim (the stream is not "already
    tagged" by it) and starts it. Followed but not sampled: no retry (it would follow the
    stream twice); the scheduler takes the first sample when it falls due."""
    monkeypatch.setattr(writer, "LOCK_WAIT_MS", 100)
    database = tmp_path / "m.db"
    settings = core_settings(sim, database, free_port())
    async with running_core(settings, {}) as core:
        clock = LockingClock(database, failing_reading)
        following = Following(core.store, core.service, APP, minute_s=0.02, clock=clock)
        tagger = AutoTagger(core.store, following, window_s=60)
        await core.store.set_autotag_channel(1, 10, True, 0)
        announcement = Announcement(1, 10, 100, 7, f"Live: {STREAM}?tags=Fun")
        if held:
            with pytest.raises(StoreUnavailable):
                await tagger.on_announcement(announcement)
        else:
            assert await tagger.on_announcement(announcement) == []
        clock.release()

        assert await tagger.retry_held() == int(held)
        assert len(sim.requests_to("/stream/tag")) == asked_at_once
        assert len(await core.store.channel_follows(10)) == 1
        assert await tagger.retry_held() == 0  # nothing is held any more


async def test_an_announcement_a_stopped_process_claimed_is_finished_by_the_next(
    sim: ChatsightSimulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The stream's claim was stored, its follow was not, and the process holding the
    announcement stopped (a deploy): the next one's catch-up scan of that message finishes it,
    once. Scanned again, or announced in another message, the stream starts nothing."""
    monkeypatch.setattr(writer, "LOCK_WAIT_MS", 100)
    database = tmp_path / "s.db"
    settings = core_settings(sim, database, free_port())
    async with running_core(settings, {}) as core:
        await core.store.set_autotag_channel(1, 10, True, 0)
        clock = LockingClock(database, 1)  # the follow's write fails, after the claim
        stopping = Following(core.store, core.service, APP, minute_s=0.02, clock=clock)
        announcement = Announcement(1, 10, 100, 7, f"Live: {STREAM}?tags=Fun")
        with pytest.raises(StoreUnavailable):
            await AutoTagger(core.store, stopping, window_s=60).on_announcement(announcement)
        clock.release()

        tagger = AutoTagger(core.store, following_of(core), window_s=60)
        assert len(await tagger.on_announcement(announcement)) == 1
        assert await tagger.on_announcement(announcement) == []
        elsewhere = Announcement(1, 10, 101, 7, f"Still live: {STREAM}?tags=Fun")
        assert await tagger.on_announcement(elsewhere) == []
        assert len(sim.requests_to("/stream/tag")) == 1
        assert len(await core.store.channel_follows(10)) == 1


async def test_a_stream_announced_again_while_followed_is_not_followed_twice(
    sim: ChatsightSimulator, tmp_path: Path
) -> None:
    """Past the dedupe window a notifier's "still live", or the "Tag stream" menu, would start
    a second follow of a stream the server follows: it starts nothing until that follow ends."""
    settings = core_settings(sim, tmp_path / "w.db", free_port())
    async with running_core(settings, {}) as core:
        tagger = AutoTagger(core.store, following_of(core, minute_s=60), window_s=0.1)
        await core.store.set_autotag_channel(1, 10, True, 0)
        await core.store.set_autotag_channel(1, 11, True, 0)
        live = f"Live: {STREAM}?tags=Fun"
        [first] = await tagger.on_announcement(Announcement(1, 10, 100, 7, live))
        await asyncio.sleep(0.15)
        assert await tagger.on_announcement(Announcement(1, 11, 101, 7, live)) == []
        menu = await tagger.on_demand(Announcement(1, 11, 101, 7, live), 8, 900)
        assert (menu.started, menu.recent) == ([], 1)
        assert len(sim.requests_to("/stream/tag")) == 1

        assert first.follow_id is not None
        await core.store.end_follow(first.follow_id, FollowState.STOPPED, "stopped", now_ms())
        await asyncio.sleep(0.15)
        assert len(await tagger.on_announcement(Announcement(1, 11, 102, 7, live))) == 1
        assert len(sim.requests_to("/stream/tag")) == 2


async def test_an_announcement_and_its_edit_seen_at_once_start_one_sample(
    sim: ChatsightSimulator, tmp_path: Path
) -> None:
    """A notifier's edit (a link preview arriving) right behind its message, or a catch-up scan
    beside the live event: both find the stream unfinished, one of them samples it."""
    settings = core_settings(sim, tmp_path / "e.db", free_port())
    async with running_core(settings, {}) as core:
        tagger = AutoTagger(core.store, following_of(core, minute_s=60), window_s=60)
        await core.store.set_autotag_channel(1, 10, True, 0)
        live = f"Live: {STREAM}?tags=Fun"
        await asyncio.gather(
            tagger.on_announcement(Announcement(1, 10, 100, 7, live)),
            tagger.on_announcement(Announcement(1, 10, 100, 7, f"{live} (preview)")),
        )
        [follow] = await core.store.channel_follows(10)
        assert follow.samples == 1
        assert len(sim.requests_to("/stream/tag")) == 1


async def test_a_stream_announced_again_past_the_window_is_turned_away_for_good(
    sim: ChatsightSimulator, tmp_path: Path
) -> None:
    """The "still live" turned away holds no claim, so once the follow stops, a rescan of it
    is not taken for an unfinished announcement while another message's claim holds."""
    settings = core_settings(sim, tmp_path / "t.db", free_port())
    async with running_core(settings, {}) as core:
        clock = SetClock()
        tagger = AutoTagger(core.store, following_of(core, minute_s=60), window_s=60, clock=clock)
        await core.store.set_autotag_channel(1, 10, True, 0)
        live = f"Live: {STREAM}?tags=Fun"
        before = announced_streams()
        [first] = await tagger.on_announcement(Announcement(1, 10, 100, 7, live))
        clock.now += 61_000
        assert await tagger.on_announcement(Announcement(1, 10, 101, 7, live)) == []
        assert (
            await core.store.held_claim(1, canonical_stream_url(f"{STREAM}?tags=Fun"), 101) is None
        )
        assert first.follow_id is not None
        await core.store.end_follow(first.follow_id, FollowState.STOPPED, "stopped", now_ms())
        [second] = await tagger.on_announcement(Announcement(1, 10, 102, 7, live))
        assert await tagger.on_announcement(Announcement(1, 10, 101, 7, f"{live}!")) == []
        assert len(sim.requests_to("/stream/tag")) == 2
        # Followed no more, but tagged within the window: not again yet.
        assert second.follow_id is not None
        await core.store.end_follow(second.follow_id, FollowState.STOPPED, "stopped", now_ms())
        assert await tagger.on_announcement(Announcement(1, 10, 103, 7, live)) == []
        # What the operator's metrics count, by outcome.
        after = announced_streams()
        counted = {key: after[key] - before[key] for key in after}
        assert counted == {"started": 2, "followed": 2, "recent": 1, "waiting": 0}


def announced_streams() -> dict[str, float]:
    return {
        outcome: REGISTRY.get_sample_value(
            "chatsight_announced_streams_total", {"outcome": outcome}
        )
        or 0.0
        for outcome in ("started", "followed", "recent", "waiting")
    }


class SetClock:
    """The time, moved on by the test."""

    def __init__(self) -> None:
        self.now = now_ms()

    def __call__(self) -> int:
        return self.now


async def test_held_announcements_are_bounded_in_number_and_in_age(
    sim: ChatsightSimulator,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Past MAX_HELD the oldest is dropped; past HELD_FOR_MS one is dropped untried (its stream
    was live ten minutes ago): each with a line naming the message, and nothing started."""
    monkeypatch.setattr(writer, "LOCK_WAIT_MS", 100)
    monkeypatch.setattr(autotag, "MAX_HELD", 2)
    database = tmp_path / "b.db"
    settings = core_settings(sim, database, free_port())
    async with running_core(settings, {}) as core:
        clock = LockingClock(database, 1)
        tagger = AutoTagger(core.store, following_of(core), window_s=60, clock=clock)
        await core.store.set_autotag_channel(1, 10, True, 0)
        with caplog.at_level(logging.WARNING, logger="bot.server.autotag"):
            for message_id in (100, 101, 102):
                text = f"Live: {STREAM}?tags=Fun&n={message_id}"
                with pytest.raises(StoreUnavailable):
                    await tagger.on_announcement(Announcement(1, 10, message_id, 7, text))
            clock.release()
            clock.ahead_ms = autotag.HELD_FOR_MS + 1
            assert await tagger.retry_held() == 2
        lines = [r.getMessage() for r in caplog.records if r.name == autotag.__name__]
        assert lines == [
            "announcement 100 not auto-tagged: 2 others are waiting for the database",
            "announcement 101 not auto-tagged: the database was away",
            "announcement 102 not auto-tagged: the database was away",
        ]
        assert sim.requests_to("/stream/tag") == []
