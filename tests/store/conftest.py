"""The store suite runs once per backend: every test here takes ``store`` and gets each in turn.

A backend joins in tests/backends.py; the tests stay as they are. The PostgreSQL store has its
pool (ten connections), so the tests that start many calls at once run them side by side on the
server, as processes sharing it would.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.store import Store
from tests.backends import BACKENDS, opened_store


@pytest.fixture(params=BACKENDS)
async def store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Store]:
    """A fresh store on a throwaway database, opened through ``open_store``, closed after."""
    async with opened_store(request.param, tmp_path) as opened:
        yield opened
