from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from standins.discord import DiscordEmulator, EmulatorConfig
from standins.discord.discordpy import point_discord_py
from standins.discord.permissions import (
    ADD_REACTIONS,
    EMBED_LINKS,
    MENTION_EVERYONE,
    SEND_MESSAGES,
    VIEW_CHANNEL,
)
from tests.discord_emulator.emu_helpers import ClientRunner, World, fast_config


@pytest.fixture
def config() -> EmulatorConfig:
    return fast_config()


@pytest.fixture
async def emulator(config: EmulatorConfig) -> AsyncIterator[DiscordEmulator]:
    emu = DiscordEmulator(config)
    await emu.start()
    restore = point_discord_py(emu.api_base, emu.gateway_url)
    try:
        yield emu
    finally:
        restore()
        await emu.close()


@pytest.fixture
async def world(emulator: DiscordEmulator) -> World:
    bot = emulator.create_bot("Chatsight")
    alice = emulator.create_user("alice")
    bob = emulator.create_user("bob")
    guild = emulator.create_guild("Streams")
    mods = await emulator.create_role(guild, "Mods", permissions=MENTION_EVERYONE, mentionable=True)
    general = await emulator.create_channel(guild, "general")
    news = await emulator.create_channel(guild, "news", type=5)
    hidden = await emulator.create_channel(guild, "staff")
    readonly = await emulator.create_channel(guild, "rules")
    await emulator.set_overwrite(hidden, guild, deny=VIEW_CHANNEL)
    await emulator.set_overwrite(
        readonly, bot.user_id, deny=SEND_MESSAGES | EMBED_LINKS | ADD_REACTIONS
    )
    await emulator.add_member(guild, alice)
    await emulator.add_member(guild, bob, roles=[mods])
    await emulator.add_member(guild, bot.user_id)
    return World(bot, guild, general, news, hidden, readonly, alice, bob, mods)


@pytest.fixture
async def runner() -> AsyncIterator[ClientRunner]:
    clients = ClientRunner()
    try:
        yield clients
    finally:
        await clients.close()
