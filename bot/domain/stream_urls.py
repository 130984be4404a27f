"""What counts as a stream URL we will hand to Chatsight, and when two of them name one stream."""

from __future__ import annotations

import re
from urllib.parse import unquote, urlsplit, urlunsplit

from bot.domain.refusals import InvalidStreamUrl

SCHEMES = ("http", "https", "rtmp", "rtmps")
MAX_URL_LENGTH = 2048
_URL_IN_TEXT = re.compile(r"(?:https?|rtmps?)://[^\s<>\"'`|]+", re.IGNORECASE)
# Media a player opens as it is: HLS and DASH manifests, segments and progressive files.
MEDIA_SUFFIXES = (
    ".m3u8", ".mpd", ".ts", ".mp4", ".m4a", ".m4v", ".aac", ".mp3", ".ogg", ".oga", ".opus",
    ".webm", ".flv", ".mkv", ".mov", ".wav", ".flac",
)  # fmt: skip
_MEDIA_SCHEMES = ("rtmp", "rtmps")
# Query parameters that say where a link was shared from, never what it shows.
TRACKING_PARAMETERS = frozenset(
    {
        "fbclid", "gclid", "dclid", "gbraid", "wbraid", "msclkid", "yclid", "twclid", "igshid",
        "igsh", "mc_cid", "mc_eid", "si", "feature", "ref", "ref_src", "_ga", "_gl",
    }
)  # fmt: skip
TRACKING_PREFIXES = ("utm_",)
_DROPPED_SUBDOMAINS = ("www.", "m.")
_DEFAULT_PORTS = {"http": 80, "https": 443, "rtmp": 1935, "rtmps": 443}
# Sites whose first path segment is a channel name, which they read case-insensitively.
_CHANNEL_SITES = frozenset({"twitch.tv", "kick.com"})
_YOUTUBE_HOSTS = frozenset({"youtube.com", "music.youtube.com", "youtube-nocookie.com"})
# youtube.com/live/ID, /embed/ID, /shorts/ID and /v/ID show the same video as watch?v=ID.
_YOUTUBE_VIDEO_PATHS = frozenset({"live", "embed", "shorts", "v"})


def validate_stream_url(raw: str) -> str:
    url = raw.strip().strip("<>")
    if len(url) > MAX_URL_LENGTH:
        raise InvalidStreamUrl(too_long_limit=MAX_URL_LENGTH)
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:
        host = None
        parts = None
    if parts is None or parts.scheme.lower() not in SCHEMES or not host:
        raise InvalidStreamUrl()
    return url


def find_stream_urls(text: str) -> list[str]:
    """Stream URLs in free text, in order, without trailing punctuation, each stream once (the
    first of its forms: an announcement often links one stream in its text and its embed)."""
    found: dict[str, str] = {}
    for match in _URL_IN_TEXT.finditer(text):
        url = match.group(0).rstrip(".,;:!?)]}>*_~")
        try:
            found.setdefault(canonical_stream_url(validate_stream_url(url)), url)
        except InvalidStreamUrl:
            continue
    return list(found.values())


def names_a_playlist(url: str) -> bool:
    """An HLS playlist by its path (``….m3u8``): the only URLs worth fetching to pick a rendition.

    Anything else goes to Chatsight untouched, without a server-side request of ours.
    """
    return _path(url).endswith(".m3u8")


def names_media(url: str) -> bool:
    """Media by its scheme (RTMP) or its path's suffix, as opposed to a page that shows it."""
    try:
        scheme = urlsplit(url).scheme.lower()
    except ValueError:
        return False
    return scheme in _MEDIA_SCHEMES or _path(url).endswith(MEDIA_SUFFIXES)


def _path(url: str) -> str:
    try:
        return urlsplit(url).path.lower()
    except ValueError:
        return ""


def canonical_stream_url(url: str) -> str:
    """One spelling per stream, for telling announcements of the same stream apart from others.

    Scheme and host in lower case, ``www.``/``m.`` and a default port dropped, no trailing slash,
    no fragment, no tracking parameters (the rest kept as written, in order). Twitch and Kick
    channel names in lower case, over https (all they serve); every YouTube video link as
    ``https://youtube.com/watch?v=ID``, the id as it is (it is case-sensitive). A key, not an
    address: the URL sent on stays the one given, since some sites serve only their ``www.``
    host.
    """
    url = url.strip()
    try:
        parts = urlsplit(url)
        host, port = parts.hostname, parts.port
    except ValueError:
        return url
    if not host:
        return url
    scheme = parts.scheme.lower()
    host = _without_subdomain(host)
    path = parts.path.rstrip("/")
    query = [p for p in parts.query.split("&") if p and not _tracking(p)]
    if host == "youtu.be" or host in _YOUTUBE_HOSTS:
        video = _youtube_video(host, path, query)
        if video is not None:
            return f"https://youtube.com/watch?v={video}"
    if host in _CHANNEL_SITES:
        scheme = "https"
        channel, slash, rest = path[1:].partition("/")
        path = "/" + channel.lower() + slash + rest if channel else ""
    netloc = f"[{host}]" if ":" in host else host
    if port is not None and port != _DEFAULT_PORTS.get(scheme):
        netloc += f":{port}"
    userinfo = parts.netloc.rpartition("@")[0] if "@" in parts.netloc else ""
    if userinfo:
        netloc = f"{userinfo}@{netloc}"
    return urlunsplit((scheme, netloc, path, "&".join(query), ""))


def _without_subdomain(host: str) -> str:
    """``www.m.example.com`` is ``example.com``; ``www.com`` stays: a name keeps a dot."""
    while True:
        rest = next((host[len(p) :] for p in _DROPPED_SUBDOMAINS if host.startswith(p)), host)
        if rest == host or "." not in rest:
            return host
        host = rest


def _tracking(parameter: str) -> bool:
    name = unquote(parameter.partition("=")[0]).lower()
    return name in TRACKING_PARAMETERS or name.startswith(TRACKING_PREFIXES)


def _youtube_video(host: str, path: str, query: list[str]) -> str | None:
    """The video id a YouTube link shows, or None for channel pages and the like."""
    segments = path.split("/")[1:]
    if host == "youtu.be":
        return segments[0] if len(segments) == 1 and segments[0] else None
    if segments == ["watch"]:
        ids = [p.partition("=")[2] for p in query if p.partition("=")[0] == "v"]
        return ids[0] if ids and ids[0] else None
    if len(segments) == 2 and segments[0] in _YOUTUBE_VIDEO_PATHS and segments[1]:
        return segments[1]
    return None
