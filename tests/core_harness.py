"""The tagging core wired as in production, against a real simulator, on 127.0.0.1."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from bot.app.core import TaggingCore
from bot.config import Secret, Settings
from bot.delivery.worker import ResultSink
from bot.domain.records import Delivery, SessionRecord
from standins.chatsight import ChatsightSimulator
from standins.chatsight.taglist import TAGLIST_PATH
from tests.streamlink_plugins import PLUGIN_DIR


def core_settings(sim: ChatsightSimulator, db: Path, port: int, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "chatsight_api_key": Secret("sim-api-key"),
        "chatsight_shared_secret": Secret(sim.shared_secret),
        "chatsight_api_base": sim.base_url,
        "chatsight_taglist_url": sim.base_url + TAGLIST_PATH,
        "public_base_url": f"http://127.0.0.1:{port}",
        "webhook_port": port,
        "database_url": f"sqlite:///{db}",
        "chatsight_timeout_seconds": 2.0,
        # The stand-in site of the tests' stream URLs (and the loopback stream site).
        "streamlink_plugin_dirs": (PLUGIN_DIR,),
    }
    values.update(overrides)
    return Settings(**values)


class CollectingSink:
    """Records deliveries as a person reading the output would see them, in order."""

    def __init__(self) -> None:
        self.delivered: list[SessionRecord] = []
        self._arrived = asyncio.Condition()

    async def deliver(self, delivery: Delivery, session: SessionRecord) -> int | None:
        async with self._arrived:
            self.delivered.append(session)
            self._arrived.notify_all()
        return None

    async def wait_for(self, count: int, within_s: float = 5.0) -> list[SessionRecord]:
        async with asyncio.timeout(within_s), self._arrived:
            await self._arrived.wait_for(lambda: len(self.delivered) >= count)
        return self.delivered


@asynccontextmanager
async def running_core(
    settings: Settings, sinks: Mapping[str, ResultSink], *, monitor_interval_s: float = 0.05
) -> AsyncIterator[TaggingCore]:
    core = TaggingCore(settings, serve_webhooks=True, monitor_interval_s=monitor_interval_s)
    await core.start(sinks)
    try:
        yield core
    finally:
        await core.stop()
