"""Rotated webhook secrets: kept in the store, so every process verifies with all of them."""

from __future__ import annotations

from bot.store import Store


async def test_secrets_come_back_oldest_first(store: Store) -> None:
    assert await store.shared_secrets() == []
    await store.add_shared_secret("newer", 2_000)
    await store.add_shared_secret("older", 1_000)
    await store.add_shared_secret("newest", 3_000)
    assert await store.shared_secrets() == [("older", 1_000), ("newer", 2_000), ("newest", 3_000)]
