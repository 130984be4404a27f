"""The "Tag stream" menu's private answer: what it did with each stream the message links."""

from __future__ import annotations

from bot.language.catalogue import Words


def tag_stream_text(started: int, waiting: int, recent: int, *, words: Words) -> str:
    if not (started or waiting or recent):
        return words("tag_stream.no_stream_url")
    parts = []
    if started:
        parts.append(words("tag_stream.started", count=started))
    if waiting:
        parts.append(words("tag_stream.waiting", count=waiting))
    if recent:
        parts.append(words("tag_stream.recent", count=recent))
    return " ".join(parts)
