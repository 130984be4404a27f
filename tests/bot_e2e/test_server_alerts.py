"""Moderator alerts end to end: who is pinged, and an Acknowledge button that outlives restarts."""

from __future__ import annotations

import asyncio
import copy
from dataclasses import dataclass
from pathlib import Path

from bot.domain.records import DeliveryState
from standins.discord import StoredMessage
from standins.discord.permissions import MENTION_EVERYONE
from tests.bot_e2e.harness import World, running_world
from tests.bot_e2e.server_helpers import (
    ALERT,
    EPHEMERAL,
    configure,
    custom_ids,
    embed_titled,
    fields,
    final_answer,
    message_when,
    replies_to,
    watch,
)
from tests.bot_e2e.tag_steps import eventually, tag

FLAGGED = "https://streams.example/live?tags=@everyone,Violence,Fun"


@dataclass
class AlertSetup:
    alerts: int
    role: int


async def set_up_alerts(world: World) -> AlertSetup:
    """Alerts on "Violence" and "@everyone", mentioning an on-call role, for a bot that would be
    allowed to ping everyone: so only its own care keeps @everyone from being pinged; a followed
    stream alerts on one flagged sample."""
    emu = world.emu
    alerts = await emu.create_channel(world.guild, "mod-alerts")
    role = await emu.create_role(world.guild, "on-call", mentionable=True)
    powerful = await emu.create_role(world.guild, "bots", permissions=MENTION_EVERYONE)
    await emu.set_member_roles(world.guild, world.app.user_id, [powerful])
    await watch(world, world.channel)
    await configure(world, "alerts channel", {"channel": alerts})
    await configure(world, "alerts role", {"role": role})
    await configure(world, "alerts tags-add", {"tags": "violence, @everyone"})
    # An announced stream is followed; these tests are about one alert, so its first flagged
    # sample is enough (test_server_sustained_alerts.py holds the default window).
    await configure(world, "alerts window", {"hits": 1, "samples": 1})
    return AlertSetup(alerts, role)


async def announce_flagged_stream(world: World, setup: AlertSetup) -> tuple[int, StoredMessage]:
    announcement = await world.emu.post_message(world.channel, world.member, f"live! {FLAGGED}")
    alert = await world.wait_for_embed(ALERT, setup.alerts)
    return announcement.id, alert


async def test_an_alert_pings_only_the_alert_role(tmp_path: Path) -> None:
    async with running_world(tmp_path) as world:
        setup = await set_up_alerts(world)
        calm = await world.emu.post_message(
            world.channel, world.member, "https://streams.example/calm?tags=Fun,Relaxed"
        )
        await world.emu.wait_for_message(world.channel, replies_to(calm.id))
        announcement, alert = await announce_flagged_stream(world, setup)

        assert alert.content == f"<@&{setup.role}>"
        assert alert.data["mention_roles"] == [str(setup.role)]
        assert alert.data["mention_everyone"] is False
        assert alert.data["mentions"] == []
        shown = fields(alert)
        assert "**Violence**" in shown["Flagged tags"]
        assert "@everyone" not in shown["Flagged tags"]  # shown, but defused
        assert "everyone" in shown["Flagged tags"]
        assert shown["Stream"].replace("\u200b", "") == FLAGGED  # "@" defused, as above
        timeline = await world.emu.wait_for_message(world.channel, replies_to(announcement))
        base = f"https://discord.com/channels/{world.guild}/{world.channel}"
        assert f"[announcement]({base}/{announcement})" in shown["Links"]
        assert f"[result]({base}/{timeline.id})" in shown["Links"]
        buttons = custom_ids(alert)
        assert buttons["Open stream"]["url"] == FLAGGED
        assert [b for b in buttons if b.startswith("chatsight:ack:")]
        assert world.emu.messages(setup.alerts) == [alert]  # none for the calm stream


async def test_acknowledge_works_after_a_restart_and_only_once(tmp_path: Path) -> None:
    async with running_world(tmp_path) as world:
        setup = await set_up_alerts(world)
        _, alert = await announce_flagged_stream(world, setup)
        (ack_id,) = [b for b in custom_ids(alert) if b.startswith("chatsight:ack:")]
        await world.restart_bot()

        outsider = await world.emu.click_button(setup.alerts, alert.id, world.member, ack_id)
        refusal = await final_answer(world, outsider)
        assert refusal["flags"] & EPHEMERAL
        assert refusal["content"] == "Only moderators can acknowledge alerts."
        assert world.emu.get_message(alert.id).history == []

        click = await world.emu.click_button(setup.alerts, alert.id, world.moderator, ack_id)
        await click.wait_response()
        acknowledged = world.emu.get_message(alert.id)
        assert acknowledged.data["edited_timestamp"] is not None
        assert fields(acknowledged)["Acknowledged"].startswith(f"by <@{world.moderator}>")
        button = custom_ids(acknowledged)[ack_id]
        assert button["disabled"] is True
        assert button["label"] == "Acknowledged"
        assert acknowledged.data["mentions"] == []

        # A second click (two moderators at once: the first has not disabled it yet).
        before = copy.deepcopy(acknowledged.data)
        again = await world.emu.click_button(setup.alerts, alert.id, world.moderator, ack_id)
        answer = await final_answer(world, again)
        assert answer["flags"] & EPHEMERAL
        assert f"<@{world.moderator}>" in answer["content"]
        assert world.emu.get_message(alert.id).data == before
        assert len(world.emu.get_message(alert.id).history) == 1
        # One alert for the session, across the restart too.
        assert len(list(filter(embed_titled(ALERT), world.emu.messages(setup.alerts)))) == 1


