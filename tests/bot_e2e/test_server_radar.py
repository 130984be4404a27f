"""The undocumented-tag radar end to end: tags outside Chatsight's list, counted, adopted."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bot.domain.records import DeliveryKind, DeliveryState
from tests.bot_e2e.harness import World, running_world
from tests.bot_e2e.server_helpers import (
    ALERT,
    EPHEMERAL,
    configure,
    convo_ids,
    custom_ids,
    fields,
    final_answer,
    run_command,
)
from tests.bot_e2e.tag_steps import eventually, private_reply, tag

# "Zorbing" and "Yodeling" are not on the simulator's published (placeholder) list; "Fun" is.
ZORBING = "https://streams.example/live?tags=Zorbing,Fun&n={n}"
YODELING = "https://streams.example/live?tags=Yodeling,Fun&n=3"
ADOPT_ZORBING = "chatsight:radar:Zorbing"


async def radar_settled(world: World, count: int) -> None:
    """The first ``count`` sessions' radar rows are done with."""
    await world.emu.wait_for(lambda: len(convo_ids(world)) >= count or None, timeout=10)

    async def settled() -> bool | None:
        for convo_id in convo_ids(world)[:count]:
            rows = await world.running.core.store.deliveries_for(convo_id)
            states = {r.kind: r.state for r in rows}
            if states.get(DeliveryKind.RADAR) is not DeliveryState.DELIVERED:
                return None
        return True

    await eventually(settled, within_s=10)


def radar_buttons(answer: dict[str, Any]) -> list[str]:
    return [
        button["custom_id"]
        for row in answer.get("components", [])
        for button in row["components"]
        if button.get("custom_id", "").startswith("chatsight:radar:")
    ]


async def test_a_radar_adoption_changes_the_alert_tags(tmp_path: Path) -> None:
    async with running_world(tmp_path) as world:
        alerts = await world.emu.create_channel(world.guild, "mod-alerts")
        await configure(world, "alerts channel", {"channel": alerts})
        for url in (ZORBING.format(n=1), ZORBING.format(n=2), YODELING):
            await tag(world, url)
        await radar_settled(world, 3)

        listing = await run_command(world, "chatsight-config alerts radar")
        shown = await final_answer(world, listing)
        assert shown["flags"] & EPHEMERAL
        description = shown["embeds"][0]["description"]
        assert "**Zorbing**: 2 sessions" in description
        assert "**Yodeling**: 1 session," in description
        assert "Fun" not in description
        assert radar_buttons(shown) == [ADOPT_ZORBING, "chatsight:radar:Yodeling"]
        message_id = (await listing.wait_response()).message_id
        assert message_id is not None

        # The buttons outlive a restart, and adopt only for someone who may configure.
        await world.restart_bot()
        outsider = await world.emu.click_button(
            world.channel, message_id, world.member, ADOPT_ZORBING
        )
        assert await private_reply(world, outsider) == (
            "You need the Manage Server permission to configure Chatsight."
        )
        click = await world.emu.click_button(
            world.channel, message_id, world.moderator, ADOPT_ZORBING
        )
        await click.wait_response()
        adopted = world.emu.get_message(message_id)
        assert adopted.content == "**Zorbing** now raises an alert. Alert tags: Zorbing."
        assert list(custom_ids(adopted)) == ["chatsight:radar:Yodeling"]

        # Zorbing is an alert tag now: the next stream heard with it raises an alert.
        await tag(world, ZORBING.format(n=4))
        alert = await world.wait_for_embed(ALERT, alerts)
        assert "**Zorbing**" in fields(alert)["Flagged tags"]
        removed = await configure(world, "alerts tags-remove", {"tags": "zorbing"})
        assert removed == "Alert tags: none"
