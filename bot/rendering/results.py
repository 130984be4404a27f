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

Every sentence comes from the catalogue, in the words given: a public post in its server's
language, an ephemeral answer in its member's. The bot recognises its own posts by their titles
and footers in every language (``in_every_language``), since a server may change
its language between a post and the resend that looks for it.
"""

from __future__ import annotations

import re
import string
from collections.abc import Collection, Sequence
from functools import cache

import discord
from discord.utils import escape_markdown, escape_mentions

from bot.domain.records import SessionRecord, SessionState
from bot.domain.stream_details import StreamDetails
from bot.domain.stream_urls import canonical_stream_url
from bot.language.catalogue import ENGLISH_WORDS, LANGUAGES, Words
from bot.rendering.failure_reasons import failure_reason

FIELD_VALUE_LIMIT = 1024
TITLE_LIMIT = 256
AUTHOR_LIMIT = 256
DESCRIPTION_LIMIT = 4096
EMBED_TOTAL_LIMIT = 6000
EMBEDS_PER_MESSAGE = 10
# English, as the benches and end-to-end tests look for it.
TAGS_TITLE = ENGLISH_WORDS("results.tags.title")

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


@cache
def in_every_language(key: str) -> frozenset[str]:
    """An entry as every catalogue says it, to recognise the bot's own posts whichever language
    they were posted in."""
    return frozenset(Words(language)(key) for language in LANGUAGES)


@cache
def _template_patterns(key: str) -> tuple[re.Pattern[str], ...]:
    """An entry in every language as a pattern capturing its placeholders: ids (``convo_id``,
    ``follow_id``) as ids, anything else as any text."""
    patterns = []
    for text in sorted(in_every_language(key)):
        parts = []
        for literal, field, _, _ in string.Formatter().parse(text):
            parts.append(re.escape(literal))
            if field:
                shape = r"[\w-]+?" if field.endswith("_id") else ".+?"
                parts.append(f"(?P<{field}>{shape})")
        patterns.append(re.compile("".join(parts)))
    return tuple(patterns)


def read_back(text: str, *keys: str) -> dict[str, str] | None:
    """The placeholders of ``text`` as one of ``keys`` says it in some language; else None."""
    for key in keys:
        for pattern in _template_patterns(key):
            found = pattern.fullmatch(text)
            if found is not None:
                return found.groupdict()
    return None


def counted(key: str, count: int, words: Words, **params: object) -> str:
    """A sentence about ``count`` things: ``key.one`` for one, ``key.other`` for any other
    count, so each language words its singular and plural whole."""
    return words(f"{key}.one" if count == 1 else f"{key}.other", count=count, **params)


def tag_list(tags: Sequence[str], limit: int = FIELD_VALUE_LIMIT, *, words: Words) -> str:
    if not tags:
        return words("results.tags.none")

    def listed(shown: Sequence[str], hidden: int) -> str:
        joined = ", ".join(shown)
        return words("results.tags.more", tags=joined, count=hidden) if hidden else joined

    shown: list[str] = []
    for index, tag in enumerate(tags):
        if len(listed([*shown, safe(tag)], len(tags) - index - 1)) > limit:
            return listed(shown, len(tags) - len(shown))
        shown.append(safe(tag))
    return ", ".join(shown)


def duration(session: SessionRecord, *, words: Words) -> str | None:
    if session.completed_at_ms is None:
        return None
    seconds = max(0, round((session.completed_at_ms - session.created_at_ms) / 1000))
    minutes, seconds = divmod(seconds, 60)
    if minutes:
        return words("results.took.minutes", minutes=minutes, seconds=seconds)
    return words("results.took.seconds", seconds=seconds)


def state_name(state: SessionState, *, words: Words) -> str:
    """A session's state as a member reads it."""
    return words(f"results.state.{state.value}")


def _stream_field(embed: discord.Embed, session: SessionRecord, words: Words) -> None:
    show_stream(embed, session.stream_url, session.stream, words=words)


def show_stream(embed: discord.Embed, url: str, stream: StreamDetails, *, words: Words) -> None:
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
    embed.add_field(name=words("results.field.stream"), value=value)
    if stream.thumbnail_url:
        embed.set_thumbnail(url=stream.thumbnail_url)


def link_target(url: str) -> str | None:
    """``url`` as the target of a markdown link, which only http(s) may be; the characters that
    would end the link early percent-encoded."""
    if not url.lower().startswith(("http://", "https://")):
        return None
    return url.replace("(", "%28").replace(")", "%29").replace(" ", "%20").replace(">", "%3E")


