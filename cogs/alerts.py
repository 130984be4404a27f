"""Buttons that outlive restarts: Acknowledge on alerts, Stop following on timelines (and in
``/chatsight follows``).

They are DynamicItem templates matched on custom ids (``bot.rendering.alerts`` and
``bot.rendering.timelines``), registered at start-up, so a click on a message posted before a
restart still reaches its handler.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable
from typing import Any

import discord

from bot.app.chatsight_bot import ChatsightBot
from bot.app.tree import answer_failure
from bot.language.catalogue import words_for
from bot.rendering.alerts import ACK_ID, acknowledged_embed, alert_view
from bot.rendering.discovery import follows_titles
from bot.rendering.timelines import UNFOLLOW_ID
from cogs.discovery import follows_answer, is_moderator


def _bot(interaction: discord.Interaction) -> ChatsightBot:
    client = interaction.client
    assert isinstance(client, ChatsightBot)
    return client


async def _answering_errors(interaction: discord.Interaction, click: Awaitable[None]) -> None:
    """discord.py only logs what a button callback raises, leaving the clicker with "This
    interaction failed"; an expected refusal is answered privately instead, in the tree's
    words."""
    try:
        await click
    except Exception as error:
        if not await answer_failure(interaction, error):
            raise


class AcknowledgeButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"chatsight:ack:(?P<convo>[0-9a-f-]{36})",
):
    def __init__(self, convo_id: str) -> None:
        super().__init__(
            discord.ui.Button(label="Acknowledge", custom_id=ACK_ID.format(convo_id=convo_id))
        )
        self.convo_id = convo_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str]
    ) -> AcknowledgeButton:
        return cls(match["convo"])

    async def callback(self, interaction: discord.Interaction) -> None:
        await _answering_errors(interaction, self._acknowledge(interaction))

    async def _acknowledge(self, interaction: discord.Interaction) -> None:
        assert interaction.guild_id is not None and interaction.message is not None
        done = await _bot(interaction).acknowledgement.acknowledge(
            interaction.guild_id,
            self.convo_id,
            interaction.user.id,
            moderator=is_moderator(interaction),
            role_ids=[role.id for role in getattr(interaction.user, "roles", [])],
        )
        # The embed the moderators saw, marked: a fresh render could differ from it. A public
        # post, so in the server's language, as it was posted.
        words = words_for(interaction.guild_locale)
        embed = acknowledged_embed(interaction.message.embeds[0], done.alert, words=words)
        await interaction.response.edit_message(
            embed=embed, view=alert_view(done.session, acknowledged=True, words=words)
        )


class StopFollowingButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"chatsight:unfollow:(?P<id>\d+)"
):
    def __init__(self, follow_id: int) -> None:
        super().__init__(
            discord.ui.Button(
                label="Stop following", custom_id=UNFOLLOW_ID.format(follow_id=follow_id)
            )
        )
        self.follow_id = follow_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str]
    ) -> StopFollowingButton:
        return cls(int(match["id"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        await _answering_errors(interaction, self._stop(interaction))

    async def _stop(self, interaction: discord.Interaction) -> None:
        await _bot(interaction).following.stop(
            self.follow_id, interaction.user.id, moderator=is_moderator(interaction)
        )
        # The stop edited the timeline itself, as every stop does: a click there is only
        # answered; one in /chatsight follows renews that list.
        message = interaction.message
        if message is not None and any(e.title in follows_titles() for e in message.embeds):
            embed, view = await follows_answer(interaction)
            await interaction.response.edit_message(embed=embed, view=view)
            return
        await interaction.response.defer()


async def setup(bot: ChatsightBot) -> None:
    bot.add_dynamic_items(AcknowledgeButton, StopFollowingButton)
