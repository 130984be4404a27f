"""Mapping between table rows and domain records, shared by every SQL backend."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bot.domain.announced import format_expectations, parse_expectations
from bot.domain.convo_ids import Trigger
from bot.domain.records import (
    Completion,
    Delivery,
    DeliveryKind,
    DeliveryPack,
    DeliveryState,
    Origin,
    SessionRecord,
    SessionSource,
    SessionState,
    TagRequest,
)
from bot.domain.server_records import AlertRecord, Follow, FollowState, GuildSettings
from bot.domain.stream_details import StreamDetails
from bot.domain.tags import TagResult, parse_tags

SESSION_COLUMNS = (
    "convo_id, stream_url, source, state, created_at, updated_at, seed, guild_id, channel_id,"
    " requester_id, origin_message_id, completed_at, tags, undocumented, error, deliveries,"
    " follow_id, streamer, stream_title, stream_thumbnail, stream_category"
)
DELIVERY_COLUMNS = (
    "id, convo_id, kind, state, attempts, next_attempt_at, channel_id, reply_to_message_id,"
    " message_id, delivered_at, last_error, created_at"
)
PACK_COLUMNS = "id, channel_id, attempts, created_at"
FOLLOW_COLUMNS = (
    "id, stream_url, source, state, samples, interval_ms, next_sample_at, ends_at, created_at,"
    " guild_id, channel_id, requester_id, origin_message_id, seed, trigger_id, trigger_position,"
    " trigger_round, timeline_channel_id, timeline_message_id, stop_reason"
)
ALERT_COLUMNS = (
    "convo_id, guild_id, channel_id, matched, created_at, message_id, acknowledged_by,"
    " acknowledged_at, follow_id, reping_at"
)
# The columns of guild_settings that GuildSettings carries, in the order both functions below use.
SETTINGS_COLUMNS = (
    "results_channel_id, seed, alert_channel_id, alert_role_id, alert_tags, alert_undocumented,"
    " alert_errors, autotag_interval_minutes, alert_hits, alert_samples, alert_reping_minutes,"
    " announced_tags"
)


def origin_from_row(ids: Sequence[Any], *, seed: str | None) -> Origin:
    """``ids``: guild, channel, requester and origin message, in the order the tables keep them."""
    return Origin(ids[0], ids[1], ids[2], ids[3], seed)


def origin_values(origin: Origin) -> tuple[Any, ...]:
    """The origin's columns as ``origin_from_row`` reads them, seed last."""
    return (origin.guild_id, origin.channel_id, origin.requester_id, origin.message_id, origin.seed)


def new_session_values(request: TagRequest, token_hash: str | None, now: int) -> tuple[Any, ...]:
    """The values of ``statements.CREATE_SESSION``, in its order."""
    return (
        request.convo_id,
        request.stream_url,
        request.source.value,
        *origin_values(request.origin),
        ",".join(request.deliveries),
        SessionState.STARTING.value,
        token_hash,
        now,
        now,
        request.follow_id,
        *stream_values(request.stream),
    )


def stream_values(stream: StreamDetails) -> tuple[str | None, ...]:
    """The stream's columns in the order SESSION_COLUMNS has them (a part unknown is None)."""
    return (stream.streamer, stream.title, stream.thumbnail_url, stream.category)


def completion_values(completion: Completion, now: int) -> tuple[Any, ...]:
    """The values of ``statements.COMPLETE_SESSION``, in its order."""
    result = completion.result
    return (
        completion.state.value,
        ",".join(result.tags) if result else None,
        int(bool(result and result.undocumented)),
        completion.error,
        now,
        now,
        completion.convo_id,
    )


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
        stream=StreamDetails(row[17], row[18], row[19], row[20]),
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
        created_at_ms=row[11],
    )


def pack_from_row(row: Sequence[Any], rows: Sequence[Delivery]) -> DeliveryPack:
    """``row``: the PACK_COLUMNS of a pack; ``rows``: its outbox rows, by id."""
    return DeliveryPack(row[0], row[1], tuple(rows), row[2], row[3])


def follow_from_row(row: Sequence[Any]) -> Follow:
    return Follow(
        row[0],
        row[1],
        SessionSource(row[2]),
        FollowState(row[3]),
        row[4],
        row[5],
        row[6],
        row[7],
        row[8],
        origin=origin_from_row(row[9:13], seed=row[13]),
        trigger=Trigger(*row[14:17]),
        timeline_channel_id=row[17],
        timeline_message_id=row[18],
        stop_reason=row[19],
    )


def follow_values(follow: Follow) -> tuple[Any, ...]:
    """The values of ``statements.INSERT_FOLLOW``, in its order."""
    return (
        follow.stream_url,
        follow.source.value,
        follow.state.value,
        follow.samples,
        follow.interval_ms,
        follow.next_sample_at_ms,
        follow.ends_at_ms,
        follow.created_at_ms,
        *origin_values(follow.origin),
        follow.trigger.snowflake,
        follow.trigger.position,
        follow.trigger.round,
        follow.timeline_channel_id,
        follow.timeline_message_id,
        follow.stop_reason,
        follow.created_at_ms,
    )


def follow_trigger(channel_id: int | None, trigger: Trigger) -> tuple[Any, ...]:
    """The values of ``statements.FOLLOW_OF_TRIGGER``: what makes a follow one of a kind."""
    return (channel_id, trigger.snowflake, trigger.position, trigger.round)


def alert_values(alert: AlertRecord) -> tuple[Any, ...]:
    """The values of ``statements.RECORD_ALERT``, in its order."""
    return (
        alert.convo_id,
        alert.guild_id,
        alert.channel_id,
        ",".join(alert.matched),
        alert.created_at_ms,
        alert.message_id,
        alert.follow_id,
        alert.reping_at_ms,
    )


def alert_from_row(row: Sequence[Any]) -> AlertRecord:
    return AlertRecord(row[0], row[1], row[2], parse_tags(row[3]), *row[4:])


def settings_from_row(
    guild_id: int, row: Sequence[Any] | None, channels: tuple[int, ...]
) -> GuildSettings:
    """``row``: the SETTINGS_COLUMNS of the server's row, or None for a server with none yet."""
    if row is None:
        return GuildSettings(guild_id, autotag_channel_ids=channels)
    return GuildSettings(
        guild_id,
        results_channel_id=row[0],
        seed=row[1],
        alert_channel_id=row[2],
        alert_role_id=row[3],
        alert_tags=parse_tags(row[4]),
        alert_undocumented=bool(row[5]),
        alert_errors=bool(row[6]),
        autotag_interval_minutes=row[7],
        alert_hits=row[8],
        alert_samples=row[9],
        alert_reping_minutes=row[10],
        announced_tags=parse_expectations(row[11]),
        autotag_channel_ids=channels,
    )


def settings_values(settings: GuildSettings) -> tuple[Any, ...]:
    """The SETTINGS_COLUMNS of ``settings``, as ``settings_from_row`` reads them."""
    return (
        settings.results_channel_id,
        settings.seed,
        settings.alert_channel_id,
        settings.alert_role_id,
        ",".join(settings.alert_tags),
        int(settings.alert_undocumented),
        int(settings.alert_errors),
        settings.autotag_interval_minutes,
        settings.alert_hits,
        settings.alert_samples,
        settings.alert_reping_minutes,
        format_expectations(settings.announced_tags),
    )
