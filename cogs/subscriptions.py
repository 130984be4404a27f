"""``/chatsight subscribe``, ``unsubscribe`` and ``subscriptions`` (registered in
cogs/tagging.py, which holds the ``/chatsight`` group): read the interaction, ask
``bot/server/subscriptions.py``, word the answer with ``bot/rendering/subscriptions.py``.

Every answer is private: what a member follows is theirs.
"""

from __future__ import annotations

import discord
from discord import app_commands

from bot.app.chatsight_bot import ChatsightBot
from bot.language.catalogue import words_for
from bot.rendering.discovery import tag_choices
from bot.rendering.subscriptions import subscribe_text, subscriptions_text, unsubscribe_text


def _bot(interaction: discord.Interaction) -> ChatsightBot:
    client = interaction.client
    assert isinstance(client, ChatsightBot)
    return client


def _member(interaction: discord.Interaction) -> tuple[int, int]:
    assert interaction.guild_id is not None
    return interaction.guild_id, interaction.user.id


async def subscribe_answer(interaction: discord.Interaction, tag: str) -> str:
    outcome = await _bot(interaction).subscriptions.subscribe(*_member(interaction), tag)
    return subscribe_text(tag.strip(), outcome, words=words_for(interaction.locale))


async def unsubscribe_answer(interaction: discord.Interaction, tag: str) -> str:
    was_subscribed = await _bot(interaction).subscriptions.unsubscribe(*_member(interaction), tag)
    return unsubscribe_text(tag.strip(), was_subscribed, words=words_for(interaction.locale))


async def subscriptions_answer(interaction: discord.Interaction) -> str:
    mine = await _bot(interaction).subscriptions.of_member(*_member(interaction))
    return subscriptions_text(mine.tags, mine.enabled, words=words_for(interaction.locale))


async def subscribe_choices(
    interaction: discord.Interaction, typed: str
) -> list[app_commands.Choice[str]]:
    """Chatsight's published tags the member does not follow yet."""
    bot = _bot(interaction)
    published = await bot.published_tags.tags() if bot.published_tags is not None else ()
    mine = await bot.subscriptions.of_member(*_member(interaction))
    return tag_choices(published, typed, taken=mine.tags)


async def unsubscribe_choices(
    interaction: discord.Interaction, typed: str
) -> list[app_commands.Choice[str]]:
    """The tags the member follows."""
    mine = await _bot(interaction).subscriptions.of_member(*_member(interaction))
    return tag_choices(mine.tags, typed)
