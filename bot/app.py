"""ChatsightBot: the discord.py client that carries the tagging core in its own event loop.

``setup_hook`` opens the store and the HTTP session, starts the webhook receiver, the delivery
worker and the monitor, loads the extensions and syncs the slash commands; ``close`` stops intake
first and closes the store last, so no accepted result is lost on Ctrl-C or SIGTERM.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

import discord
from discord.ext import commands

from bot.channel_tagging import ChannelTagging
from bot.command_errors import ChatsightTree
from bot.config import Settings
from bot.discord_delivery import DiscordResultSink
from bot.limits import TagGate
from bot.logsetup import SecretMaskingFilter
from bot.runtime import TaggingCore

log = logging.getLogger(__name__)

EXTENSIONS = ("cogs.tagging",)


def bot_intents() -> discord.Intents:
    """Only what the commands need: guilds, for channels and permissions."""
    intents = discord.Intents.none()
    intents.guilds = True
    return intents


class ChatsightBot(commands.AutoShardedBot):
    def __init__(
        self,
        settings: Settings,
        *,
        masking: SecretMaskingFilter | None = None,
        run_core: bool = True,
        extensions: Sequence[str] = EXTENSIONS,
        monitor_interval_s: float = 30.0,
    ) -> None:
        super().__init__(
            command_prefix=commands.when_mentioned,
            help_command=None,
            intents=bot_intents(),
            allowed_mentions=discord.AllowedMentions.none(),
            tree_cls=ChatsightTree,
        )
        self.settings = settings
        self._run_core = run_core
        self._extensions = extensions
        self.core = TaggingCore(
            settings,
            {"result": DiscordResultSink(self)},
            serve_webhooks=True,
            monitor_interval_s=monitor_interval_s,
            masking=masking,
        )
        self.tagging: ChannelTagging

    async def setup_hook(self) -> None:
        if self._run_core:
            await self.core.start()
            gate = TagGate(
                self.core.store,
                cooldown_s=self.settings.tag_cooldown_seconds,
                guild_cap=self.settings.guild_session_cap,
            )
            self.tagging = ChannelTagging(self.core.service, gate)
            if self.core.server is not None:
                log.info("webhook receiver listening on port %s", self.core.server.port)
        for extension in self._extensions:
            await self.load_extension(extension)
        await self.sync_commands()

    async def sync_commands(self) -> int:
        """To the development guild when one is set (instant), else globally."""
        if self.settings.dev_guild_id is not None:
            guild = discord.Object(id=self.settings.dev_guild_id)
            self.tree.copy_global_to(guild=guild)
            synced = await self.tree.sync(guild=guild)
            where = f"guild {self.settings.dev_guild_id}"
        else:
            synced = await self.tree.sync()
            where = "all guilds"
        log.info("synced %d application commands to %s", len(synced), where)
        return len(synced)

    async def on_ready(self) -> None:
        log.info("logged in as %s in %d guilds", self.user, len(self.guilds))

    async def close(self) -> None:
        if self._run_core:
            await self.core.stop()
        await super().close()
