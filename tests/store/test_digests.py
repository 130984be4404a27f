"""History by tag and the weekly digest's schedule: both backends, the same answers."""

from __future__ import annotations

import asyncio
from dataclasses import replace

from bot.domain.clock import now_ms
from bot.domain.digests import DigestSchedule
from bot.domain.records import Completion, Origin, SessionSource, SessionState, TagRequest
from bot.domain.server_records import AlertRecord
from bot.domain.tags import TagResult
from bot.store import Store

GUILD = 1
HOUR_MS = 3_600_000


async def heard(store: Store, convo: str, tags: tuple[str, ...], channel: int = 10) -> None:
    origin = Origin(GUILD, channel)
    await store.create_session(
        TagRequest(convo, f"https://s.test/{convo}.m3u8", SessionSource.SLASH, origin), None
    )
    await store.complete(Completion(convo, SessionState.COMPLETED, TagResult(tags)))


async def test_tag_history_is_newest_first_paged_and_only_in_the_given_channels(
    store: Store,
) -> None:
    for index in range(5):
        await heard(store, f"c{index}", ("Fun", "Music_Live") if index % 2 else ("FUN",))
        await asyncio.sleep(0.002)  # distinct creation times
    await heard(store, "elsewhere", ("Fun",), channel=99)
    await heard(store, "funny", ("Funny",))

    page = await store.tag_history(GUILD, "fun", [10], limit=3, offset=0)
    assert [s.convo_id for s in page] == ["c4", "c3", "c2"]
    rest = await store.tag_history(GUILD, "Fun", [10], limit=3, offset=3)
    assert [s.convo_id for s in rest] == ["c1", "c0"]
    both = await store.tag_history(GUILD, "fun", [10, 99], limit=10, offset=0)
    assert "elsewhere" in {s.convo_id for s in both}
    assert await store.tag_history(GUILD, "fun", [], limit=10, offset=0) == []
    # LIKE's wildcards in a tag are the characters themselves.
    assert [s.convo_id for s in await store.tag_history(GUILD, "music_live", [10], 10, 0)] == [
        "c3",
        "c1",
    ]
    assert await store.tag_history(GUILD, "music%", [10], 10, 0) == []
    assert await store.tag_history(GUILD + 1, "fun", [10], 10, 0) == []


async def test_the_week_reads_heard_sessions_and_raised_alerts(store: Store) -> None:
    start = now_ms() - HOUR_MS
    await heard(store, "a", ("Fun",))
    await heard(store, "b", ())  # heard nothing: not counted
    await store.create_session(
        TagRequest("c", "https://s.test/c", SessionSource.SLASH, Origin(GUILD, 10)), None
    )  # still running
    await store.record_alert(AlertRecord("a", GUILD, 10, ("Fun",), now_ms()))
    await store.acknowledge_alert("a", 7, now_ms() + 5_000)
    end = now_ms() + HOUR_MS

    sessions = await store.guild_sessions_between(GUILD, start, end)
    assert [s.convo_id for s in sessions] == ["a"]
    assert await store.guild_sessions_between(GUILD, end, end + HOUR_MS) == []
    alerts = await store.guild_alerts_between(GUILD, start, end)
    assert [(a.convo_id, a.acknowledged_by) for a in alerts] == [("a", 7)]
    assert await store.guild_alerts_between(GUILD + 1, start, end) == []


async def test_a_schedule_is_saved_and_a_change_drops_the_digest_in_flight(store: Store) -> None:
    assert await store.digest_schedule(GUILD) is None
    schedule = DigestSchedule(GUILD, weekday=2, hour=18, timezone="Europe/Berlin", due_at_ms=1_000)
    await store.save_digest_schedule(schedule, 1)
    assert await store.digest_schedule(GUILD) == schedule
    [claimed] = await store.claim_due_digests(1_000, 60_000, 10)
    assert (claimed.attempts, claimed.first_attempt_at_ms) == (1, 1_000)

    await store.save_digest_schedule(replace(schedule, enabled=False, due_at_ms=9_000), 2)
    saved = await store.digest_schedule(GUILD)
    assert saved == replace(schedule, enabled=False, due_at_ms=9_000)
    assert await store.claim_due_digests(10**12, 60_000, 10) == []
    assert await store.next_digest_due_ms() is None


