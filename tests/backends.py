"""The storage backends every backend-neutral test runs on, each on a throwaway database.

A backend joins by adding its name to BACKENDS and one branch to ``throwaway_database``; the
store suite (``tests/store/``) and the bot's end-to-end suite (``tests/bot_e2e/``) then run on it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from bot.config import Settings
from bot.store import Store, open_store
from tests import postgres

BACKENDS = ["sqlite", "postgres"]


@asynccontextmanager
async def throwaway_database(backend: str, tmp_path: Path) -> AsyncIterator[str]:
    """The ``DATABASE_URL`` of an empty database that nothing else uses, gone afterwards."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'store.db'}"
    elif backend == "postgres":
        async with postgres.throwaway_database() as url:
            yield url
    else:
        raise ValueError(f"no such backend: {backend}")


@asynccontextmanager
async def opened_store(backend: str, tmp_path: Path) -> AsyncIterator[Store]:
    """A store open on a throwaway database of ``backend``, closed after."""
    async with throwaway_database(backend, tmp_path) as url:
        store = open_store(Settings(database_url=url))
        await store.open()
        try:
            yield store
        finally:
            await store.close()
