"""The media behind a stream page (``twitch.tv/name``, a YouTube video, ``kick.com/name``).

Chatsight listens to a media stream, not a web page (docs/chatsight-api.md §3), and notifiers
announce pages, so a page is resolved with streamlink, whose plugins know hundreds of sites; its
best rendition at or below 360p is sent, as Chatsight asks, else its smallest.

Streamlink fetches with its own HTTP client, past our SSRF guard (``stream_prep.py``), so its
session holds the platform plugins only, each bound to its site's own hosts: its generic ``hls``,
``dash`` and ``http`` plugins match any URL and stay out (direct media goes through
``locator.py`` instead), and a plugin that hands on an embedded URL is never followed through a
redirect to another host. What a member gives thus reaches streamlink only when a platform
plugin claims it; the addresses fetched after that are the platform's answers. Plugins that
need a web browser are not given one: one on a server would be heavy and fetch whatever a page
asks; the member is told so instead.

Streamlink blocks, so each resolution runs on a worker thread (``asyncio.to_thread``) with a
session of its own (plugins change their session's headers), bounded twice: by streamlink's own
HTTP timeout per request, which ends the thread, and by ours over the whole, which frees the
caller even when the thread cannot be stopped.
"""

from __future__ import annotations

import asyncio
import atexit
import logging
import re
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from streamlink.exceptions import NoPluginError, PluginError
from streamlink.plugin import Plugin
from streamlink.session.session import Streamlink
from streamlink.stream.stream import Stream
from streamlink.utils.url import update_scheme

from bot.chatsight.stream_prep import Variant, choose_variant
from bot.domain.stream_details import StreamDetails
from bot.domain.stream_refusals import (
    NeedsWebBrowser,
    NotAStreamLink,
    StreamNotLive,
    StreamPageFailed,
)

log = logging.getLogger(__name__)

GENERIC_PLUGINS = frozenset({"hls", "dash", "http"})
# Synonyms streamlink adds for other streams of the same answer.
_SYNONYMS = frozenset({"best", "worst"})
# Streamlink names renditions by height ("720p60"), bit rate ("1500k") or "audio_only".
_HEIGHT = re.compile(r"^(\d+)p")
_BITRATE = re.compile(r"^(\d+)k")

_builtin_lock = threading.Lock()
_builtin: dict[str, type[Plugin]] = {}


def platform_plugins(plugin_dirs: Sequence[str | Path] = ()) -> dict[str, type[Plugin]]:
    """Streamlink's built-in plugins and those in ``plugin_dirs`` (which win), generic ones out.

    The built-ins are loaded once per process (a quarter of a second) and shared: a plugin class
    keeps no state between resolutions.
    """
    with _builtin_lock:
        if not _builtin:
            loader = Streamlink(plugins_builtin=False)
            loader.plugins.load_builtin()
            _builtin.update(loader.plugins.get_loaded())
    plugins = dict(_builtin)
    for directory in plugin_dirs:
        loader = Streamlink(plugins_builtin=False)
        loader.plugins.load_path(directory)
        plugins.update(loader.plugins.get_loaded())
    return {name: plugin for name, plugin in plugins.items() if name not in GENERIC_PLUGINS}


class _BotSession(Streamlink):
    """A session for one resolution: no web browser, no redirect hunting.

    Streamlink asks its ``webbrowser`` option right before launching one (``CDPClient.launch``)
    and plugins carry on without it, so answering False here and noting the question tells a
    page that needs a browser from a page that has no stream.
    """

    browser_wanted = False

    def get_option(self, key: str) -> Any:
        if key == "webbrowser":
            self.browser_wanted = True
            return False
        return super().get_option(key)

    def resolve_url(  # type: ignore[override]  # streamlink's is an lru_cache wrapper
        self, url: str, follow_redirect: bool = True
    ) -> tuple[str, type[Plugin], str]:
        """Plugins that hand on an embedded URL come here. Streamlink's own would follow the
        URL's redirects (fetches of ours, unguarded) and cache this session class-wide; so only
        a URL a platform plugin matches as it is gets resolved, uncached."""
        url = update_scheme("https://", url, force=False)
        matched = self.plugins.match_url(url)
        if matched is None:
            raise NoPluginError
        return matched[0], matched[1], url


