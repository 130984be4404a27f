"""Rotated webhook secrets in SQLite: each with the time it came into force."""

from __future__ import annotations

from bot.store.sqlite.tables import Tables
from bot.store.statements import ADD_ROTATION, SELECT_ROTATIONS


class SecretTables(Tables):
    async def add_shared_secret(self, secret: str, created_at_ms: int) -> None:
        await self._run(ADD_ROTATION, (secret, created_at_ms))

    async def shared_secrets(self) -> list[tuple[str, int]]:
        rows = await self._fetch(SELECT_ROTATIONS, ())
        return [(str(row[0]), int(row[1])) for row in rows]
