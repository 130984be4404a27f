"""The words for every refusal: the one place a rule's "no" becomes a sentence for the member."""

from __future__ import annotations

from bot.domain import refusals as r

_FIXED: dict[type[r.Refusal], str] = {
    r.NoSessionYet: "No tagging session has been started in this channel.",
    r.UnknownSession: "I know no tagging session by that id in this channel.",
    r.UnknownAlert: "That alert is no longer known.",
    r.NotAllowedToAcknowledge: "Only moderators can acknowledge alerts.",
    r.UnknownFollow: "That followed stream is no longer known.",
    r.NotAllowedToStopFollow: "Only moderators or the member who asked can stop this.",
    r.NoTagsGiven: "Give one or more tags, separated by commas.",
}


def permission_names(names: tuple[str, ...] | list[str]) -> str:
    """``send_messages`` as Discord's client shows it: "Send Messages"."""
    return ", ".join(name.replace("_", " ").title() for name in names)


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
        case r.MissingChannelPermissions(names=names):
            return f"I can't post results in this channel: I need {permission_names(names)} here."
        case r.AlreadyAcknowledged(by_user_id=user):
            return f"<@{user}> already acknowledged this alert."
        case r.TooManyAlertTags(limit=limit):
            return f"A server can alert on at most {limit} tags."
        case r.IntervalOutOfRange(low=low, high=high):
            return f"The interval must be {low} to {high} minutes."
    raise TypeError(f"no wording for {type(refusal).__name__}")