@dataclass(frozen=True, slots=True)
class ResolvedPage:
    """The media URL to send, and what the platform told of the stream (its plugin's metadata:
    author and title, where the plugin reads them)."""

    url: str
    stream: StreamDetails


class StreamPages:
    """Resolves stream pages to a media URL; owns no open resource."""

    def __init__(
        self,
        *,
        plugin_dirs: Sequence[str | Path] = (),
        http_timeout_s: float = 10.0,
        timeout_s: float = 25.0,
    ) -> None:
        self._plugin_dirs = tuple(plugin_dirs)
        self._options = {"http-timeout": http_timeout_s, "no-plugin-cache": True}
        self._timeout_s = timeout_s
        self._plugins: dict[str, type[Plugin]] | None = None
        self._lock = threading.Lock()

    async def resolve(self, url: str) -> ResolvedPage:
        """The media behind the page ``url``; a stream refusal when there is none."""
        host = urlsplit(url).hostname or ""
        try:
            async with asyncio.timeout(self._timeout_s):
                return await asyncio.to_thread(self._resolve, url, host)
        except TimeoutError:
            log.info("stream page on %s took over %g s", host, self._timeout_s)
            raise StreamPageFailed(host) from None

    def _loaded(self) -> dict[str, type[Plugin]]:
        with self._lock:
            if self._plugins is None:
                self._plugins = platform_plugins(self._plugin_dirs)
            return self._plugins

    def _resolve(self, url: str, host: str) -> ResolvedPage:
        session = _BotSession(self._options, plugins_builtin=False)
        try:
            session.plugins.update(self._loaded())
            matched = session.plugins.match_url(url)
            if matched is None:
                raise NotAStreamLink(host)
            name, plugin_class = matched
            streams, stream = _streams(session, plugin_class, url, host, name)
            if not streams:
                raise NeedsWebBrowser(host) if session.browser_wanted else StreamNotLive(host)
            renditions = _renditions(streams)
            chosen = choose_variant(list(renditions.values()))
            if chosen is None:
                log.info("stream page on %s (%s) offers no stream with a URL", host, name)
                raise StreamPageFailed(host)
            label = next(label for label, v in renditions.items() if v is chosen)
            log.info("stream page on %s (%s): rendition %s chosen", host, name, label)
            return ResolvedPage(chosen.uri, stream)
        finally:
            session.http.close()


def _streams(
    session: _BotSession, plugin_class: type[Plugin], url: str, host: str, name: str
) -> tuple[Mapping[str, Stream], StreamDetails]:
    """The plugin's streams, and the metadata it read on the way (plugins fill it in while
    finding their streams); a site's failure is the member's to retry, or a browser's."""
    plugin: Plugin | None = None
    try:
        plugin = plugin_class(session, url)
        streams = plugin.streams()
        return streams, StreamDetails.of(plugin.get_author(), plugin.get_title())
    except Exception as error:  # a plugin may raise anything; none may break tagging
        level = logging.INFO if isinstance(error, PluginError) else logging.WARNING
        log.log(level, "stream page on %s (%s) failed: %s", host, name, error)
        if session.browser_wanted:
            raise NeedsWebBrowser(host) from error
        raise StreamPageFailed(host) from error
    finally:
        if plugin is not None:
            # Every plugin's cache registers an exit hook, disabled or not, which would keep
            # each resolution's cache alive for as long as the bot runs.
            atexit.unregister(plugin.cache._save)


def _renditions(streams: Mapping[str, Stream]) -> dict[str, Variant]:
    """Each stream that has a URL (muxed ones have none) by its name, sized from that name; the
    width is unknown, and only the height counts in ``choose_variant``."""
    found: dict[str, Variant] = {}
    for name, stream in streams.items():
        if name in _SYNONYMS:
            continue
        try:
            uri: str = stream.to_url()  # type: ignore[no-untyped-call]  # streamlink leaves it bare
        except TypeError:
            continue
        height, bitrate = _HEIGHT.match(name), _BITRATE.match(name)
        found[name] = Variant(
            uri,
            int(bitrate.group(1)) * 1000 if bitrate else None,
            (0, int(height.group(1))) if height else None,
            audio_only=name.startswith("audio"),
        )
    return found
