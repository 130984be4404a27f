from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from bot.config import Settings
from bot.language.catalogue import know_commands
from bot.store import Store, open_store
from tests import postgres
from tests.backends import BACKENDS, opened_store, throwaway_database


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """One line when the PostgreSQL half of the suite could not run, and why."""
    reason = postgres.unavailable_reason()
    if reason is not None:
        terminalreporter.write_line(f"PostgreSQL suite did not run: {reason}", yellow=True)


@pytest.fixture(autouse=True)
def no_known_commands() -> Iterator[None]:
    """A bot a test started leaves its commands' ids with the language layer (a process has one
    application); the next test starts from none, as a fresh process would."""
    yield
    know_commands({})


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[Store]:
    """An open store on a fresh SQLite file, ``store.db``; ``tests/store/`` runs every backend."""
    db = open_store(Settings(database_url=f"sqlite:///{tmp_path / 'store.db'}"))
    await db.open()
    yield db
    await db.close()


@pytest.fixture(params=BACKENDS)
async def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """A throwaway database on each backend in turn: a test that takes it runs once per backend."""
    async with throwaway_database(request.param, tmp_path) as url:
        yield url


@pytest.fixture(params=BACKENDS)
async def backend_store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Store]:
    """An open store on a throwaway database of each backend in turn."""
    async with opened_store(request.param, tmp_path) as opened:
        yield opened
