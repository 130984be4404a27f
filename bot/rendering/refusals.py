"""The words for every refusal: the one place a rule's "no" becomes a sentence for the member."""

from __future__ import annotations

import re

from bot.domain import refusals as r
from bot.domain import stream_refusals as s
from bot.domain.digests import UnknownTimeZone
from bot.language.catalogue import ENGLISH, Words, entries
from bot.rendering.results import jump_url

# The refusals whose words carry no data, by catalogue key.
_FIXED: dict[type[r.Refusal], str] = {
    r.NoSessionYet: "refusals.no_session_yet",
    r.UnknownSession: "refusals.unknown_session",
    r.UnknownAlert: "refusals.unknown_alert",
    r.NotAllowedToAcknowledge: "refusals.not_allowed_to_acknowledge",
    r.UnknownFollow: "refusals.unknown_follow",
    r.NotAllowedToStopFollow: "refusals.not_allowed_to_stop_follow",
    r.NoTagsGiven: "refusals.no_tags_given",
    r.SubscriptionsOff: "refusals.subscriptions_off",
}


def permission_names(names: tuple[str, ...] | list[str], *, words: Words) -> str:
    """``send_messages`` as Discord's client shows it, in the member's language: "Send
    Messages". A permission the bot never asks for itself (one a discord.py check names) keeps
    its English name."""
    return ", ".join(
        words(f"refusals.permissions.{name}")
        if f"refusals.permissions.{name}" in entries(ENGLISH)
        else name.replace("_", " ").title()
        for name in names
    )


def _cannot_post(key: str, names: tuple[str, ...], words: Words, **where: object) -> str:
    """The permissions missing, and why history, which members rarely expect a bot to read."""
    if "read_message_history" in names:
        key += "_history"
    return words(key, permissions=permission_names(names, words=words), **where)


def _host(host: str) -> str:
    """A link's host as plain text: these words are also stored with the session and shown
    escaped there, so no markup; only a host name's own characters are kept."""
    return re.sub(r"[^\w.:\[\]-]|_", "", host)[:100]


def _zone_name(name: str) -> str:
    """What the member typed, as plain text: only the characters a zone's name may hold."""
    return re.sub(r"[^\w/+-]", "", name)[:64].replace("_", "\\_")


def refusal_text(refusal: r.Refusal, *, words: Words) -> str:
    fixed = _FIXED.get(type(refusal))
    if fixed is not None:
        return words(fixed)
    match refusal:
        case r.InvalidStreamUrl(too_long_limit=int(limit)):
            return words("refusals.url_too_long", limit=limit)
        case r.InvalidStreamUrl():
            return words("refusals.invalid_stream_url")
        case r.SeedTooLong(limit=limit):
            return words("refusals.seed_too_long", limit=limit)
        case r.TooSoon(retry_in_s=retry):
            return words("refusals.too_soon", seconds=max(1, round(retry)))
        case r.ServerBusy(cap=cap):
            return words("refusals.server_busy", cap=cap)
        case r.MissingChannelPermissions(names=names, channel_id=None):
            return _cannot_post("refusals.cannot_post_here", names, words)
        case r.MissingChannelPermissions(names=names, channel_id=channel_id):
            return _cannot_post("refusals.cannot_post_there", names, words, channel_id=channel_id)
        case r.RoleNotMentionable(role_id=role):
            return words("refusals.role_not_mentionable", role_id=role)
        case r.AlreadyFollowed(timeline=(guild, channel, message)):
            return words("refusals.already_followed", url=jump_url(guild, channel, message))
        case r.AlreadyFollowed():
            return words("refusals.already_followed_starting")
        case r.AlreadyAcknowledged(by_user_id=user):
            return words("refusals.already_acknowledged", user_id=user)
        case r.TooManyAlertTags(limit=limit):
            return words("refusals.too_many_alert_tags", limit=limit)
        case r.TooManyCategories(limit=limit):
            return words("refusals.too_many_categories", limit=limit)
        case r.NotOneTag(limit=limit):
            return words("refusals.not_one_tag", limit=limit)
        case r.IntervalOutOfRange(low=low, high=high):
            return words("refusals.interval_out_of_range", low=low, high=high)
        case UnknownTimeZone(name=name):
            zone = _zone_name(name) or words("refusals.unnamed_time_zone")
            return words("refusals.unknown_time_zone", zone=zone)
        case s.StreamNotLive(host=host):
            return words("refusals.stream_not_live", host=_host(host))
        case s.NotAStreamLink(host=host):
            return words("refusals.not_a_stream_link", host=_host(host))
        case s.NeedsWebBrowser(host=host):
            return words("refusals.needs_web_browser", host=_host(host))
        case s.StreamPageFailed(host=host):
            return words("refusals.stream_page_failed", host=_host(host))
    raise TypeError(f"no wording for {type(refusal).__name__}")
