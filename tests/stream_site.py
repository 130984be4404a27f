"""A stream site on 127.0.0.1, shaped like Twitch: channel pages, an API, HLS playlists.

``tests/streamlink_plugins/loopback_tv.py`` is its streamlink plugin. Each API answer signs its
playlist URL anew (``sig``), as real platforms do, so a test sees whether a page was resolved
again. The 360p rendition carries the channel's ``tags`` for the Chatsight simulator.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

from aiohttp import web

HLS = "application/vnd.apple.mpegurl"
WIDTHS = {1080: 1920, 720: 1280, 480: 854, 360: 640, 240: 426}


@dataclass
class Channel:
    live: bool = True
    tags: str = "Gaming"
    heights: tuple[int, ...] = (720, 360, 240)
    guarded: bool = False  # its API lets only a web browser in
    delay_s: float = 0.0  # before its API answers
    embed: str | None = None  # the URL of another player the channel shows instead
    streamer: str | None = None  # the display name and stream title its API gives, if any
    title: str | None = None


@dataclass
class StreamSite:
    base: str = ""
    channels: dict[str, Channel] = field(default_factory=dict)
    asked: list[str] = field(default_factory=list)
    signatures: int = 0

    def page(self, channel: str, suffix: str = "") -> str:
        return f"{self.base}/tv/{channel}{suffix}"

    def api_calls(self, channel: str) -> int:
        return self.asked.count(f"/api/channels/{channel}")


@asynccontextmanager
async def stream_site(**channels: Channel) -> AsyncIterator[StreamSite]:
    site = StreamSite(channels={name.lower(): c for name, c in channels.items()})

    def channel_of(request: web.Request) -> Channel:
        site.asked.append(request.path)
        channel = site.channels.get(request.match_info["channel"].lower())
        if channel is None:
            raise web.HTTPNotFound()
        return channel

    async def api(request: web.Request) -> web.Response:
        channel = channel_of(request)
        await asyncio.sleep(channel.delay_s)
        if channel.guarded:
            raise web.HTTPForbidden()
        if channel.embed is not None:
            return web.json_response({"live": channel.live, "embed": channel.embed})
        site.signatures += 1
        name = request.match_info["channel"].lower()
        playlist = f"/hls/{name}/master.m3u8?sig={site.signatures}"
        about = {"streamer": channel.streamer, "title": channel.title}
        return web.json_response({"live": channel.live, "playlist": playlist, **about})

    async def master(request: web.Request) -> web.Response:
        channel = channel_of(request)
        sig = request.query["sig"]
        lines = ["#EXTM3U"]
        for height in channel.heights:
            tags = f"&tags={channel.tags}" if height == 360 else ""
            lines += [
                f"#EXT-X-STREAM-INF:BANDWIDTH={height * 2500},RESOLUTION={WIDTHS[height]}x{height}",
                f"{height}p.m3u8?sig={sig}{tags}",
            ]
        return web.Response(text="\n".join(lines) + "\n", content_type=HLS)

    async def media(request: web.Request) -> web.Response:
        channel_of(request)
        body = "#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXT-X-MEDIA-SEQUENCE:7\n#EXTINF:2.0,\nseg7.ts\n"
        return web.Response(text=body, content_type=HLS)

    async def hop(request: web.Request) -> web.Response:
        """A redirect to a playlist: what only a generic plugin, following it, would play."""
        site.asked.append(request.path)
        raise web.HTTPFound("/hls/alice/master.m3u8?sig=0")

    app = web.Application()
    app.router.add_get("/api/channels/{channel}", api)
    app.router.add_get("/hls/{channel}/master.m3u8", master)
    app.router.add_get("/hls/{channel}/{height:\\d+}p.m3u8", media)
    app.router.add_get("/hop", hop)
    runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.5)
    await runner.setup()
    tcp = web.TCPSite(runner, "127.0.0.1", 0)
    await tcp.start()
    site.base = f"http://127.0.0.1:{runner.addresses[0][1]}"
    try:
        yield site
    finally:
        await runner.cleanup()
