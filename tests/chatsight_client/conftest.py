"""The real Chatsight client against the real simulator over loopback.

Backoff sleeps go through an injected recorder, so retries are observable and take no time; the
timeout tests use a short real timeout against a simulator that answers too slowly.
"""

from __future__ import annotations

import random
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest

from bot.chatsight.client import ChatsightClient
from bot.config import Secret
from standins.chatsight import ChatsightSimulator
from tests.chatsight_simulator.harness import running_simulator

KEY = "csk-live-SENTINEL-9f2b7c"


class Sleeps(list[float]):
    """Stands in for asyncio.sleep: records each backoff instead of waiting it out."""

    async def __call__(self, seconds: float) -> None:
        self.append(seconds)


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


@pytest.fixture
async def sim() -> AsyncIterator[ChatsightSimulator]:
    async with running_simulator(api_key=KEY, auto_advance=False) as simulator:
        yield simulator


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


def client_for(
    http: aiohttp.ClientSession, base_url: str, sleeps: Sleeps, **settings: Any
) -> ChatsightClient:
    return ChatsightClient(
        http,
        base_url=base_url,
        api_key=Secret(settings.pop("key", KEY)),
        sleep=sleeps,
        rng=random.Random(7),
        **settings,
    )


@pytest.fixture
def client(http: aiohttp.ClientSession, sim: ChatsightSimulator, sleeps: Sleeps) -> ChatsightClient:
    return client_for(http, sim.base_url, sleeps)
