"""Moderator alerts: the alert in the server's alerts channel, its Acknowledge button, the mark
of who acknowledged it, and the one re-ping.

Public posts, worded in their server's language; an alert edited later (samples coming in, an
acknowledgement) keeps it. The Acknowledge button's custom id (``chatsight:ack:<convoId>``) is
stable: cogs/alerts.py registers a DynamicItem template for it, so it works after a restart. The
bot knows its alerts again by title and footer in any language (``results.in_every_language``).
"""

from __future__ import annotations

import discord

from bot.domain.alert_policy import AlertDecision, SustainedSignal
from bot.domain.records import SessionRecord
from bot.domain.server_records import AlertRecord
from bot.language.catalogue import Words
from bot.rendering.failure_reasons import failure_reason
from bot.rendering.results import (
    FIELD_VALUE_LIMIT,
    clip,
    fit,
    in_every_language,
    jump_url,
    safe,
    shown_session,
    tag_list,
)

ACK_ID = "chatsight:ack:{convo_id}"


def _reasons(decision: AlertDecision, words: Words) -> str:
    """Why it alerts, each reason a whole phrase, joined two at a time as the language joins
    them ("a and b and c")."""
    found = []
    if decision.matched_tags:
        found.append(words("results.alert.reason.flagged"))
    if decision.undocumented:
        found.append(words("results.alert.reason.undocumented"))
    if decision.error:
        found.append(words("results.alert.reason.error"))
    if decision.mismatch:
        found.append(words("results.alert.reason.mismatch", announced=decision.mismatch))
    joined = found[0] if found else ""
    for reason in found[1:]:
        joined = words("results.alert.reasons_and", before=joined, after=reason)
    return joined


def alert_embed(
    session: SessionRecord,
    decision: AlertDecision,
    *,
    result_url: str | None,
    words: Words,
    heard: SustainedSignal | None = None,
) -> discord.Embed:
    """``heard``: a followed stream's alert says how often, and is edited as samples come in."""
    reasons = _reasons(decision, words)
    embed = discord.Embed(
        title=words("results.alert.title"),
        description=words("results.alert.description", reasons=reasons),
        colour=discord.Colour.orange(),
    )
    if heard is not None:
        embed.description = words(
            "results.alert.description_heard",
            reasons=reasons,
            hits=heard.hits,
            samples=heard.samples,
            time=f"<t:{heard.latest_at_ms // 1000}:t>",
        )
    if decision.matched_tags:
        flagged = ", ".join(f"**{safe(tag)}**" for tag in decision.matched_tags)
        embed.add_field(
            name=words("results.alert.field.flagged"),
            value=clip(flagged, FIELD_VALUE_LIMIT),
            inline=False,
        )
    if session.result is not None:
        embed.add_field(
            name=words("results.alert.field.all_tags"),
            value=tag_list(session.result.tags, words=words),
            inline=False,
        )
    if decision.error:
        embed.add_field(
            name=words("results.alert.field.error"),
            value=clip(safe(failure_reason(decision.error, "", words=words)), FIELD_VALUE_LIMIT),
        )
    if decision.mismatch:
        embed.add_field(
            name=words("results.alert.field.announced"),
            value=clip(safe(decision.mismatch), FIELD_VALUE_LIMIT),
        )
    embed.add_field(
        name=words("results.field.stream"), value=clip(safe(session.stream_url), FIELD_VALUE_LIMIT)
    )
    links = []
    asked = session.origin
    if asked.message_id is not None and asked.channel_id is not None:
        origin = jump_url(asked.guild_id, asked.channel_id, asked.message_id)
        links.append(words("results.alert.link.announcement", url=origin))
    if result_url:
        links.append(words("results.alert.link.result", url=result_url))
    if links:
        embed.add_field(name=words("results.alert.field.links"), value=" · ".join(links))
    embed.set_footer(text=words("results.footer.session", convo_id=session.convo_id))
    return fit(embed)


def alert_session(embed: discord.Embed) -> str | None:
    """The session one of our alerts is about, by its footer; else None."""
    return shown_session(embed, in_every_language("results.alert.title"))


def reping_embed(alert: AlertRecord, minutes: int, *, words: Words) -> discord.Embed:
    """The one re-ping: a new message, since an edit notifies nobody."""
    url = jump_url(alert.guild_id, alert.channel_id, alert.message_id or 0)
    embed = discord.Embed(
        title=words("results.reping.title"),
        description=words("results.reping.description", url=url, minutes=minutes),
        colour=discord.Colour.orange(),
    )
    embed.set_footer(text=words("results.footer.session", convo_id=alert.convo_id))
    return embed


def reping_session(embed: discord.Embed) -> str | None:
    """The alert one of our re-pings is about, by its footer; else None."""
    return shown_session(embed, in_every_language("results.reping.title"))


def acknowledged_embed(embed: discord.Embed, alert: AlertRecord, *, words: Words) -> discord.Embed:
    """The alert as posted, marked with who acknowledged it and when."""
    when = (alert.acknowledged_at_ms or 0) // 1000
    marked = embed.copy()
    marked.add_field(
        name=words("results.alert.field.acknowledged"),
        value=words(
            "results.alert.acknowledged_by",
            member=f"<@{alert.acknowledged_by}>",
            when=f"<t:{when}:R>",
        ),
        inline=False,
    )
    marked.colour = discord.Colour.dark_grey()
    return fit(marked)


def alert_view(session: SessionRecord, *, acknowledged: bool, words: Words) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    label = (
        "results.alert.button.acknowledged" if acknowledged else "results.alert.button.acknowledge"
    )
    view.add_item(
        discord.ui.Button(
            label=words(label),
            style=discord.ButtonStyle.secondary if acknowledged else discord.ButtonStyle.primary,
            custom_id=ACK_ID.format(convo_id=session.convo_id),
            disabled=acknowledged,
        )
    )
    if session.stream_url.lower().startswith(("http://", "https://")):
        view.add_item(
            discord.ui.Button(
                label=words("results.alert.button.open_stream"), url=session.stream_url[:512]
            )
        )
    return view
