"""The records that flow between the session service, the store, the receiver and delivery."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from bot.domain.tags import TagResult


class SessionState(enum.StrEnum):
    STARTING = "starting"
    RUNNING = "running"
    COMPLETED = "completed"
    FAILED = "failed"
    EXPIRED = "expired"

    @property
    def awaiting(self) -> bool:
        """Only these states may still take a result; every other state is final."""
        return self in (SessionState.STARTING, SessionState.RUNNING)


class CompletionOutcome(enum.StrEnum):
    COMPLETED = "completed"
    DUPLICATE = "duplicate"  # already final: answer 200, change nothing
    UNKNOWN = "unknown"  # no such session, or the webhook token is not bound to it


class DeliveryState(enum.StrEnum):
    PENDING = "pending"
    DELIVERED = "delivered"
    UNDELIVERABLE = "undeliverable"


@dataclass(frozen=True, slots=True)
class TagRequest:
    """Who asked for which stream; everything a session needs before Chatsight is called."""

    convo_id: str
    stream_url: str
    source: str
    seed: str | None = None
    guild_id: int | None = None
    channel_id: int | None = None
    requester_id: int | None = None
    origin_message_id: int | None = None
    # The outbox kinds its final state creates, decided by whoever asked (the CLI prints, the
    # bot posts); a worker only ever claims kinds it has a sink for.
    deliveries: tuple[str, ...] = ("result",)
    follow_id: int | None = None  # set on each sample of a followed stream


@dataclass(frozen=True, slots=True)
class SessionRecord:
    convo_id: str
    stream_url: str
    source: str
    state: SessionState
    created_at_ms: int
    updated_at_ms: int
    seed: str | None = None
    guild_id: int | None = None
    channel_id: int | None = None
    requester_id: int | None = None
    origin_message_id: int | None = None
    completed_at_ms: int | None = None
    result: TagResult | None = None
    error: str | None = None
    deliveries: tuple[str, ...] = ("result",)
    follow_id: int | None = None


@dataclass(slots=True)
class Completion:
    """A final state for a session, from a webhook (``token`` set) or from our own checks.

    Not frozen: one is built per webhook, and a frozen dataclass's ``__init__`` sets each field
    through ``object.__setattr__``: 650 against 181 ns for five fields. Nothing mutates one.
    """

    convo_id: str
    state: SessionState
    result: TagResult | None = None
    error: str | None = None
    token_hash: str | None = None
    notify: bool = True  # False: the requester already knows (e.g. Chatsight refused the start)


@dataclass(frozen=True, slots=True)
class Delivery:
    """One outbox row: a thing to post about a session, owned by the sink named ``kind``."""

    id: int
    convo_id: str
    kind: str
    state: DeliveryState
    attempts: int
    next_attempt_at_ms: int
    channel_id: int | None = None
    reply_to_message_id: int | None = None
    message_id: int | None = None
    delivered_at_ms: int | None = None
    last_error: str | None = None
