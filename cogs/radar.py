"""The Adopt buttons of ``/chatsight-config alerts radar`` (the command is in cogs/config.py).

A DynamicItem template matched on custom ids (``bot/rendering/radar.py``), registered at start-up,
so a radar shown before a restart still adopts after it. A button is not covered by the
configuration group's permission check, so the click checks Manage Server itself.
"""

from __future__ import annotations

import re
from typing import Any

import discord

from bot.app.chatsight_bot import ChatsightBot
from bot.app.tree import NotAServerManager, answer_failure
from bot.language.catalogue import words_for
from bot.rendering.radar import RADAR_ID, adopted_text, radar_embed, radar_view


class AdoptTagButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"chatsight:radar:(?P<tag>.+)"
):
    def __init__(self, tag: str) -> None:
        super().__init__(discord.ui.Button(label=tag, custom_id=RADAR_ID.format(tag=tag)))
        self.tag = tag

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str]
    ) -> AdoptTagButton:
        return cls(match["tag"])

    async def callback(self, interaction: discord.Interaction) -> None:
        """discord.py only logs what a button callback raises; an expected refusal is answered
        privately instead, in the tree's words."""
        try:
            await self._adopt(interaction)
        except Exception as error:
            if not await answer_failure(interaction, error):
                raise

    async def _adopt(self, interaction: discord.Interaction) -> None:
        if not interaction.permissions.manage_guild:
            raise NotAServerManager()
        assert interaction.guild_id is not None
        client = interaction.client
        assert isinstance(client, ChatsightBot)
        settings = await client.radar.adopt(interaction.guild_id, self.tag)
        entries = await client.radar.heard(interaction.guild_id)
        words = words_for(interaction.locale)
        await interaction.response.edit_message(
            content=adopted_text(self.tag, settings.alert_tags, words=words),
            embed=radar_embed(entries, words=words),
            view=radar_view(entries, words=words),
        )


async def setup(bot: ChatsightBot) -> None:
    bot.add_dynamic_items(AdoptTagButton)
