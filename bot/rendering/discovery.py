"""What a member sees when finding their way: ``/chatsight help``, the choices offered while typing
a session or alert tags, and ``/chatsight follows`` with its stop buttons.

Choices are plain text (Discord offers at most 25, shows a choice's name as it is, 1 to 100
characters, and fills the option with its value, at most 100: docs/discord-notes.md), so
sessions are named by how long ago they started, what they found and which stream, rather than
by their convoId.
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
from bot.rendering.results import FIELD_VALUE_LIMIT, clip, fit, jump_url, safe
from bot.rendering.server import UNFOLLOW_ID, latest_stream

# A follow and its samples so far, from which its stream is shown.
Followed = tuple[Follow, Sequence[SessionRecord]]

CHOICE_LIMIT = 100
CHOICES_MAX = 25
FOLLOWS_TITLE = "Followed streams"
HELP_TITLE = "Chatsight: what you can use here"


@dataclass(frozen=True, slots=True)
class Allowed:
    """What a member may use in a channel, by their permissions there and the bot's."""

    tag_here: bool  # the bot can post here, so /tag and "Tag stream" can answer
    moderate: bool  # Manage Messages or Manage Server
    configure: bool  # Manage Server


_EVERYONE = (
    ("`/chatsight status [session]`", "a session's state; type to pick one of this channel's"),
    ("`/chatsight history`", "this channel's last sessions with their tags"),
    ("`/chatsight follows`", "the streams followed here; stop those you asked for"),
    ("`/chatsight subscribe tag:<tag>`", "be pinged when a stream here is heard with a tag"),
    ("`/chatsight unsubscribe tag:<tag>`", "no longer be pinged for it"),
    ("`/chatsight subscriptions`", "the tags you are pinged for"),
    ("`/chatsight help`", "this list"),
)
_TAGGING = (
    ("`/tag url:<stream> [seed] [follow]`", "tag a live stream; the tags reply here"),
    ('"Tag stream" (message menu)', "follow the streams a message links to"),
)
_MODERATING = (
    ("`/chatsight unfollow`", "stop every stream followed in this channel"),
    ("Stop following", "on any followed stream, not only yours"),
    ("Acknowledge", "on moderator alerts"),
)
_CONFIGURING = (
    ("`/chatsight-config …`", "show and change this server's configuration: auto-tagging, the"
     " results channel, the seed sentence, moderator alerts"),
)  # fmt: skip


def help_embed(allowed: Allowed) -> discord.Embed:
    lines = list(_TAGGING if allowed.tag_here else ()) + list(_EVERYONE)
    if allowed.moderate:
        lines += _MODERATING
    if allowed.configure:
        lines += _CONFIGURING
    embed = discord.Embed(
        title=HELP_TITLE,
        description="\n".join(f"{usage}: {what}" for usage, what in lines),
        colour=discord.Colour.blurple(),
    )
    if not allowed.tag_here:
        embed.add_field(
            name="Not in this channel",
            value='`/tag` and "Tag stream" answer only where I can post: I lack permissions here.',
            inline=False,
        )
    if not allowed.configure:
        embed.set_footer(text="Moderating needs Manage Messages; configuring, Manage Server.")
    return embed


def ago(then_ms: int, now_ms: int) -> str:
    seconds = max(0, (now_ms - then_ms) // 1000)
    for unit, size in (("d", 86_400), ("h", 3_600), ("min", 60)):
        if seconds >= size:
            return f"{seconds // size} {unit} ago"
    return "just now"


def session_name(session: SessionRecord, now_ms: int) -> str:
    """How long ago, what it found (or its state), which stream: at most 100 characters."""
    if session.state is SessionState.COMPLETED and session.result is not None:
        found = ", ".join(session.result.tags[:4]) or "no tags"
    else:
        found = session.state.value
    stream = session.stream
    named = ": ".join(part for part in (stream.streamer, stream.title) if part)
    where = named or canonical_stream_url(session.stream_url).split("://", 1)[-1]
    return clip(" · ".join((ago(session.created_at_ms, now_ms), found, where)), CHOICE_LIMIT)


def session_choices(
    sessions: Sequence[SessionRecord], typed: str, now_ms: int
) -> list[app_commands.Choice[str]]:
    """The sessions whose name or convoId holds what is typed, newest first."""
    wanted = typed.strip().lower()
    choices = []
    for session in sessions:
        name = session_name(session, now_ms)
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


def follows_embed(followed: Sequence[Followed]) -> discord.Embed:
    embed = discord.Embed(title=FOLLOWS_TITLE, colour=discord.Colour.blurple())
    if not followed:
        embed.description = "No stream is followed in this channel."
    for number, (follow, samples) in enumerate(followed, 1):
        stream = latest_stream(samples)
        named = ": ".join(part for part in (stream.streamer, stream.title) if part)
        lines = [clip(safe(named), 200)] if named else []
        lines.append(clip(safe(follow.stream_url), 300))
        asked = f"asked by <@{follow.origin.requester_id}>" if follow.origin.requester_id else ""
        lines.append(" · ".join(x for x in (f"{len(samples)} samples", asked) if x))
        if follow.timeline_channel_id and follow.timeline_message_id:
            link = jump_url(
                follow.origin.guild_id, follow.timeline_channel_id, follow.timeline_message_id
            )
            lines.append(f"[timeline]({link})")
        embed.add_field(
            name=f"{number}.", value=clip("\n".join(lines), FIELD_VALUE_LIMIT), inline=False
        )
    return fit(embed)


def follows_view(followed: Sequence[Followed], stoppable: Collection[int]) -> discord.ui.View:
    """A Stop button, numbered as in the list, for each follow in ``stoppable``; the same
    custom id as a timeline's button, so one handler stops both ways."""
    view = discord.ui.View(timeout=None)
    for number, (follow, _) in enumerate(followed, 1):
        if follow.id in stoppable:
            view.add_item(
                discord.ui.Button(
                    label=f"Stop {number}",
                    style=discord.ButtonStyle.danger,
                    custom_id=UNFOLLOW_ID.format(follow_id=follow.id),
                )
            )
    return view
