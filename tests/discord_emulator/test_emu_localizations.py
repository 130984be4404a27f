"""Localisation as Discord does it (docs/discord-notes.md, Localisation; the OpenAPI schema's
``AvailableLocalesEnum`` and ``ApplicationCommand*`` schemas): a bulk overwrite stores and
returns ``name_localizations`` and ``description_localizations`` on commands, options and
choices, refuses a locale Discord does not know or a localised name it would not accept, and
interactions carry the member's ``locale`` and the server's ``guild_locale``."""

from __future__ import annotations

import asyncio
from typing import Any

import aiohttp
import discord
import pytest

from standins.discord import DiscordEmulator
from tests.discord_emulator.emu_helpers import (
    ClientRunner,
    World,
    raw_request,
    validate_component,
    validate_response,
)

GLOBAL = "/applications/{application_id}/commands"
GUILD = "/applications/{application_id}/guilds/{guild_id}/commands"


def _commands() -> list[dict[str, Any]]:
    return [
        {
            "name": "tag",
            "name_localizations": {"de": "markieren", "ja": "タグ"},
            "description": "Tag a live stream",
            "description_localizations": {"de": "Einen Livestream markieren"},
            "type": 1,
            "options": [
                {
                    "type": 3,
                    "name": "state",
                    "name_localizations": {"de": "zustand", "pt-BR": "estado"},
                    "description": "on or off",
                    "description_localizations": {"de": "an oder aus"},
                    "required": True,
                    "choices": [
                        {"name": "on", "value": "on", "name_localizations": {"de": "An"}},
                        {"name": "off", "value": "off", "name_localizations": {"de": "Aus"}},
                    ],
                }
            ],
        },
        # A context menu's name may hold capitals and spaces in every language.
        {"name": "Tag stream", "type": 3, "name_localizations": {"de": "Stream markieren"}},
    ]


async def _put(emulator: DiscordEmulator, world: World, body: Any, *, guild: bool = False) -> Any:
    app = world.bot.application_id
    path = (
        f"/applications/{app}/guilds/{world.guild}/commands"
        if guild
        else GLOBAL.format(application_id=app)
    )
    return await raw_request("PUT", emulator.api_base + path, token=world.bot.token, json_body=body)


@pytest.mark.parametrize("guild", [False, True], ids=["global", "guild"])
async def test_a_sync_stores_and_returns_every_localisation(
    emulator: DiscordEmulator, world: World, guild: bool
) -> None:
    put = await _put(emulator, world, _commands(), guild=guild)
    assert put.status == 200, put.body
    validate_response("PUT", GUILD if guild else GLOBAL, 200, put.body)
    tag, menu = put.body
    assert tag["name_localizations"] == {"de": "markieren", "ja": "タグ"}
    assert tag["description_localizations"] == {"de": "Einen Livestream markieren"}
    option = tag["options"][0]
    assert option["name_localizations"] == {"de": "zustand", "pt-BR": "estado"}
    assert option["description_localizations"] == {"de": "an oder aus"}
    assert [c["name_localizations"] for c in option["choices"]] == [{"de": "An"}, {"de": "Aus"}]
    assert menu["name_localizations"] == {"de": "Stream markieren"}
    app = world.bot.application_id
    path = (
        GUILD.format(application_id=app, guild_id=world.guild)
        if guild
        else GLOBAL.format(application_id=app)
    )
    listed = await raw_request("GET", emulator.api_base + path, token=world.bot.token)
    assert listed.body == put.body


def _codes(errors: Any) -> Any:
    """An errors tree with only the codes, since Discord's messages are its own words."""
    if isinstance(errors, dict):
        if "_errors" in errors:
            return {"_errors": [{"code": e["code"]} for e in errors["_errors"]]}
        return {key: _codes(value) for key, value in errors.items()}
    return errors


