"""One error policy for every slash command (the command tree's ``on_error``).

Known failures become a short private answer; anything else becomes "something went wrong" with a
reference that is also logged, with the traceback, so an operator can find it.
"""

from __future__ import annotations

import logging
import secrets

import discord
from discord import app_commands

from bot.domain.refusals import Refusal
from bot.errors import ChatsightBotError
from bot.rendering.refusals import permission_names, refusal_text

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


def explain(error: Exception) -> str | None:
    """The words for a failure we expect, or None for a bug."""
    if isinstance(error, app_commands.CommandInvokeError):
        error = error.original
    if isinstance(error, Refusal):
        return refusal_text(error)
    if isinstance(error, ChatsightBotError):
        return error.user_message
    if isinstance(error, app_commands.MissingPermissions):
        return f"You need the {permission_names(error.missing_permissions)} permission."
    if isinstance(error, app_commands.BotMissingPermissions):
        return f"I need the {permission_names(error.missing_permissions)} permission here."
    if isinstance(error, app_commands.NoPrivateMessage):
        return "This command only works in a server."
    if isinstance(error, app_commands.CheckFailure):
        return "You can't use this command here."
    return None


class ChatsightTree(app_commands.CommandTree[discord.Client]):
    async def on_error(
        self, interaction: discord.Interaction, error: app_commands.AppCommandError
    ) -> None:
        text = explain(error)
        if text is None:
            reference = secrets.token_hex(3).upper()
            command = interaction.command.qualified_name if interaction.command else "?"
            original = getattr(error, "original", error)
            log.error("/%s failed (reference %s)", command, reference, exc_info=original)
            text = f"Something went wrong (reference {reference}). It has been logged."
        try:
            await reply_privately(interaction, text)
        except discord.HTTPException:
            log.warning("could not tell the user about an error", exc_info=True)
