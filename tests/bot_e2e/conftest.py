"""Every end-to-end test runs once per storage backend (tests/backends.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.bot_e2e import harness


@pytest.fixture(autouse=True)
def backend_database(database_url: str) -> Iterator[None]:
    """``running_world`` opens the bot on this test's throwaway database."""
    harness.DATABASE_URL = database_url
    yield
    harness.DATABASE_URL = None
