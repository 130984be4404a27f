"""Misconfiguration caught where it happens, and follows that end when the bot's access does:
a channel or role the bot cannot use is refused by name, one that breaks later shows as degraded
and is told to the admins once, and a deleted channel or a removal from the server stops the
follows there with no further Chatsight calls."""

from __future__ import annotations

import asyncio
from pathlib import Path

from standins.discord.permissions import EMBED_LINKS, VIEW_CHANNEL
from tests.bot_e2e.harness import World, running_world
from tests.bot_e2e.server_helpers import (
    FAST,
    MINUTE_S,
    TIMELINE,
    configure,
    convo_ids,
    embed_titled,
    final_answer,
    follow_announced,
    posted_urls,
    watch,
)
from tests.bot_e2e.test_server_config import shown

NOTICE = "Chatsight's configuration no longer works here"


def notices(world: World) -> list[str]:
    return [m.content for m in world.bot_messages(world.channel) if NOTICE in m.content]


async def test_an_alerts_channel_without_embed_links_is_refused_by_name(tmp_path: Path) -> None:
    async with running_world(tmp_path) as world:
        plain = await world.emu.create_channel(world.guild, "plain-text")
        await world.emu.set_overwrite(plain, world.app.user_id, deny=EMBED_LINKS)
        text = await configure(world, "alerts channel", {"channel": plain})
        assert text == f"I can't post in <#{plain}>: I need Embed Links there."
        assert (await shown(world))["Alerts channel"] == "none (off)"


async def test_an_alert_role_the_bot_cannot_mention_is_refused(tmp_path: Path) -> None:
    async with running_world(tmp_path) as world:
        quiet = await world.emu.create_role(world.guild, "quiet", mentionable=False)
        text = await configure(world, "alerts role", {"role": quiet})
        assert text == (
            f"I can't mention <@&{quiet}>, so alerts would ping nobody: I need Mention"
            " Everyone, or make the role mentionable."
        )
        assert (await shown(world))["Alert role"] == "none"


async def test_tag_stream_checks_the_results_channel_and_the_dedupe_window(
    tmp_path: Path,
) -> None:
    stream = "https://streams.example/live?tags=Fun"
    async with running_world(tmp_path) as world:
        results = await world.emu.create_channel(world.guild, "stream-tags")
        await configure(world, "results", {"channel": results})
        await world.emu.set_overwrite(results, world.app.user_id, deny=EMBED_LINKS)
        message = await world.emu.post_message(world.channel, world.member, f"watch {stream}")

        async def tag_stream() -> str:
            menu = await world.emu.send_message_command(
                world.guild, world.channel, world.member, "Tag stream", message.id
            )
            return str((await final_answer(world, menu))["content"])

        assert await tag_stream() == f"I can't post in <#{results}>: I need Embed Links there."
        await world.emu.set_overwrite(results, world.app.user_id)
        assert "Tagging 1 stream" in await tag_stream()
        assert "tagged here recently" in await tag_stream()
        assert posted_urls(world) == [stream]


async def test_alerts_can_be_switched_off(tmp_path: Path) -> None:
    async with running_world(tmp_path) as world:
        alerts = await world.emu.create_channel(world.guild, "mod-alerts")
        await configure(world, "alerts channel", {"channel": alerts})
        await configure(world, "alerts tags-add", {"tags": "Violence"})
        assert "alerts are off" in await configure(world, "alerts off")
        fields = await shown(world)
        assert fields["Alerts channel"] == "none (off)"
        assert fields["Alert tags"] == "Violence"


