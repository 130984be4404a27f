"""Public posts read in their server's language, from discord.py's cache; a server the cache does
not know yet (delivery may run before the guilds arrive), or a DM, reads in English."""

from __future__ import annotations

import discord

from bot.delivery.guild_words import GuildWords
from bot.language.catalogue import ENGLISH_WORDS


async def test_a_server_the_cache_does_not_know_reads_in_english() -> None:
    words = GuildWords(discord.Client(intents=discord.Intents.none()))
    assert words(123) == ENGLISH_WORDS
    assert words(None) == ENGLISH_WORDS