BAD_SYNCS: list[tuple[str, Any, Any]] = [
    (
        "an unknown locale on a command",
        lambda c: c[0]["name_localizations"].update({"zh": "标签"}),
        {"0": {"name_localizations": {"zh": {"_errors": [{"code": "ENUM_TYPE_COERCE"}]}}}},
    ),
    (
        "an unknown locale on an option's description",
        lambda c: c[0]["options"][0]["description_localizations"].update({"german": "x"}),
        {
            "0": {
                "options": {
                    "0": {
                        "description_localizations": {
                            "german": {"_errors": [{"code": "ENUM_TYPE_COERCE"}]}
                        }
                    }
                }
            }
        },
    ),
    (
        "an unknown locale on a choice",
        lambda c: c[0]["options"][0]["choices"][1]["name_localizations"].update({"EN": "Off"}),
        {
            "0": {
                "options": {
                    "0": {
                        "choices": {
                            "1": {
                                "name_localizations": {
                                    "EN": {"_errors": [{"code": "ENUM_TYPE_COERCE"}]}
                                }
                            }
                        }
                    }
                }
            }
        },
    ),
    (
        "a localised slash name in capitals",
        lambda c: c[0]["name_localizations"].update({"fr": "Étiqueter"}),
        {
            "0": {
                "name_localizations": {
                    "fr": {"_errors": [{"code": "APPLICATION_COMMAND_INVALID_NAME"}]}
                }
            }
        },
    ),
    (
        "a localised option name with a space",
        lambda c: c[0]["options"][0]["name_localizations"].update({"ru": "два слова"}),
        {
            "0": {
                "options": {
                    "0": {
                        "name_localizations": {
                            "ru": {"_errors": [{"code": "APPLICATION_COMMAND_INVALID_NAME"}]}
                        }
                    }
                }
            }
        },
    ),
    (
        "a localised description over 100 characters",
        lambda c: c[0]["description_localizations"].update({"pl": "x" * 101}),
        {
            "0": {
                "description_localizations": {"pl": {"_errors": [{"code": "BASE_TYPE_BAD_LENGTH"}]}}
            }
        },
    ),
    (
        "a localised menu name over 32 characters",
        lambda c: c[1]["name_localizations"].update({"es-ES": "x" * 33}),
        {"1": {"name_localizations": {"es-ES": {"_errors": [{"code": "BASE_TYPE_BAD_LENGTH"}]}}}},
    ),
    (
        "an empty localised name",
        lambda c: c[0]["name_localizations"].update({"de": ""}),
        {"0": {"name_localizations": {"de": {"_errors": [{"code": "BASE_TYPE_BAD_LENGTH"}]}}}},
    ),
]


@pytest.mark.parametrize(
    ("change", "expected"), [b[1:] for b in BAD_SYNCS], ids=[b[0] for b in BAD_SYNCS]
)
async def test_a_bad_localisation_refuses_the_whole_sync(
    emulator: DiscordEmulator, world: World, change: Any, expected: Any
) -> None:
    await _put(emulator, world, _commands())
    before = emulator.commands(world.bot.application_id)
    body = _commands()
    change(body)
    answer = await _put(emulator, world, body)
    assert answer.status == 400
    assert answer.body["code"] == 50035 and answer.body["message"] == "Invalid Form Body"
    validate_component("ErrorResponse", answer.body)
    assert _codes(answer.body["errors"]) == expected
    assert emulator.commands(world.bot.application_id) == before  # nothing of it was stored


async def test_interactions_carry_the_members_and_the_servers_locale(
    emulator: DiscordEmulator, world: World
) -> None:
    emulator.state.commands[(world.bot.application_id, None)] = [
        {"id": "1", "name": "ping", "type": 1, "description": "p", "options": []}
    ]
    default = await emulator.send_slash_command(world.guild, world.general, world.alice, "ping")
    assert default.payload["locale"] == "en-US" and default.payload["guild_locale"] == "en-US"

    emulator.set_user_locale(world.alice, "de")
    await emulator.set_guild_locale(world.guild, "fr")
    german = await emulator.send_slash_command(world.guild, world.general, world.alice, "ping")
    assert german.payload["locale"] == "de"
    assert german.payload["guild_locale"] == "fr"
    assert german.payload["guild"]["locale"] == "fr"
    other = await emulator.send_slash_command(world.guild, world.general, world.bob, "ping")
    assert other.payload["locale"] == "en-US"  # each member's own client language

    guild = await raw_request(
        "GET", f"{emulator.api_base}/guilds/{world.guild}", token=world.bot.token
    )
    assert guild.body["preferred_locale"] == "fr"


async def test_only_discords_locales_can_be_set(emulator: DiscordEmulator, world: World) -> None:
    with pytest.raises(ValueError, match="not a Discord locale"):
        emulator.set_user_locale(world.alice, "de-DE")
    with pytest.raises(ValueError, match="not a Discord locale"):
        await emulator.set_guild_locale(world.guild, "english")
    async with aiohttp.ClientSession() as http:
        url = f"{emulator.base_url}/_control/set_user_locale"
        async with http.post(url, json={"user_id": world.alice, "locale": "xx"}) as answer:
            assert answer.status == 400
        async with http.post(url, json={"user_id": world.alice, "locale": "ja"}) as answer:
            assert answer.status == 200
    assert emulator.state.users[world.alice].locale == "ja"


async def test_guild_create_and_guild_update_carry_the_servers_locale(
    emulator: DiscordEmulator, world: World, runner: ClientRunner
) -> None:
    await emulator.set_guild_locale(world.guild, "pt-BR")
    bot = runner.make_bot()
    await runner.start(bot, world.bot.token)
    guild = bot.get_guild(world.guild)
    assert guild is not None and guild.preferred_locale is discord.Locale.brazil_portuguese
    updated = asyncio.ensure_future(bot.wait_for("guild_update", timeout=5))
    await emulator.set_guild_locale(world.guild, "ja")
    _, after = await updated
    assert after.preferred_locale is discord.Locale.japanese
