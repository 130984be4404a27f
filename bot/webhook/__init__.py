"""Webhook intake: the aiohttp receiver, its verifier and Chatsight's signature.

Owns the HTTP side of a result arriving: answered 200 only after the store committed it.

May import: ``bot.sessions``, ``bot.store``, ``bot.domain``, ``bot.errors``, ``bot.config``,
``bot.observability``, aiohttp. Not discord.py.
"""
