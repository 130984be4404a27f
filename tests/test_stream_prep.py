"""Stream preparation against a real aiohttp server on 127.0.0.1.

Every client session here uses a connector that records each connection attempt and aborts any
that is not to 127.0.0.1, so a broken guard shows up as a recorded attempt instead of traffic.
Name lookups go through a fake ``getaddrinfo`` that knows only ``stream.test``.
"""

from __future__ import annotations

import asyncio
import logging
import socket
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import aiohttp
import m3u8
import pytest
from aiohttp import web
from aiohttp.client_reqrep import ClientRequest
from aiohttp.connector import Connection
from aiohttp.tracing import Trace

from bot.chatsight.stream_prep import (
    PreparedStream,
    StreamPreparer,
    Variant,
    choose_variant,
    variants_of,
)

LOCAL = ["127.0.0.1/32"]

MASTER = """#EXTM3U
#EXT-X-STREAM-INF:BANDWIDTH=6000000,RESOLUTION=1920x1080
v/1080.m3u8
#EXT-X-STREAM-INF:BANDWIDTH=3000000,RESOLUTION=1280x720
v/720.m3u8
#EXT-X-STREAM-INF:BANDWIDTH=1500000,RESOLUTION=854x480
v/480.m3u8
#EXT-X-STREAM-INF:BANDWIDTH=800000,RESOLUTION=640x360
v/360.m3u8?part=1
#EXT-X-STREAM-INF:BANDWIDTH=400000,RESOLUTION=426x240
v/240.m3u8
"""
HIGH_ONLY = """#EXTM3U
#EXT-X-STREAM-INF:BANDWIDTH=6000000,RESOLUTION=1920x1080
/abs/1080.m3u8
#EXT-X-STREAM-INF:BANDWIDTH=3000000,RESOLUTION=1280x720
/abs/720.m3u8
"""
MEDIA = """#EXTM3U
#EXT-X-TARGETDURATION:6
#EXTINF:6.0,
seg0.ts
"""


class LoopbackOnlyConnector(aiohttp.TCPConnector):
    def __init__(self) -> None:
        super().__init__(force_close=True)
        self.attempts: list[str] = []

    async def connect(
        self,
        req: ClientRequest,
        traces: list[Trace],
        timeout: aiohttp.ClientTimeout,  # noqa: ASYNC109 - aiohttp passes it by this name
    ) -> Connection:
        self.attempts.append(req.host)
        if req.host != "127.0.0.1":
            raise AssertionError(f"test tried to connect to {req.host}")
        return await super().connect(req, traces, timeout)


@dataclass
class Server:
    port: int
    release: asyncio.Event
    hosts: list[str] = field(default_factory=list)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"


Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def serve(body: str, content_type: str = "application/vnd.apple.mpegurl") -> Handler:
    async def handler(request: web.Request) -> web.StreamResponse:
        return web.Response(text=body, content_type=content_type)

    return handler


