"""Small request/response helpers every REST module uses."""

from __future__ import annotations

import json
from typing import Any

from aiohttp import web

from . import errors
from .gateway import Gateway
from .messaging import Messaging
from .model import BotApp
from .state import State

STATE_KEY = web.AppKey("state", State)
GATEWAY_KEY = web.AppKey("gateway", Gateway)
MESSAGING_KEY = web.AppKey("messaging", Messaging)


def json_response(data: Any, status: int = 200) -> web.Response:
    """JSON with ``Content-Type`` exactly ``application/json``: discord.py compares it verbatim
    and treats ``application/json; charset=utf-8`` (what ``web.json_response`` sends) as text."""
    response = web.Response(body=json.dumps(data).encode(), status=status)
    response.headers["Content-Type"] = "application/json"
    return response


def no_content() -> web.Response:
    return web.Response(status=204)


def error_response(error: errors.DiscordError) -> web.Response:
    return json_response(error.body(), error.status)


def bearer_token(request: web.Request) -> str | None:
    header = request.headers.get("Authorization", "")
    return header[4:] if header.startswith("Bot ") else None


def authenticated_bot(request: web.Request) -> BotApp:
    token = bearer_token(request)
    bot = request.app[STATE_KEY].bot_by_token(token) if token else None
    if bot is None:
        raise errors.unauthorized()
    return bot


def snowflake(request: web.Request, name: str) -> int:
    raw = request.match_info[name]
    if not raw.isdigit():
        raise errors.invalid_form(
            {name: errors.field_error("NUMBER_TYPE_COERCE", f'Value "{raw}" is not snowflake.')}
        )
    return int(raw)


async def read_body(request: web.Request) -> Any:
    """The JSON body, also when discord.py wraps it as ``payload_json`` in a multipart form."""
    if request.content_type.startswith("multipart/"):
        form = await request.post()
        raw = form.get("payload_json")
        return json.loads(str(raw)) if raw is not None else {}
    if not request.can_read_body:
        return {}
    try:
        body = await request.json()
    except json.JSONDecodeError:
        raise errors.DiscordError(400, 50109, "The request body contains invalid JSON.") from None
    return body


async def read_json(request: web.Request) -> dict[str, Any]:
    body = await read_body(request)
    if not isinstance(body, dict):
        raise errors.DiscordError(400, 50109, "The request body contains invalid JSON.")
    return body
