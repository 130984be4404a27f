"""The privileged Message Content intent: asked for only when the application has it, and given
up when Discord refuses it all the same, so that the bot runs on without auto-tagging.

Discord allows the intent to an application with either of its two flags for it, and closes an
IDENTIFY that asks for it without them with 4014; asking again with it fails again
(docs/discord-notes.md, Privileged intents). Only auto-tagging reads other people's messages:
`/tag`, "Tag stream" and alerts come as interactions, which carry their own data.
"""

from __future__ import annotations

import asyncio
import logging

import discord

log = logging.getLogger(__name__)

HOW_TO_ENABLE = (
    "enable it for this bot in the Discord Developer Portal (Bot → Privileged Gateway Intents →"
    " Message Content Intent) and restart the bot"
)


def has_content_flag(flags: discord.ApplicationFlags) -> bool:
    """Either flag will do: the plain one, or the limited one of a bot in under 100 servers."""
    return flags.gateway_message_content or flags.gateway_message_content_limited


def waiting_line(why: str) -> str:
    """The log line that says auto-tagging waits, why, and how to end the wait."""
    return (
        f"auto-tagging waits for the Message Content intent ({why}); /tag, Tag stream and alerts"
        f" work meanwhile. To auto-tag, {HOW_TO_ENABLE}"
    )


def drop_content_intent(client: discord.Client) -> None:
    """Stop asking for the intent from the next IDENTIFY on.

    discord.py offers no public way to change a client's intents once it is built, and
    IDENTIFY sends its connection state's: that is the object changed here. The alternative,
    a new client, would lose the one whose HTTP session delivery is posting through.
    """
    client._connection._intents.message_content = False


def reconnect_without_content(client: discord.Client) -> bool:
    """After a refusal: whether to connect again, without the intent (only once it was asked
    for; any other refusal is of intents the bot still asks for, which no reconnect mends)."""
    if not client.intents.message_content:
        return False
    drop_content_intent(client)
    log.warning(
        waiting_line(
            "Discord refused it with close code 4014 although the application's flags claim it"
        )
    )
    log.warning("reconnecting to Discord without the Message Content intent")
    return True


def forget_queued_events(client: discord.AutoShardedClient) -> None:
    """Drop what the closed shards queued for ``connect()``'s loop.

    Every shard that identified with the intent was refused, and each queued its refusal (a
    shard may also have queued a reconnect) in discord.py's private queue before the loop
    handed the first one on. Left there, the next ``connect()`` would act on them: end the new
    connection for a refusal of the old one, or reconnect a shard that is gone beside its
    successor.
    """
    queue: asyncio.Queue[object] = getattr(client, "_AutoShardedClient__queue")  # noqa: B009
    while not queue.empty():
        queue.get_nowait()
