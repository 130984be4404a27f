"""The deployment's id in SQLite: one upsert, once per process (it never changes after); the
same upsert again is the store's write check."""

from __future__ import annotations

import secrets
import sqlite3

from bot.store.base import StoreUnavailable
from bot.store.sqlite.tables import Tables
from bot.store.statements import DEPLOYMENT_ID


class DeploymentTables(Tables):
    _deployment: str | None = None

    async def deployment_id(self) -> str:
        if self._deployment is None:
            self._deployment = await self._write(_upsert)
        return self._deployment

    async def writable(self) -> bool:
        try:
            await self._write(_upsert)
        except StoreUnavailable:
            return False
        return True


def _upsert(db: sqlite3.Connection) -> str:
    (made,) = db.execute(DEPLOYMENT_ID, (secrets.token_hex(8),)).fetchone()
    return str(made)
