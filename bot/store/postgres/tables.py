"""What every group of tables in the PostgreSQL store shares: its pool, and its failures.

Each call borrows one connection from the pool, for one statement or one transaction, so calls
run side by side (the pool holds ``pool_size`` connections) and the database's row locks, not
this process, keep each read-modify-write atomic (bot/store/interface/). A database that does
not answer, or answers too late, is ``StoreUnavailable``: nothing was written, and the caller
(a webhook answers 503) can say so and try again.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Any

import asyncpg

from bot.store.base import StoreUnavailable

# The database's state, not the statement's: unreachable or dropped (OSError, class 08), too
# slow (a pool with no free connection, command_timeout: TimeoutError; statement_timeout: class
# 57, which also covers a server shutting down or starting up), out of resources (class 53) or
# failing its disk (class 58), or read-only (25006: a standby the address points at after a
# failover). A connection the server ended (a restart, a failover) fails its next call with a
# connection error or, when the server's farewell is read just as the call starts, with
# asyncpg's InternalClientError (tests/store/test_postgres.py ends connections under a store);
# the pool replaces the connection either way. Anything else is a bug in the statement and
# stays its own error.
UNAVAILABLE: tuple[type[BaseException], ...] = (
    OSError,
    TimeoutError,
    asyncpg.exceptions.PostgresConnectionError,
    asyncpg.exceptions.OperatorInterventionError,
    asyncpg.exceptions.InsufficientResourcesError,
    asyncpg.exceptions.PostgresSystemError,
    asyncpg.exceptions.ReadOnlySQLTransactionError,
    asyncpg.exceptions.InternalClientError,
)


def numbered(sql: str) -> str:
    """A shared statement (bot/store/statements.py) with its ``?`` placeholders numbered as
    PostgreSQL's ``$1, $2, …``, in order."""
    first, *rest = sql.split("?")
    return first + "".join(f"${index}{part}" for index, part in enumerate(rest, 1))


def changed(status: str) -> int:
    """The number of rows a command changed, from its status (``UPDATE 3``, ``INSERT 0 1``)."""
    return int(status.rsplit(" ", 1)[-1])


class Tables:
    _pool: asyncpg.Pool | None
    _statement_timeout_s: float

    @asynccontextmanager
    async def _connection(self) -> AsyncIterator[asyncpg.Connection]:
        """A connection of the pool's for the block; waits no longer than a statement may."""
        pool = self._pool
        if pool is None:
            raise StoreUnavailable("the store is not open")
        try:
            async with pool.acquire(timeout=self._statement_timeout_s) as db:
                yield db
        except UNAVAILABLE as error:
            raise StoreUnavailable(f"database: {error!r}") from error

    @asynccontextmanager
    async def _transaction(self) -> AsyncIterator[asyncpg.Connection]:
        """One transaction (READ COMMITTED), committed when the block ends, rolled back when
        it raises."""
        async with self._connection() as db:
            try:
                async with db.transaction():
                    yield db
            except asyncpg.InterfaceError as error:
                # Its connection lost, leaving the transaction (the ROLLBACK) fails as well:
                # the loss is what happened, an outage, not a misuse of the connection.
                lost = error.__context__
                if not isinstance(lost, UNAVAILABLE):
                    raise
                raise StoreUnavailable(f"database: {lost!r}") from lost

    async def _run(self, sql: str, *args: Any) -> int:
        """One statement; the number of rows it changed."""
        async with self._connection() as db:
            return changed(await db.execute(sql, *args))

    async def _fetch(self, sql: str, *args: Any) -> Sequence[asyncpg.Record]:
        async with self._connection() as db:
            rows: list[asyncpg.Record] = await db.fetch(sql, *args)
            return rows

    async def _fetch_one(self, sql: str, *args: Any) -> asyncpg.Record | None:
        async with self._connection() as db:
            return await db.fetchrow(sql, *args)

    async def _fetch_int(self, sql: str, *args: Any) -> int | None:
        """The first column of the first row, for ``MIN``/``COUNT`` queries."""
        async with self._connection() as db:
            value = await db.fetchval(sql, *args)
        return None if value is None else int(value)
