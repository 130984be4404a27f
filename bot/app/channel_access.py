"""What the bot needs in a channel it posts results or alerts in, checked before it promises to.

View Channel, Send Messages and Embed Links to post its embeds; and Read Message History, to find
what it posted before an outage (Discord recalls a message nonce for a few minutes only, and
without that permission answers the channel's history with an empty list), so that a result is
never posted twice (bot/delivery/poster.py). ``/tag`` checks the channel it is used in;
``/chatsight-config`` the channel it is given. In a thread, and in a forum (whose posts are
threads), Send Messages has no effect: Send Messages in Threads does (docs/discord-notes.md,
Channels).
"""

from __future__ import annotations

import discord

from bot.domain.refusals import MissingChannelPermissions

POSTING = ("view_channel", "send_messages", "embed_links", "read_message_history")
POSTING_IN_THREADS = (
    "view_channel",
    "send_messages_in_threads",
    "embed_links",
    "read_message_history",
)


def threaded(channel: object) -> bool:
    """Whether the bot posts there in threads: a thread, or a forum's posts."""
    return isinstance(channel, discord.Thread | discord.ForumChannel)


def require_posting(
    permissions: discord.Permissions, channel_id: int | None = None, *, in_threads: bool = False
) -> None:
    """MissingChannelPermissions naming each of ``POSTING`` (``POSTING_IN_THREADS``) that
    ``permissions`` lacks; ``channel_id``: the channel named, when it is not the one the command
    was used in."""
    needed = POSTING_IN_THREADS if in_threads else POSTING
    missing = tuple(name for name in needed if not getattr(permissions, name))
    if missing:
        raise MissingChannelPermissions(missing, channel_id)


def require_posting_here(interaction: discord.Interaction) -> None:
    """The same for the channel a command was used in, by the permissions Discord sent."""
    require_posting(interaction.app_permissions, in_threads=threaded(interaction.channel))


def require_posting_in(channel: discord.abc.GuildChannel | discord.Thread) -> None:
    """The same for a channel given to a command, by the bot's permissions in it as cached."""
    permissions = channel.permissions_for(channel.guild.me)
    require_posting(permissions, channel.id, in_threads=threaded(channel))


def require_posting_for_results(
    interaction: discord.Interaction, results_channel_id: int | None
) -> None:
    """The same where an automatic result goes: the server's results channel when one is set
    and still there (bot/delivery/routing.py), else a reply in the channel used."""
    guild = interaction.guild
    channel = None
    if guild is not None and results_channel_id is not None:
        channel = guild.get_channel_or_thread(results_channel_id)
    if channel is None or channel.id == interaction.channel_id:
        require_posting_here(interaction)
    else:
        require_posting_in(channel)
