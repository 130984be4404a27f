"""The change feed of a SQLite store: its one process makes every change itself.

The store's lock (``bot/store/sqlite/lock.py``) keeps every other process out of the database,
so no change can arrive from elsewhere: ``listen`` announces each topic once, as every feed does
when it starts, and then only waits to be cancelled.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from bot.store.interface import ChangeTopic


class ChangeFeedTables:
    async def listen(self, on_change: Callable[[str], None]) -> None:
        for topic in ChangeTopic:
            on_change(topic)
        await asyncio.Event().wait()
