"""Modify Channel (``PATCH /channels/{id}``), as far as threads need it: archiving,
unarchiving, locking and renaming, with the permissions Discord's thread documentation states
(docs/discord-notes.md, Channels)."""

from __future__ import annotations

from aiohttp import web

from . import errors
from .http_util import (
    MESSAGING_KEY,
    STATE_KEY,
    authenticated_bot,
    json_response,
    read_json,
    snowflake,
)
from .model import JSON, Channel, iso_now
from .permissions import MANAGE_CHANNELS, MANAGE_THREADS, has
from .serialize import channel_json, thread_json
from .threads import AUTO_ARCHIVE_DURATIONS


def _check_thread_change(channel: Channel, perms: int, user_id: int, body: JSON) -> None:
    """Unarchiving needs only membership (Manage Threads when it is locked); archiving,
    renaming and the archive duration, Manage Threads or having started it; locking, Manage
    Threads."""
    thread = channel.thread
    assert thread is not None
    moderator = has(perms, MANAGE_THREADS)
    duration = body.get("auto_archive_duration")
    if duration is not None and duration not in AUTO_ARCHIVE_DURATIONS:
        raise errors.invalid_form(
            {
                "auto_archive_duration": errors.field_error(
                    "BASE_TYPE_CHOICES", f"Value must be one of {AUTO_ARCHIVE_DURATIONS}."
                )
            }
        )
    locking = "locked" in body and bool(body["locked"]) != thread.locked
    unarchiving = body.get("archived") is False and thread.archived
    owner_change = body.get("archived") is True or "name" in body or duration is not None
    if locking and not moderator:
        raise errors.missing_permissions()
    if unarchiving and not moderator and (thread.locked or user_id not in thread.members):
        raise errors.missing_permissions()
    if owner_change and not (moderator or user_id == thread.owner_id):
        raise errors.missing_permissions()


async def modify_channel(request: web.Request) -> web.Response:
    bot = authenticated_bot(request)
    state = request.app[STATE_KEY]
    channel, perms = state.visible_channel(snowflake(request, "channel_id"), bot.user_id)
    body = await read_json(request)
    events = request.app[MESSAGING_KEY].events
    thread = channel.thread
    if thread is None:
        if not has(perms, MANAGE_CHANNELS):
            raise errors.missing_permissions()
        channel.name = str(body.get("name") or channel.name)
        channel.topic = body.get("topic", channel.topic)
        state.changed()
        await events.channel("CHANNEL_UPDATE", channel)
        return json_response(channel_json(channel))
    _check_thread_change(channel, perms, bot.user_id, body)
    if "archived" in body and bool(body["archived"]) != thread.archived:
        thread.archived = bool(body["archived"])
        thread.archive_timestamp = iso_now()
    thread.locked = bool(body.get("locked", thread.locked))
    channel.name = str(body.get("name") or channel.name)
    thread.auto_archive_duration = int(
        body.get("auto_archive_duration") or thread.auto_archive_duration
    )
    state.changed()
    await events.thread("THREAD_UPDATE", channel)
    return json_response(thread_json(channel, bot.user_id))


def add_routes(app: web.Application, prefix: str) -> None:
    app.router.add_patch(f"{prefix}/channels/{{channel_id}}", modify_channel)
