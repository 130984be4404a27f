"""The undocumented-tag radar as moderators see it: each tag with its count and an Adopt button.

Buttons carry stable custom ids (``chatsight:radar:<tag>``); cogs/radar.py registers a
DynamicItem template for them, so a list shown before a restart still adopts after it.
"""

from __future__ import annotations

from collections.abc import Sequence

import discord

from bot.domain.radar import RadarEntry
from bot.language.catalogue import Words
from bot.rendering.results import DESCRIPTION_LIMIT, clip, fit, safe

RADAR_ID = "chatsight:radar:{tag}"
CUSTOM_ID_LIMIT = 100
LABEL_LIMIT = 80
PER_ROW = 5


def radar_id(tag: str) -> str | None:
    """The Adopt button's custom id; None for a tag too long to fit one."""
    custom_id = RADAR_ID.format(tag=tag)
    return custom_id if len(custom_id) <= CUSTOM_ID_LIMIT else None


def radar_embed(entries: Sequence[RadarEntry], *, words: Words) -> discord.Embed:
    embed = discord.Embed(title=words("radar.title"), colour=discord.Colour.orange())
    if not entries:
        embed.description = words("radar.empty")
        return embed
    lines = [
        words(
            "radar.entry.one" if entry.sessions == 1 else "radar.entry.other",
            tag=f"**{safe(entry.tag)}**",
            count=entry.sessions,
            when=f"<t:{entry.last_heard_ms // 1000}:R>",
        )
        for entry in entries
    ]
    embed.description = clip(
        words("radar.intro") + "\n\n" + "\n".join(lines),
        DESCRIPTION_LIMIT,
    )
    return fit(embed)


def radar_view(entries: Sequence[RadarEntry], *, words: Words) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    for index, entry in enumerate(entries):
        custom_id = radar_id(entry.tag)
        if custom_id is None:
            continue
        view.add_item(
            discord.ui.Button(
                label=clip(words("radar.adopt_button", tag=entry.tag), LABEL_LIMIT),
                style=discord.ButtonStyle.secondary,
                custom_id=custom_id,
                row=index // PER_ROW,
            )
        )
    return view


def adopted_text(tag: str, alert_tags: Sequence[str], *, words: Words) -> str:
    return words(
        "radar.adopted",
        tag=f"**{safe(tag)}**",
        alert_tags=words("radar.list_separator").join(safe(t) for t in alert_tags),
    )
