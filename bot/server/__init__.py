"""Server features: admission and fair use, tagging in a channel, auto-tagging, following,
alert acknowledgement, per-server configuration.

Owns the rules a server admin and a moderator see; testable without Discord, which it never
imports (the cogs pass it plain values).

May import: ``bot.sessions``, ``bot.chatsight``, ``bot.store``, ``bot.domain``, ``bot.errors``,
``bot.config``, ``bot.observability`` (its metrics). Not discord.py, not aiohttp.
"""
