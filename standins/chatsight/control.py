"""``/_sim/…``: the simulator's Python controls over HTTP, for a test driving a separate process.

The fault route takes the Python method's name and keyword arguments as they are, so the two
interfaces cannot drift apart. These routes need no API key: the simulator listens on loopback.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any

from aiohttp import web

if TYPE_CHECKING:
    from standins.chatsight.server import ChatsightSimulator

FAULTS = (
    "fail_next",
    "rate_limit_next",
    "slow_next",
    "bad_signature_next_webhook",
    "stale_next_webhook",
    "duplicate_next_webhook",
    "drop_next_webhook",
    "error_next_session",
    "stick_next_session",
    "lose_next_result",
)

SIMULATOR: web.AppKey[ChatsightSimulator] = web.AppKey("chatsight_simulator")


def add_control_routes(app: web.Application, simulator: ChatsightSimulator) -> None:
    app[SIMULATOR] = simulator
    app.router.add_post("/_sim/faults", _add_fault)
    app.router.add_post("/_sim/faults/clear", _clear_faults)
    app.router.add_get("/_sim/sessions", _sessions)
    app.router.add_post("/_sim/sessions/{convo_id}/advance", _advance)
    app.router.add_post("/_sim/sessions/{convo_id}/finish", _finish)
    app.router.add_post("/_sim/secret/rotate", _rotate)
    app.router.add_get("/_sim/requests", _requests)
    app.router.add_get("/_sim/webhooks", _webhooks)


async def _add_fault(request: web.Request) -> web.Response:
    """Body: ``{"fault": "fail_next", "path": "/stream", "status": 503, "count": 2}``."""
    body = await _json_object(request)
    name = body.pop("fault", None)
    if name not in FAULTS:
        raise _bad_request(f"fault must be one of {', '.join(FAULTS)}")
    try:
        getattr(request.app[SIMULATOR].faults, name)(**body)
    except (TypeError, ValueError) as error:
        raise _bad_request(str(error)) from error
    return web.json_response({"ok": True})


async def _clear_faults(request: web.Request) -> web.Response:
    request.app[SIMULATOR].faults.clear()
    return web.json_response({"ok": True})


async def _sessions(request: web.Request) -> web.Response:
    simulator = request.app[SIMULATOR]
    return web.json_response({convo: simulator.status_of(convo) for convo in simulator.sessions})


async def _advance(request: web.Request) -> web.Response:
    simulator = request.app[SIMULATOR]
    convo_id = request.match_info["convo_id"]
    try:
        await simulator.advance(convo_id)
    except KeyError as error:
        raise web.HTTPNotFound(text=str(error)) from error
    except ValueError as error:
        raise web.HTTPConflict(text=str(error)) from error
    return web.json_response(simulator.status_of(convo_id))


async def _finish(request: web.Request) -> web.Response:
    """Body (optional): ``{"tags": ["Fun"], "stop_reason": "stream_unavailable"}``."""
    simulator = request.app[SIMULATOR]
    convo_id = request.match_info["convo_id"]
    body = await _json_object(request)
    tags = body.get("tags")
    stop_reason = body.get("stop_reason")
    if tags is not None and not (isinstance(tags, list) and all(isinstance(t, str) for t in tags)):
        raise _bad_request("tags must be a list of strings")
    if stop_reason is not None and not isinstance(stop_reason, str):
        raise _bad_request("stop_reason must be a string")
    try:
        await simulator.finish(
            convo_id, tags=tuple(tags) if tags is not None else None, stop_reason=stop_reason
        )
    except KeyError as error:
        raise web.HTTPNotFound(text=str(error)) from error
    except ValueError as error:
        raise web.HTTPConflict(text=str(error)) from error
    return web.json_response(simulator.status_of(convo_id))


async def _rotate(request: web.Request) -> web.Response:
    """Rotates without the API key, for a driver that must not hold it."""
    return web.json_response({"sharedSecret": request.app[SIMULATOR].rotate_secret()})


async def _requests(request: web.Request) -> web.Response:
    return web.json_response(
        [
            {**dataclasses.asdict(r), "body": r.body.decode(errors="replace")}
            for r in request.app[SIMULATOR].requests
        ]
    )


async def _webhooks(request: web.Request) -> web.Response:
    """``?count=N&timeout=S`` waits, event-driven, until N attempts were made (408 if not)."""
    simulator = request.app[SIMULATOR]
    count = request.query.get("count")
    if count is not None:
        try:
            await simulator.wait_for_webhooks(int(count), float(request.query.get("timeout", 5)))
        except TimeoutError:
            raise web.HTTPRequestTimeout(text=f"fewer than {count} webhook attempts") from None
        except ValueError as error:
            raise _bad_request(str(error)) from error
    attempts = [
        {**dataclasses.asdict(a), "delivered": a.delivered} for a in simulator.webhook_attempts
    ]
    return web.json_response({"attempts": attempts, "dropped": simulator.dropped_webhooks})


async def _json_object(request: web.Request) -> dict[str, Any]:
    if not request.can_read_body:
        return {}
    try:
        body = await request.json()
    except ValueError as error:
        raise _bad_request("body is not JSON") from error
    if not isinstance(body, dict):
        raise _bad_request("body must be a JSON object")
    return body


def _bad_request(message: str) -> web.HTTPBadRequest:
    return web.HTTPBadRequest(text=message)
