"""The Chatsight API client: start, query, rotate the secret; wire parsing; stream preparation.

Owns every byte exchanged with Chatsight (docs/chatsight-api.md), retries and the typed errors
its failures become, and what Chatsight is sent for a stream URL (a playlist's rendition, the
media behind a stream page).

May import: ``bot.domain``, ``bot.errors``, ``bot.config``, ``bot.observability``, aiohttp,
streamlink. Not discord.py.
"""
