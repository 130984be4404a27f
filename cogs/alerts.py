"""Buttons that outlive restarts: Acknowledge on alerts, Stop following on timelines.

They are DynamicItem templates matched on custom ids (``bot.rendering.server``), registered at
start-up, so a click on a message posted before a restart still reaches its handler.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable
from typing import Any

import discord

from bot.app.chatsight_bot import ChatsightBot
from bot.app.tree import reply_privately
from bot.domain.clock import now_ms
from bot.domain.server_records import FollowState
from bot.errors import ChatsightBotError
from bot.rendering.server import (
    ACK_ID,
    UNFOLLOW_ID,
    acknowledged_embed,
    alert_view,
    timeline_embed,
    timeline_view,
)


def _bot(interaction: discord.Interaction) -> ChatsightBot:
    client = interaction.client
    assert isinstance(client, ChatsightBot)
    return client


def _is_moderator(interaction: discord.Interaction) -> bool:
    return bool(interaction.permissions.manage_messages or interaction.permissions.manage_guild)


async def _answering_errors(interaction: discord.Interaction, click: Awaitable[None]) -> None:
    """discord.py only logs what a button callback raises, leaving the clicker with "This
    interaction failed"; an expected refusal is answered privately instead."""
    try:
        await click
    except ChatsightBotError as error:
        await reply_privately(interaction, error.user_message)


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
        bot = _bot(interaction)
        settings = await bot.guild_config.get(interaction.guild_id or 0)
        has_role = settings.alert_role_id is not None and any(
            role.id == settings.alert_role_id for role in getattr(interaction.user, "roles", [])
        )
        if not (_is_moderator(interaction) or has_role):
            raise ChatsightBotError("Only moderators can acknowledge alerts.")
        first = await bot.store.acknowledge_alert(self.convo_id, interaction.user.id, now_ms())
        alert = await bot.store.get_alert(self.convo_id)
        session = await bot.store.get_session(self.convo_id)
        if alert is None or session is None or interaction.message is None:
            raise ChatsightBotError("That alert is no longer known.")
        if not first:
            # Another click won the race: the message already says who; changing it again
            # would stack a second "Acknowledged" line.
            raise ChatsightBotError(f"<@{alert.acknowledged_by}> already acknowledged this alert.")
        embed = acknowledged_embed(interaction.message.embeds[0], alert)
        await interaction.response.edit_message(
            embed=embed, view=alert_view(session, acknowledged=True)
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
        bot = _bot(interaction)
        follow = await bot.store.get_follow(self.follow_id)
        if follow is None:
            raise ChatsightBotError("That followed stream is no longer known.")
        if not (_is_moderator(interaction) or interaction.user.id == follow.requester_id):
            raise ChatsightBotError("Only moderators or the member who asked can stop this.")
        await bot.following.end(
            follow.id, FollowState.STOPPED, f"stopped by <@{interaction.user.id}>"
        )
        follow = await bot.store.get_follow(self.follow_id)
        assert follow is not None
        samples = await bot.store.follow_sessions(follow.id)
        await interaction.response.edit_message(
            embed=timeline_embed(follow, samples), view=timeline_view(follow)
        )


async def setup(bot: ChatsightBot) -> None:
    bot.add_dynamic_items(AcknowledgeButton, StopFollowingButton)
