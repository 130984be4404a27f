"""What a member does and sees around /tag, in the emulator's terms, shared by the tag tests.

Every reading here is of messages as the emulator stores them, so a test asserts what a person
in the channel would see, not what the bot believes it did.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from standins.discord import Interaction, StoredMessage
from tests.bot_e2e.harness import World

T = TypeVar("T")

TAGS_TITLE = "Stream tags"
SESSION_IN_FOOTER = re.compile(r"Session ([0-9a-f-]{36})")


async def slash(
    world: World,
    command: str,
    options: dict[str, Any] | None = None,
    *,
    channel: int | None = None,
    user: int | None = None,
) -> Interaction:
    return await world.emu.send_slash_command(
        world.guild, channel or world.channel, user or world.member, command, options or {}
    )


async def tag(
    world: World, url: str, *, channel: int | None = None, user: int | None = None
) -> Interaction:
    return await slash(world, "tag", {"url": url}, channel=channel, user=user)


def answers_to(world: World, interaction: Interaction) -> list[StoredMessage]:
    """The messages the bot created in answer to one interaction (its answer and follow-ups)."""
    return [
        m
        for m in world.emu.messages(interaction.channel_id)
        if (m.data.get("interaction_metadata") or {}).get("id") == str(interaction.id)
    ]


async def private_reply(world: World, interaction: Interaction, within_s: float = 5.0) -> str:
    """The text of the only-you-can-see-this answer, once it has words in it."""

    def find() -> StoredMessage | None:
        return next(
            (
                m
                for m in answers_to(world, interaction)
                if m.ephemeral_for == interaction.user_id and (m.content or m.data["embeds"])
            ),
            None,
        )

    message = await world.emu.wait_for(find, within_s)
    return message.content


async def private_embed(
    world: World, interaction: Interaction, within_s: float = 5.0
) -> dict[str, Any]:
    def find() -> dict[str, Any] | None:
        for message in answers_to(world, interaction):
            if message.ephemeral_for == interaction.user_id and message.data["embeds"]:
                embed: dict[str, Any] = message.data["embeds"][0]
                return embed
        return None

    return await world.emu.wait_for(find, within_s)


def titled(world: World, title: str, channel: int | None = None) -> list[StoredMessage]:
    return [
        m
        for m in world.bot_messages(channel)
        if any(e.get("title") == title for e in m.data["embeds"])
    ]


def session_of(message: StoredMessage) -> str:
    """The session id the embed's footer shows, as a member would copy it for /chatsight status."""
    footer = message.data["embeds"][0]["footer"]["text"]
    found = SESSION_IN_FOOTER.search(footer)
    assert found is not None, footer
    return found.group(1)


async def started(world: World, interaction: Interaction, within_s: float = 5.0) -> StoredMessage:
    """The public "Tagging started" answer to this /tag."""

    def find() -> StoredMessage | None:
        return next(
            (
                m
                for m in answers_to(world, interaction)
                if m.data["embeds"] and m.data["embeds"][0]["title"] == "Tagging started"
            ),
            None,
        )

    return await world.emu.wait_for(find, within_s)


async def eventually(check: Callable[[], Awaitable[T | None]], within_s: float = 5.0) -> T:
    """For state with no change signal to wait on (the bot's store, the request log): look every
    20 ms."""
    async with asyncio.timeout(within_s):
        while (found := await check()) is None:
            await asyncio.sleep(0.02)
    return found
