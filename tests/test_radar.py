"""The undocumented-tag radar's rules: which tags count, what is shown, and an unreadable list."""

from __future__ import annotations

import aiohttp
import pytest

from bot.chatsight.tag_list import PublishedTags
from bot.delivery.radar_sink import RadarSink
from bot.delivery.retries import DeliveryFailed
from bot.domain.radar import SHOWN_AT_MOST, RadarEntry, not_adopted, unlisted
from bot.domain.records import (
    Delivery,
    DeliveryKind,
    DeliveryState,
    Origin,
    SessionRecord,
    SessionSource,
    SessionState,
)
from bot.domain.tags import TagResult
from bot.language.catalogue import ENGLISH_WORDS
from bot.rendering.radar import radar_view
from bot.store import Store
from standins.loopback import free_port


def test_unlisted_tags_are_compared_case_insensitively_in_heard_order() -> None:
    assert unlisted(("Zorbing", "fun", "Yodel"), ("Fun", "Relaxed")) == ("Zorbing", "Yodel")
    assert unlisted(("Fun",), ("FUN",)) == ()


def test_adopted_tags_leave_the_radar_and_at_most_twenty_show() -> None:
    entries = [RadarEntry(f"Tag{n}", 30 - n, n) for n in range(30)]
    shown = not_adopted(entries, ("tag0", "TAG1"))
    assert [e.tag for e in shown] == [f"Tag{n}" for n in range(2, 2 + SHOWN_AT_MOST)]


def test_a_tag_too_long_for_a_custom_id_gets_no_button() -> None:
    view = radar_view(
        [RadarEntry("x" * 85, 1, 1), RadarEntry("Zorbing", 1, 1)], words=ENGLISH_WORDS
    )
    assert [item.custom_id for item in view.children] == ["chatsight:radar:Zorbing"]  # type: ignore[attr-defined]


async def test_a_result_is_not_counted_against_a_list_that_cannot_be_read(store: Store) -> None:
    session = SessionRecord(
        "c1",
        "https://s.test/x",
        SessionSource.SLASH,
        SessionState.COMPLETED,
        1,
        1,
        Origin(1, 2),
        result=TagResult(("Zorbing",), undocumented=True),
    )
    row = Delivery(1, "c1", DeliveryKind.RADAR, DeliveryState.PENDING, 0, 0)
    async with aiohttp.ClientSession() as http:
        nowhere = PublishedTags(http, f"http://127.0.0.1:{free_port()}/tagginglist.json")
        with pytest.raises(DeliveryFailed) as failed:
            await RadarSink(store, nowhere).deliver(row, session)
        await nowhere.close()
    assert not failed.value.permanent
    assert await store.radar(1, 10) == []
