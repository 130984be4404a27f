"""``/chatsight history tag:…``: one page of a server's sessions heard with a tag, and its
Previous/Next buttons.

The buttons carry the member, the page they lead to and the tag in their custom id
(``chatsight:history:<member>:<page>:<tag>``), so they work after a restart and only for the
member who asked; the cog registers a DynamicItem template for them.
"""

from __future__ import annotations

import discord

from bot.domain.records import SessionRecord
from bot.domain.stream_urls import canonical_stream_url
from bot.language.catalogue import Words
from bot.rendering.results import clip, fit, jump_url, safe, tag_list

HISTORY_ID = "chatsight:history:{user_id}:{page}:{tag}"
HISTORY_TEMPLATE = r"chatsight:history:(?P<user>\d+):(?P<page>\d+):(?P<tag>.+)"
# A custom id holds at most 100 characters; the member and the page take up to 45 of them.
TAG_MAX_LENGTH = 50


def tag_history_embed(
    tag: str, sessions: list[SessionRecord], page: int, *, has_next: bool, words: Words
) -> discord.Embed:
    embed = discord.Embed(
        title=words("history.title", tag=clip(safe(tag), 200)), colour=discord.Colour.blurple()
    )
    if not sessions:
        embed.description = words(
            "history.empty.first_page" if page == 0 else "history.empty.later_page"
        )
    for session in sessions:
        origin = session.origin
        where = f"<#{origin.channel_id}>" if origin.channel_id else "?"
        if origin.message_id is not None and origin.channel_id is not None:
            where = words(
                "history.where_with_result",
                channel=where,
                url=jump_url(origin.guild_id, origin.channel_id, origin.message_id),
            )
        tags = tag_list(session.result.tags, 300, words=words) if session.result else ""
        stream = clip(safe(canonical_stream_url(session.stream_url)), 200)
        embed.add_field(
            name=clip(f"<t:{session.created_at_ms // 1000}:f>", 256),
            value=f"{where}\n{stream}\n{tags}",
            inline=False,
        )
    embed.set_footer(text=words("history.page" if has_next else "history.last_page", page=page + 1))
    return fit(embed)


def history_view(
    user_id: int, tag: str, page: int, *, has_next: bool, words: Words
) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    for label, target, enabled in (
        (words("history.button.previous"), max(page - 1, 0), page > 0),
        (words("history.button.next"), page + 1, has_next),
    ):
        view.add_item(
            discord.ui.Button(
                label=label,
                custom_id=HISTORY_ID.format(user_id=user_id, page=target, tag=tag),
                disabled=not enabled,
            )
        )
    return view
