"""Finding one's way, for the commands that offer it: ``/chatsight help`` and ``follows``
(cogs/tagging.py), the choices offered while typing a session or alert tags (cogs/tagging.py,
cogs/config.py), and the follows list renewed after one of its Stop buttons (cogs/alerts.py).

Each reads the interaction into plain values, asks ``bot/server/discovery.py`` and renders with
``bot/rendering/discovery.py``.
"""

from __future__ import annotations

import discord
from discord import app_commands

from bot.app.channel_access import require_posting_here
from bot.app.chatsight_bot import ChatsightBot
from bot.domain.clock import now_ms
from bot.domain.refusals import MissingChannelPermissions
from bot.language.catalogue import words_for
from bot.rendering.discovery import (
    Allowed,
    follows_embed,
    follows_view,
    help_embed,
    session_choices,
    tag_choices,
)


def _bot(interaction: discord.Interaction) -> ChatsightBot:
    client = interaction.client
    assert isinstance(client, ChatsightBot)
    return client


def is_moderator(interaction: discord.Interaction) -> bool:
    """Who may stop any follow and acknowledge any alert in a channel."""
    return bool(interaction.permissions.manage_messages or interaction.permissions.manage_guild)


def allowed_here(interaction: discord.Interaction) -> Allowed:
    try:
        require_posting_here(interaction)
        tag_here = True
    except MissingChannelPermissions:
        tag_here = False
    return Allowed(tag_here, is_moderator(interaction), interaction.permissions.manage_guild)


def help_answer(interaction: discord.Interaction) -> discord.Embed:
    return help_embed(allowed_here(interaction), words=words_for(interaction.locale))


async def follows_answer(interaction: discord.Interaction) -> tuple[discord.Embed, discord.ui.View]:
    """The channel's followed streams, with a Stop button on each this member may stop: every
    one for a moderator, else those they asked for."""
    assert interaction.channel_id is not None
    followed = await _bot(interaction).discovery.followed_here(interaction.channel_id)
    moderator, user_id = is_moderator(interaction), interaction.user.id
    stoppable = {f.id for f, _ in followed if moderator or f.origin.requester_id == user_id}
    words = words_for(interaction.locale)
    return follows_embed(followed, words=words), follows_view(followed, stoppable, words=words)


async def recent_session_choices(
    interaction: discord.Interaction, typed: str
) -> list[app_commands.Choice[str]]:
    assert interaction.channel_id is not None
    sessions = await _bot(interaction).discovery.recent_sessions(interaction.channel_id)
    return session_choices(sessions, typed, now_ms(), words=words_for(interaction.locale))


async def alert_tag_choices(
    interaction: discord.Interaction, typed: str, *, adding: bool
) -> list[app_commands.Choice[str]]:
    """Adding: Chatsight's published tags not yet alerted on; removing: those alerted on."""
    assert interaction.guild_id is not None
    tags = await _bot(interaction).discovery.alert_tags(interaction.guild_id)
    if adding:
        return tag_choices(tags.published, typed, taken=tags.configured)
    return tag_choices(tags.configured, typed)
