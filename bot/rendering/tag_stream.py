"""The "Tag stream" menu's private answer: what it did with each stream the message links."""

from __future__ import annotations


def tag_stream_text(started: int, waiting: int, recent: int) -> str:
    if not (started or waiting or recent):
        return "I found no stream URL in that message."
    parts = []
    if started:
        parts.append(f"Tagging {started} stream(s); results will reply to that message.")
    if waiting:
        parts.append(
            f"{waiting} stream(s) wait for a free slot: this server runs its most sessions at once."
        )
    if recent:
        parts.append(f"{recent} stream(s) were tagged here recently, so not again yet.")
    return " ".join(parts)
