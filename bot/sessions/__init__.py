"""Tagging sessions: start (stored before Chatsight is called), complete once, poll, expire.

Owns a session's life (``service.py``) and the recovery of lost webhooks (``monitor.py``).

May import: ``bot.chatsight``, ``bot.store``, ``bot.domain``, ``bot.errors``, ``bot.config``,
``bot.observability``. Not discord.py.
"""
