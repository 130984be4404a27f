"""The operator's reads: the same answer from whichever process asks, from the store."""

from __future__ import annotations

from dataclasses import replace

from bot.domain.clock import now_ms
from bot.domain.server_records import FollowState
from bot.domain.store_figures import StoreFigures
from bot.store import Store
from tests.store.test_follows import another
from tests.store.test_outbox import finished


async def test_outbox_depth_oldest_due_and_active_follows(store: Store) -> None:
    assert await store.figures(now_ms()) == StoreFigures(0, None, 0)
    before = now_ms()
    await finished(store, "c1")
    await finished(store, "c2")
    after = now_ms()
    figures = await store.figures(after)
    assert figures.outbox_depth == 2
    assert figures.oldest_due_ms is not None and before <= figures.oldest_due_ms <= after
    # Not yet due is waiting, not late.
    assert (await store.figures(before - 1)).oldest_due_ms is None

    [first, _] = await store.claim_due_deliveries(["result"], after, 60_000, 10)
    await store.mark_delivered(first, 77, after)
    assert (await store.figures(after)).outbox_depth == 1

    await store.create_follow(another())
    ended = await store.create_follow(another(next_sample_at_ms=5_000))
    await store.end_follow(ended, FollowState.STOPPED, "stopped by a moderator", after)
    assert (await store.figures(after)).active_follows == 1


async def test_configured_servers_are_those_with_settings_or_watched_channels(
    store: Store,
) -> None:
    assert await store.configured_guild_ids() == []
    await store.update_guild_settings(5, lambda s: replace(s, results_channel_id=50), 1)
    await store.set_autotag_channel(3, 30, True, 1)
    await store.set_autotag_channel(5, 51, True, 1)
    assert await store.configured_guild_ids() == [3, 5]
