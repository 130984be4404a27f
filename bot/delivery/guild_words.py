"""GuildWords: the language of a server's public posts, its preferred locale.

Results, alerts, re-pings and timelines are posted into a channel for everyone there, so they
read in the server's language (Community settings, "Server Primary Language"), never in the
language of the member who asked. discord.py's cache knows it from the guild's GUILD_CREATE and
keeps it current on GUILD_UPDATE. A start posts nothing before the guilds have arrived (at
most 15 s: ``ChatsightBot.guilds_known``); a guild still unknown after that reads in English
rather than wait longer or spend a request.
"""

from __future__ import annotations

import discord

from bot.language.catalogue import Words, words_for


class GuildWords:
    def __init__(self, client: discord.Client) -> None:
        self._client = client

    def __call__(self, guild_id: int | None) -> Words:
        """The words for a post in ``guild_id``'s channels (English for a DM, or unknown)."""
        guild = None if guild_id is None else self._client.get_guild(guild_id)
        return words_for(None if guild is None else guild.preferred_locale)
