"""The bot's own rules saying no: each refusal carries the data behind it, never its wording.

Only the command layer words them for the member (``bot/rendering/refusals.py``), in one place,
so a rule stays testable by its data and its text can change (or be translated) without it.
"""

from __future__ import annotations

from dataclasses import dataclass


class Refusal(Exception):
    """Base of every expected "no" a member can be told about."""


@dataclass(eq=False)
class InvalidStreamUrl(Refusal):
    too_long_limit: int | None = None  # set when the URL was too long; else not a stream URL


@dataclass(eq=False)
class SeedTooLong(Refusal):
    limit: int


@dataclass(eq=False)
class TooSoon(Refusal):
    retry_in_s: float


@dataclass(eq=False)
class ServerBusy(Refusal):
    cap: int


@dataclass(eq=False)
class MissingChannelPermissions(Refusal):
    """The bot cannot post where it was asked (``channel_id``: a channel the command named, None:
    the one it was used in); ``names`` are Discord's flag names."""

    names: tuple[str, ...]
    channel_id: int | None = None


@dataclass(eq=False)
class RoleNotMentionable(Refusal):
    """The alert role would ping nobody: it is not mentionable and the bot lacks Mention
    Everyone."""

    role_id: int


class NoSessionYet(Refusal):
    pass


class UnknownSession(Refusal):
    pass


class UnknownAlert(Refusal):
    pass


class NotAllowedToAcknowledge(Refusal):
    pass


@dataclass(eq=False)
class AlreadyAcknowledged(Refusal):
    by_user_id: int


class UnknownFollow(Refusal):
    pass


class NotAllowedToStopFollow(Refusal):
    pass


@dataclass(eq=False)
class AlreadyFollowed(Refusal):
    """The stream is followed in this channel already: a second follow would sample it twice,
    at twice the cost, on two timelines. ``timeline``: its timeline's guild, channel and
    message, once posted."""

    timeline: tuple[int | None, int, int] | None


class NoTagsGiven(Refusal):
    pass


@dataclass(eq=False)
class NotOneTag(Refusal):
    """A subscription is to one tag, without commas, of at most ``limit`` characters."""

    limit: int


class SubscriptionsOff(Refusal):
    """The server switched members' tag subscriptions off."""


@dataclass(eq=False)
class TooManyAlertTags(Refusal):
    limit: int


@dataclass(eq=False)
class TooManyCategories(Refusal):
    limit: int


@dataclass(eq=False)
class IntervalOutOfRange(Refusal):
    low: int
    high: int