@pytest.fixture
async def server() -> AsyncIterator[Server]:
    release = asyncio.Event()
    state = Server(port=0, release=release)

    @web.middleware
    async def count(request: web.Request, handler: Handler) -> web.StreamResponse:
        state.hosts.append(request.headers.get("Host", ""))
        return await handler(request)

    async def redirect(request: web.Request) -> web.Response:
        n = int(request.match_info["n"])
        raise web.HTTPFound("../live/master.m3u8" if n <= 1 else f"{n - 1}")

    async def chunked_big(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse()
        response.enable_chunked_encoding()
        await response.prepare(request)
        await response.write(b"#EXTM3U\n")
        for _ in range(40):
            await response.write(b"#" * 8192 + b"\n")
        await response.write_eof()
        return response

    async def slow(request: web.Request) -> web.StreamResponse:
        await asyncio.wait_for(release.wait(), 5)
        return await serve(MASTER)(request)

    async def to_private(request: web.Request) -> web.StreamResponse:
        raise web.HTTPFound("http://10.0.0.1/x.m3u8")

    app = web.Application(middlewares=[count])
    app.router.add_get("/live/master.m3u8", serve(MASTER))
    app.router.add_get("/high/master.m3u8", serve(HIGH_ONLY))
    app.router.add_get("/media.m3u8", serve(MEDIA))
    app.router.add_get("/page.html", serve("<html></html>", "text/html"))
    app.router.add_get("/big.m3u8", serve("#EXTM3U\n" + "#" * 300_000))
    app.router.add_get("/chunked.m3u8", chunked_big)
    app.router.add_get("/r/{n}", redirect)
    app.router.add_get("/slow.m3u8", slow)
    app.router.add_get("/to-private", to_private)
    runner = web.AppRunner(app, shutdown_timeout=0.5)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    state.port = runner.addresses[0][1]
    yield state
    release.set()
    await runner.cleanup()


@pytest.fixture
async def connector() -> LoopbackOnlyConnector:
    return LoopbackOnlyConnector()


@pytest.fixture
async def http(connector: LoopbackOnlyConnector) -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession(connector=connector) as session:
        yield session


@pytest.fixture
async def lookups(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Names looked up; ``stream.test`` is 127.0.0.1, ``rebind.test`` also 10.0.0.1."""
    seen: list[str] = []
    answers = {"stream.test": ["127.0.0.1"], "rebind.test": ["127.0.0.1", "10.0.0.1"]}

    async def fake_getaddrinfo(host: str, port: int, **_: Any) -> list[Any]:
        seen.append(host)
        if host not in answers:
            raise socket.gaierror(socket.EAI_NONAME, "unknown in tests")
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (a, port)) for a in answers[host]]

    monkeypatch.setattr(asyncio.get_running_loop(), "getaddrinfo", fake_getaddrinfo)
    return seen


Prep = Callable[..., StreamPreparer]


@pytest.fixture
def prep(http: aiohttp.ClientSession, lookups: list[str]) -> Prep:
    def make(**kwargs: Any) -> StreamPreparer:
        kwargs.setdefault("allow_networks", LOCAL)
        return StreamPreparer(http, **kwargs)

    return make


async def test_master_gives_360p_variant_resolved_against_playlist(
    prep: Prep, server: Server
) -> None:
    result = await prep().prepare(server.url("/live/master.m3u8"))
    assert result.url == server.url("/live/v/360.m3u8?part=1")
    assert result.original == server.url("/live/master.m3u8")
    assert result.reason == "variant 640x360 chosen"


async def test_master_without_small_variant_gives_lowest(prep: Prep, server: Server) -> None:
    result = await prep().prepare(server.url("/high/master.m3u8?sig=abc"))
    assert result.url == server.url("/abs/720.m3u8")
    assert result.reason == "variant 1280x720 chosen"


@pytest.mark.parametrize(
    ("path", "reason"),
    [
        ("/media.m3u8", "media playlist"),
        ("/page.html", "not a playlist"),
        ("/missing.m3u8", "bad status 404"),
        ("/big.m3u8", "too large"),
        ("/chunked.m3u8", "too large"),
        ("/r/4", "too many redirects"),
    ],
)
async def test_falls_back_to_original(prep: Prep, server: Server, path: str, reason: str) -> None:
    url = server.url(path)
    assert await prep().prepare(url) == PreparedStream(url, url, reason)


async def test_redirect_chain_within_limit_is_followed(prep: Prep, server: Server) -> None:
    result = await prep().prepare(server.url("/r/3"))
    assert result.url == server.url("/live/v/360.m3u8?part=1")
    assert len(server.hosts) == 4


async def test_slow_server_times_out(prep: Prep, server: Server) -> None:
    started = time.monotonic()
    result = await prep(timeout_s=0.2).prepare(server.url("/slow.m3u8"))
    assert result.reason == "timeout"
    assert result.url == result.original
    assert time.monotonic() - started < 1


async def test_hostname_is_pinned_to_vetted_address(
    prep: Prep, server: Server, connector: LoopbackOnlyConnector, lookups: list[str]
) -> None:
    result = await prep().prepare(f"http://stream.test:{server.port}/live/master.m3u8")
    assert result.url == f"http://stream.test:{server.port}/live/v/360.m3u8?part=1"
    assert lookups == ["stream.test"]
    assert connector.attempts == ["127.0.0.1"]  # aiohttp never saw the name to resolve it
    assert server.hosts == [f"stream.test:{server.port}"]


async def test_every_resolved_address_is_checked(
    prep: Prep, server: Server, connector: LoopbackOnlyConnector
) -> None:
    result = await prep().prepare(f"http://rebind.test:{server.port}/live/master.m3u8")
    assert result.reason == "refused: private address"
    assert connector.attempts == []
    assert server.hosts == []


async def test_loopback_refused_without_allow_list(
    prep: Prep, server: Server, connector: LoopbackOnlyConnector
) -> None:
    url = server.url("/live/master.m3u8")
    result = await prep(allow_networks=()).prepare(url)
    assert result == PreparedStream(url, url, "refused: loopback address")
    assert server.hosts == []
    assert connector.attempts == []


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://10.0.0.1/x.m3u8", "private"),
        ("http://169.254.169.254/latest", "link-local"),
        ("http://[::1]/x", "loopback"),
        ("http://[::ffff:127.0.0.1]/x", "loopback"),
        ("http://[fd00::1]/x", "private"),
        ("http://[fe80::1]/x", "link-local"),
        ("http://[64:ff9b::a00:1]/x", "private"),
        ("http://100.64.0.1/", "non-public"),
        ("http://0.0.0.0/", "unspecified"),
        ("http://224.0.0.1/", "multicast"),
        ("http://240.0.0.1/", "reserved"),
        ("ftp://127.0.0.1/x.m3u8", None),
        ("file:///etc/passwd", None),
    ],
)
async def test_forbidden_targets_refused_before_connecting(
    prep: Prep,
    connector: LoopbackOnlyConnector,
    lookups: list[str],
    caplog: pytest.LogCaptureFixture,
    url: str,
    reason: str | None,
) -> None:
    with caplog.at_level(logging.WARNING, logger="bot.chatsight.stream_prep"):
        result = await prep(allow_networks=()).prepare(url)
    assert result.url == url
    assert result.reason.startswith("refused: ")
    if reason is not None:
        assert result.reason == f"refused: {reason} address"
    assert connector.attempts == []
    assert lookups == []
    assert len(caplog.records) == 1


async def test_redirect_to_forbidden_address_is_refused_at_the_redirect(
    prep: Prep, server: Server, connector: LoopbackOnlyConnector
) -> None:
    result = await prep().prepare(server.url("/to-private"))
    assert result.reason == "refused: private address"
    assert connector.attempts == ["127.0.0.1"]
    assert len(server.hosts) == 1


@pytest.mark.parametrize("url", ["rtmp://live.example/app/key", "rtmps://live.example/app/key"])
async def test_rtmp_is_untouched_and_not_fetched(
    prep: Prep, connector: LoopbackOnlyConnector, lookups: list[str], url: str
) -> None:
    result = await prep().prepare(url)
    assert result.url == url
    assert connector.attempts == []
    assert lookups == []


async def test_log_line_omits_query_string(
    prep: Prep, server: Server, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="bot.chatsight.stream_prep"):
        url = server.url("/page.html?token=s3cret#frag").replace("//", "//user:pw0rd@")
        await prep().prepare(url)
    assert len(caplog.records) == 1
    assert f"http://127.0.0.1:{server.port}/page.html: not a playlist" in caplog.text
    assert "s3cret" not in caplog.text
    assert "pw0rd" not in caplog.text


async def test_unparseable_url_is_returned_as_is(
    prep: Prep, connector: LoopbackOnlyConnector
) -> None:
    result = await prep().prepare("http://[::1")
    assert result == PreparedStream("http://[::1", "http://[::1", "unparseable URL")
    assert connector.attempts == []


async def test_allow_list_rejects_hostnames(http: aiohttp.ClientSession) -> None:
    with pytest.raises(ValueError, match="does not appear to be"):
        StreamPreparer(http, allow_networks=["localhost"])


def v(height: int | None, bandwidth: int | None, *, audio: bool = False) -> Variant:
    resolution = None if height is None else (height * 16 // 9, height)
    return Variant(f"http://cdn.example/{height}-{bandwidth}", bandwidth, resolution, audio)


@pytest.mark.parametrize(
    ("variants", "expected"),
    [
        ([], None),
        ([v(1080, 6000), v(360, 800), v(240, 400), v(480, 1500)], v(360, 800)),
        ([v(360, 900), v(360, 600), v(360, None)], v(360, 600)),
        ([v(1080, 6000), v(720, 3000)], v(720, 3000)),
        ([v(720, None), v(1080, None)], v(720, None)),
        ([v(240, 400), v(None, 100)], v(240, 400)),
        ([v(720, 3000), v(None, 300)], v(None, 300)),
        ([v(720, 3000), v(None, 8000)], v(720, 3000)),
        ([v(None, 64, audio=True), v(1080, 6000)], v(1080, 6000)),
        ([v(None, 128, audio=True), v(None, 64, audio=True)], v(None, 64, audio=True)),
    ],
)
def test_choose_variant(variants: list[Variant], expected: Variant | None) -> None:
    assert choose_variant(variants) == expected


def test_variants_of_detects_audio_only_and_drops_non_http() -> None:
    playlist = m3u8.loads(
        "#EXTM3U\n"
        '#EXT-X-STREAM-INF:BANDWIDTH=64000,CODECS="mp4a.40.2"\naudio.m3u8\n'
        '#EXT-X-STREAM-INF:BANDWIDTH=300000,CODECS="avc1.4d401e,mp4a.40.2"\nvideo.m3u8\n'
        "#EXT-X-STREAM-INF:BANDWIDTH=200000\nunknown.m3u8\n"
        "#EXT-X-STREAM-INF:BANDWIDTH=100000\nftp://cdn.example/x.m3u8\n"
    )
    found = variants_of(playlist, "https://cdn.example/live/master.m3u8?tok=1")
    assert [(x.uri, x.audio_only) for x in found] == [
        ("https://cdn.example/live/audio.m3u8", True),
        ("https://cdn.example/live/video.m3u8", False),
        ("https://cdn.example/live/unknown.m3u8", False),
    ]
