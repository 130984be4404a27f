"""The undocumented-tag radar as moderators see it: each tag with its count and an Adopt button.

Buttons carry stable custom ids (``chatsight:radar:<tag>``); cogs/radar.py registers a
DynamicItem template for them, so a list shown before a restart still adopts after it.
"""

from __future__ import annotations

from collections.abc import Sequence

import discord

from bot.domain.radar import RadarEntry
from bot.rendering.results import DESCRIPTION_LIMIT, clip, fit, safe

RADAR_ID = "chatsight:radar:{tag}"
RADAR_TITLE = "Undocumented-tag radar"
CUSTOM_ID_LIMIT = 100
LABEL_LIMIT = 80
PER_ROW = 5


def radar_id(tag: str) -> str | None:
    """The Adopt button's custom id; None for a tag too long to fit one."""
    custom_id = RADAR_ID.format(tag=tag)
    return custom_id if len(custom_id) <= CUSTOM_ID_LIMIT else None


def radar_embed(entries: Sequence[RadarEntry]) -> discord.Embed:
    embed = discord.Embed(title=RADAR_TITLE, colour=discord.Colour.orange())
    if not entries:
        embed.description = (
            "No tag outside Chatsight's published list has been heard here, or every one is an"
            " alert tag already."
        )
        return embed
    lines = [
        f"**{safe(entry.tag)}**: {entry.sessions} session{'s' if entry.sessions != 1 else ''},"
        f" last <t:{entry.last_heard_ms // 1000}:R>"
        for entry in entries
    ]
    embed.description = clip(
        "Heard here, but not in Chatsight's published list. Adopt one to raise an alert when it"
        " is heard again.\n\n" + "\n".join(lines),
        DESCRIPTION_LIMIT,
    )
    return fit(embed)


def radar_view(entries: Sequence[RadarEntry]) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    for index, entry in enumerate(entries):
        custom_id = radar_id(entry.tag)
        if custom_id is None:
            continue
        view.add_item(
            discord.ui.Button(
                label=clip(f"Adopt {entry.tag}", LABEL_LIMIT),
                style=discord.ButtonStyle.secondary,
                custom_id=custom_id,
                row=index // PER_ROW,
            )
        )
    return view


def adopted_text(tag: str, alert_tags: Sequence[str]) -> str:
    return (
        f"**{safe(tag)}** now raises an alert. Alert tags: "
        + ", ".join(safe(t) for t in alert_tags)
        + "."
    )
