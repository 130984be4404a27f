"""The operator's figures in PostgreSQL: one statement, whichever process scrapes."""

from __future__ import annotations

from bot.domain.store_figures import StoreFigures
from bot.store import statements
from bot.store.postgres.tables import Tables, numbered

STORE_FIGURES = numbered(statements.STORE_FIGURES)


class FigureTables(Tables):
    async def figures(self, now_ms: int) -> StoreFigures:
        row = await self._fetch_one(STORE_FIGURES, now_ms)
        assert row is not None
        depth, oldest_due, follows = row
        return StoreFigures(int(depth), None if oldest_due is None else int(oldest_due), follows)
