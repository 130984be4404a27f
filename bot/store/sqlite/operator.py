"""The operator's reads in SQLite, on the reader connection (never waiting for a write)."""

from __future__ import annotations

from bot.domain.store_figures import StoreFigures
from bot.store.sqlite.tables import Tables
from bot.store.statements import CONFIGURED_GUILDS, STORE_FIGURES


class OperatorTables(Tables):
    async def figures(self, now_ms: int) -> StoreFigures:
        row = await self._fetch_one(STORE_FIGURES, (now_ms,))
        assert row is not None
        depth, oldest_due, follows = row
        return StoreFigures(int(depth), None if oldest_due is None else int(oldest_due), follows)

    async def configured_guild_ids(self) -> list[int]:
        return [int(row[0]) for row in await self._fetch(CONFIGURED_GUILDS, ())]
