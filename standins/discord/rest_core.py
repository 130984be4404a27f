"""Login-time and application routes: gateway discovery, the bot's identity, slash commands
(checked with their localisations by locales.py, and stored with them), and the guild look-ups
discord.py may make."""

from __future__ import annotations

import copy

from aiohttp import web

from . import errors
from .http_util import (
    GATEWAY_KEY,
    STATE_KEY,
    authenticated_bot,
    json_response,
    read_body,
    snowflake,
)
from .locales import command_errors
from .model import JSON, BotApp
from .serialize import application_json, channel_json, guild_json, member_json, self_user_json
from .state import State


async def gateway_bot(request: web.Request) -> web.Response:
    bot = authenticated_bot(request)
    gateway = request.app[GATEWAY_KEY]
    return json_response(
        {
            "url": gateway.url,
            "shards": request.app[STATE_KEY].config.shards,
            "session_start_limit": gateway.identifies.session_start_limit(bot.user_id),
        }
    )


async def gateway(request: web.Request) -> web.Response:
    return json_response({"url": request.app[GATEWAY_KEY].url})


async def users_me(request: web.Request) -> web.Response:
    bot = authenticated_bot(request)
    return json_response(self_user_json(request.app[STATE_KEY].users[bot.user_id]))


async def application_me(request: web.Request) -> web.Response:
    bot = authenticated_bot(request)
    return json_response(application_json(request.app[STATE_KEY], bot))


def _own_application(request: web.Request) -> tuple[State, BotApp, int | None]:
    bot = authenticated_bot(request)
    state = request.app[STATE_KEY]
    if snowflake(request, "application_id") != bot.application_id:
        raise errors.missing_access()
    guild_id = None
    if "guild_id" in request.match_info:
        guild_id = snowflake(request, "guild_id")
        if bot.user_id not in state.guild(guild_id).members:
            raise errors.missing_access()
    return state, bot, guild_id


def _stored_command(
    state: State, bot: BotApp, guild_id: int | None, body: JSON, previous: list[JSON]
) -> JSON:
    kind = int(body.get("type", 1))
    same = next((c for c in previous if c["name"] == body["name"] and c["type"] == kind), None)
    command: JSON = {
        "id": same["id"] if same else str(state.ids.next()),
        "application_id": str(bot.application_id),
        "version": str(state.ids.next()),
        "default_member_permissions": body.get("default_member_permissions"),
        "type": kind,
        "name": body["name"],
        "name_localizations": body.get("name_localizations"),
        "description": str(body.get("description") or ""),
        "description_localizations": body.get("description_localizations"),
        "nsfw": bool(body.get("nsfw", False)),
        "integration_types": body.get("integration_types") or [0],
        "contexts": body.get("contexts"),
    }
    if body.get("options"):
        command["options"] = copy.deepcopy(body["options"])
    if guild_id is not None:
        command["guild_id"] = str(guild_id)
    else:
        command["dm_permission"] = bool(body.get("dm_permission", True))
    return command


async def put_commands(request: web.Request) -> web.Response:
    state, bot, guild_id = _own_application(request)
    body = await read_body(request)
    if not isinstance(body, list):
        raise errors.invalid_form(
            errors.field_error("LIST_TYPE_CONVERT", "Only iterables may be used in a ListType")
        )
    problems: JSON = {
        str(index): found
        for index, command in enumerate(body)
        if (found := command_errors(command))
    }
    if problems:
        raise errors.invalid_form(problems)
    previous = state.commands.get((bot.application_id, guild_id), [])
    commands = [_stored_command(state, bot, guild_id, c, previous) for c in body]
    state.commands[(bot.application_id, guild_id)] = commands
    state.changed()
    return json_response(commands)


async def get_commands(request: web.Request) -> web.Response:
    state, bot, guild_id = _own_application(request)
    return json_response(state.commands.get((bot.application_id, guild_id), []))


def _member_guild(request: web.Request) -> tuple[State, int]:
    bot = authenticated_bot(request)
    state = request.app[STATE_KEY]
    guild_id = snowflake(request, "guild_id")
    if bot.user_id not in state.guild(guild_id).members:
        raise errors.missing_access()
    return state, guild_id


async def get_guild(request: web.Request) -> web.Response:
    state, guild_id = _member_guild(request)
    guild = state.guilds[guild_id]
    data = guild_json(state, guild)
    data["approximate_member_count"] = len(guild.members)
    return json_response(data)


async def get_guild_channels(request: web.Request) -> web.Response:
    state, guild_id = _member_guild(request)
    channels = [state.channels[c] for c in state.guilds[guild_id].channel_ids]
    return json_response([channel_json(c) for c in channels if not c.deleted])


async def get_guild_member(request: web.Request) -> web.Response:
    state, guild_id = _member_guild(request)
    member = state.guilds[guild_id].members.get(snowflake(request, "user_id"))
    if member is None:
        raise errors.DiscordError(404, 10007, "Unknown Member")
    return json_response(member_json(state, member))


def add_routes(app: web.Application, prefix: str) -> None:
    app.router.add_get(f"{prefix}/gateway/bot", gateway_bot)
    app.router.add_get(f"{prefix}/gateway", gateway)
    app.router.add_get(f"{prefix}/users/@me", users_me)
    app.router.add_get(f"{prefix}/oauth2/applications/@me", application_me)
    app.router.add_get(f"{prefix}/applications/@me", application_me)
    for path in (
        "/applications/{application_id}/commands",
        "/applications/{application_id}/guilds/{guild_id}/commands",
    ):
        app.router.add_put(prefix + path, put_commands)
        app.router.add_get(prefix + path, get_commands)
    app.router.add_get(f"{prefix}/guilds/{{guild_id}}", get_guild)
    app.router.add_get(f"{prefix}/guilds/{{guild_id}}/channels", get_guild_channels)
    app.router.add_get(f"{prefix}/guilds/{{guild_id}}/members/{{user_id}}", get_guild_member)
