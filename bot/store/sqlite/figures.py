"""The operator's figures in SQLite, read on the reader connection (never waits for a write)."""

from __future__ import annotations

from bot.domain.store_figures import StoreFigures
from bot.store.sqlite.tables import Tables
from bot.store.statements import STORE_FIGURES


class FigureTables(Tables):
    async def figures(self, now_ms: int) -> StoreFigures:
        row = await self._fetch_one(STORE_FIGURES, (now_ms,))
        assert row is not None
        depth, oldest_due, follows = row
        return StoreFigures(int(depth), None if oldest_due is None else int(oldest_due), follows)
