"""Reusable pieces for tests that need a Chatsight: the simulator, a client session, a webhook sink.

Import the fixtures into a conftest (``from tests.chatsight_simulator.harness import simulator``)
or use :func:`running_simulator` directly where a test needs non-default settings.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from standins.chatsight import ChatsightSimulator

API_KEY = "sim-api-key"
STREAM_HEADERS = {"x-chatsight-api-auth": API_KEY, "x-chatsight-api": "chatsightvoice"}
STREAM_URL = "https://streams.test/live.m3u8"


@asynccontextmanager
async def running_simulator(**settings: Any) -> AsyncIterator[ChatsightSimulator]:
    async with ChatsightSimulator(**settings) as simulator:
        yield simulator


@pytest.fixture
async def simulator() -> AsyncIterator[ChatsightSimulator]:
    """Manual mode: sessions move only on ``advance``/``finish``, so no test sleeps."""
    async with running_simulator(auto_advance=False) as sim:
        yield sim


@pytest.fixture
async def auto_simulator() -> AsyncIterator[ChatsightSimulator]:
    """Sessions walk provisioning → running → finished on short timers, as Chatsight's do."""
    async with running_simulator(provisioning_delay=0.01, running_delay=0.02) as sim:
        yield sim


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


class WebhookSink:
    """A receiver on 127.0.0.1 that records every POST and answers the statuses it is told to."""

    def __init__(self) -> None:
        self.bodies: list[Any] = []
        self.statuses: list[int] = []  # answered in order; 200 once exhausted
        self._runner: web.AppRunner | None = None
        self.url = ""

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/hook", self._receive)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.url = f"http://127.0.0.1:{self._runner.addresses[0][1]}/hook"

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    async def _receive(self, request: web.Request) -> web.Response:
        self.bodies.append(await request.json())
        status = self.statuses.pop(0) if self.statuses else 200
        return web.Response(status=status, text="ok" if status == 200 else "no")


@pytest.fixture
async def webhook_sink() -> AsyncIterator[WebhookSink]:
    sink = WebhookSink()
    await sink.start()
    yield sink
    await sink.stop()


async def start(
    http: aiohttp.ClientSession,
    simulator: ChatsightSimulator,
    convo_id: str,
    *,
    url: str = STREAM_URL,
    webhook: str | None = None,
) -> tuple[int, Any]:
    """POST /stream/tag as the bot would; returns (status, parsed body)."""
    body: dict[str, str] = {"url": url, "convoId": convo_id}
    if webhook is not None:
        body["webhook"] = webhook
    async with http.post(
        f"{simulator.base_url}/stream/tag", json=body, headers=STREAM_HEADERS
    ) as response:
        return response.status, await response.json()


async def query(
    http: aiohttp.ClientSession, simulator: ChatsightSimulator, convo_id: str
) -> tuple[int, Any]:
    async with http.get(
        f"{simulator.base_url}/stream", params={"convoid": convo_id}, headers=STREAM_HEADERS
    ) as response:
        return response.status, await response.json()
