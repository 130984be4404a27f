"""Delivery: the outbox worker and the sinks that post results and alerts to Discord.

Owns the path from a committed outbox row to a posted message: leasing and retries
(``worker.py``, ``retries.py``), results packed per channel (``packs.py``, ``lanes.py``), where a
result goes (``routing.py``), Discord's budgets spent without a 429 (``pacing.py``) and the
discord.py calls (``poster.py``).

May import: ``bot.server``, ``bot.rendering``, ``bot.language``, ``bot.sessions``, ``bot.store``,
``bot.domain``, ``bot.errors``, ``bot.config``, ``bot.observability``, discord.py.
"""