async def test_undocumented_tags_and_session_errors_alert_when_switched_on(
    tmp_path: Path,
) -> None:
    async with running_world(tmp_path, poll_after_seconds=0.5) as world:
        setup = await set_up_alerts(world)
        await configure(world, "alerts undocumented", {"state": "on"})
        await configure(world, "alerts errors", {"state": "on"})
        broken = "https://streams.example/broken?tags=Fun"
        world.sim.faults.error_next_session("out_of_memory")
        first = await world.emu.post_message(world.channel, world.member, broken)
        await world.emu.wait_for_message(world.channel, replies_to(first.id))
        odd = "https://streams.example/odd?tags=Zorbing"
        # A stream that simply ends is no session error (issue 17).
        gone = "https://streams.example/gone?ended_after=0"
        posted = [await world.emu.post_message(world.channel, world.member, u) for u in (odd, gone)]
        for message in posted:
            await world.emu.wait_for_message(world.channel, replies_to(message.id))

        def two_alerts() -> list[StoredMessage] | None:
            found = [m for m in world.emu.messages(setup.alerts) if embed_titled(ALERT)(m)]
            return found if len(found) == 2 else None

        by_stream = {
            fields(m)["Stream"]: m.data["embeds"][0]["description"].split(":")[0]
            for m in await world.emu.wait_for(two_alerts, timeout=10)
        }
        assert by_stream == {
            odd: "This followed stream's results have tags outside Chatsight's published list",
            broken: "This followed stream's results have a session error",
        }
        await asyncio.sleep(1)
        assert two_alerts() is not None  # none for the stream that ended


async def test_a_slash_tag_result_is_checked_against_the_alerts_too(tmp_path: Path) -> None:
    async with running_world(tmp_path) as world:
        setup = await set_up_alerts(world)
        await tag(world, FLAGGED)
        result = await world.wait_for_embed("Stream tags")
        alert = await world.wait_for_embed(ALERT, setup.alerts)
        assert alert.data["mention_roles"] == [str(setup.role)]
        assert "**Violence**" in fields(alert)["Flagged tags"]
        assert result.data["id"] in fields(alert)["Links"]


async def test_an_alert_does_not_wait_for_a_failing_result_post(tmp_path: Path) -> None:
    async with running_world(tmp_path) as world:
        setup = await set_up_alerts(world)
        # discord.py raises a 503 at once, and the outbox backs the result off for a second.
        world.emu.inject_server_error(f"POST /channels/{world.channel}/messages", status=503)
        announcement, alert = await announce_flagged_stream(world, setup)

        # The moderators have the alert while the result is still waiting for its retry ...
        assert [e.status for e in world.emu.requests(f"POST /channels/{world.channel}/*")] == [503]
        assert alert.content == f"<@&{setup.role}>"
        base = f"https://discord.com/channels/{world.guild}/{world.channel}"
        assert fields(alert)["Links"] == f"[announcement]({base}/{announcement})"
        assert "**Violence**" in fields(alert)["Flagged tags"]

        # ... and once the result is posted, its link is edited into the alert.
        result = await world.emu.wait_for_message(world.channel, replies_to(announcement))
        linked = await message_when(world, alert.id, lambda m: "[result]" in fields(m)["Links"])
        assert fields(linked)["Links"] == (
            f"[announcement]({base}/{announcement}) · [result]({base}/{result.id})"
        )
        assert custom_ids(linked).keys() == custom_ids(alert).keys()
        assert linked.data["mentions"] == []
        assert len(list(filter(embed_titled(ALERT), world.emu.messages(setup.alerts)))) == 1


async def test_an_acknowledged_alert_stays_acknowledged_when_its_link_arrives(
    tmp_path: Path,
) -> None:
    async with running_world(tmp_path) as world:
        setup = await set_up_alerts(world)
        world.emu.inject_server_error(f"POST /channels/{world.channel}/messages", status=503)
        announcement, alert = await announce_flagged_stream(world, setup)
        (ack_id,) = [b for b in custom_ids(alert) if b.startswith("chatsight:ack:")]
        click = await world.emu.click_button(setup.alerts, alert.id, world.moderator, ack_id)
        await click.wait_response()

        result = await world.emu.wait_for_message(world.channel, replies_to(announcement))
        linked = await message_when(world, alert.id, lambda m: "[result]" in fields(m)["Links"])
        assert str(result.id) in fields(linked)["Links"]
        assert fields(linked)["Acknowledged"].startswith(f"by <@{world.moderator}>")
        assert custom_ids(linked)[ack_id]["disabled"] is True


async def test_a_refused_link_edit_leaves_the_result_posted_once(tmp_path: Path) -> None:
    async with running_world(tmp_path) as world:
        setup = await set_up_alerts(world)
        world.emu.inject_server_error(f"POST /channels/{world.channel}/messages", status=503)
        world.emu.inject_server_error(f"PATCH /channels/{setup.alerts}/messages/*", status=403)
        announcement, alert = await announce_flagged_stream(world, setup)
        await world.emu.wait_for_message(world.channel, replies_to(announcement))

        async def edit_refused() -> bool | None:
            entries = world.emu.requests(f"PATCH /channels/{setup.alerts}/messages/*")
            return [e.status for e in entries] == [403] or None

        await eventually(edit_refused)
        session = alert.data["embeds"][0]["footer"]["text"].removeprefix("Session ")

        async def delivered() -> bool | None:
            rows = await world.running.core.store.deliveries_for(session)
            return all(r.state is DeliveryState.DELIVERED for r in rows) or None

        await eventually(delivered)
        assert [e.status for e in world.emu.requests(f"POST /channels/{world.channel}/*")] == [
            503,
            200,
        ]
        assert "[result]" not in fields(world.emu.get_message(alert.id))["Links"]
