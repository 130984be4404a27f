"""The real bot, the Discord emulator and the Chatsight simulator, together on 127.0.0.1.

Nothing here stands in for our own code: the bot is ``ChatsightBot`` as ``chatsight-bot run``
builds it, talking to the emulator through unmodified discord.py.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from bot.app.chatsight_bot import ChatsightBot
from bot.app.discord_api import use_discord_api
from bot.config import Secret, Settings
from bot.domain.clock import Clock, now_ms
from standins.chatsight import ChatsightSimulator
from standins.discord import BotApp, DiscordEmulator, EmulatorConfig, StoredMessage
from standins.discord.discordpy import point_discord_py
from standins.discord.permissions import DEFAULT_EVERYONE
from standins.loopback import free_port
from tests.core_harness import core_settings
from tests.discord_emulator.emu_helpers import fast_config

MANAGE_GUILD = 1 << 5
MANAGE_MESSAGES = 1 << 13
# The emulator sends every GUILD_CREATE at once; discord.py's default 2 s wait for stragglers
# before on_ready would only slow every start and restart down.
GUILD_READY_TIMEOUT_S = 0.05
# The backend's throwaway database, set per test by conftest.py; None: a SQLite file of the test's.
DATABASE_URL: str | None = None
# Discord's identify window is 5 s; a restart here need not wait it out.
IDENTIFY_WINDOW_S = 0.2


@dataclass
class World:
    sim: ChatsightSimulator
    emu: DiscordEmulator
    app: BotApp
    settings: Settings
    guild: int
    channel: int
    member: int
    moderator: int
    mods_role: int
    bot: ChatsightBot | None = None
    # The time the weekly digest keeps: a test moves it to the digest's hour, then restarts.
    clock: Clock = now_ms
    _task: asyncio.Task[None] | None = field(default=None, repr=False)
    _peers: list[tuple[ChatsightBot, asyncio.Task[None]]] = field(default_factory=list, repr=False)

    @property
    def running(self) -> ChatsightBot:
        assert self.bot is not None, "the bot is not running"
        return self.bot

    async def start_bot(self) -> ChatsightBot:
        self.bot, self._task = await self._launch(self.settings)
        return self.bot

    async def start_peer(self, **overrides: Any) -> ChatsightBot:
        """A second ``run`` process of the same bot on the same database (PostgreSQL only: a
        SQLite file takes one process), with its own webhook port; stopped with the bot."""
        settings = replace(self.settings, webhook_port=free_port(), **overrides)
        peer, task = await self._launch(settings)
        self._peers.append((peer, task))
        return peer

    async def _launch(self, settings: Settings) -> tuple[ChatsightBot, asyncio.Task[None]]:
        use_discord_api(settings.discord_api_base)
        bot = ChatsightBot(
            settings,
            monitor_interval_s=0.05,
            guild_ready_timeout=GUILD_READY_TIMEOUT_S,
            clock=self.clock,
        )
        task = asyncio.create_task(bot.start(self.app.token))
        await self.emu.wait_until_ready(self.app.user_id, timeout=10)
        async with asyncio.timeout(10):
            while not bot.is_ready():
                if task.done():
                    task.result()
                await asyncio.sleep(0.01)
        return bot, task

    async def stop_bot(self) -> None:
        """The bot and its peers."""
        running = [*self._peers, (self.bot, self._task)]
        self._peers.clear()
        for bot, task in running:
            if bot is not None:
                await bot.close()
            if task is not None:
                with contextlib.suppress(Exception, asyncio.CancelledError):
                    await asyncio.wait_for(task, 10)
        self.bot, self._task = None, None

    async def restart_bot(self) -> ChatsightBot:
        await self.stop_bot()
        return await self.start_bot()

    def bot_messages(self, channel_id: int | None = None) -> list[StoredMessage]:
        return [
            m
            for m in self.emu.messages(channel_id or self.channel)
            if int(m.data["author"]["id"]) == self.app.user_id
        ]

    async def wait_for_embed(
        self, title: str, channel_id: int | None = None, within_s: float = 10.0
    ) -> StoredMessage:
        def has_title(message: StoredMessage) -> bool:
            return any(e.get("title") == title for e in message.data.get("embeds", []))

        return await self.emu.wait_for_message(
            channel_id or self.channel, has_title, timeout=within_s
        )


@asynccontextmanager
async def running_world(
    tmp_path: Path, *, start: bool = True, emulator: EmulatorConfig | None = None, **overrides: Any
) -> AsyncIterator[World]:
    sim = ChatsightSimulator(provisioning_delay=0.01, running_delay=0.1)
    emu = DiscordEmulator(emulator or fast_config(identify_window=IDENTIFY_WINDOW_S))
    await sim.start()
    await emu.start()
    restore = point_discord_py(emu.api_base, emu.gateway_url)
    try:
        app = emu.create_bot("Chatsight")
        member = emu.create_user("alice")
        moderator = emu.create_user("bob")
        guild = emu.create_guild("Streamers", everyone_permissions=DEFAULT_EVERYONE)
        mods_role = await emu.create_role(
            guild, "mods", permissions=MANAGE_GUILD | MANAGE_MESSAGES, mentionable=True
        )
        channel = await emu.create_channel(guild, "streams")
        for user, roles in ((member, ()), (moderator, (mods_role,)), (app.user_id, ())):
            await emu.add_member(guild, user, roles=roles)
        values: dict[str, Any] = {
            "discord_token": Secret(app.token),
            "discord_api_base": emu.api_base,
            "dev_guild_id": guild,
            "tag_cooldown_seconds": 0.0,
            "poll_after_seconds": 30.0,
            "identify_spacing_seconds": IDENTIFY_WINDOW_S * 1.25,
        }
        if DATABASE_URL is not None:
            values["database_url"] = DATABASE_URL
        values.update(overrides)
        settings = core_settings(sim, tmp_path / "bot.db", free_port(), **values)
        world = World(sim, emu, app, settings, guild, channel, member, moderator, mods_role)
        if start:
            await world.start_bot()
        try:
            yield world
        finally:
            await world.stop_bot()
    finally:
        restore()
        await emu.close()
        await sim.stop()
