"""Where a result goes: the one rule both sinks follow (the result sink posts there, the alert
sink links there).

A result replies under the request that asked for it. An automatic one (an announcement, the
"Tag stream" menu) goes to the server's results channel when one is set, with a link back to the
announcement; a followed stream's timeline is posted by the same rule and then edited in place.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.domain.records import SessionRecord, SessionSource
from bot.domain.server_records import Follow, GuildSettings
from bot.rendering.results import jump_url


@dataclass(frozen=True, slots=True)
class Route:
    channel_id: int
    reply_to: int | None
    link: str | None  # "Result for <announcement>" when posted away from it


def route_result(session: SessionRecord, settings: GuildSettings | None) -> Route | None:
    """None when the session has no channel to post in (it came from the CLI)."""
    origin = session.origin
    if origin.channel_id is None:
        return None
    results_channel = settings.results_channel_id if settings is not None else None
    automatic = session.source is SessionSource.AUTOTAG
    if automatic and results_channel and results_channel != origin.channel_id:
        link = None
        if origin.message_id is not None:
            link = f"Result for {jump_url(origin.guild_id, origin.channel_id, origin.message_id)}"
        return Route(results_channel, None, link)
    return Route(origin.channel_id, origin.message_id, None)


def result_channel(
    session: SessionRecord, settings: GuildSettings | None, follow: Follow | None
) -> int | None:
    """The channel a session's posted result is in: its follow's timeline, else its route."""
    if follow is not None and follow.timeline_channel_id is not None:
        return follow.timeline_channel_id
    route = route_result(session, settings)
    return route.channel_id if route is not None else None
