"""The domain's values and rules: tags, session records, origins, convoIds, alert policy, and
the wait for work kept as due times (``DueLoop``, which runs what it is given and does no I/O).

Owns what every other package speaks in. Pure: no I/O, so every rule is tested without a server.

May import: ``bot.errors`` and the standard library. No aiohttp, discord.py, streamlink or database
driver.
"""
