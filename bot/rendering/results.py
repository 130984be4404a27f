"""Every embed the bot posts, built in one place and kept inside Discord's limits.

Limits (docs/discord-notes.md): title 256, description 4096, 25 fields, field name 256, field
value 1024, footer 2048, author name 256, all embeds of a message 6000, at most 10 embeds a
message. A long tag
list is cut with an honest "+N more" instead of being refused by Discord. Members are named with
``<@id>`` inside embeds, which shows their name and never pings.

Results are packed, several in one message, when a channel has more than one due: each embed
then links to the request it answers (its title's ``url``), since a message replies to one
message only, and keeps its footer ("Session <convoId>"), by which a member and the bot itself
(looking for what it posted before an outage) tell the results apart.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence

import discord
from discord.utils import escape_markdown, escape_mentions

from bot.domain.records import SessionRecord, SessionState
from bot.domain.stream_details import StreamDetails
from bot.domain.stream_urls import canonical_stream_url
from bot.rendering.console import UNDOCUMENTED_NOTE

FIELD_VALUE_LIMIT = 1024
TITLE_LIMIT = 256
AUTHOR_LIMIT = 256
DESCRIPTION_LIMIT = 4096
EMBED_TOTAL_LIMIT = 6000
EMBEDS_PER_MESSAGE = 10
TAGS_TITLE = "Stream tags"
RESULT_TITLES = frozenset({TAGS_TITLE, "Tagging failed", "Tagging expired"})
SESSION_FOOTER = re.compile(r"Session (\S+)")

COLOURS = {
    SessionState.STARTING: discord.Colour.blurple(),
    SessionState.RUNNING: discord.Colour.blurple(),
    SessionState.COMPLETED: discord.Colour.green(),
    SessionState.FAILED: discord.Colour.red(),
    SessionState.EXPIRED: discord.Colour.dark_grey(),
}


def clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def safe(text: str) -> str:
    """Text from outside (tags, URLs) shown literally: no markdown, no mention syntax."""
    return escape_mentions(escape_markdown(text))


def tag_list(tags: Sequence[str], limit: int = FIELD_VALUE_LIMIT) -> str:
    if not tags:
        return "No tags this time."
    shown: list[str] = []
    for index, tag in enumerate(tags):
        rest = len(tags) - index - 1
        candidate = ", ".join([*shown, safe(tag)])
        suffix = f" +{rest} more" if rest else ""
        if len(candidate) + len(suffix) > limit:
            hidden = len(tags) - len(shown)
            return ", ".join(shown) + f" +{hidden} more"
        shown.append(safe(tag))
    return ", ".join(shown)


def duration(session: SessionRecord) -> str | None:
    if session.completed_at_ms is None:
        return None
    seconds = max(0, round((session.completed_at_ms - session.created_at_ms) / 1000))
    minutes, seconds = divmod(seconds, 60)
    return f"{minutes} min {seconds} s" if minutes else f"{seconds} s"


def _stream_field(embed: discord.Embed, session: SessionRecord) -> None:
    show_stream(embed, session.stream_url, session.stream)


def show_stream(embed: discord.Embed, url: str, stream: StreamDetails) -> None:
    """The stream as its page or announcement shows it: the streamer at the top and the title,
    both linking to the stream, and its picture. With no title the link itself is shown, which
    Discord makes clickable."""
    target = link_target(url)
    if stream.streamer:
        embed.set_author(name=clip(stream.streamer, AUTHOR_LIMIT), url=target)
    value = clip(safe(url), FIELD_VALUE_LIMIT)
    if stream.title:
        title = safe(stream.title).replace("[", "\\[").replace("]", "\\]")
        linked = f"[{title}]({target})" if target else title
        value = linked if len(linked) <= FIELD_VALUE_LIMIT else clip(title, FIELD_VALUE_LIMIT)
    embed.add_field(name="Stream", value=value)
    if stream.thumbnail_url:
        embed.set_thumbnail(url=stream.thumbnail_url)


def link_target(url: str) -> str | None:
    """``url`` as the target of a markdown link, which only http(s) may be; the characters that
    would end the link early percent-encoded."""
    if not url.lower().startswith(("http://", "https://")):
        return None
    return url.replace("(", "%28").replace(")", "%29").replace(" ", "%20").replace(">", "%3E")


def _asker_field(embed: discord.Embed, session: SessionRecord) -> None:
    if session.origin.requester_id is not None:
        embed.add_field(name="Requested by", value=f"<@{session.origin.requester_id}>")


def started_embed(session: SessionRecord) -> discord.Embed:
    embed = discord.Embed(
        title="Tagging started",
        description="Chatsight is listening. Results usually arrive within five minutes.",
        colour=COLOURS[SessionState.RUNNING],
    )
    _stream_field(embed, session)
    _asker_field(embed, session)
    embed.set_footer(text=f"Session {session.convo_id}")
    return embed


def result_embed(session: SessionRecord) -> discord.Embed:
    if session.state is not SessionState.COMPLETED or session.result is None:
        return error_embed(session)
    embed = discord.Embed(
        title=TAGS_TITLE,
        description=tag_list(session.result.tags, DESCRIPTION_LIMIT),
        colour=COLOURS[SessionState.COMPLETED],
    )
    if session.result.undocumented:
        embed.add_field(name="Note", value=f"This result {UNDOCUMENTED_NOTE}.", inline=False)
    _stream_field(embed, session)
    _asker_field(embed, session)
    _footer(embed, session)
    return fit(embed)


def jump_url(guild_id: int | None, channel_id: int, message_id: int) -> str:
    return f"https://discord.com/channels/{guild_id or '@me'}/{channel_id}/{message_id}"


def packed_result_embed(session: SessionRecord) -> discord.Embed:
    """A result among others in one message: it links to the request it answers, if known."""
    embed = result_embed(session)
    origin = session.origin
    if origin.channel_id is not None and origin.message_id is not None:
        embed.url = jump_url(origin.guild_id, origin.channel_id, origin.message_id)
    return embed


def joins_message(embeds: Sequence[discord.Embed], embed: discord.Embed, most: int) -> bool:
    """Whether ``embed`` can go in one message with ``embeds``: at most ``most`` (Discord: 10),
    6000 characters together, and never a ``url`` twice, since Discord shows embeds that share
    one merged into one."""
    urls = {other.url for other in embeds if other.url}
    return (
        len(embeds) < most
        and sum(map(len, embeds)) + len(embed) <= EMBED_TOTAL_LIMIT
        and not (embed.url and embed.url in urls)
    )


def shown_session(embed: discord.Embed, titles: Collection[str] = RESULT_TITLES) -> str | None:
    """The session one of our embeds with one of ``titles`` shows, by its footer; else None."""
    if embed.title not in titles or not embed.footer.text:
        return None
    found = SESSION_FOOTER.match(embed.footer.text)
    return found.group(1) if found else None


def error_embed(session: SessionRecord) -> discord.Embed:
    title = "Tagging expired" if session.state is SessionState.EXPIRED else "Tagging failed"
    embed = discord.Embed(
        title=title,
        description=clip(safe(session.error or "Chatsight gave no reason."), FIELD_VALUE_LIMIT),
        colour=COLOURS[session.state],
    )
    _stream_field(embed, session)
    _asker_field(embed, session)
    _footer(embed, session)
    return embed


def _footer(embed: discord.Embed, session: SessionRecord) -> None:
    took = duration(session)
    embed.set_footer(text=f"Session {session.convo_id}" + (f" · took {took}" if took else ""))


def status_embed(session: SessionRecord) -> discord.Embed:
    if not session.state.awaiting:
        return result_embed(session)
    embed = started_embed(session)
    embed.title = "Tagging in progress"
    return embed


def history_embed(sessions: Sequence[SessionRecord]) -> discord.Embed:
    embed = discord.Embed(title="Recent tagging sessions", colour=discord.Colour.blurple())
    if not sessions:
        embed.description = "No tagging session has been started in this channel."
    for session in sessions[:10]:
        if session.state is SessionState.COMPLETED and session.result is not None:
            value = tag_list(session.result.tags, 300)
        else:
            value = clip(safe(session.error or session.state.value), 300)
        name = clip(f"<t:{session.created_at_ms // 1000}:R> · {session.state.value}", 256)
        # The canonical form: one stream reads the same in every session, whatever link
        # announced it, and without the link's tracking parameters.
        stream = canonical_stream_url(session.stream_url)
        embed.add_field(name=name, value=f"{value}\n{clip(safe(stream), 200)}", inline=False)
    return fit(embed)


def fit(embed: discord.Embed) -> discord.Embed:
    """Drop trailing fields until the embed fits Discord's 6000-character total."""
    while len(embed) > EMBED_TOTAL_LIMIT and embed.fields:
        embed.remove_field(len(embed.fields) - 1)
    return embed
