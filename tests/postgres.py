"""Throwaway PostgreSQL databases for the tests that run on both backends.

The server is taken from ``TEST_POSTGRES_URL`` (default: this machine's, trust auth). Each test
that asks gets a database of its own, created empty and dropped afterwards, so tests never see
each other's rows and the machine's databases are never touched. Where no server answers, the
PostgreSQL half of the suite cannot run: the run says so in one line, and with ``CI=true`` that
is a failure, never a silent skip.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import asyncpg
import pytest
import yarl

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
_unavailable: list[str] = []  # why the server did not answer, once known


def server_url() -> str:
    return os.environ.get("TEST_POSTGRES_URL", DEFAULT_URL)


def required() -> bool:
    """In CI a missing server is a failure: the suite must prove both backends."""
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


async def _admin() -> asyncpg.Connection:
    try:
        return await asyncpg.connect(server_url(), timeout=5)
    except (OSError, asyncpg.PostgresError, TimeoutError) as error:
        reason = f"no PostgreSQL server answered at {_masked(server_url())}: {error}"
        if reason not in _unavailable:
            _unavailable.append(reason)
        if required():
            pytest.fail(f"CI=true and {reason}", pytrace=False)
        pytest.skip(reason)


def unavailable_reason() -> str | None:
    return _unavailable[0] if _unavailable else None


@asynccontextmanager
async def throwaway_database() -> AsyncIterator[str]:
    """A fresh, empty database's URL; dropped (connections and all) when the block ends."""
    admin = await _admin()
    name = f"chatsight_test_{secrets.token_hex(6)}"
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
        try:
            yield str(yarl.URL(server_url()).with_path(f"/{name}"))
        finally:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()


def _masked(url: str) -> str:
    parsed = yarl.URL(url)
    return str(parsed.with_password("********")) if parsed.password else url
