"""Embeds and buttons for server features: alerts, followed-stream timelines, configuration.

Buttons carry stable custom ids (``chatsight:ack:<convoId>``, ``chatsight:unfollow:<id>``); the
cogs register DynamicItem templates for them, so they keep working after a restart.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import discord
from discord.utils import escape_markdown

from bot.domain.alert_policy import AlertDecision, SustainedSignal
from bot.domain.config_health import ConfigProblem
from bot.domain.records import SessionRecord, SessionState
from bot.domain.server_records import AlertRecord, Follow, FollowState, GuildSettings
from bot.domain.stream_details import NO_DETAILS, StreamDetails
from bot.rendering.config_health import degraded_value
from bot.rendering.results import (
    DESCRIPTION_LIMIT,
    FIELD_VALUE_LIMIT,
    clip,
    fit,
    jump_url,
    safe,
    show_stream,
    shown_session,
    tag_list,
)

ACK_ID = "chatsight:ack:{convo_id}"
UNFOLLOW_ID = "chatsight:unfollow:{follow_id}"
ALERT_TITLE = "Moderator alert"
REPING_TITLE = "Moderator alert still unacknowledged"
TIMELINE_TITLE = "Following stream"
TIMELINE_FOOTER = re.compile(r"Follow (\d+) ·")


def alert_embed(
    session: SessionRecord,
    decision: AlertDecision,
    *,
    result_url: str | None,
    heard: SustainedSignal | None = None,
) -> discord.Embed:
    """``heard``: a followed stream's alert says how often, and is edited as samples come in."""
    embed = discord.Embed(
        title=ALERT_TITLE,
        description="This stream's result has " + " and ".join(decision.reasons) + ".",
        colour=discord.Colour.orange(),
    )
    if heard is not None:
        embed.description = (
            "This followed stream's results have "
            + " and ".join(decision.reasons)
            + f": in {heard.hits} of the last {heard.samples} samples,"
            + f" latest at <t:{heard.latest_at_ms // 1000}:t>."
        )
    if decision.matched_tags:
        flagged = ", ".join(f"**{safe(tag)}**" for tag in decision.matched_tags)
        embed.add_field(name="Flagged tags", value=clip(flagged, FIELD_VALUE_LIMIT), inline=False)
    if session.result is not None:
        embed.add_field(name="All tags", value=tag_list(session.result.tags), inline=False)
    if decision.error:
        embed.add_field(name="Error", value=clip(safe(decision.error), FIELD_VALUE_LIMIT))
    if decision.mismatch:
        embed.add_field(name="Announced as", value=clip(safe(decision.mismatch), FIELD_VALUE_LIMIT))
    embed.add_field(name="Stream", value=clip(safe(session.stream_url), FIELD_VALUE_LIMIT))
    links = []
    asked = session.origin
    if asked.message_id is not None and asked.channel_id is not None:
        origin = jump_url(asked.guild_id, asked.channel_id, asked.message_id)
        links.append(f"[announcement]({origin})")
    if result_url:
        links.append(f"[result]({result_url})")
    if links:
        embed.add_field(name="Links", value=" · ".join(links))
    embed.set_footer(text=f"Session {session.convo_id}")
    return fit(embed)


def alert_session(embed: discord.Embed) -> str | None:
    """The session one of our alerts is about, by its footer; else None."""
    return shown_session(embed, (ALERT_TITLE,))


def alert_window_text(settings: GuildSettings) -> str:
    """The sustained-signal rule in force for followed streams."""
    hits = min(settings.alert_hits, settings.alert_samples)
    return f"when heard in {hits} of the last {settings.alert_samples} samples"


def expectations_text(settings: GuildSettings) -> str:
    """Each announced category with the tags expected of it."""
    return "; ".join(
        f"{safe(name)}: {', '.join(safe(tag) for tag in tags)}"
        for name, tags in settings.announced_tags
    )


def reping_embed(alert: AlertRecord, minutes: int) -> discord.Embed:
    """The one re-ping: a new message, since an edit notifies nobody."""
    url = jump_url(alert.guild_id, alert.channel_id, alert.message_id or 0)
    embed = discord.Embed(
        title=REPING_TITLE,
        description=f"Nobody has acknowledged [this alert]({url}) in {minutes} minutes.",
        colour=discord.Colour.orange(),
    )
    embed.set_footer(text=f"Session {alert.convo_id}")
    return embed


def reping_session(embed: discord.Embed) -> str | None:
    """The alert one of our re-pings is about, by its footer; else None."""
    return shown_session(embed, (REPING_TITLE,))


def acknowledged_embed(embed: discord.Embed, alert: AlertRecord) -> discord.Embed:
    """The alert as posted, marked with who acknowledged it and when."""
    when = (alert.acknowledged_at_ms or 0) // 1000
    marked = embed.copy()
    marked.add_field(
        name="Acknowledged", value=f"by <@{alert.acknowledged_by}> <t:{when}:R>", inline=False
    )
    marked.colour = discord.Colour.dark_grey()
    return fit(marked)


def alert_view(session: SessionRecord, *, acknowledged: bool) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    view.add_item(
        discord.ui.Button(
            label="Acknowledged" if acknowledged else "Acknowledge",
            style=discord.ButtonStyle.secondary if acknowledged else discord.ButtonStyle.primary,
            custom_id=ACK_ID.format(convo_id=session.convo_id),
            disabled=acknowledged,
        )
    )
    if session.stream_url.lower().startswith(("http://", "https://")):
        view.add_item(discord.ui.Button(label="Open stream", url=session.stream_url[:512]))
    return view


