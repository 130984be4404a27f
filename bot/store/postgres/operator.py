"""The operator's reads in PostgreSQL: one statement each, whichever process asks."""

from __future__ import annotations

from bot.domain.store_figures import StoreFigures
from bot.store import statements
from bot.store.postgres.tables import Tables, numbered

STORE_FIGURES = numbered(statements.STORE_FIGURES)
CONFIGURED_GUILDS = statements.CONFIGURED_GUILDS


class OperatorTables(Tables):
    async def figures(self, now_ms: int) -> StoreFigures:
        row = await self._fetch_one(STORE_FIGURES, now_ms)
        assert row is not None
        depth, oldest_due, follows = row
        return StoreFigures(int(depth), None if oldest_due is None else int(oldest_due), follows)

    async def configured_guild_ids(self) -> list[int]:
        return [int(row[0]) for row in await self._fetch(CONFIGURED_GUILDS)]
