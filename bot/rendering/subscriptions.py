"""What members read about tag subscriptions: the ping, and the answers to their commands.

A ping's mentions are its content, the only place a mention pings; what was heard is its embed,
whose footer names the session, so a resend can tell the message an earlier attempt posted.
"""

from __future__ import annotations

from collections.abc import Sequence

import discord

from bot.domain.records import SessionRecord
from bot.domain.subscriptions import MAX_SUBSCRIPTIONS, SubscribeOutcome, ping_content
from bot.rendering.results import (
    FIELD_VALUE_LIMIT,
    clip,
    fit,
    safe,
    show_stream,
    shown_session,
)

PING_TITLE = "Subscribed tags heard"


def ping_embed(
    session: SessionRecord, tags: Sequence[str], result_url: str | None
) -> discord.Embed:
    heard = ", ".join(f"**{safe(tag)}**" for tag in tags)
    embed = discord.Embed(
        title=PING_TITLE,
        description=clip(
            f"This stream was heard with {heard}, a tag you subscribed to.", FIELD_VALUE_LIMIT
        ),
        colour=discord.Colour.blurple(),
    )
    show_stream(embed, session.stream_url, session.stream)
    if result_url is not None:
        embed.add_field(name="Result", value=f"[the tags]({result_url})")
    embed.set_footer(text=f"Session {session.convo_id} · /chatsight unsubscribe to stop")
    return fit(embed)


def shows_ping(message: discord.Message, convo_id: str, user_ids: Sequence[int]) -> bool:
    """Whether the message is this session's ping of exactly these members."""
    if message.content != ping_content(user_ids):
        return False
    return any(shown_session(embed, (PING_TITLE,)) == convo_id for embed in message.embeds)


def ping_mentions(user_ids: Sequence[int]) -> discord.AllowedMentions:
    """Exactly these members, and nobody else: no role, no @everyone, no replied author."""
    return discord.AllowedMentions(
        everyone=False,
        roles=False,
        users=[discord.Object(user_id) for user_id in user_ids],
        replied_user=False,
    )


def subscribe_text(tag: str, outcome: SubscribeOutcome) -> str:
    shown = f"**{safe(tag)}**"
    match outcome:
        case SubscribeOutcome.ADDED:
            return f"You will be pinged when a stream in this server is heard with {shown}."
        case SubscribeOutcome.ALREADY:
            return f"You are already subscribed to {shown}."
        case SubscribeOutcome.FULL:
            return (
                f"You already follow {MAX_SUBSCRIPTIONS} tags in this server, the most there can"
                " be: unsubscribe from one first."
            )


def unsubscribe_text(tag: str, was_subscribed: bool) -> str:
    shown = f"**{safe(tag)}**"
    if was_subscribed:
        return f"You will no longer be pinged for {shown}."
    return f"You were not subscribed to {shown}."


def subscriptions_text(tags: Sequence[str], enabled: bool) -> str:
    if tags:
        text = "You are subscribed to " + ", ".join(f"**{safe(tag)}**" for tag in tags) + "."
    else:
        text = "You are subscribed to no tags: `/chatsight subscribe` adds one."
    if not enabled:
        text += "\nThis server has switched subscriptions off, so nobody is pinged for now."
    return text
