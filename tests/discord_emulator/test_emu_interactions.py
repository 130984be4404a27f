"""Slash commands, context menus and buttons answered by a real discord.py bot."""

from __future__ import annotations

import asyncio

import discord
import pytest
from discord import app_commands
from discord.ext import commands

from standins.discord import DiscordEmulator
from tests.discord_emulator.emu_helpers import ClientRunner, World, raw_request

LOADING, EPHEMERAL = 1 << 7, 1 << 6


class TagView(discord.ui.View):
    def __init__(self) -> None:
        super().__init__(timeout=None)

    @discord.ui.button(label="Confirm", custom_id="tag:confirm")
    async def confirm(
        self, interaction: discord.Interaction, _: discord.ui.Button[TagView]
    ) -> None:
        await interaction.response.edit_message(content="confirmed", view=None)


def build_bot(runner: ClientRunner) -> commands.AutoShardedBot:
    bot = runner.make_bot()
    group = app_commands.Group(name="alerts", description="Alert settings")

    @bot.tree.command(name="tag", description="Tag a stream")
    async def tag(
        interaction: discord.Interaction,
        url: str,
        channel: discord.TextChannel | None = None,
        role: discord.Role | None = None,
    ) -> None:
        await interaction.response.defer(thinking=True)
        where = channel.name if channel else "-"
        who = role.name if role else "-"
        await interaction.edit_original_response(content=f"tagged {url} in {where} for {who}")
        await interaction.followup.send("only you see this", ephemeral=True)

    @group.command(name="set", description="Set the alert role")
    async def set_role(interaction: discord.Interaction, role: discord.Role, level: int) -> None:
        await interaction.response.send_message(f"role {role.name} level {level}", ephemeral=True)

    @bot.tree.context_menu(name="Tag this")
    async def tag_this(interaction: discord.Interaction, message: discord.Message) -> None:
        await interaction.response.send_message(f"tagging {message.content}", view=TagView())

    bot.tree.add_command(group)
    bot.add_view(TagView())
    return bot


@pytest.fixture
async def bot(
    emulator: DiscordEmulator, world: World, runner: ClientRunner
) -> commands.AutoShardedBot:
    client = build_bot(runner)
    await runner.start(client, world.bot.token)
    await client.tree.sync()
    return client


async def test_defer_edit_original_and_followup(
    emulator: DiscordEmulator, world: World, bot: commands.AutoShardedBot
) -> None:
    names = {c["name"] for c in emulator.commands(world.bot.application_id)}
    assert names == {"tag", "alerts", "Tag this"}
    interaction = await emulator.send_slash_command(
        world.guild,
        world.general,
        world.alice,
        "tag",
        {"url": "https://example.com/live", "channel": world.news, "role": world.mods},
    )
    response = await interaction.wait_response()
    assert response.type == 5
    original = await emulator.wait_for_message(
        world.general, lambda m: not m.data["flags"] & LOADING and "tagged" in m.content
    )
    assert original.content == "tagged https://example.com/live in news for Mods"
    assert original.data["interaction_metadata"]["user"]["id"] == str(world.alice)
    assert original.history[0]["flags"] & LOADING  # the "thinking" message came first
    followup = await emulator.wait_for_message(world.general, content_contains="only you")
    assert followup.ephemeral_for == world.alice and followup.data["flags"] & EPHEMERAL
    assert [r.kind for r in interaction.responses] == ["callback", "edit_original", "followup"]
    visible = await raw_request(
        "GET", f"{emulator.api_base}/channels/{world.general}/messages", token=world.bot.token
    )
    assert [m["id"] for m in visible.body] == [str(original.id)]


async def test_subcommand_with_resolved_role(
    emulator: DiscordEmulator, world: World, bot: commands.AutoShardedBot
) -> None:
    interaction = await emulator.send_slash_command(
        world.guild, world.general, world.bob, "alerts set", {"role": world.mods, "level": 3}
    )
    response = await interaction.wait_response()
    assert response.type == 4 and response.data["flags"] == EPHEMERAL
    stored = emulator.get_message(response.message_id or 0)
    assert stored.content == "role Mods level 3" and stored.ephemeral_for == world.bob


async def test_context_menu_then_button_updates_message(
    emulator: DiscordEmulator, world: World, bot: commands.AutoShardedBot
) -> None:
    target = await emulator.post_message(world.general, world.alice, "https://twitch.tv/x")
    menu = await emulator.send_message_command(
        world.guild, world.general, world.alice, "Tag this", target.id
    )
    answer = await menu.wait_response()
    assert answer.type == 4
    posted = emulator.get_message(answer.message_id or 0)
    assert posted.content == "tagging https://twitch.tv/x"
    assert posted.data["type"] == 23
    assert posted.data["components"][0]["components"][0]["custom_id"] == "tag:confirm"

    click = await emulator.click_button(world.general, posted.id, world.bob, "tag:confirm")
    assert (await click.wait_response()).type == 7
    updated = emulator.get_message(posted.id)
    assert updated.content == "confirmed" and updated.data["components"] == []
    assert updated.data["edited_timestamp"] is not None


async def test_unanswered_interaction_dies_after_the_timeout(
    emulator: DiscordEmulator, world: World
) -> None:
    emulator.config.interaction_timeout = 0.05
    emulator.state.commands[(world.bot.application_id, None)] = [
        {"id": "1", "name": "ping", "type": 1, "description": "p", "options": []}
    ]
    interaction = await emulator.send_slash_command(world.guild, world.general, world.alice, "ping")
    await asyncio.sleep(0.1)
    url = (
        f"{emulator.api_base}/interactions/{interaction.id}/{interaction.token}/callback"
        "?with_response=true"
    )
    late = await raw_request("POST", url, json_body={"type": 5})
    assert late.status == 404 and late.body["code"] == 10062
    assert interaction.callback is None
