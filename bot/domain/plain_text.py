"""Text from outside (Chatsight's tags, a stream page's streamer and title) as the bot keeps it.

Control characters go: none is meant to be shown, a Discord embed shows them as boxes or breaks
its line, and PostgreSQL's text cannot hold a NUL at all, so one would fail the write that
stores a result or a session.
"""

from __future__ import annotations

import re

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def without_controls(text: str) -> str:
    """Cheap on the webhook's hot path: most text has none, and ``isprintable`` says so."""
    return text if text.isprintable() else _CONTROL.sub("", text)
