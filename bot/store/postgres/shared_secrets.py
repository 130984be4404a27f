"""Rotated webhook secrets in PostgreSQL; every process hears of a rotation (changes.py)."""

from __future__ import annotations

from bot.store import statements
from bot.store.interface import ChangeTopic
from bot.store.postgres.changes import announce
from bot.store.postgres.tables import Tables, numbered

ADD_ROTATION = numbered(statements.ADD_ROTATION)
SELECT_ROTATIONS = numbered(statements.SELECT_ROTATIONS)


class SecretTables(Tables):
    async def add_shared_secret(self, secret: str, created_at_ms: int) -> None:
        async with self._transaction() as db:
            await db.execute(ADD_ROTATION, secret, created_at_ms)
            await announce(db, ChangeTopic.SECRETS)

    async def shared_secrets(self) -> list[tuple[str, int]]:
        rows = await self._fetch(SELECT_ROTATIONS)
        return [(str(row[0]), int(row[1])) for row in rows]
