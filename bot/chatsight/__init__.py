"""The Chatsight API client: start, query, rotate the secret; wire parsing; stream preparation.

Owns every byte exchanged with Chatsight (docs/chatsight-api.md), retries and the typed errors
its failures become.

May import: ``bot.domain``, ``bot.errors``, ``bot.config``, aiohttp. Not discord.py.
"""
