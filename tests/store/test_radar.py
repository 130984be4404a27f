"""The undocumented-tag radar: each tag counted once per session, most heard first."""

from __future__ import annotations

import asyncio

from bot.domain.radar import RadarEntry
from bot.store import Store

GUILD, OTHER_GUILD = 1, 2


async def test_tags_are_counted_by_session_whatever_their_case(store: Store) -> None:
    await store.record_unlisted_tags(GUILD, "c1", ["Zorbing", "Yodel"], 1_000)
    await store.record_unlisted_tags(GUILD, "c2", ["zorbing"], 2_000)
    await store.record_unlisted_tags(OTHER_GUILD, "c3", ["Yodel"], 3_000)
    assert await store.radar(GUILD, 10) == [
        RadarEntry("Zorbing", 2, 2_000),
        RadarEntry("Yodel", 1, 1_000),
    ]
    assert await store.radar(GUILD, 1) == [RadarEntry("Zorbing", 2, 2_000)]
    assert await store.radar(OTHER_GUILD, 10) == [RadarEntry("Yodel", 1, 3_000)]


async def test_a_session_recorded_again_counts_once(store: Store) -> None:
    await asyncio.gather(
        *(store.record_unlisted_tags(GUILD, "c1", ["Zorbing"], 1_000 + n) for n in range(5))
    )
    (entry,) = await store.radar(GUILD, 10)
    assert (entry.tag, entry.sessions) == ("Zorbing", 1)
    assert await store.radar(OTHER_GUILD, 10) == []
