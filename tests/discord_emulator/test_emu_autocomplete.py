"""Autocomplete as Discord runs it (docs/discord-notes.md): a type 4 interaction with the option
being typed in marked ``focused``, answered once with at most 25 choices (callback type 8)."""

from __future__ import annotations

import discord
import pytest
from discord import app_commands
from discord.ext import commands

from standins.discord import DiscordEmulator
from tests.discord_emulator.emu_helpers import ClientRunner, World, raw_request

AUTOCOMPLETE_RESULT = 8
FLAVOURS = ["vanilla", "chocolate", "strawberry", "pistachio"]


def build_bot(runner: ClientRunner) -> commands.AutoShardedBot:
    bot = runner.make_bot()

    @bot.tree.command(name="order", description="Order ice cream")
    async def order(interaction: discord.Interaction, flavour: str, scoops: int = 1) -> None:
        await interaction.response.send_message(f"{scoops} x {flavour}")

    @order.autocomplete("flavour")
    async def flavours(
        interaction: discord.Interaction, typed: str
    ) -> list[app_commands.Choice[str]]:
        scoops = interaction.namespace.scoops
        return [
            app_commands.Choice(name=f"{flavour} ({scoops})", value=flavour)
            for flavour in FLAVOURS
            if typed.lower() in flavour
        ]

    return bot


@pytest.fixture
async def bot(
    emulator: DiscordEmulator, world: World, runner: ClientRunner
) -> commands.AutoShardedBot:
    client = build_bot(runner)
    await runner.start(client, world.bot.token)
    await client.tree.sync()
    return client


async def test_the_typed_text_reaches_the_bot_and_its_choices_come_back(
    emulator: DiscordEmulator, world: World, bot: commands.AutoShardedBot
) -> None:
    [command] = emulator.commands(world.bot.application_id)
    assert command["options"][0]["autocomplete"] is True

    typing = await emulator.send_autocomplete(
        world.guild, world.general, world.alice, "order", {"flavour": "CH", "scoops": 2}, "flavour"
    )
    answer = await typing.wait_response()

    assert typing.payload["type"] == 4
    assert typing.payload["data"]["options"][0] == {
        "name": "flavour",
        "type": 3,
        "value": "CH",
        "focused": True,
    }
    assert answer.type == AUTOCOMPLETE_RESULT and answer.message_id is None
    assert answer.data["choices"] == [
        {"name": "chocolate (2)", "value": "chocolate"},
        {"name": "pistachio (2)", "value": "pistachio"},
    ]
    assert emulator.messages(world.general) == []


async def test_an_option_that_does_not_autocomplete_cannot_be_focused(
    emulator: DiscordEmulator, world: World, bot: commands.AutoShardedBot
) -> None:
    with pytest.raises(ValueError, match="does not autocomplete"):
        await emulator.send_autocomplete(
            world.guild, world.general, world.alice, "order", {"scoops": "1"}, "scoops"
        )


@pytest.mark.parametrize(
    ("kind", "data", "errors"),
    [
        (4, {"content": "hi"}, None),
        (8, {"choices": [{"name": str(n), "value": str(n)} for n in range(26)]}, "choices"),
        (8, {"choices": [{"name": "", "value": "v"}]}, "name"),
        (8, {"choices": [{"name": "n", "value": "v" * 101}]}, "value"),
    ],
)
async def test_an_autocomplete_takes_choices_within_discords_limits_only(
    emulator: DiscordEmulator, world: World, kind: int, data: dict[str, object], errors: str | None
) -> None:
    emulator.state.commands[(world.bot.application_id, None)] = [
        {
            "id": "1",
            "name": "order",
            "type": 1,
            "description": "o",
            "options": [{"name": "flavour", "type": 3, "description": "f", "autocomplete": True}],
        }
    ]
    typing = await emulator.send_autocomplete(
        world.guild, world.general, world.alice, "order", {"flavour": "v"}, "flavour"
    )
    callback = f"{emulator.api_base}/interactions/{typing.id}/{typing.token}/callback"
    refused = await raw_request("POST", callback, json_body={"type": kind, "data": data})

    assert refused.status == 400 and refused.body["code"] == 50035
    if errors is not None:
        assert errors in str(refused.body["errors"])
    assert typing.callback is None
    fine = await raw_request("POST", callback, json_body={"type": 8, "data": {"choices": []}})
    assert fine.status == 204
    followup = f"{emulator.api_base}/webhooks/{world.bot.application_id}/{typing.token}"
    assert (await raw_request("POST", followup, json_body={"content": "x"})).status == 404
