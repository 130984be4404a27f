"""What a member sees when finding their way: ``/chatsight help``, the choices offered while typing
a session or alert tags, and ``/chatsight follows`` with its stop buttons.

Choices are plain text (Discord offers at most 25, shows a choice's name as it is, 1 to 100
characters, and fills the option with its value, at most 100: docs/discord-notes.md), so
sessions are named by how long ago they started, what they found and which stream, rather than
by their convoId. Everything here answers one member, in their language; command names and
option names are Discord's and stay as they are.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass

import discord
from discord import app_commands

from bot.domain.records import SessionRecord, SessionState
from bot.domain.server_records import Follow
from bot.domain.stream_urls import canonical_stream_url
from bot.domain.tags import parse_tags
from bot.language.catalogue import Words
from bot.rendering.results import (
    FIELD_VALUE_LIMIT,
    clip,
    counted,
    fit,
    in_every_language,
    jump_url,
    safe,
    state_name,
)
from bot.rendering.timelines import UNFOLLOW_ID, latest_stream

# A follow and its samples so far, from which its stream is shown.
Followed = tuple[Follow, Sequence[SessionRecord]]

CHOICE_LIMIT = 100
CHOICES_MAX = 25


@dataclass(frozen=True, slots=True)
class Allowed:
    """What a member may use in a channel, by their permissions there and the bot's."""

    tag_here: bool  # the bot can post here, so /tag and "Tag stream" can answer
    moderate: bool  # Manage Messages or Manage Server
    configure: bool  # Manage Server


# Each line of the help, a whole entry: what to use, and what for.
_EVERYONE = ("status", "history", "follows", "subscribe", "unsubscribe", "subscriptions", "help")
_TAGGING = ("tag", "tag_stream")
_MODERATING = ("unfollow", "stop_following", "acknowledge")
_CONFIGURING = ("configure",)


def help_embed(allowed: Allowed, *, words: Words) -> discord.Embed:
    lines = list(_TAGGING if allowed.tag_here else ()) + list(_EVERYONE)
    if allowed.moderate:
        lines += _MODERATING
    if allowed.configure:
        lines += _CONFIGURING
    embed = discord.Embed(
        title=words("discovery.help.title"),
        description="\n".join(words(f"discovery.help.line.{line}") for line in lines),
        colour=discord.Colour.blurple(),
    )
    if not allowed.tag_here:
        embed.add_field(
            name=words("discovery.help.not_here.name"),
            value=words("discovery.help.not_here.value"),
            inline=False,
        )
    if not allowed.configure:
        embed.set_footer(text=words("discovery.help.footer"))
    return embed


def ago(then_ms: int, now_ms: int, *, words: Words) -> str:
    seconds = max(0, (now_ms - then_ms) // 1000)
    for unit, size in (("days", 86_400), ("hours", 3_600), ("minutes", 60)):
        if seconds >= size:
            return words(f"discovery.ago.{unit}", count=seconds // size)
    return words("discovery.ago.now")


def session_name(session: SessionRecord, now_ms: int, *, words: Words) -> str:
    """How long ago, what it found (or its state), which stream: at most 100 characters."""
    if session.state is SessionState.COMPLETED and session.result is not None:
        found = ", ".join(session.result.tags[:4]) or words("discovery.no_tags")
    else:
        found = state_name(session.state, words=words)
    stream = session.stream
    named = ": ".join(part for part in (stream.streamer, stream.title) if part)
    where = named or canonical_stream_url(session.stream_url).split("://", 1)[-1]
    when = ago(session.created_at_ms, now_ms, words=words)
    return clip(" · ".join((when, found, where)), CHOICE_LIMIT)


def session_choices(
    sessions: Sequence[SessionRecord], typed: str, now_ms: int, *, words: Words
) -> list[app_commands.Choice[str]]:
    """The sessions whose name or convoId holds what is typed, newest first."""
    wanted = typed.strip().lower()
    choices = []
    for session in sessions:
        name = session_name(session, now_ms, words=words)
        if wanted in name.lower() or session.convo_id.startswith(wanted):
            choices.append(app_commands.Choice(name=name, value=session.convo_id))
    return choices[:CHOICES_MAX]


def tag_choices(
    candidates: Sequence[str], typed: str, taken: Collection[str] = ()
) -> list[app_commands.Choice[str]]:
    """For a comma-separated list: each value is what is typed with its last part completed to a
    candidate holding it (those starting with it first), skipping tags already listed or
    ``taken``."""
    done, _, part = typed.rpartition(",")
    listed = parse_tags(done)
    skip = {tag.lower() for tag in (*listed, *taken)}
    wanted = part.strip().lower()
    matching = [t for t in candidates if wanted in t.lower() and t.lower() not in skip]
    matching.sort(key=lambda tag: not tag.lower().startswith(wanted))
    choices = []
    for tag in matching:
        value = ", ".join((*listed, tag))
        if len(value) <= CHOICE_LIMIT:
            choices.append(app_commands.Choice(name=value, value=value))
    return choices[:CHOICES_MAX]


def follows_titles() -> frozenset[str]:
    """The follows list's title in every language: a click on its Stop button
    renews the list, whichever language it was shown in."""
    return in_every_language("discovery.follows.title")


def follows_embed(followed: Sequence[Followed], *, words: Words) -> discord.Embed:
    embed = discord.Embed(title=words("discovery.follows.title"), colour=discord.Colour.blurple())
    if not followed:
        embed.description = words("discovery.follows.empty")
    for number, (follow, samples) in enumerate(followed, 1):
        stream = latest_stream(samples)
        named = ": ".join(part for part in (stream.streamer, stream.title) if part)
        lines = [clip(safe(named), 200)] if named else []
        lines.append(clip(safe(follow.stream_url), 300))
        said = [counted("discovery.follows.samples", len(samples), words)]
        if follow.origin.requester_id:
            member = f"<@{follow.origin.requester_id}>"
            said.append(words("discovery.follows.asked_by", member=member))
        lines.append(" · ".join(said))
        if follow.timeline_channel_id and follow.timeline_message_id:
            link = jump_url(
                follow.origin.guild_id, follow.timeline_channel_id, follow.timeline_message_id
            )
            lines.append(words("discovery.follows.timeline", url=link))
        embed.add_field(
            name=words("discovery.follows.number", number=number),
            value=clip("\n".join(lines), FIELD_VALUE_LIMIT),
            inline=False,
        )
    return fit(embed)


def follows_view(
    followed: Sequence[Followed], stoppable: Collection[int], *, words: Words
) -> discord.ui.View:
    """A Stop button, numbered as in the list, for each follow in ``stoppable``; the same
    custom id as a timeline's button, so one handler stops both ways."""
    view = discord.ui.View(timeout=None)
    for number, (follow, _) in enumerate(followed, 1):
        if follow.id in stoppable:
            view.add_item(
                discord.ui.Button(
                    label=words("discovery.follows.stop", number=number),
                    style=discord.ButtonStyle.danger,
                    custom_id=UNFOLLOW_ID.format(follow_id=follow.id),
                )
            )
    return view
