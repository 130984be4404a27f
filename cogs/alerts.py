"""Buttons that outlive restarts: Acknowledge on alerts, Stop following on timelines.

They are DynamicItem templates matched on custom ids (``bot.server_rendering``), registered at
start-up, so a click on a message posted before a restart still reaches its handler.
"""

from __future__ import annotations

import re
from typing import Any

import discord

from bot.app import ChatsightBot
from bot.errors import ChatsightBotError
from bot.guild_models import FollowState
from bot.server_rendering import acknowledged_embed, alert_view, timeline_embed, timeline_view
from bot.timeutil import now_ms


def _bot(interaction: discord.Interaction) -> ChatsightBot:
    client = interaction.client
    assert isinstance(client, ChatsightBot)
    return client


def _is_moderator(interaction: discord.Interaction) -> bool:
    return bool(interaction.permissions.manage_messages or interaction.permissions.manage_guild)


class AcknowledgeButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"chatsight:ack:(?P<convo>[0-9a-f-]{36})",
):
    def __init__(self, convo_id: str) -> None:
        super().__init__(
            discord.ui.Button(label="Acknowledge", custom_id=f"chatsight:ack:{convo_id}")
        )
        self.convo_id = convo_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str]
    ) -> AcknowledgeButton:
        return cls(match["convo"])

    async def callback(self, interaction: discord.Interaction) -> None:
        bot = _bot(interaction)
        settings = await bot.guild_config.get(interaction.guild_id or 0)
        has_role = settings.alert_role_id is not None and any(
            role.id == settings.alert_role_id for role in getattr(interaction.user, "roles", [])
        )
        if not (_is_moderator(interaction) or has_role):
            raise ChatsightBotError("Only moderators can acknowledge alerts.")
        await bot.store.acknowledge_alert(self.convo_id, interaction.user.id, now_ms())
        alert = await bot.store.get_alert(self.convo_id)
        session = await bot.store.get_session(self.convo_id)
        if alert is None or session is None or interaction.message is None:
            raise ChatsightBotError("That alert is no longer known.")
        embed = acknowledged_embed(interaction.message.embeds[0], alert)
        await interaction.response.edit_message(
            embed=embed, view=alert_view(session, acknowledged=True)
        )


class StopFollowingButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"chatsight:unfollow:(?P<id>\d+)"
):
    def __init__(self, follow_id: int) -> None:
        super().__init__(
            discord.ui.Button(label="Stop following", custom_id=f"chatsight:unfollow:{follow_id}")
        )
        self.follow_id = follow_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str]
    ) -> StopFollowingButton:
        return cls(int(match["id"]))

    async def callback(self, interaction: discord.Interaction) -> None:
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
