"""The deployment's id in PostgreSQL: one upsert, once per process; concurrent first askers
wait for the row lock, and all get the id the first one made. The same upsert again is the
store's write check."""

from __future__ import annotations

import secrets

from bot.store import statements
from bot.store.base import StoreUnavailable
from bot.store.postgres.tables import Tables, numbered

DEPLOYMENT_ID = numbered(statements.DEPLOYMENT_ID)


class DeploymentTables(Tables):
    _deployment: str | None = None

    async def deployment_id(self) -> str:
        if self._deployment is None:
            self._deployment = await self._upsert()
        return self._deployment

    async def writable(self) -> bool:
        try:
            await self._upsert()
        except StoreUnavailable:
            return False
        return True

    async def _upsert(self) -> str:
        row = await self._fetch_one(DEPLOYMENT_ID, secrets.token_hex(8))
        assert row is not None  # the upsert returns its row either way
        return str(row[0])
