"""Channel, message and reaction routes, with Discord's permission checks and error codes."""

from __future__ import annotations

from aiohttp import web

from . import errors
from .attachments import read_message_form, store_attachments
from .http_util import (
    MESSAGING_KEY,
    STATE_KEY,
    authenticated_bot,
    json_response,
    no_content,
    read_json,
    snowflake,
)
from .model import BotApp, Channel, StoredMessage
from .permissions import (
    ADD_REACTIONS,
    ATTACH_FILES,
    EMBED_LINKS,
    MANAGE_MESSAGES,
    READ_MESSAGE_HISTORY,
    has,
)
from .serialize import channel_json, emoji_json, emoji_key, message_json, thread_json
from .state import State
from .threads import check_active


def _context(request: web.Request) -> tuple[State, BotApp, Channel, int]:
    bot = authenticated_bot(request)
    state = request.app[STATE_KEY]
    channel, perms = state.visible_channel(snowflake(request, "channel_id"), bot.user_id)
    return state, bot, channel, perms


def _target(request: web.Request) -> tuple[State, BotApp, StoredMessage, int]:
    state, bot, channel, perms = _context(request)
    stored = state.message(channel.id, snowflake(request, "message_id"), viewer=bot.user_id)
    return state, bot, stored, perms


async def get_channel(request: web.Request) -> web.Response:
    _, bot, channel, _ = _context(request)
    if channel.thread is not None:
        return json_response(thread_json(channel, bot.user_id))
    return json_response(channel_json(channel))


async def list_messages(request: web.Request) -> web.Response:
    state, bot, channel, perms = _context(request)
    if not has(perms, READ_MESSAGE_HISTORY):
        return json_response([])
    try:
        limit = int(request.query.get("limit", "50"))
    except ValueError:
        limit = 0
    if not 1 <= limit <= 100:
        raise errors.invalid_form(
            {
                "limit": errors.field_error(
                    "NUMBER_TYPE_MAX" if limit > 100 else "NUMBER_TYPE_MIN",
                    "int value should be between 1 and 100.",
                )
            }
        )
    history = state.channel_history(channel.id, include_ephemeral=False)
    if "after" in request.query:
        after = int(request.query["after"])
        chosen = [m for m in history if m.id > after][:limit]
    elif "around" in request.query:
        around = int(request.query["around"])
        older = [m for m in history if m.id <= around]
        newer = [m for m in history if m.id > around]
        half = limit // 2
        chosen = older[-(limit - half) :] + newer[:half]
    else:
        before = int(request.query.get("before", str(1 << 63)))
        chosen = [m for m in history if m.id < before][-limit:]
    chosen.sort(key=lambda m: m.id, reverse=True)
    return json_response([message_json(m, bot.user_id) for m in chosen])


async def create_message(request: web.Request) -> web.Response:
    bot = authenticated_bot(request)
    payload, uploads = await read_message_form(request)
    messaging = request.app[MESSAGING_KEY]
    channel = messaging.check_can_send(snowflake(request, "channel_id"), bot.user_id, payload)
    extra = None
    if uploads or payload.get("attachments"):
        if not has(messaging.state.permissions(channel, bot.user_id), ATTACH_FILES):
            raise errors.missing_permissions()
        state = messaging.state
        attachments = store_attachments(
            request,
            payload,
            uploads,
            ids=state.ids,
            channel_id=channel.id,
            size_limit=state.config.attachment_size_limit,
        )
        extra = {"attachments": attachments}
    stored = await messaging.create(channel, bot.user_id, payload, extra=extra)
    return json_response(message_json(stored, bot.user_id))


async def get_message(request: web.Request) -> web.Response:
    state, bot, channel, perms = _context(request)
    if not has(perms, READ_MESSAGE_HISTORY):
        raise errors.missing_access()
    stored = state.message(channel.id, snowflake(request, "message_id"), viewer=bot.user_id)
    return json_response(message_json(stored, bot.user_id))


async def edit_message(request: web.Request) -> web.Response:
    _, bot, stored, perms = _target(request)
    payload = await read_json(request)
    if int(stored.data["author"]["id"]) != bot.user_id:
        raise errors.cannot_edit_others()
    if payload.get("embeds") and not has(perms, EMBED_LINKS):
        raise errors.missing_permissions()
    await request.app[MESSAGING_KEY].edit(stored, payload)
    return json_response(message_json(stored, bot.user_id))


async def delete_message(request: web.Request) -> web.Response:
    _, bot, stored, perms = _target(request)
    if int(stored.data["author"]["id"]) != bot.user_id and not has(perms, MANAGE_MESSAGES):
        raise errors.missing_permissions()
    await request.app[MESSAGING_KEY].delete(stored)
    return no_content()


async def add_reaction(request: web.Request) -> web.Response:
    state, bot, stored, perms = _target(request)
    if not has(perms, READ_MESSAGE_HISTORY):
        raise errors.missing_access()
    check_active(state.channels[stored.channel_id], perms, editing=False)
    key = emoji_key(request.match_info["emoji"])
    users = stored.reactions.get(key)
    if not users and not has(perms, ADD_REACTIONS):
        raise errors.missing_permissions()
    if users is not None and bot.user_id in users:
        return no_content()
    stored.reactions.setdefault(key, []).append(bot.user_id)
    request.app[STATE_KEY].changed()
    await request.app[MESSAGING_KEY].events.reaction(stored, bot.user_id, emoji_json(key), True)
    return no_content()


async def remove_reaction(request: web.Request) -> web.Response:
    _, bot, stored, _ = _target(request)
    key = emoji_key(request.match_info["emoji"])
    users = stored.reactions.get(key, [])
    if bot.user_id in users:
        users.remove(bot.user_id)
        request.app[STATE_KEY].changed()
        await request.app[MESSAGING_KEY].events.reaction(
            stored, bot.user_id, emoji_json(key), False
        )
    return no_content()


def add_routes(app: web.Application, prefix: str) -> None:
    channel = f"{prefix}/channels/{{channel_id}}"
    message = f"{channel}/messages/{{message_id}}"
    app.router.add_get(channel, get_channel)
    app.router.add_get(f"{channel}/messages", list_messages)
    app.router.add_post(f"{channel}/messages", create_message)
    app.router.add_get(message, get_message)
    app.router.add_patch(message, edit_message)
    app.router.add_delete(message, delete_message)
    app.router.add_put(f"{message}/reactions/{{emoji}}/@me", add_reaction)
    app.router.add_delete(f"{message}/reactions/{{emoji}}/@me", remove_reaction)
