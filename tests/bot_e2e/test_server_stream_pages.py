"""Stream pages end to end: announced channel pages are resolved to their media with streamlink.

The stream site on 127.0.0.1 (``tests/stream_site.py``) stands in for Twitch; the bot loads its
plugin from ``STREAMLINK_PLUGIN_DIRS`` (``tests/core_harness.py``) as an operator's own plugin
would be loaded.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest

from tests.bot_e2e.harness import World, running_world
from tests.bot_e2e.server_helpers import (
    FAST,
    TAGGING_REACTION,
    TIMELINE,
    convo_ids,
    fields,
    final_answer,
    follow_announced,
    message_when,
    posted_urls,
    replies_to,
    watch,
)
from tests.bot_e2e.tag_steps import eventually, private_reply, tag
from tests.stream_site import Channel, stream_site

NOT_LIVE = "That stream is not live right now, or there is no such channel on 127.0.0.1."


async def announce(world: World, text: str) -> int:
    """A notifier bot's message in the watched channel; its id."""
    notifier = world.emu.create_user("StreamAlerts", bot=True)
    await world.emu.add_member(world.guild, notifier)
    return (await world.emu.post_message(world.channel, notifier, text)).id


async def test_an_announced_page_is_tagged_once_however_it_is_spelled(tmp_path: Path) -> None:
    async with (
        stream_site(alice=Channel(tags="Gaming"), bob=Channel(tags="Music")) as site,
        running_world(tmp_path) as world,
    ):
        await watch(world, world.channel)
        first = await announce(world, f"Alice is live! {site.page('Alice')}")
        timeline = await world.emu.wait_for_message(world.channel, replies_to(first))
        again = await announce(world, f"Still live: {site.page('Alice', '/?utm_source=x')}")
        marker = await announce(world, f"Bob too: {site.page('bob')}")
        await world.emu.wait_for_message(world.channel, replies_to(marker))

        assert posted_urls(world) == [
            f"{site.base}/hls/alice/360p.m3u8?sig=1&tags=Gaming",
            f"{site.base}/hls/bob/360p.m3u8?sig=2&tags=Music",
        ]
        assert "Gaming" in timeline.data["embeds"][0]["description"]
        assert fields(timeline)["Stream"] == site.page("Alice")  # as announced
        assert world.emu.get_message(again).reactions == {}
        assert site.api_calls("Alice") == 1


async def test_an_offline_page_starts_nothing_and_a_member_is_told(tmp_path: Path) -> None:
    async with (
        stream_site(alice=Channel(live=False), bob=Channel()) as site,
        running_world(tmp_path) as world,
    ):
        assert await private_reply(world, await tag(world, site.page("alice"))) == NOT_LIVE
        assert world.sim.requests_to("/stream/tag") == []

        await watch(world, world.channel)
        offline = await announce(world, f"Alice is live! {site.page('alice')}")
        marker = await announce(world, site.page("bob"))
        await world.emu.wait_for_message(world.channel, replies_to(marker))
        assert [url.split("/hls/")[1][:3] for url in posted_urls(world)] == ["bob"]
        assert world.emu.get_message(offline).reactions == {}
        assert world.emu.get_message(marker).reactions == {TAGGING_REACTION: [world.app.user_id]}


@pytest.mark.parametrize(
    ("path", "says"),
    [
        ("/blog/going-live-tonight", "I know no way to a stream on 127.0.0.1: give a channel's"),
        ("/tv/carol", "127.0.0.1 gives its streams only to a web browser, which I can't run."),
    ],
)
async def test_a_link_with_no_stream_behind_it_is_explained(
    tmp_path: Path, path: str, says: str
) -> None:
    async with (
        stream_site(carol=Channel(guarded=True)) as site,
        running_world(tmp_path) as world,
    ):
        assert (await private_reply(world, await tag(world, site.base + path))).startswith(says)
        assert world.sim.requests_to("/stream/tag") == []


async def test_the_tag_stream_menu_on_an_offline_page_says_so(tmp_path: Path) -> None:
    async with (
        stream_site(alice=Channel(live=False)) as site,
        running_world(tmp_path) as world,
    ):
        message = await world.emu.post_message(world.channel, world.member, site.page("alice"))
        menu = await world.emu.send_message_command(
            world.guild, world.channel, world.member, "Tag stream", message.id
        )
        assert (await final_answer(world, menu))["content"] == NOT_LIVE
        assert world.sim.requests_to("/stream/tag") == []


async def test_each_sample_of_a_followed_page_resolves_it_afresh_until_it_goes_offline(
    tmp_path: Path,
) -> None:
    async with (
        stream_site(alice=Channel(tags="Gaming")) as site,
        running_world(tmp_path, **FAST) as world,
    ):
        timeline = await follow_announced(world, site.page("alice"))
        await eventually(_more_than(world, 2), within_s=10)
        signatures = [url.split("sig=")[1].split("&")[0] for url in posted_urls(world)]
        assert len(set(signatures)) == len(signatures)  # a new signed URL for every sample

        site.channels["alice"].live = False
        stopped = await message_when(
            world, timeline.id, lambda m: fields(m)["Status"].startswith("Ended")
        )
        assert fields(stopped)["Status"].replace("\\", "") == f"Ended: {NOT_LIVE}"
        assert stopped.data["embeds"][0]["title"] == TIMELINE
        assert len(convo_ids(world)) == site.api_calls("alice") - 1  # the last one found none


def _more_than(world: World, count: int) -> Callable[[], Awaitable[bool | None]]:
    """Whether Chatsight was asked for more than ``count`` sessions, for ``eventually``."""

    async def check() -> bool | None:
        return len(convo_ids(world)) > count or None

    return check
