"""What a result shows about the stream itself: who streams, under what title, and a picture.

Two sources know it. The platform, through streamlink's metadata, for a stream page resolved at
each session (current: a title changes during a stream). The announcement that linked it, whose
embed a notifier or Discord's link preview fills in (author, title, thumbnail), the only source
of a picture. The platform's streamer and title win; the announcement's fill in what it lacks.

Both are outside text: each value is trimmed and capped here, and a picture is kept only as an
http(s) address, so what is stored can always be shown.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from bot.domain.plain_text import without_controls

# Discord's embed limits (docs/discord-notes.md): an author's name 256 characters, a title 256.
NAME_LIMIT = 256
TITLE_LIMIT = 256
IMAGE_URL_LIMIT = 2048


def _text(value: object, limit: int) -> str | None:
    if not isinstance(value, str):
        return None
    text = without_controls(" ".join(value.split()))
    return text[:limit] or None


def _image(value: object) -> str | None:
    if not isinstance(value, str) or len(value) > IMAGE_URL_LIMIT:
        return None
    try:
        parts = urlsplit(value.strip())
    except ValueError:
        return None
    return value.strip() if parts.scheme in ("http", "https") and parts.hostname else None


@dataclass(frozen=True, slots=True)
class StreamDetails:
    streamer: str | None = None
    title: str | None = None
    thumbnail_url: str | None = None
    # The game or category an announcement named (announced.py); platforms' pages do not.
    category: str | None = None

    @classmethod
    def of(
        cls, streamer: object, title: object, thumbnail_url: object = None, category: object = None
    ) -> StreamDetails:
        """From outside values of any type: blank, overlong or non-http(s) parts are dropped."""
        return cls(
            _text(streamer, NAME_LIMIT),
            _text(title, TITLE_LIMIT),
            _image(thumbnail_url),
            _text(category, NAME_LIMIT),
        )

    def over(self, other: StreamDetails) -> StreamDetails:
        """These details, with ``other``'s filling each part these lack."""
        return StreamDetails(
            self.streamer or other.streamer,
            self.title or other.title,
            self.thumbnail_url or other.thumbnail_url,
            self.category or other.category,
        )

    def __bool__(self) -> bool:
        return bool(self.streamer or self.title or self.thumbnail_url or self.category)


NO_DETAILS = StreamDetails()
