"""When a server changes under the bot: follows end with the channel or the server they post
in, and a configuration that breaks is told to the server's admins (bot/app/config_health.py)."""

from __future__ import annotations

import logging

import discord
from discord.ext import commands

from bot.app.chatsight_bot import ChatsightBot
from bot.app.config_health import tell_admins

log = logging.getLogger(__name__)


class ServerAccessCog(commands.Cog):
    def __init__(self, bot: ChatsightBot) -> None:
        self.bot = bot

    async def _check(self, guild: discord.Guild) -> None:
        settings = await self.bot.guild_config.get(guild.id)
        await tell_admins(guild, settings, self.bot.upkeep)

    @commands.Cog.listener()
    async def on_guild_channel_delete(self, channel: discord.abc.GuildChannel) -> None:
        await self.bot.upkeep.channel_gone(channel.guild.id, channel.id)
        await self._check(channel.guild)

    @commands.Cog.listener()
    async def on_raw_thread_delete(self, payload: discord.RawThreadDeleteEvent) -> None:
        await self.bot.upkeep.channel_gone(payload.guild_id, payload.thread_id)
        guild = self.bot.get_guild(payload.guild_id)
        if guild is not None:
            await self._check(guild)

    @commands.Cog.listener()
    async def on_guild_remove(self, guild: discord.Guild) -> None:
        """GUILD_DELETE without ``unavailable``: the bot was removed (an outage is
        on_guild_unavailable instead)."""
        ended = await self.bot.upkeep.guild_left(guild.id)
        log.info("removed from guild %s: %d follow(s) ended", guild.id, len(ended))

    @commands.Cog.listener()
    async def on_guild_channel_update(
        self, before: discord.abc.GuildChannel, after: discord.abc.GuildChannel
    ) -> None:
        await self._check(after.guild)

    @commands.Cog.listener()
    async def on_guild_role_delete(self, role: discord.Role) -> None:
        await self._check(role.guild)

    @commands.Cog.listener()
    async def on_guild_role_update(self, before: discord.Role, after: discord.Role) -> None:
        await self._check(after.guild)

    @commands.Cog.listener()
    async def on_member_update(self, before: discord.Member, after: discord.Member) -> None:
        if self.bot.user is not None and after.id == self.bot.user.id:
            await self._check(after.guild)


async def setup(bot: ChatsightBot) -> None:
    await bot.add_cog(ServerAccessCog(bot))