async def test_a_deleted_results_channel_is_degraded_told_once_and_stops_the_follow(
    tmp_path: Path,
) -> None:
    async with running_world(tmp_path, **FAST) as world:
        results = await world.emu.create_channel(world.guild, "stream-tags")
        await watch(world, world.channel)
        await configure(world, "autotag interval", {"minutes": 1})
        await configure(world, "results", {"channel": results})
        await world.emu.post_message(
            world.channel, world.member, "live: https://streams.example/live?tags=Fun"
        )
        await world.emu.wait_for_message(results, embed_titled(TIMELINE), timeout=10)

        await world.emu.delete_channel(results)
        await world.emu.wait_for(lambda: notices(world), timeout=5)
        started = len(convo_ids(world))
        fields = await shown(world)
        assert fields["Results"] == f"<#{results}>"  # kept, never deleted
        assert f"results channel <#{results}>: deleted" in fields["Degraded"]
        # Another change in the server finds the same breakage: not told again.
        await world.emu.create_role(world.guild, "another")
        await asyncio.sleep(3 * MINUTE_S)
        assert len(notices(world)) == 1
        assert f"<#{results}>" in notices(world)[0]
        assert len(convo_ids(world)) == started


async def test_a_bot_removed_from_its_server_stops_following_and_calls_chatsight_no_more(
    tmp_path: Path,
) -> None:
    async with running_world(tmp_path, **FAST) as world:
        await follow_announced(world, "https://streams.example/live?tags=Fun")
        await world.emu.remove_member(world.guild, world.app.user_id)
        # A sample already under way may still finish; then nothing more.
        await asyncio.sleep(2 * MINUTE_S)
        calls = len(world.sim.requests)
        await asyncio.sleep(4 * MINUTE_S)
        assert len(world.sim.requests) == calls


async def test_access_lost_to_the_alerts_channel_is_degraded_and_told(tmp_path: Path) -> None:
    async with running_world(tmp_path) as world:
        alerts = await world.emu.create_channel(world.guild, "mod-alerts")
        await configure(world, "alerts channel", {"channel": alerts})
        await world.emu.set_overwrite(alerts, world.app.user_id, deny=EMBED_LINKS)
        (notice,) = await world.emu.wait_for(lambda: notices(world), timeout=5)
        assert f"alerts channel <#{alerts}>: I lack Embed Links there" in notice
        fields = await shown(world)
        assert fields["Alerts channel"] == f"<#{alerts}>"
        assert fields["Degraded"] == f"alerts channel <#{alerts}>: I lack Embed Links there"
        (answer,) = [m for m in world.bot_messages(world.channel) if NOTICE in m.content]
        assert answer.data["mention_roles"] == [] and answer.ephemeral_for is None


async def test_a_deleted_alert_role_is_degraded_and_told_without_a_ping(tmp_path: Path) -> None:
    async with running_world(tmp_path) as world:
        pinged = await world.emu.create_role(world.guild, "stream-mods", mentionable=True)
        await configure(world, "alerts role", {"role": pinged})
        assert (await shown(world))["Alert role"] == f"<@&{pinged}>"
        await world.emu.delete_role(pinged)
        (notice,) = await world.emu.wait_for(lambda: notices(world), timeout=5)
        assert f"alert role <@&{pinged}>: deleted" in notice
        fields = await shown(world)
        assert fields["Alert role"] == f"<@&{pinged}>"  # kept, never deleted
        assert fields["Degraded"] == f"alert role <@&{pinged}>: deleted"
        (answer,) = [m for m in world.bot_messages(world.channel) if NOTICE in m.content]
        assert answer.data["mention_roles"] == []


async def test_a_follow_whose_posts_discord_refuses_for_good_ends(tmp_path: Path) -> None:
    """No event says so when the bot loses a channel to an overwrite; Discord's 403 on the
    timeline's next post ends the follow, after at most the sample that met it."""
    async with running_world(tmp_path, **FAST) as world:
        await follow_announced(world, "https://streams.example/live?tags=Fun")
        await world.emu.set_overwrite(world.channel, world.app.user_id, deny=VIEW_CHANNEL)
        await asyncio.sleep(4 * MINUTE_S)
        started = len(convo_ids(world))
        await asyncio.sleep(4 * MINUTE_S)
        assert len(convo_ids(world)) == started