async def test_servers_with_a_channel_get_the_default_schedule_once(store: Store) -> None:
    await store.update_guild_settings(1, lambda s: replace(s, results_channel_id=5), 1)
    await store.update_guild_settings(2, lambda s: replace(s, alert_channel_id=6), 1)
    await store.update_guild_settings(3, lambda s: replace(s, seed="no channel"), 1)
    await store.save_digest_schedule(DigestSchedule(2, enabled=False, due_at_ms=5), 1)

    assert await store.seed_digests(7_000, 2) == 1
    assert await store.seed_digests(8_000, 3) == 0
    assert await store.digest_schedule(1) == DigestSchedule(1, due_at_ms=7_000)
    assert (await store.digest_schedule(2)) == DigestSchedule(2, enabled=False, due_at_ms=5)
    assert await store.digest_schedule(3) is None


async def test_a_due_digest_is_claimed_once_until_its_lease_runs_out(store: Store) -> None:
    await store.save_digest_schedule(DigestSchedule(1, due_at_ms=1_000), 1)
    await store.save_digest_schedule(DigestSchedule(2, due_at_ms=2_000), 1)
    await store.save_digest_schedule(DigestSchedule(3, due_at_ms=50_000), 1)
    assert await store.next_digest_due_ms() == 1_000

    claims = await asyncio.gather(*(store.claim_due_digests(3_000, 10_000, 10) for _ in range(5)))
    claimed = [d.guild_id for claim in claims for d in claim]
    assert sorted(claimed) == [1, 2]
    assert await store.next_digest_due_ms() == 13_000
    # Its worker died: the lease runs out and another takes the same digest, first attempt kept.
    [again, _] = await store.claim_due_digests(13_000, 10_000, 10)
    assert (again.guild_id, again.due_at_ms, again.attempts) == (1, 1_000, 2)
    assert again.first_attempt_at_ms == 3_000


async def test_a_digest_is_finished_once_and_the_next_week_scheduled(store: Store) -> None:
    await store.save_digest_schedule(DigestSchedule(1, due_at_ms=1_000), 1)
    await store.claim_due_digests(1_000, 10_000, 10)
    await store.retry_digest(1, 1_000, 4_000, "Discord 503")
    assert await store.claim_due_digests(3_999, 10_000, 10) == []
    [retried] = await store.claim_due_digests(4_000, 10_000, 10)
    assert (retried.attempts, retried.last_error) == (2, "Discord 503")

    finished = await asyncio.gather(
        store.finish_digest(1, 1_000, 600_000, 77, None),
        store.finish_digest(1, 1_000, 600_000, 78, None),
    )
    assert sorted(finished) == [False, True]
    done = await store.digest_schedule(1)
    assert done is not None
    assert (done.due_at_ms, done.last_due_at_ms, done.attempts) == (600_000, 1_000, 0)
    assert done.first_attempt_at_ms is None and done.message_id in (77, 78)
    assert await store.claim_due_digests(599_999, 10_000, 10) == []


async def test_a_released_digest_is_claimable_at_once_with_its_first_attempt_kept(
    store: Store,
) -> None:
    await store.save_digest_schedule(DigestSchedule(1, due_at_ms=1_000), 1)
    assert len(await store.claim_due_digests(2_000, 60_000, 10)) == 1
    assert await store.claim_due_digests(3_000, 60_000, 10) == []  # leased
    await store.release_digest(1, 1_000)
    await store.release_digest(1, 999)  # not this digest: changes nothing
    assert await store.next_digest_due_ms() == 1_000
    [again] = await store.claim_due_digests(3_000, 60_000, 10)
    assert (again.due_at_ms, again.attempts, again.first_attempt_at_ms) == (1_000, 2, 2_000)
