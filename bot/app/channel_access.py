"""What the bot needs in a channel it posts results or alerts in, checked before it promises to.

View Channel, Send Messages and Embed Links to post its embeds; and Read Message History, to find
what it posted before an outage (Discord recalls a message nonce for a few minutes only, and
without that permission answers the channel's history with an empty list), so that a result is
never posted twice (bot/delivery/poster.py). ``/tag`` checks the channel it is used in;
``/chatsight-config`` the channel it is given.
"""

from __future__ import annotations

import discord

from bot.domain.refusals import MissingChannelPermissions

POSTING = ("view_channel", "send_messages", "embed_links", "read_message_history")


def require_posting(permissions: discord.Permissions, channel_id: int | None = None) -> None:
    """MissingChannelPermissions naming each of ``POSTING`` that ``permissions`` lacks;
    ``channel_id``: the channel named, when it is not the one the command was used in."""
    missing = tuple(name for name in POSTING if not getattr(permissions, name))
    if missing:
        raise MissingChannelPermissions(missing, channel_id)


def require_posting_in(channel: discord.abc.GuildChannel) -> None:
    """The same for a channel given to a command, by the bot's permissions in it as cached."""
    require_posting(channel.permissions_for(channel.guild.me), channel.id)
