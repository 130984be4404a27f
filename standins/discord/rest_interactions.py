"""Interaction callbacks and the interaction webhook (``@original``, follow-ups).

These routes authenticate by the interaction token, not the bot token, as on Discord. The
3-second window for the first answer and the 15-minute life of the token are enforced, and
every answer is recorded on the interaction for tests to read back.
"""

from __future__ import annotations

import time

from aiohttp import web

from . import errors
from .http_util import MESSAGING_KEY, STATE_KEY, json_response, no_content, read_json, snowflake
from .interactions import (
    APPLICATION_COMMAND,
    AUTOCOMPLETE_INTERACTION,
    MESSAGE_COMMAND,
    MESSAGE_COMPONENT,
)
from .messaging import EPHEMERAL, LOADING, Messaging
from .model import JSON, Interaction, ResponseRecord, StoredMessage
from .serialize import message_json, user_json
from .state import State
from .validation import check_autocomplete

PONG, MESSAGE, DEFERRED_MESSAGE, DEFERRED_UPDATE, UPDATE_MESSAGE = 1, 4, 5, 6, 7
AUTOCOMPLETE, MODAL = 8, 9
CHAT_INPUT_MESSAGE, CONTEXT_MENU_MESSAGE = 20, 23
TRUTHY = ("1", "true", "True")


def _type_invalid() -> errors.DiscordError:
    return errors.invalid_form(
        {
            "type": errors.field_error(
                "INTERACTION_RESPONSE_TYPE_INVALID", "Interaction response type is invalid."
            )
        }
    )


def _metadata(state: State, interaction: Interaction) -> JSON:
    user = user_json(state.users[interaction.user_id])
    meta: JSON = {
        "id": str(interaction.id),
        "type": interaction.type,
        "user": user,
        "authorizing_integration_owners": {"0": str(interaction.guild_id)},
    }
    data = interaction.payload.get("data") or {}
    if interaction.type == MESSAGE_COMPONENT and interaction.message_id is not None:
        meta["interacted_message_id"] = str(interaction.message_id)
    if data.get("type") == MESSAGE_COMMAND:
        meta["target_message_id"] = data["target_id"]
    return meta


def _message_extra(state: State, interaction: Interaction) -> JSON:
    extra: JSON = {
        "application_id": str(interaction.application_id),
        "webhook_id": str(interaction.application_id),
        "interaction_metadata": _metadata(state, interaction),
    }
    # The legacy object names a command, so answers to a button click carry none (and
    # discord.py cannot read one without a name).
    data = interaction.payload.get("data") or {}
    if "name" in data:
        extra["interaction"] = {
            "id": str(interaction.id),
            "type": interaction.type,
            "name": data["name"],
            "user": user_json(state.users[interaction.user_id]),
        }
    return extra


async def _create(
    messaging: Messaging, interaction: Interaction, payload: JSON, *, loading: bool = False
) -> StoredMessage:
    state = messaging.state
    bot = state.bot_by_application(interaction.application_id)
    assert bot is not None
    data = interaction.payload.get("data") or {}
    msg_type = 0
    if interaction.type == APPLICATION_COMMAND:
        msg_type = CONTEXT_MENU_MESSAGE if data.get("type") != 1 else CHAT_INPUT_MESSAGE
    ephemeral = bool(int(payload.get("flags") or 0) & EPHEMERAL)
    return await messaging.create(
        state.channel(interaction.channel_id),
        bot.user_id,
        payload,
        msg_type=msg_type,
        extra=_message_extra(state, interaction),
        ephemeral_for=interaction.user_id if ephemeral else None,
        flags=LOADING if loading else 0,
        placeholder=loading,
    )


async def callback(request: web.Request) -> web.Response:
    state = request.app[STATE_KEY]
    messaging = request.app[MESSAGING_KEY]
    interaction = state.interactions.get(snowflake(request, "interaction_id"))
    if interaction is None or interaction.token != request.match_info["token"]:
        raise errors.unknown_interaction()
    if interaction.callback is not None:
        raise errors.already_acknowledged()
    if time.monotonic() - interaction.created_at > state.config.interaction_timeout:
        raise errors.unknown_interaction()
    body = await read_json(request)
    kind = int(body.get("type", 0))
    data: JSON = body.get("data") or {}
    component = interaction.type == MESSAGE_COMPONENT
    stored: StoredMessage | None = None
    if (kind == AUTOCOMPLETE) != (interaction.type == AUTOCOMPLETE_INTERACTION):
        # An autocomplete is answered with choices only, and only an autocomplete may be.
        raise _type_invalid()
    if kind == MESSAGE:
        stored = await _create(messaging, interaction, data)
    elif kind == DEFERRED_MESSAGE:
        stored = await _create(
            messaging, interaction, {"flags": data.get("flags", 0)}, loading=True
        )
    elif kind in (DEFERRED_UPDATE, UPDATE_MESSAGE) and component:
        stored = state.message(interaction.channel_id, interaction.message_id or 0)
        if kind == UPDATE_MESSAGE:
            await messaging.edit(stored, data)
    elif kind == AUTOCOMPLETE:
        check_autocomplete(data)
    elif kind not in (PONG, MODAL) or (kind == PONG) != (interaction.type == 1):
        raise _type_invalid()
    if stored is not None:
        interaction.original_message_id = stored.id
    interaction.responses.append(
        ResponseRecord(
            "callback", kind, data, time.time(), stored.id if stored is not None else None
        )
    )
    interaction.responded.set()
    state.changed()
    if request.query.get("with_response") not in TRUTHY:
        return no_content()
    summary: JSON = {
        "id": str(interaction.id),
        "type": interaction.type,
        "channel_id": str(interaction.channel_id),
        "guild_id": str(interaction.guild_id),
    }
    answer: JSON = {"interaction": summary}
    if stored is not None and kind in (MESSAGE, DEFERRED_MESSAGE):
        summary["response_message_id"] = str(stored.id)
        summary["response_message_loading"] = kind == DEFERRED_MESSAGE
        summary["response_message_ephemeral"] = stored.ephemeral_for is not None
    if stored is not None and kind in (MESSAGE, UPDATE_MESSAGE):
        answer["resource"] = {"type": kind, "message": message_json(stored)}
    return json_response(answer)


