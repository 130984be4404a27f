"""Discord's rules as the emulator applies them, checked without a client where possible."""

from __future__ import annotations

import asyncio

import discord
import pytest

from standins.discord import DiscordEmulator
from standins.discord.model import Channel, Guild, Member, Overwrite, Role
from standins.discord.permissions import (
    ADMINISTRATOR,
    ALL,
    DEFAULT_EVERYONE,
    SEND_MESSAGES,
    VIEW_CHANNEL,
    channel_permissions,
)
from tests.discord_emulator.emu_helpers import ClientRunner, World, raw_request

GUILD, MOD_ROLE, OTHER_ROLE, USER, OWNER, CHANNEL = 1, 2, 3, 4, 5, 6


def _setup(*overwrites: Overwrite, role_perms: int = 0) -> tuple[Guild, dict[int, Role], Channel]:
    guild = Guild(GUILD, "g", OWNER, members={USER: Member(USER, GUILD, [MOD_ROLE, OTHER_ROLE])})
    roles = {
        GUILD: Role(GUILD, GUILD, "@everyone", DEFAULT_EVERYONE),
        MOD_ROLE: Role(MOD_ROLE, GUILD, "mod", role_perms),
        OTHER_ROLE: Role(OTHER_ROLE, GUILD, "other", 0),
    }
    channel = Channel(CHANNEL, GUILD, "c", overwrites={o.id: o for o in overwrites})
    return guild, roles, channel


@pytest.mark.parametrize(
    ("overwrites", "role_perms", "can_view", "can_send"),
    [
        ((), 0, True, True),
        ((Overwrite(GUILD, 0, deny=VIEW_CHANNEL),), 0, False, True),
        # A role allow beats an @everyone deny; role allows beat role denies.
        (
            (Overwrite(GUILD, 0, deny=VIEW_CHANNEL), Overwrite(MOD_ROLE, 0, allow=VIEW_CHANNEL)),
            0,
            True,
            True,
        ),
        (
            (
                Overwrite(MOD_ROLE, 0, deny=SEND_MESSAGES),
                Overwrite(OTHER_ROLE, 0, allow=SEND_MESSAGES),
            ),
            0,
            True,
            True,
        ),
        # The member's own overwrite comes last.
        (
            (Overwrite(MOD_ROLE, 0, allow=SEND_MESSAGES), Overwrite(USER, 1, deny=SEND_MESSAGES)),
            0,
            True,
            False,
        ),
        # Administrator ignores every overwrite.
        (
            (Overwrite(GUILD, 0, deny=VIEW_CHANNEL), Overwrite(USER, 1, deny=VIEW_CHANNEL)),
            ADMINISTRATOR,
            True,
            True,
        ),
    ],
)
def test_channel_permission_algorithm(
    overwrites: tuple[Overwrite, ...], role_perms: int, can_view: bool, can_send: bool
) -> None:
    guild, roles, channel = _setup(*overwrites, role_perms=role_perms)
    perms = channel_permissions(guild, roles, channel, USER)
    assert bool(perms & VIEW_CHANNEL) is can_view
    assert bool(perms & SEND_MESSAGES) is can_send
    assert channel_permissions(guild, roles, channel, OWNER) == ALL


async def test_replies_history_and_embed_count(
    emulator: DiscordEmulator, world: World, runner: ClientRunner
) -> None:
    bot = runner.make_bot()
    await runner.start(bot, world.bot.token)
    channel = bot.get_channel(world.general)
    assert isinstance(channel, discord.TextChannel)
    question = await emulator.post_message(world.general, world.alice, "is this live?")
    partial = channel.get_partial_message(question.id)
    pinging = await partial.reply("yes")
    quiet = await partial.reply("yes", mention_author=False)
    silent = await partial.reply("yes", allowed_mentions=discord.AllowedMentions.none())
    assert [u["id"] for u in emulator.get_message(pinging.id).data["mentions"]] == [
        str(world.alice)
    ]
    assert emulator.get_message(quiet.id).data["mentions"] == []
    assert emulator.get_message(silent.id).data["mentions"] == []
    assert emulator.get_message(quiet.id).data["message_reference"]["message_id"] == str(
        question.id
    )
    assert emulator.get_message(quiet.id).data["type"] == 19

    older = [m.id async for m in channel.history(limit=2, before=discord.Object(silent.id))]
    assert older == [quiet.id, pinging.id]
    newer = [m.id async for m in channel.history(limit=10, after=discord.Object(pinging.id))]
    assert newer == [quiet.id, silent.id]

    # discord.py refuses 11 embeds itself, so ask over raw HTTP.
    too_many = await raw_request(
        "POST",
        f"{emulator.api_base}/channels/{world.general}/messages",
        token=world.bot.token,
        json_body={"embeds": [{"title": str(i)} for i in range(11)]},
    )
    assert (
        too_many.status == 400
        and too_many.body["errors"]["embeds"]["_errors"][0]["message"]
        == "Must be 10 or fewer in length."
    )
    with pytest.raises(discord.HTTPException) as empty:
        await channel.send(embeds=[])
    assert empty.value.code == 50006


async def test_link_preview_arrives_as_message_update(
    emulator: DiscordEmulator, world: World, runner: ClientRunner
) -> None:
    bot = runner.make_bot()
    await runner.start(bot, world.bot.token)
    channel = bot.get_channel(world.general)
    assert isinstance(channel, discord.TextChannel)
    sent = await channel.send("https://twitch.tv/someone")
    edited = asyncio.ensure_future(bot.wait_for("raw_message_edit", timeout=5))
    await emulator.update_message(
        world.general,
        sent.id,
        {"embeds": [{"type": "link", "url": "https://twitch.tv/someone", "title": "someone"}]},
    )
    payload = await edited
    assert payload.data["embeds"][0]["type"] == "link"


async def test_bot_token_checked_on_message_routes(emulator: DiscordEmulator, world: World) -> None:
    answer = await raw_request(
        "POST", f"{emulator.api_base}/channels/{world.general}/messages", json_body={"content": "x"}
    )
    assert answer.status == 401 and answer.body["code"] == 0
