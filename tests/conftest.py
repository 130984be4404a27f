from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.config import Settings
from bot.store import Store, open_store
from tests import postgres


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """One line when the PostgreSQL half of the suite could not run, and why."""
    reason = postgres.unavailable_reason()
    if reason is not None:
        terminalreporter.write_line(f"PostgreSQL suite did not run: {reason}", yellow=True)


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[Store]:
    """An open store on a fresh SQLite file, ``store.db``; ``tests/store/`` runs every backend."""
    db = open_store(Settings(database_url=f"sqlite:///{tmp_path / 'store.db'}"))
    await db.open()
    yield db
    await db.close()
