"""The deployment's id in SQLite: one upsert, once per process (it never changes after)."""

from __future__ import annotations

import secrets
import sqlite3

from bot.store.sqlite.tables import Tables
from bot.store.statements import DEPLOYMENT_ID


class DeploymentTables(Tables):
    _deployment: str | None = None

    async def deployment_id(self) -> str:
        if self._deployment is None:

            def write(db: sqlite3.Connection) -> str:
                (made,) = db.execute(DEPLOYMENT_ID, (secrets.token_hex(8),)).fetchone()
                return str(made)

            self._deployment = await self._write(write)
        return self._deployment
