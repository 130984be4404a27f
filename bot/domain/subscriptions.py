"""Members' tag subscriptions: which tags they follow, who a heard stream pings, in which messages.

A member is pinged at most once per scope: a one-off session's, or a followed stream's whole
follow, however many of its samples carry the tag. The pings of one session go out in as few
messages as Discord allows: a message's ``allowed_mentions.users`` lists at most 100 users, and
its content, where mentions must be to ping, holds at most 2,000 characters
(docs/discord-notes.md, Messages and Mentions).
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from bot.domain.records import SessionRecord

MAX_SUBSCRIPTIONS = 25  # per member and server: what one answer lists
MAX_TAG_LENGTH = 100  # Chatsight's tags are words; an option value is at most 100 characters
USERS_PER_MESSAGE = 100
CONTENT_LIMIT = 2000


def tag_key(tag: str) -> str:
    """What a subscription matches on: tags are compared case-insensitively, as alert tags are."""
    return tag.strip().casefold()


def ping_scope(session: SessionRecord) -> str:
    """Within this a member is pinged once: the follow for a followed stream, else the session."""
    if session.follow_id is not None:
        return f"follow:{session.follow_id}"
    return f"session:{session.convo_id}"


def heard_keys(session: SessionRecord) -> dict[str, str]:
    """The session's tags by their key, each as Chatsight spelled it."""
    if session.result is None:
        return {}
    return {tag_key(tag): tag for tag in session.result.tags}


def mention(user_id: int) -> str:
    return f"<@{user_id}>"


def ping_messages(user_ids: Iterable[int]) -> list[tuple[int, ...]]:
    """The users split into as few messages as Discord takes, in id order.

    Each message holds at most ``USERS_PER_MESSAGE`` users and at most ``CONTENT_LIMIT``
    characters of mentions separated by spaces. Deterministic, so a resend after a crash splits
    the same users into the same messages.
    """
    messages: list[tuple[int, ...]] = []
    current: list[int] = []
    length = 0
    for user_id in sorted(set(user_ids)):
        size = len(mention(user_id)) + (1 if current else 0)
        if current and (len(current) == USERS_PER_MESSAGE or length + size > CONTENT_LIMIT):
            messages.append(tuple(current))
            current, length = [], 0
            size = len(mention(user_id))
        current.append(user_id)
        length += size
    if current:
        messages.append(tuple(current))
    return messages


def ping_content(user_ids: Sequence[int]) -> str:
    return " ".join(mention(user_id) for user_id in user_ids)


class SubscribeOutcome(enum.StrEnum):
    ADDED = "added"
    ALREADY = "already"  # subscribed to that tag before: nothing changed
    FULL = "full"  # the member holds the most subscriptions allowed: nothing changed


@dataclass(frozen=True, slots=True)
class Subscriber:
    user_id: int
    tag: str  # as the member typed it


@dataclass(frozen=True, slots=True)
class PingedMember:
    user_id: int
    message_id: int | None = None  # set once the message that pings them is posted


@dataclass(frozen=True, slots=True)
class PingBatch:
    """The members one session pings, recorded before the first message is sent.

    A resend (after a failure or a crash) takes this same batch, never a new one, so its messages
    hold the same members; ``created_at_ms`` is when the first attempt began, where a resend
    looks for what it may have posted. ``tags`` are the subscribed tags the session was heard
    with, as Chatsight spelled them.
    """

    convo_id: str
    created_at_ms: int
    tags: tuple[str, ...]
    members: tuple[PingedMember, ...]

    def messages(self) -> list[tuple[int, ...]]:
        return ping_messages(member.user_id for member in self.members)

    def posted(self, user_ids: Sequence[int]) -> int | None:
        """The message that pinged these members, when one was recorded for them all."""
        found = {m.user_id: m.message_id for m in self.members if m.user_id in user_ids}
        ids = {found.get(user_id) for user_id in user_ids}
        if len(ids) == 1:
            return ids.pop()
        return None
