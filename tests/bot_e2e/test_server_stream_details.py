"""What a result shows of the stream: its streamer, its title and a link to it, and a picture.

The stream site on 127.0.0.1 (``tests/stream_site.py``) publishes a channel's streamer and
title as a platform does; its streamlink plugin hands them on as streamlink's metadata. A
notifier's announcement adds what its embed shows.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.bot_e2e.harness import running_world
from tests.bot_e2e.server_helpers import (
    FAST,
    configure,
    fields,
    message_when,
    replies_to,
    watch,
)
from tests.bot_e2e.tag_steps import TAGS_TITLE, tag
from tests.stream_site import Channel, stream_site

PICTURE = "https://cdn.example/previews/alice.jpg"


def shown(embed: dict[str, Any]) -> tuple[str | None, str | None, str, str | None]:
    """The streamer and where it links, the Stream field, and the picture, as Discord shows
    them."""
    author = embed.get("author") or {}
    stream = next(f["value"] for f in embed["fields"] if f["name"] == "Stream")
    return author.get("name"), author.get("url"), stream, (embed.get("thumbnail") or {}).get("url")


async def test_a_tagged_page_shows_its_streamer_and_title_linking_to_the_stream(
    tmp_path: Path,
) -> None:
    async with (
        stream_site(alice=Channel(streamer="Alice", title="Speedrun [any%] night")) as site,
        running_world(tmp_path) as world,
    ):
        page = site.page("alice")
        await tag(world, page)
        result = await world.wait_for_embed(TAGS_TITLE)

        embed = result.data["embeds"][0]
        assert shown(embed) == ("Alice", page, f"[Speedrun \\[any%\\] night]({page})", None)


async def test_an_announcement_adds_its_picture_and_the_platform_its_current_title(
    tmp_path: Path,
) -> None:
    async with (
        stream_site(alice=Channel(title="Speedrun night")) as site,
        running_world(tmp_path, **FAST) as world,
    ):
        page = site.page("alice")
        await watch(world, world.channel)
        await configure(world, "autotag interval", {"minutes": 1})
        notifier = world.emu.create_user("StreamAlerts", bot=True)
        await world.emu.add_member(world.guild, notifier)
        preview = {
            "title": "Alice went live!",
            "url": page,
            "author": {"name": "Alice"},
            "thumbnail": {"url": PICTURE},
        }
        announced = await world.emu.post_message(
            world.channel, notifier, "Live now", embeds=[preview]
        )
        timeline = await world.emu.wait_for_message(world.channel, replies_to(announced.id))
        site.channels["alice"].title = "Speedrun night, part 2"

        def resampled(message: Any) -> bool:
            return "part 2" in fields(message)["Stream"]

        later = await message_when(world, timeline.id, resampled)
        assert shown(later.data["embeds"][0]) == (
            "Alice",
            page,
            f"[Speedrun night, part 2]({page})",
            PICTURE,
        )
