"""HLS preparation end to end: Chatsight gets the ≤360p rendition, and private hosts are refused."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from aiohttp import web

from tests.bot_e2e.harness import running_world
from tests.bot_e2e.server_helpers import posted_urls, replies_to, watch

MASTER = """#EXTM3U
#EXT-X-STREAM-INF:BANDWIDTH=3000000,RESOLUTION=1280x720
720p/index.m3u8
#EXT-X-STREAM-INF:BANDWIDTH=900000,RESOLUTION=640x360
360p/index.m3u8?tags=Outdoors
#EXT-X-STREAM-INF:BANDWIDTH=400000,RESOLUTION=426x240
240p/index.m3u8
"""


@asynccontextmanager
async def hls_origin() -> AsyncIterator[tuple[str, list[str]]]:
    """A stream origin on loopback serving one master playlist; yields its URL and the paths
    it was asked for."""
    asked: list[str] = []

    async def playlist(request: web.Request) -> web.Response:
        asked.append(request.path)
        return web.Response(text=MASTER, content_type="application/vnd.apple.mpegurl")

    app = web.Application()
    app.router.add_get("/live/master.m3u8", playlist)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        yield f"http://127.0.0.1:{port}/live/master.m3u8", asked
    finally:
        await runner.cleanup()


async def test_a_master_playlist_is_replaced_by_its_360p_variant(tmp_path: Path) -> None:
    async with (
        hls_origin() as (master, asked),
        running_world(tmp_path, stream_fetch_allow=("127.0.0.1/32",)) as world,
    ):
        await watch(world, world.channel)
        announcement = await world.emu.post_message(world.channel, world.member, master)
        timeline = await world.emu.wait_for_message(world.channel, replies_to(announcement.id))

        variant = master.replace("master.m3u8", "360p/index.m3u8?tags=Outdoors")
        assert posted_urls(world) == [variant]
        assert asked == ["/live/master.m3u8"]
        embed = timeline.data["embeds"][0]
        assert "Outdoors" in embed["description"]
        assert {"name": "Stream", "value": master, "inline": True} in embed["fields"]


async def test_a_playlist_on_a_private_address_is_not_fetched(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    private = "http://10.1.2.3/live.m3u8"
    caplog.set_level(logging.WARNING, logger="bot.chatsight.stream_prep")
    async with running_world(tmp_path, stream_fetch_allow=("127.0.0.1/32",)) as world:
        await watch(world, world.channel)
        announcement = await world.emu.post_message(world.channel, world.member, private)
        await world.emu.wait_for_message(world.channel, replies_to(announcement.id))

        assert posted_urls(world) == [private]
        refusals = [r.getMessage() for r in caplog.records if r.name == "bot.chatsight.stream_prep"]
        assert refusals == [
            f"stream prep kept the original URL {private}: refused: private address"
        ]
