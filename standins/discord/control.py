"""The control API over HTTP, so a separate process (a demo script) can drive the emulator.

``POST /_control/<method>`` with a JSON object of keyword arguments calls the emulator method
of that name (only those in ``ACTIONS``) and answers ``{"result": ...}``; errors answer 400
with ``{"error": "..."}``. ``GET /_control`` lists the methods.
"""

from __future__ import annotations

import dataclasses
import inspect
from collections.abc import Callable
from typing import Any

from aiohttp import web

from .errors import DiscordError
from .http_util import json_response
from .model import BotApp, Interaction, RequestLogEntry, StoredMessage

ACTIONS = (
    "create_user",
    "create_bot",
    "set_application_flags",
    "refuse_intents",
    "create_guild",
    "create_role",
    "update_role",
    "delete_role",
    "create_channel",
    "set_overwrite",
    "delete_channel",
    "create_thread",
    "create_forum_post",
    "update_thread",
    "add_member",
    "remove_member",
    "set_member_roles",
    "set_user_locale",
    "set_guild_locale",
    "send_slash_command",
    "send_message_command",
    "click_button",
    "post_message",
    "post_webhook_message",
    "update_message",
    "edit_message_as_author",
    "react_as",
    "inject_ratelimit",
    "inject_server_error",
    "inject_stall",
    "drop_gateway",
    "invalidate_session",
    "request_heartbeat",
    "request_reconnect",
    "gateway_sessions",
    "identify_violations",
    "set_invalid_request_limit",
    "invalid_requests",
    "lift_ban",
    "messages",
    "interaction",
    "commands",
    "requests",
    "wait_until_ready",
    "wait_for_message",
    "wait_for_response",
    "seed",
)


def to_jsonable(value: Any) -> Any:
    if isinstance(value, StoredMessage):
        return {
            "message": value.data,
            "ephemeral_for": value.ephemeral_for,
            "reactions": value.reactions,
            "history": value.history,
            "deleted": value.deleted,
        }
    if isinstance(value, Interaction):
        return {
            "id": value.id,
            "type": value.type,
            "user_id": value.user_id,
            "channel_id": value.channel_id,
            "guild_id": value.guild_id,
            "original_message_id": value.original_message_id,
            "responses": [dataclasses.asdict(r) for r in value.responses],
        }
    if isinstance(value, BotApp | RequestLogEntry) or (
        dataclasses.is_dataclass(value) and not isinstance(value, type)
    ):
        return dataclasses.asdict(value)
    if isinstance(value, list | tuple):
        return [to_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    return value


def add_control_routes(app: web.Application, target: object) -> None:
    async def index(_: web.Request) -> web.Response:
        return json_response({"actions": list(ACTIONS)})

    async def call(request: web.Request) -> web.Response:
        name = request.match_info["action"]
        if name not in ACTIONS:
            return json_response({"error": f"unknown control action {name!r}"}, 404)
        method: Callable[..., Any] = getattr(target, name)
        kwargs = await request.json() if request.can_read_body else {}
        try:
            result = method(**kwargs)
            if inspect.isawaitable(result):
                result = await result
        except (TypeError, ValueError, KeyError, TimeoutError, DiscordError) as exc:
            return json_response({"error": f"{type(exc).__name__}: {exc}"}, 400)
        return json_response({"result": to_jsonable(result)})

    app.router.add_get("/_control", index)
    app.router.add_post("/_control/{action}", call)
