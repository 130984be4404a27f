"""The deployment's id: made once by whichever process asks first, the same for every process
sharing the database, and different for another database (another deployment)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from bot.config import Settings
from bot.store import open_store
from tests.backends import BACKENDS, throwaway_database


@pytest.mark.parametrize("backend", BACKENDS)
async def test_every_process_on_one_database_answers_with_one_id(
    backend: str, tmp_path: Path
) -> None:
    async with throwaway_database(backend, tmp_path) as url:
        first = open_store(Settings(database_url=url), exclusive=False)
        second = open_store(Settings(database_url=url), exclusive=False)
        await first.open()
        await second.open()
        try:
            ids = await asyncio.gather(
                *(store.deployment_id() for store in (first, second) for _ in range(3))
            )
        finally:
            await first.close()
            await second.close()
    assert len(set(ids)) == 1
    assert len(ids[0]) == 16
    (tmp_path / "other").mkdir()
    async with throwaway_database(backend, tmp_path / "other") as other_url:
        other = open_store(Settings(database_url=other_url), exclusive=False)
        await other.open()
        try:
            assert await other.deployment_id() != ids[0]
        finally:
            await other.close()


@pytest.mark.parametrize("backend", BACKENDS)
async def test_the_write_check_is_true_while_writes_are_stored_and_false_once_closed(
    backend: str, tmp_path: Path
) -> None:
    async with throwaway_database(backend, tmp_path) as url:
        store = open_store(Settings(database_url=url), exclusive=False)
        await store.open()
        try:
            made = await store.deployment_id()
            assert await store.writable()
        finally:
            await store.close()
        assert not await store.writable()
        # The check rewrote the row with the id it had: another process reads the same one.
        other = open_store(Settings(database_url=url), exclusive=False)
        await other.open()
        try:
            assert await other.deployment_id() == made
        finally:
            await other.close()
