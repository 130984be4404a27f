"""``/chatsight history tag:…`` pages: the Previous/Next buttons, for the member who asked only.

The buttons are a DynamicItem template (``bot.rendering.history``), so they keep working after a
restart; each click reads the member's permissions afresh, so a channel they lost meanwhile
drops out of the next page.
"""

from __future__ import annotations

import re
from typing import Any

import discord

from bot.app.chatsight_bot import ChatsightBot
from bot.app.member_view import readable_channel_ids
from bot.app.tree import reply_privately
from bot.language.catalogue import words_for
from bot.rendering.history import (
    HISTORY_ID,
    HISTORY_TEMPLATE,
    history_view,
    tag_history_embed,
)


async def history_page(
    interaction: discord.Interaction, tag: str, page: int
) -> tuple[discord.Embed, discord.ui.View]:
    """The page as the member who clicked or asked may see it."""
    client = interaction.client
    assert isinstance(client, ChatsightBot) and interaction.guild_id is not None
    member, guild = interaction.user, interaction.guild
    readable = []
    if guild is not None and isinstance(member, discord.Member):
        readable = readable_channel_ids(guild, member)
    found = await client.history.page(interaction.guild_id, tag, readable, page)
    words = words_for(interaction.locale)
    embed = tag_history_embed(found.tag, found.sessions, page, has_next=found.has_next, words=words)
    view = history_view(member.id, found.tag, page, has_next=found.has_next, words=words)
    return embed, view


class HistoryPageButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=HISTORY_TEMPLATE):
    def __init__(self, user_id: int, page: int, tag: str) -> None:
        custom_id = HISTORY_ID.format(user_id=user_id, page=page, tag=tag)
        super().__init__(discord.ui.Button(label="Page", custom_id=custom_id))
        self.user_id, self.page, self.tag = user_id, page, tag

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str]
    ) -> HistoryPageButton:
        return cls(int(match["user"]), int(match["page"]), match["tag"])

    async def callback(self, interaction: discord.Interaction) -> None:
        if interaction.user.id != self.user_id:
            words = words_for(interaction.locale)
            await reply_privately(interaction, words("cogs.history.not_yours"))
            return
        embed, view = await history_page(interaction, self.tag, self.page)
        await interaction.response.edit_message(embed=embed, view=view)


async def setup(bot: ChatsightBot) -> None:
    bot.add_dynamic_items(HistoryPageButton)
