"""The channels a member can read, from discord.py's cache: all that history by tag may show.

Discord's own rule (docs/discord-notes.md, Permissions): View Channel and Read Message History in
the channel, computed from the member's roles and the channel's overwrites (a thread takes its
parent's); a private thread shows only to its members, whom the cache does not hold without the
members intent, so only to those who may manage threads there.
"""

from __future__ import annotations

import discord


def readable_channel_ids(guild: discord.Guild, member: discord.Member) -> list[int]:
    channels: list[discord.abc.GuildChannel | discord.Thread] = [*guild.channels, *guild.threads]
    readable = []
    for channel in channels:
        allowed = channel.permissions_for(member)
        if not (allowed.view_channel and allowed.read_message_history):
            continue
        private = isinstance(channel, discord.Thread) and channel.is_private()
        if not private or allowed.manage_threads:
            readable.append(channel.id)
    return readable
