"""Records the store tests build their rows from."""

from __future__ import annotations

from bot.domain.records import Origin, SessionSource, TagRequest

STREAM = "https://streams.test/a.m3u8"


def request(convo: str, channel: int = 10, guild: int | None = 1) -> TagRequest:
    return TagRequest(convo, STREAM, SessionSource.SLASH, Origin(guild, channel))
