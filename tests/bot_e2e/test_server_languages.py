"""A server's language, end to end: what the bot posts into a channel for everyone (a result, an
alert) reads in the server's preferred locale, never in that of the member who asked; the bot
still knows those posts as its own."""

from __future__ import annotations

from pathlib import Path

import discord

from bot.language.catalogue import entries
from bot.rendering.alerts import alert_session
from bot.rendering.results import shown_session
from standins.discord import StoredMessage
from tests.bot_e2e.harness import running_world
from tests.bot_e2e.server_helpers import configure, custom_ids, fields
from tests.bot_e2e.tag_steps import session_of, started, tag, titled

FLAGGED = "https://streams.example/live?tags=Violence,Fun"
STREAM = "https://streams.example/live?tags=Fun,Relaxed"


def _embed(message: StoredMessage) -> discord.Embed:
    return discord.Embed.from_dict(message.data["embeds"][0])


async def test_a_result_and_its_alert_read_in_the_servers_language(tmp_path: Path) -> None:
    french = entries("fr")
    async with running_world(tmp_path) as world:
        alerts = await world.emu.create_channel(world.guild, "mod-alerts")
        await configure(world, "alerts channel", {"channel": alerts})
        await configure(world, "alerts tags-add", {"tags": "violence"})
        await world.emu.set_guild_locale(world.guild, "fr")
        world.emu.set_user_locale(world.member, "de")  # the asker's language is not the post's

        await tag(world, FLAGGED)
        result = await world.wait_for_embed(french["results.tags.title"])
        alert = await world.wait_for_embed(french["results.alert.title"], alerts)

        shown = fields(result)
        assert french["results.field.requested_by"] in shown
        session = session_of(result)
        assert shown_session(_embed(result)) == session

        said = fields(alert)
        assert said[french["results.alert.field.flagged"]] == "**Violence**"
        assert said[french["results.alert.field.all_tags"]] == "Violence, Fun"
        assert alert.data["embeds"][0]["description"] == french["results.alert.description"].format(
            reasons=french["results.alert.reason.flagged"]
        )
        assert alert_session(_embed(alert)) == session
        labels = {button["label"] for button in custom_ids(alert).values()}
        assert french["results.alert.button.acknowledge"] in labels


async def test_a_result_that_falls_due_at_a_start_reads_in_the_servers_language(
    tmp_path: Path,
) -> None:
    """Taken while the bot was down (by polling), the result is due the moment the bot starts,
    before the gateway has named the server's language (Discord slow to take the command sync
    that comes first: two 502s, retried by discord.py for seconds): it waits for it rather than
    go out in English."""
    french = entries("fr")
    async with running_world(tmp_path, poll_after_seconds=0.3) as world:
        world.sim.faults.stick_next_session("running")
        session = session_of(await started(world, await tag(world, STREAM)))

        await world.stop_bot()
        await world.emu.set_guild_locale(world.guild, "fr")
        await world.sim.finish(session)  # nobody listens: the start's poll takes the result
        await world.sim.wait_for_webhooks(1)
        world.emu.inject_server_error("PUT /applications/*", count=2, status=502)
        await world.start_bot()

        result = await world.wait_for_embed(french["results.tags.title"])
        assert session_of(result) == session
        assert titled(world, entries("en")["results.tags.title"]) == []
