"""Rotated webhook secrets in SQLite: each with the time it came into force."""

from __future__ import annotations

from bot.store.sqlite.tables import Tables


class SecretTables(Tables):
    async def add_shared_secret(self, secret: str, created_at_ms: int) -> None:
        await self._run(
            "INSERT INTO shared_secrets (secret, created_at) VALUES (?, ?)", (secret, created_at_ms)
        )

    async def shared_secrets(self) -> list[tuple[str, int]]:
        rows = await self._fetch(
            "SELECT secret, created_at FROM shared_secrets ORDER BY created_at, id", ()
        )
        return [(str(row[0]), int(row[1])) for row in rows]