def timeline_embed(follow: Follow, samples: Sequence[SessionRecord]) -> discord.Embed:
    lines = [_timeline_line(sample) for sample in samples]
    shown: list[str] = []
    budget = DESCRIPTION_LIMIT - 60
    for line in reversed(lines):
        if sum(len(x) + 1 for x in shown) + len(line) > budget:
            break
        shown.insert(0, line)
    hidden = len(lines) - len(shown)
    description = ([f"… {hidden} earlier samples"] if hidden else []) + shown
    embed = discord.Embed(
        title=TIMELINE_TITLE,
        description="\n".join(description) or "First sample under way…",
        colour=discord.Colour.blurple()
        if follow.state is FollowState.ACTIVE
        else discord.Colour.dark_grey(),
    )
    show_stream(embed, follow.stream_url, latest_stream(samples))
    if follow.state is FollowState.ACTIVE:
        minutes = follow.interval_ms // 60_000
        status = f"Sampling every {minutes} min until <t:{follow.ends_at_ms // 1000}:f>"
    else:
        # Not ``safe``: the reason may name the moderator as <@id>, which an embed shows as a
        # name and never pings; defusing it would show the raw id instead.
        said = "Ended" if follow.state is FollowState.ENDED else "Stopped"
        status = f"{said}: {escape_markdown(follow.stop_reason or follow.state.value)}"
    embed.add_field(name="Status", value=clip(status, FIELD_VALUE_LIMIT), inline=False)
    embed.set_footer(text=f"Follow {follow.id} · {len(samples)} samples")
    return fit(embed)


def latest_stream(samples: Sequence[SessionRecord]) -> StreamDetails:
    """Each part as the latest sample that knows it shows it: the page's title as it is now,
    the announcement's picture, which only the first sample was given."""
    shown = NO_DETAILS
    for sample in reversed(samples):
        shown = shown.over(sample.stream)
    return shown


def timeline_follow(embed: discord.Embed) -> int | None:
    """The follow one of our timelines shows, by its footer; else None."""
    if embed.title != TIMELINE_TITLE or not embed.footer.text:
        return None
    found = TIMELINE_FOOTER.match(embed.footer.text)
    return int(found.group(1)) if found else None


def _timeline_line(sample: SessionRecord) -> str:
    when = f"<t:{sample.created_at_ms // 1000}:t>"
    if sample.state is SessionState.COMPLETED and sample.result is not None:
        return f"{when} {tag_list(sample.result.tags, 300)}"
    if sample.state.awaiting:
        return f"{when} listening…"
    return f"{when} {sample.state.value}: {clip(safe(sample.error or 'no reason given'), 200)}"


def timeline_view(follow: Follow) -> discord.ui.View | None:
    if follow.state is not FollowState.ACTIVE:
        return None
    view = discord.ui.View(timeout=None)
    view.add_item(
        discord.ui.Button(
            label="Stop following",
            style=discord.ButtonStyle.danger,
            custom_id=UNFOLLOW_ID.format(follow_id=follow.id),
        )
    )
    return view


def config_embed(
    settings: GuildSettings,
    *,
    content_intent: bool,
    problems: Sequence[ConfigProblem] = (),
    waiting: int = 0,
) -> discord.Embed:
    """``problems``: what of it broke since (shown as degraded, never dropped);
    ``waiting``: follows waiting for a free slot under the server's cap."""

    def channel(channel_id: int | None, default: str) -> str:
        return f"<#{channel_id}>" if channel_id else default

    watched = ", ".join(f"<#{c}>" for c in settings.autotag_channel_ids) or "none"
    embed = discord.Embed(title="Chatsight configuration", colour=discord.Colour.blurple())
    embed.add_field(name="Auto-tag channels", value=clip(watched, FIELD_VALUE_LIMIT), inline=False)
    embed.add_field(name="Sample interval", value=f"{settings.autotag_interval_minutes} min")
    embed.add_field(
        name="Results", value=channel(settings.results_channel_id, "reply to the announcement")
    )
    embed.add_field(
        name="Seed sentence",
        value=clip(safe(settings.seed), FIELD_VALUE_LIMIT) if settings.seed else "none",
        inline=False,
    )
    embed.add_field(name="Alerts channel", value=channel(settings.alert_channel_id, "none (off)"))
    role = f"<@&{settings.alert_role_id}>" if settings.alert_role_id else "none"
    embed.add_field(name="Alert role", value=role)
    embed.add_field(
        name="Alert tags",
        value=clip(", ".join(safe(t) for t in settings.alert_tags) or "none", FIELD_VALUE_LIMIT),
        inline=False,
    )
    embed.add_field(
        name="Undocumented tags alert", value="on" if settings.alert_undocumented else "off"
    )
    embed.add_field(name="Session errors alert", value="on" if settings.alert_errors else "off")
    embed.add_field(name="Followed streams alert", value=alert_window_text(settings))
    embed.add_field(name="Re-ping", value=f"after {settings.alert_reping_minutes} min")
    embed.add_field(
        name="Announced categories",
        value=clip(expectations_text(settings) or "none", FIELD_VALUE_LIMIT),
        inline=False,
    )
    if waiting:
        embed.add_field(name="Waiting for a free slot", value=f"{waiting} stream(s)")
    if problems:
        embed.add_field(
            name="Degraded", value=clip(degraded_value(problems), FIELD_VALUE_LIMIT), inline=False
        )
        embed.colour = discord.Colour.orange()
    if not content_intent:
        embed.add_field(
            name="Note",
            value=(
                "Auto-tagging waits for the Message Content intent, which this bot runs without;"
                " /tag and Tag stream work. Its owner enables it in the Discord Developer Portal"
                " (Bot → Privileged Gateway Intents → Message Content Intent) and restarts it."
            ),
            inline=False,
        )
    return fit(embed)
