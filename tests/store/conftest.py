"""The store suite runs once per backend: every test here takes ``store`` and gets each in turn.

A backend joins by adding its name to BACKENDS and one branch to ``throwaway_database``
(PostgreSQL: ``tests/postgres.py``'s ``throwaway_database()``); the tests stay as they are.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest

from bot.config import Settings
from bot.store import Store, open_store

BACKENDS = ["sqlite"]


@asynccontextmanager
async def throwaway_database(backend: str, tmp_path: Path) -> AsyncIterator[str]:
    """The ``DATABASE_URL`` of an empty database that nothing else uses, gone afterwards."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'store.db'}"
    else:
        raise ValueError(f"no such backend: {backend}")


@pytest.fixture(params=BACKENDS)
async def store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Store]:
    """A fresh store on a throwaway database, opened through ``open_store``, closed after."""
    async with throwaway_database(request.param, tmp_path) as url:
        opened = open_store(Settings(database_url=url))
        await opened.open()
        try:
            yield opened
        finally:
            await opened.close()
