"""Which channel a thread is in, for the announcements the bot reads in threads and forum posts.

discord.py keeps active threads in its cache (GUILD_CREATE's ``threads``, THREAD_CREATE) and
drops archived ones; a message in a thread it does not hold arrives with a partial channel, whose
parent is then asked of Discord once.
"""

from __future__ import annotations

import logging

import discord

log = logging.getLogger(__name__)


async def parent_of(client: discord.Client, channel: object) -> int | None:
    """The channel ``channel`` is a thread of (a forum, for a forum post); None when it is no
    thread, or Discord cannot say."""
    if isinstance(channel, discord.Thread):
        return channel.parent_id
    if not isinstance(channel, discord.PartialMessageable) or channel.guild_id is None:
        return None
    cached = client.get_channel(channel.id)
    if cached is None:
        try:
            cached = await client.fetch_channel(channel.id)
        except discord.HTTPException as error:
            log.info("could not look up channel %s: %s", channel.id, error.text)
            return None
    return cached.parent_id if isinstance(cached, discord.Thread) else None
