"""The change feed: every topic is announced when a listener starts, so nothing is missed."""

from __future__ import annotations

import asyncio
import contextlib

from bot.store import Store
from bot.store.interface import ChangeTopic


async def test_a_listener_hears_every_topic_once_it_starts(store: Store) -> None:
    heard: list[str] = []
    listening = asyncio.create_task(store.listen(heard.append))
    try:
        async with asyncio.timeout(5):
            while len(heard) < len(ChangeTopic):
                await asyncio.sleep(0.01)
        assert sorted(heard) == sorted(ChangeTopic)
        assert not listening.done()  # it runs until cancelled
    finally:
        listening.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await listening
