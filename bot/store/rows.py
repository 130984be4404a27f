"""Mapping between table rows and domain records, shared by every SQL backend."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bot.domain.records import (
    Delivery,
    DeliveryKind,
    DeliveryState,
    Origin,
    SessionRecord,
    SessionSource,
    SessionState,
)
from bot.domain.tags import TagResult, parse_tags

SESSION_COLUMNS = (
    "convo_id, stream_url, source, state, created_at, updated_at, seed, guild_id, channel_id,"
    " requester_id, origin_message_id, completed_at, tags, undocumented, error, deliveries,"
    " follow_id"
)
DELIVERY_COLUMNS = (
    "id, convo_id, kind, state, attempts, next_attempt_at, channel_id, reply_to_message_id,"
    " message_id, delivered_at, last_error"
)


def origin_from_row(ids: Sequence[Any], *, seed: str | None) -> Origin:
    """``ids``: guild, channel, requester and origin message, in the order the tables keep them."""
    return Origin(ids[0], ids[1], ids[2], ids[3], seed)


def origin_values(origin: Origin) -> tuple[Any, ...]:
    """The origin's columns as ``origin_from_row`` reads them, seed last."""
    return (origin.guild_id, origin.channel_id, origin.requester_id, origin.message_id, origin.seed)


def session_from_row(row: Sequence[Any]) -> SessionRecord:
    tags, undocumented = row[12], bool(row[13])
    return SessionRecord(
        convo_id=row[0],
        stream_url=row[1],
        source=SessionSource(row[2]),
        state=SessionState(row[3]),
        created_at_ms=row[4],
        updated_at_ms=row[5],
        origin=origin_from_row(row[7:11], seed=row[6]),
        completed_at_ms=row[11],
        result=TagResult(parse_tags(tags), undocumented) if tags is not None else None,
        error=row[14],
        deliveries=tuple(DeliveryKind(kind) for kind in row[15].split(",") if kind),
        follow_id=row[16],
    )


def delivery_from_row(row: Sequence[Any]) -> Delivery:
    return Delivery(
        id=row[0],
        convo_id=row[1],
        kind=DeliveryKind(row[2]),
        state=DeliveryState(row[3]),
        attempts=row[4],
        next_attempt_at_ms=row[5],
        channel_id=row[6],
        reply_to_message_id=row[7],
        message_id=row[8],
        delivered_at_ms=row[9],
        last_error=row[10],
    )
