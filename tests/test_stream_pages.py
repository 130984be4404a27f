"""Stream pages resolved with streamlink, against the loopback stream site and its plugin.

The site (``tests/stream_site.py``) serves real HLS playlists; its plugin is loaded from a
directory as an operator's would be. Nothing here leaves 127.0.0.1: the built-in plugins are
loaded but only matched against, never asked to fetch.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

import aiohttp
import pytest

from bot.chatsight.locator import StreamLocator
from bot.chatsight.stream_pages import ResolvedPage, StreamPages, platform_plugins
from bot.chatsight.stream_prep import StreamPreparer
from bot.domain.stream_details import NO_DETAILS, StreamDetails
from bot.domain.stream_refusals import (
    NeedsWebBrowser,
    NotAStreamLink,
    StreamNotLive,
    StreamPageFailed,
)
from tests.stream_site import Channel, StreamSite, stream_site
from tests.streamlink_plugins import PLUGIN_DIR


@pytest.fixture
async def site() -> AsyncIterator[StreamSite]:
    async with stream_site(
        alice=Channel(tags="Gaming", streamer="Alice", title="Alice plays live"),
        bob=Channel(live=False),
        carol=Channel(guarded=True),
        dave=Channel(heights=(1080, 720)),
        erin=Channel(heights=(480, 240)),
        slow=Channel(delay_s=1.5),
    ) as running:
        yield running


def pages(**kwargs: float) -> StreamPages:
    return StreamPages(plugin_dirs=[PLUGIN_DIR], **kwargs)


async def test_a_live_channel_gives_its_360p_rendition_which_plays(site: StreamSite) -> None:
    media = (await pages().resolve(site.page("Alice"))).url

    assert media == f"{site.base}/hls/alice/360p.m3u8?sig=1&tags=Gaming"
    async with aiohttp.ClientSession() as http, http.get(media) as answer:
        assert "#EXT-X-TARGETDURATION" in await answer.text()


@pytest.mark.parametrize(("channel", "height"), [("dave", 720), ("erin", 240)])
async def test_else_the_tallest_at_most_360p_or_the_smallest(
    site: StreamSite, channel: str, height: int
) -> None:
    media = (await pages().resolve(site.page(channel))).url
    assert media.startswith(f"{site.base}/hls/{channel}/{height}p.m3u8?")


async def test_each_resolution_asks_the_site_afresh(site: StreamSite) -> None:
    """Signed media URLs expire: every session (every follow sample) resolves again."""
    resolver = pages()
    first = (await resolver.resolve(site.page("alice"))).url
    second = (await resolver.resolve(site.page("alice", "/?utm_source=discord"))).url

    assert (first.split("sig=")[1][0], second.split("sig=")[1][0]) == ("1", "2")
    assert site.api_calls("alice") == 2


@pytest.mark.parametrize("channel", ["bob", "nobody"])
async def test_an_offline_or_unknown_channel_is_not_live(site: StreamSite, channel: str) -> None:
    with pytest.raises(StreamNotLive) as refused:
        await pages().resolve(site.page(channel))
    assert refused.value.host == "127.0.0.1"


async def test_a_site_that_wants_a_web_browser_says_so(site: StreamSite) -> None:
    with pytest.raises(NeedsWebBrowser):
        await pages().resolve(site.page("carol"))
    assert site.api_calls("carol") == 1


async def test_a_page_no_plugin_knows_is_refused_without_a_request(site: StreamSite) -> None:
    with pytest.raises(NotAStreamLink):
        await pages().resolve(f"{site.base}/blog/my-stream-is-up")
    assert site.asked == []


@pytest.mark.parametrize(
    "link",
    [
        "{base}/hls/alice/master.m3u8",  # streamlink's hls plugin would take it
        "hls://{base}/hls/alice/master.m3u8",
        "dash://{base}/live.mpd",
        "httpstream://{base}/hls/alice/240p.m3u8",
    ],
)
async def test_streamlinks_generic_plugins_are_left_out(site: StreamSite, link: str) -> None:
    """They match any URL and fetch it unguarded; direct media goes through our own fetch."""
    with pytest.raises(NotAStreamLink):
        await pages().resolve(link.format(base=site.base))
    assert site.asked == []


def test_the_platform_plugins_are_there_and_the_generic_ones_are_not() -> None:
    loaded = platform_plugins([PLUGIN_DIR])
    assert {"twitch", "youtube", "kick", "loopback_tv"} <= loaded.keys()
    assert not {"hls", "dash", "http"} & loaded.keys()


async def test_an_embedded_player_is_resolved_by_its_own_platform_plugin() -> None:
    async with stream_site(alice=Channel(), news=Channel()) as site:
        site.channels["news"].embed = site.page("alice")
        media = (await pages().resolve(site.page("news"))).url
    assert media.startswith(f"{site.base}/hls/alice/360p.m3u8?")


async def test_an_embedded_url_that_only_a_redirect_makes_a_stream_is_not_followed() -> None:
    async with stream_site(alice=Channel(), news=Channel()) as site:
        site.channels["news"].embed = f"{site.base}/hop"
        with pytest.raises(StreamPageFailed):
            await pages().resolve(site.page("news"))
    assert "/hop" not in site.asked


async def test_streamlinks_own_timeout_ends_a_slow_site(site: StreamSite) -> None:
    began = time.monotonic()
    with pytest.raises(StreamPageFailed):
        await pages(http_timeout_s=0.2, timeout_s=10).resolve(site.page("slow"))
    assert time.monotonic() - began < 1.2


async def test_our_timeout_frees_the_caller_whatever_the_thread_does(site: StreamSite) -> None:
    began = time.monotonic()
    with pytest.raises(StreamPageFailed):
        await pages(http_timeout_s=5, timeout_s=0.3).resolve(site.page("slow"))
    assert time.monotonic() - began < 1.0


async def test_resolving_leaves_the_event_loop_free(site: StreamSite) -> None:
    ticks = 0

    async def tick() -> None:
        nonlocal ticks
        while True:
            await asyncio.sleep(0.05)
            ticks += 1

    ticker = asyncio.create_task(tick())
    with pytest.raises(StreamPageFailed):
        await pages(http_timeout_s=0.6, timeout_s=10).resolve(site.page("slow"))
    ticker.cancel()
    assert ticks >= 5


async def test_the_locator_sends_media_as_it_is_playlists_prepared_and_pages_resolved(
    site: StreamSite,
) -> None:
    async with aiohttp.ClientSession() as http:
        locator = StreamLocator(StreamPreparer(http, allow_networks=["127.0.0.1/32"]), pages())
        clip, ingest = f"{site.base}/clip.mp4", "rtmp://127.0.0.1/app/key"
        assert await locator.locate(clip) == ResolvedPage(clip, NO_DETAILS)
        assert await locator.locate(ingest) == ResolvedPage(ingest, NO_DETAILS)
        assert site.asked == []

        master = f"{site.base}/hls/alice/master.m3u8?sig=9"
        prepared = (await locator.locate(master)).url
        assert prepared == f"{site.base}/hls/alice/360p.m3u8?sig=9&tags=Gaming"
        assert site.asked == ["/hls/alice/master.m3u8"]  # our guarded fetch, not streamlink

        page = await locator.locate(site.page("alice"))
        assert page.url.startswith(f"{site.base}/hls/alice/360p")
        assert page.stream == StreamDetails("Alice", "Alice plays live", None)
        with pytest.raises(NotAStreamLink):
            await locator.locate(f"{site.base}/about")


async def test_the_platform_names_the_streamer_and_title_when_it_publishes_them(
    site: StreamSite,
) -> None:
    published = await pages().resolve(site.page("alice"))
    unnamed = await pages().resolve(site.page("dave"))

    assert published.stream == StreamDetails("Alice", "Alice plays live", None)
    assert unnamed.stream == NO_DETAILS
