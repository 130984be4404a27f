"""One error policy for every slash command (the command tree's ``on_error``).

Known failures (a refusal, a missing permission, Chatsight's error, the database unavailable)
become a short private answer in the member's language; anything else becomes
"something went wrong" with a reference that is also logged, with the traceback, so an operator
can find it.
"""

from __future__ import annotations

import logging
import secrets

import discord
from discord import app_commands

from bot.domain.refusals import Refusal
from bot.errors import ChatsightBotError
from bot.language.catalogue import Words, words_for
from bot.rendering.refusals import permission_names, refusal_text
from bot.server.following import FollowNotSampled
from bot.store.base import StoreUnavailable

log = logging.getLogger(__name__)


async def reply_privately(interaction: discord.Interaction, text: str) -> None:
    """Answer first if nothing was sent yet, else follow up; a public "thinking…" is removed."""
    if not interaction.response.is_done():
        await interaction.response.send_message(text, ephemeral=True)
        return
    if interaction.response.type is discord.InteractionResponseType.deferred_channel_message:
        try:
            await interaction.delete_original_response()
        except discord.HTTPException:
            log.debug("could not remove the deferred answer", exc_info=True)
    await interaction.followup.send(text, ephemeral=True)


class NotAServerManager(app_commands.CheckFailure):
    """A check failure that names the permission as Discord's server settings do, "Manage
    Server", rather than the API's ``manage_guild`` (the configuration group and its buttons)."""


def explain(error: Exception, *, words: Words) -> str | None:
    """The words for a failure we expect, or None for a bug. A ``ChatsightBotError`` keeps its
    own message: it words what Chatsight or the operator's setup said, in English."""
    if isinstance(error, app_commands.CommandInvokeError):
        error = error.original
    if isinstance(error, Refusal):
        return refusal_text(error, words=words)
    if isinstance(error, ChatsightBotError):
        return error.user_message
    if isinstance(error, FollowNotSampled):  # stored: trying again would follow it twice
        return words("cogs.tree.follow_not_sampled")
    if isinstance(error, StoreUnavailable):
        return words("cogs.tree.store_unavailable")
    if isinstance(error, NotAServerManager):
        return words("cogs.tree.not_a_server_manager")
    if isinstance(error, app_commands.MissingPermissions):
        names = permission_names(error.missing_permissions, words=words)
        return words("cogs.tree.member_lacks_permissions", permissions=names)
    if isinstance(error, app_commands.BotMissingPermissions):
        names = permission_names(error.missing_permissions, words=words)
        return words("cogs.tree.bot_lacks_permissions", permissions=names)
    if isinstance(error, app_commands.NoPrivateMessage):
        return words("cogs.tree.server_only")
    if isinstance(error, app_commands.CheckFailure):
        return words("cogs.tree.not_here")
    return None


async def answer_failure(interaction: discord.Interaction, error: Exception) -> bool:
    """Answer an expected failure privately, in the member's language; False for a bug, which
    the caller raises or logs. For the tree and for the buttons, whose callbacks discord.py
    only logs, leaving the clicker with "This interaction failed"."""
    text = explain(error, words=words_for(interaction.locale))
    if text is None:
        return False
    await reply_privately(interaction, text)
    return True


class ChatsightTree(app_commands.CommandTree[discord.Client]):
    async def on_error(
        self, interaction: discord.Interaction, error: app_commands.AppCommandError
    ) -> None:
        words = words_for(interaction.locale)
        text = explain(error, words=words)
        command = interaction.command.qualified_name if interaction.command else "?"
        original = getattr(error, "original", error)
        if isinstance(original, StoreUnavailable):
            # The database's state, not a bug: one line without a traceback.
            log.warning("/%s not saved: %s", command, original)
        if text is None:
            reference = secrets.token_hex(3).upper()
            log.error("/%s failed (reference %s)", command, reference, exc_info=original)
            text = words("cogs.tree.unexpected", reference=reference)
        try:
            await reply_privately(interaction, text)
        except discord.HTTPException:
            log.warning("could not tell the user about an error", exc_info=True)
