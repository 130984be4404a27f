"""A streamlink plugin for the tests' stream site on 127.0.0.1 (``tests/stream_site.py``).

It works as the real platform plugins do (Twitch's, Kick's): match a channel page, ask the site's
API whether the channel is live (and its streamer and title, streamlink's metadata), then read
its HLS master playlist, or hand on the URL of a player it embeds; on an answer only a browser
gets past, it asks for a web browser as Kick's does. Loaded from this directory by name, as an
operator's plugin would be (``STREAMLINK_PLUGIN_DIRS``), so the bot under test is unmodified.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from streamlink.plugin import Plugin, PluginError, pluginmatcher
from streamlink.stream.hls.hls import HLSStream
from streamlink.stream.stream import Stream
from streamlink.webbrowser.cdp.client import CDPClient


async def _solve_challenge(client: CDPClient) -> None:
    """What a browser would do on the page; never reached, since the bot offers no browser."""


@pluginmatcher(re.compile(r"https?://127\.0\.0\.1:\d+/tv/(?P<channel>[^/?#]+)/?(?:[?#].*)?$"))
class LoopbackTV(Plugin):
    def _get_streams(self) -> Mapping[str, Stream] | None:
        site = self.url.split("/tv/", 1)[0]
        channel = self.match["channel"]
        answer = self.session.http.get(f"{site}/api/channels/{channel}", raise_for_status=False)
        if answer.status_code == 404:
            return None  # no such channel: platforms answer as for an offline one
        if answer.status_code == 403:
            try:
                CDPClient.launch(self.session, _solve_challenge)
            except Exception as error:  # as Kick's plugin: log, then fail without it
                self.logger.error(error)
            raise PluginError("the site's API refused us without a browser's cookies")
        answer.raise_for_status()
        info = answer.json()
        if not info["live"]:
            return None
        # What streamlink's metadata offers (get_author, get_title), as Twitch's plugin sets it.
        self.author, self.title = info.get("streamer"), info.get("title")
        if "embed" in info:  # a channel showing another's player, as news sites embed YouTube
            embedded: Mapping[str, Stream] = self.session.streams(info["embed"])
            return embedded
        return HLSStream.parse_variant_playlist(self.session, site + info["playlist"])


__plugin__ = LoopbackTV
