"""What counts as a stream URL we will hand to Chatsight."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from bot.domain.refusals import InvalidStreamUrl

SCHEMES = ("http", "https", "rtmp", "rtmps")
MAX_URL_LENGTH = 2048
_URL_IN_TEXT = re.compile(r"(?:https?|rtmps?)://[^\s<>\"'`|]+", re.IGNORECASE)


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
    """Stream URLs in free text, in order, without duplicates or trailing punctuation."""
    found: dict[str, None] = {}
    for match in _URL_IN_TEXT.finditer(text):
        url = match.group(0).rstrip(".,;:!?)]}>*_~")
        try:
            found.setdefault(validate_stream_url(url), None)
        except InvalidStreamUrl:
            continue
    return list(found)


def names_a_playlist(url: str) -> bool:
    """An HLS playlist by its path (``….m3u8``): the only URLs worth fetching to pick a rendition.

    Anything else goes to Chatsight untouched, without a server-side request of ours.
    """
    try:
        path = urlsplit(url).path
    except ValueError:
        return False
    return path.lower().endswith(".m3u8")