def _asker_field(embed: discord.Embed, session: SessionRecord, words: Words) -> None:
    if session.origin.requester_id is not None:
        embed.add_field(
            name=words("results.field.requested_by"), value=f"<@{session.origin.requester_id}>"
        )


def started_embed(session: SessionRecord, *, words: Words) -> discord.Embed:
    embed = discord.Embed(
        title=words("results.started.title"),
        description=words("results.started.description"),
        colour=COLOURS[SessionState.RUNNING],
    )
    _stream_field(embed, session, words)
    _asker_field(embed, session, words)
    embed.set_footer(text=words("results.footer.session", convo_id=session.convo_id))
    return embed


def result_embed(session: SessionRecord, *, words: Words) -> discord.Embed:
    if session.state is not SessionState.COMPLETED or session.result is None:
        return error_embed(session, words=words)
    embed = discord.Embed(
        title=words("results.tags.title"),
        description=tag_list(session.result.tags, DESCRIPTION_LIMIT, words=words),
        colour=COLOURS[SessionState.COMPLETED],
    )
    if session.result.undocumented:
        embed.add_field(
            name=words("results.field.note"), value=words("results.note.undocumented"), inline=False
        )
    _stream_field(embed, session, words)
    _asker_field(embed, session, words)
    _footer(embed, session, words)
    return fit(embed)


def jump_url(guild_id: int | None, channel_id: int, message_id: int) -> str:
    return f"https://discord.com/channels/{guild_id or '@me'}/{channel_id}/{message_id}"


def packed_result_embed(session: SessionRecord, *, words: Words) -> discord.Embed:
    """A result among others in one message: it links to the request it answers, if known."""
    embed = result_embed(session, words=words)
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


# A result's titles, whatever it says: its tags, or why there are none.
RESULT_TITLE_KEYS = ("results.tags.title", "results.failed.title", "results.expired.title")


def result_titles() -> frozenset[str]:
    """A result's titles in every language."""
    return frozenset().union(*map(in_every_language, RESULT_TITLE_KEYS))


def footer_session(text: str) -> str | None:
    """The session a footer of ours names ("Session <convoId>", in any language); else None."""
    found = read_back(text, "results.footer.session_took", "results.footer.session")
    return None if found is None else found["convo_id"]


def shown_session(embed: discord.Embed, titles: Collection[str] | None = None) -> str | None:
    """The session one of our embeds with one of ``titles`` (a result's, by default) shows, by
    its footer; else None."""
    if embed.title not in (result_titles() if titles is None else titles):
        return None
    return footer_session(embed.footer.text) if embed.footer.text else None


def error_embed(session: SessionRecord, *, words: Words) -> discord.Embed:
    expired = session.state is SessionState.EXPIRED
    embed = discord.Embed(
        title=words("results.expired.title" if expired else "results.failed.title"),
        description=clip(
            safe(failure_reason(session.error, words("results.no_reason"), words=words)),
            FIELD_VALUE_LIMIT,
        ),
        colour=COLOURS[session.state],
    )
    _stream_field(embed, session, words)
    _asker_field(embed, session, words)
    _footer(embed, session, words)
    return embed


def _footer(embed: discord.Embed, session: SessionRecord, words: Words) -> None:
    took = duration(session, words=words)
    if took:
        text = words("results.footer.session_took", convo_id=session.convo_id, took=took)
    else:
        text = words("results.footer.session", convo_id=session.convo_id)
    embed.set_footer(text=text)


def status_embed(session: SessionRecord, *, words: Words) -> discord.Embed:
    if not session.state.awaiting:
        return result_embed(session, words=words)
    embed = started_embed(session, words=words)
    embed.title = words("results.in_progress.title")
    return embed


def history_embed(sessions: Sequence[SessionRecord], *, words: Words) -> discord.Embed:
    embed = discord.Embed(title=words("results.history.title"), colour=discord.Colour.blurple())
    if not sessions:
        embed.description = words("results.history.empty")
    for session in sessions[:10]:
        state = state_name(session.state, words=words)
        if session.state is SessionState.COMPLETED and session.result is not None:
            value = tag_list(session.result.tags, 300, words=words)
        else:
            value = clip(safe(failure_reason(session.error, state, words=words)), 300)
        when = f"<t:{session.created_at_ms // 1000}:R>"
        name = clip(words("results.history.name", when=when, state=state), 256)
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