def _interaction_for_webhook(request: web.Request) -> tuple[State, Interaction]:
    state = request.app[STATE_KEY]
    webhook_id = snowflake(request, "webhook_id")
    token = request.match_info["token"]
    interaction = next((i for i in state.interactions.values() if i.token == token), None)
    if interaction is None or interaction.application_id != webhook_id:
        raise errors.unknown_webhook()
    if time.monotonic() - interaction.created_at > state.config.interaction_token_ttl:
        raise errors.DiscordError(401, 50027, "Invalid Webhook Token")
    return state, interaction


def _owned_message(state: State, interaction: Interaction, raw_id: str) -> StoredMessage:
    if raw_id == "@original":
        message_id = interaction.original_message_id
    else:
        message_id = int(raw_id) if raw_id.isdigit() else None
        owned = {r.message_id for r in interaction.responses} | {interaction.original_message_id}
        if message_id not in owned:
            message_id = None
    if message_id is None:
        raise errors.unknown_message()
    return state.message(interaction.channel_id, message_id)


async def get_webhook_message(request: web.Request) -> web.Response:
    state, interaction = _interaction_for_webhook(request)
    stored = _owned_message(state, interaction, request.match_info["message_id"])
    return json_response(message_json(stored))


async def edit_webhook_message(request: web.Request) -> web.Response:
    state, interaction = _interaction_for_webhook(request)
    raw_id = request.match_info["message_id"]
    stored = _owned_message(state, interaction, raw_id)
    payload = await read_json(request)
    await request.app[MESSAGING_KEY].edit(stored, payload, clear_flags=LOADING)
    kind = "edit_original" if raw_id == "@original" else "edit_followup"
    interaction.responses.append(ResponseRecord(kind, None, payload, time.time(), stored.id))
    state.changed()
    return json_response(message_json(stored))


async def delete_webhook_message(request: web.Request) -> web.Response:
    state, interaction = _interaction_for_webhook(request)
    raw_id = request.match_info["message_id"]
    stored = _owned_message(state, interaction, raw_id)
    await request.app[MESSAGING_KEY].delete(stored)
    kind = "delete_original" if raw_id == "@original" else "delete_followup"
    interaction.responses.append(ResponseRecord(kind, None, {}, time.time(), stored.id))
    state.changed()
    return no_content()


async def followup(request: web.Request) -> web.Response:
    state, interaction = _interaction_for_webhook(request)
    if interaction.callback is None or interaction.type == AUTOCOMPLETE_INTERACTION:
        raise errors.unknown_webhook()
    messaging = request.app[MESSAGING_KEY]
    payload = await read_json(request)
    original = state.messages.get(interaction.original_message_id or 0)
    if original is not None and not original.deleted and original.data["flags"] & LOADING:
        # Discord lets the first follow-up after a defer fill in the "thinking" message.
        await messaging.edit(original, payload, clear_flags=LOADING)
        stored = original
    else:
        stored = await _create(messaging, interaction, payload)
    interaction.responses.append(ResponseRecord("followup", None, payload, time.time(), stored.id))
    state.changed()
    if request.query.get("wait") not in TRUTHY:
        return no_content()
    return json_response(message_json(stored))


def add_routes(app: web.Application, prefix: str) -> None:
    app.router.add_post(f"{prefix}/interactions/{{interaction_id}}/{{token}}/callback", callback)
    hook = f"{prefix}/webhooks/{{webhook_id}}/{{token}}"
    app.router.add_post(hook, followup)
    app.router.add_get(f"{hook}/messages/{{message_id}}", get_webhook_message)
    app.router.add_patch(f"{hook}/messages/{{message_id}}", edit_webhook_message)
    app.router.add_delete(f"{hook}/messages/{{message_id}}", delete_webhook_message)
