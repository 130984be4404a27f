"""Chatsight's published tag list, read from the simulator's placeholder over loopback."""

from __future__ import annotations

import asyncio
from typing import Any

import aiohttp
import pytest

from bot.chatsight.tag_list import PublishedTags, parse_tag_list
from standins.chatsight import PLACEHOLDER_VOCABULARY, ChatsightSimulator
from standins.chatsight.taglist import TAGLIST_PATH


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


async def test_the_list_is_read_once_and_kept_for_an_hour(
    http: aiohttp.ClientSession, sim: ChatsightSimulator
) -> None:
    clock = Clock()
    published = PublishedTags(http, sim.base_url + TAGLIST_PATH, clock=clock)

    assert await published.tags() == tuple(sorted(PLACEHOLDER_VOCABULARY))
    clock.now = 3599
    await published.tags()
    assert len(sim.requests_to(TAGLIST_PATH)) == 1  # public: asked without the API key
    clock.now = 3600
    await published.tags()
    assert len(sim.requests_to(TAGLIST_PATH)) == 2


async def test_a_failed_read_leaves_no_tags_and_is_tried_again_after_a_minute(
    http: aiohttp.ClientSession, sim: ChatsightSimulator
) -> None:
    clock = Clock()
    published = PublishedTags(http, sim.base_url + TAGLIST_PATH, clock=clock)
    sim.faults.fail_next(TAGLIST_PATH, status=503)

    assert await published.tags() == ()
    clock.now = 59
    assert await published.tags() == ()
    clock.now = 60
    assert "Fun" in await published.tags()
    assert len(sim.requests_to(TAGLIST_PATH)) == 2


async def test_a_slow_host_is_waited_for_briefly_and_its_list_serves_a_later_call(
    http: aiohttp.ClientSession, sim: ChatsightSimulator
) -> None:
    sim.faults.slow_next(TAGLIST_PATH, delay=0.3)
    published = PublishedTags(http, sim.base_url + TAGLIST_PATH, wait_s=0.05)

    assert await published.tags() == ()  # within its 0.05 s
    async with asyncio.timeout(5):
        while not await published.tags():  # each call waits its 0.05 s on the same fetch
            pass
    assert len(sim.requests_to(TAGLIST_PATH)) == 1

    sim.faults.slow_next(TAGLIST_PATH, delay=5)
    stopping = PublishedTags(http, sim.base_url + TAGLIST_PATH, wait_s=0.05)
    assert await stopping.tags() == ()
    await stopping.close()  # the fetch under way ends with the bot, not 5 s later


@pytest.mark.parametrize(
    ("document", "tags"),
    [
        (["Fun", " Food ", "Fun", "", 3], ("Fun", "Food")),
        ({"tags": [{"name": "Fun"}, {"tag": "Outdoors"}, {"label": "x"}]}, ("Fun", "Outdoors")),
        ({"Fun": 1}, ()),
        ("Fun", ()),
        (None, ()),
    ],
)
def test_the_lists_unknown_shape_is_read_tolerantly(document: Any, tags: tuple[str, ...]) -> None:
    assert parse_tag_list(document) == tags
