"""Which sessions' results a reader sees in the emulator's channels, and how often: the one
count that says lost or doubled, shared by tests/scale and the soak run. A result's embed is
titled "Stream tags" and names its session in its footer (``Session <convoId>``)."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

from standins.discord import DiscordEmulator

RESULT_TITLE = "Stream tags"
SESSION_IN_FOOTER = re.compile(r"Session ([0-9a-f-]{36})")


def shown_in(emu: DiscordEmulator, channel: int) -> Counter[str]:
    """How often each session's result shows in ``channel`` (packed embeds count one each)."""
    seen: Counter[str] = Counter()
    for message in emu.messages(channel, include_ephemeral=False):
        for embed in message.data.get("embeds", []):
            footer = SESSION_IN_FOOTER.search((embed.get("footer") or {}).get("text", ""))
            if embed.get("title") == RESULT_TITLE and footer:
                seen[footer.group(1)] += 1
    return seen


def shown_anywhere(emu: DiscordEmulator, channels: Iterable[int]) -> Counter[str]:
    """How often each session's result shows, summed over ``channels``."""
    total: Counter[str] = Counter()
    for channel in channels:
        total.update(shown_in(emu, channel))
    return total
