"""A followed stream's timeline: one message, edited as samples come in, with its Stop following
button.

A public post, worded in its server's language, which every later edit keeps. The button's
custom id (``chatsight:unfollow:<id>``) is stable: cogs/alerts.py registers a DynamicItem
template for it, so it works after a restart. The bot knows its timelines again by title and
footer in any language (``results.in_every_language``).
"""

from __future__ import annotations

from collections.abc import Sequence

import discord
from discord.utils import escape_markdown

from bot.domain.records import SessionRecord, SessionState
from bot.domain.server_records import Follow, FollowState
from bot.domain.stream_details import NO_DETAILS, StreamDetails
from bot.language.catalogue import Words
from bot.rendering.failure_reasons import failure_reason
from bot.rendering.results import (
    DESCRIPTION_LIMIT,
    FIELD_VALUE_LIMIT,
    clip,
    counted,
    fit,
    in_every_language,
    read_back,
    safe,
    show_stream,
    state_name,
    tag_list,
)

UNFOLLOW_ID = "chatsight:unfollow:{follow_id}"


def timeline_embed(
    follow: Follow, samples: Sequence[SessionRecord], *, words: Words
) -> discord.Embed:
    lines = [_timeline_line(sample, words) for sample in samples]
    shown: list[str] = []
    budget = DESCRIPTION_LIMIT - 60
    for line in reversed(lines):
        if sum(len(x) + 1 for x in shown) + len(line) > budget:
            break
        shown.insert(0, line)
    hidden = len(lines) - len(shown)
    earlier = [counted("results.timeline.earlier", hidden, words)] if hidden else []
    embed = discord.Embed(
        title=words("results.timeline.title"),
        description="\n".join(earlier + shown) or words("results.timeline.first_sample"),
        colour=discord.Colour.blurple()
        if follow.state is FollowState.ACTIVE
        else discord.Colour.dark_grey(),
    )
    show_stream(embed, follow.stream_url, latest_stream(samples), words=words)
    if follow.state is FollowState.ACTIVE:
        status = words(
            "results.timeline.sampling",
            minutes=follow.interval_ms // 60_000,
            until=f"<t:{follow.ends_at_ms // 1000}:f>",
        )
    else:
        # Not ``safe``: the reason may name the moderator as <@id>, which an embed shows as a
        # name and never pings; defusing it would show the raw id instead.
        reason = follow.stop_reason or words(f"results.follow_state.{follow.state.value}")
        said = (
            "results.timeline.ended"
            if follow.state is FollowState.ENDED
            else "results.timeline.stopped"
        )
        status = words(said, reason=escape_markdown(reason))
    embed.add_field(
        name=words("results.timeline.field.status"),
        value=clip(status, FIELD_VALUE_LIMIT),
        inline=False,
    )
    embed.set_footer(
        text=counted("results.timeline.footer", len(samples), words, follow_id=follow.id)
    )
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
    if embed.title not in in_every_language("results.timeline.title") or not embed.footer.text:
        return None
    found = read_back(
        embed.footer.text, "results.timeline.footer.one", "results.timeline.footer.other"
    )
    return None if found is None else int(found["follow_id"])


def _timeline_line(sample: SessionRecord, words: Words) -> str:
    when = f"<t:{sample.created_at_ms // 1000}:t>"
    if sample.state is SessionState.COMPLETED and sample.result is not None:
        tags = tag_list(sample.result.tags, 300, words=words)
        return words("results.timeline.line.tags", when=when, tags=tags)
    if sample.state.awaiting:
        return words("results.timeline.line.listening", when=when)
    no_reason = words("results.timeline.no_reason")
    error = clip(safe(failure_reason(sample.error, no_reason, words=words)), 200)
    state = state_name(sample.state, words=words)
    return words("results.timeline.line.failed", when=when, state=state, error=error)


def timeline_view(follow: Follow, *, words: Words) -> discord.ui.View | None:
    if follow.state is not FollowState.ACTIVE:
        return None
    view = discord.ui.View(timeout=None)
    view.add_item(
        discord.ui.Button(
            label=words("results.timeline.button.stop"),
            style=discord.ButtonStyle.danger,
            custom_id=UNFOLLOW_ID.format(follow_id=follow.id),
        )
    )
    return view
