"""What members read about tag subscriptions: the ping, and the answers to their commands.

A ping's mentions are its content, the only place a mention pings; what was heard is its embed,
whose footer names the session, so a resend can tell the message an earlier attempt posted, in
whichever language it was posted (the server's may have changed since).
"""

from __future__ import annotations

from collections.abc import Sequence

import discord

from bot.domain.records import SessionRecord
from bot.domain.subscriptions import MAX_SUBSCRIPTIONS, SubscribeOutcome, ping_content
from bot.language.catalogue import Words
from bot.rendering.results import (
    FIELD_VALUE_LIMIT,
    clip,
    fit,
    in_every_language,
    read_back,
    safe,
    show_stream,
)


def _bold_list(tags: Sequence[str], words: Words) -> str:
    return words("subscriptions.list_separator").join(f"**{safe(tag)}**" for tag in tags)


def ping_embed(
    session: SessionRecord, tags: Sequence[str], result_url: str | None, *, words: Words
) -> discord.Embed:
    embed = discord.Embed(
        title=words("subscriptions.ping.title"),
        description=clip(
            words("subscriptions.ping.heard", tags=_bold_list(tags, words)), FIELD_VALUE_LIMIT
        ),
        colour=discord.Colour.blurple(),
    )
    show_stream(embed, session.stream_url, session.stream, words=words)
    if result_url is not None:
        embed.add_field(
            name=words("subscriptions.ping.result_name"),
            value=words("subscriptions.ping.result_link", url=result_url),
        )
    embed.set_footer(text=words("subscriptions.ping.footer", convo_id=session.convo_id))
    return fit(embed)


def shows_ping(message: discord.Message, convo_id: str, user_ids: Sequence[int]) -> bool:
    """Whether the message is this session's ping of exactly these members."""
    if message.content != ping_content(user_ids):
        return False
    return any(_pinged_session(embed) == convo_id for embed in message.embeds)


def _pinged_session(embed: discord.Embed) -> str | None:
    """The session a ping's embed names, in any language; None for any other embed."""
    if embed.title not in in_every_language("subscriptions.ping.title") or not embed.footer.text:
        return None
    found = read_back(embed.footer.text, "subscriptions.ping.footer")
    return None if found is None else found["convo_id"]


def ping_mentions(user_ids: Sequence[int]) -> discord.AllowedMentions:
    """Exactly these members, and nobody else: no role, no @everyone, no replied author."""
    return discord.AllowedMentions(
        everyone=False,
        roles=False,
        users=[discord.Object(user_id) for user_id in user_ids],
        replied_user=False,
    )


def subscribe_text(tag: str, outcome: SubscribeOutcome, *, words: Words) -> str:
    shown = f"**{safe(tag)}**"
    match outcome:
        case SubscribeOutcome.ADDED:
            return words("subscriptions.subscribed", tag=shown)
        case SubscribeOutcome.ALREADY:
            return words("subscriptions.already_subscribed", tag=shown)
        case SubscribeOutcome.FULL:
            return words("subscriptions.full", most=MAX_SUBSCRIPTIONS)


def unsubscribe_text(tag: str, was_subscribed: bool, *, words: Words) -> str:
    shown = f"**{safe(tag)}**"
    if was_subscribed:
        return words("subscriptions.unsubscribed", tag=shown)
    return words("subscriptions.not_subscribed", tag=shown)


def subscriptions_text(tags: Sequence[str], enabled: bool, *, words: Words) -> str:
    if tags:
        text = words("subscriptions.yours", tags=_bold_list(tags, words))
    else:
        text = words("subscriptions.none")
    if not enabled:
        text += "\n" + words("subscriptions.switched_off")
    return text
