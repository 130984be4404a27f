"""The words for every refusal: the one place a rule's "no" becomes a sentence for the member."""

from __future__ import annotations

import re

from bot.domain import refusals as r
from bot.domain import stream_refusals as s
from bot.domain.digests import UnknownTimeZone

_FIXED: dict[type[r.Refusal], str] = {
    r.NoSessionYet: "No tagging session has been started in this channel.",
    r.UnknownSession: "I know no tagging session by that id in this channel.",
    r.UnknownAlert: "That alert is no longer known.",
    r.NotAllowedToAcknowledge: "Only moderators can acknowledge alerts.",
    r.UnknownFollow: "That followed stream is no longer known.",
    r.NotAllowedToStopFollow: "Only moderators or the member who asked can stop this.",
    r.NoTagsGiven: "Give one or more tags, separated by commas.",
    r.SubscriptionsOff: "This server has switched tag subscriptions off.",
}


def permission_names(names: tuple[str, ...] | list[str]) -> str:
    """``send_messages`` as Discord's client shows it: "Send Messages"."""
    return ", ".join(name.replace("_", " ").title() for name in names)


def _cannot_post(where: str, names: tuple[str, ...], there: str) -> str:
    """The permissions missing, and why history, which members rarely expect a bot to read."""
    text = f"I can't post {where}: I need {permission_names(names)} {there}"
    if "read_message_history" in names:
        text += " (after an outage I read it, so that nothing is posted twice)"
    return text + "."


def _host(host: str) -> str:
    """A link's host as plain text: these words are also stored with the session and shown
    escaped there, so no markup; only a host name's own characters are kept."""
    return re.sub(r"[^\w.:\[\]-]|_", "", host)[:100]


def _zone_name(name: str) -> str:
    """What the member typed, as plain text: only the characters a zone's name may hold."""
    return re.sub(r"[^\w/+-]", "", name)[:64].replace("_", "\\_") or "that"


def refusal_text(refusal: r.Refusal) -> str:
    fixed = _FIXED.get(type(refusal))
    if fixed is not None:
        return fixed
    match refusal:
        case r.InvalidStreamUrl(too_long_limit=int(limit)):
            return f"That URL is too long: at most {limit} characters."
        case r.InvalidStreamUrl():
            return (
                "That is not a stream URL I can tag: give an http, https, rtmp or rtmps link,"
                " such as https://example.com/live.m3u8."
            )
        case r.SeedTooLong(limit=limit):
            return f"The seed sentence is too long: at most {limit} characters."
        case r.TooSoon(retry_in_s=retry):
            return f"You can start another tagging session in {max(1, round(retry))} s."
        case r.ServerBusy(cap=cap):
            return (
                f"This server already has {cap} tagging sessions running. Try again when one"
                " finishes; results usually arrive within five minutes."
            )
        case r.MissingChannelPermissions(names=names, channel_id=None):
            return _cannot_post("results in this channel", names, "here")
        case r.MissingChannelPermissions(names=names, channel_id=channel_id):
            return _cannot_post(f"in <#{channel_id}>", names, "there")
        case r.RoleNotMentionable(role_id=role):
            return (
                f"I can't mention <@&{role}>, so alerts would ping nobody: I need Mention"
                " Everyone, or make the role mentionable."
            )
        case r.AlreadyAcknowledged(by_user_id=user):
            return f"<@{user}> already acknowledged this alert."
        case r.TooManyAlertTags(limit=limit):
            return f"A server can alert on at most {limit} tags."
        case r.TooManyCategories(limit=limit):
            return f"A server can expect tags of at most {limit} announced categories."
        case r.NotOneTag(limit=limit):
            return f"Give one tag, without commas, of at most {limit} characters."
        case r.IntervalOutOfRange(low=low, high=high):
            return f"The interval must be {low} to {high} minutes."
        case UnknownTimeZone(name=name):
            return (
                f"I know no time zone called {_zone_name(name)}: pick one from the list, such as"
                " Europe/Berlin or America/New_York."
            )
        case s.StreamNotLive(host=host):
            return (
                f"That stream is not live right now, or there is no such channel on {_host(host)}."
            )
        case s.NotAStreamLink(host=host):
            return (
                f"I know no way to a stream on {_host(host)}: give a channel's page on a"
                " streaming site (Twitch, YouTube, Kick, …) or a link to the media itself"
                " (.m3u8, .mpd, .mp4, rtmp://…)."
            )
        case s.NeedsWebBrowser(host=host):
            return (
                f"{_host(host)} gives its streams only to a web browser, which I can't run."
                " Give me a direct link to the stream (an .m3u8 playlist) instead."
            )
        case s.StreamPageFailed(host=host):
            return f"{_host(host)} did not give me that stream just now. Try again in a minute."
    raise TypeError(f"no wording for {type(refusal).__name__}")
