"""What every group of tables in the SQLite store shares: its writer and its read connection.

Writes, and every read that decides a write, go through the single writer (writer.py) and its
connection, inside its transaction; plain reads use the second connection and never wait for it.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Collection, Iterable, Sequence
from typing import Any, TypeVar

import aiosqlite

from bot.store.base import StoreUnavailable
from bot.store.writer import GroupCommitWriter

T = TypeVar("T")


class Tables:
    _writer: GroupCommitWriter
    _reader_db: aiosqlite.Connection | None

    async def _write(self, write: Callable[[sqlite3.Connection], T]) -> T:
        """``write`` runs in the writer's transaction; its result once that is committed."""
        result: T = await self._writer.write(write)
        return result

    async def _run(self, sql: str, params: Sequence[Any]) -> int:
        """One statement through the writer; the number of rows it changed."""

        def write(db: sqlite3.Connection) -> int:
            return db.execute(sql, params).rowcount

        return await self._write(write)

    async def _fetch(self, sql: str, params: Sequence[Any]) -> Iterable[aiosqlite.Row]:
        if self._reader_db is None:
            raise StoreUnavailable("the store is not open")
        return await self._reader_db.execute_fetchall(sql, params)

    async def _fetch_one(self, sql: str, params: Sequence[Any]) -> aiosqlite.Row | None:
        rows = list(await self._fetch(sql, params))
        return rows[0] if rows else None

    async def _fetch_int(self, sql: str, params: Sequence[Any]) -> int | None:
        """The first column of the first row, for ``MIN``/``COUNT`` queries."""
        row = await self._fetch_one(sql, params)
        return None if row is None or row[0] is None else int(row[0])


def marks(values: Collection[Any]) -> str:
    return ", ".join("?" for _ in values)
