"""/chatsight-config end to end: only Manage Server may use it; every change says its new value."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from standins.discord.permissions import READ_MESSAGE_HISTORY
from tests.bot_e2e.harness import MANAGE_GUILD, World, running_world
from tests.bot_e2e.server_helpers import EPHEMERAL, configure, final_answer, run_command


async def shown(world: World) -> dict[str, str]:
    """``/chatsight-config show`` as one embed's fields, by name."""
    answer = await final_answer(world, await run_command(world, "chatsight-config show"))
    assert answer["flags"] & EPHEMERAL
    (embed,) = answer["embeds"]
    assert embed["title"] == "Chatsight configuration"
    return {field["name"]: field["value"] for field in embed["fields"]}


async def test_configuration_is_registered_for_manage_server_only(tmp_path: Path) -> None:
    async with running_world(tmp_path) as world:
        commands = world.emu.commands(world.app.application_id, world.guild)
        (config,) = [c for c in commands if c["name"] == "chatsight-config"]
        assert int(config["default_member_permissions"]) == MANAGE_GUILD
        assert config["contexts"] == [0]  # servers only


async def test_a_member_without_manage_server_is_refused_and_nothing_is_stored(
    tmp_path: Path,
) -> None:
    async with running_world(tmp_path) as world:
        alerts = await world.emu.create_channel(world.guild, "mod-alerts")
        attempts: list[tuple[str, dict[str, Any]]] = [
            ("alerts channel", {"channel": alerts}),
            ("autotag add", {"channel": world.channel}),
            ("seed set", {"sentence": "a cooking stream"}),
            ("show", {}),
        ]
        for name, options in attempts:
            refused = await run_command(
                world, f"chatsight-config {name}", options, user=world.member
            )
            answer = await final_answer(world, refused)
            assert answer["content"] == (
                "You need the Manage Server permission to configure Chatsight."
            )
            assert answer["flags"] & EPHEMERAL
            assert "embeds" not in answer or not answer["embeds"]

        fields = await shown(world)
        assert fields["Alerts channel"] == "none (off)"
        assert fields["Auto-tag channels"] == "none"
        assert fields["Seed sentence"] == "none"


async def test_every_change_answers_with_its_new_value_and_show_has_them_all(
    tmp_path: Path,
) -> None:
    async with running_world(tmp_path) as world:
        alerts = await world.emu.create_channel(world.guild, "mod-alerts")
        results = await world.emu.create_channel(world.guild, "stream-tags")
        news = await world.emu.create_channel(world.guild, "go-live", type=5)
        steps: list[tuple[str, dict[str, Any], str]] = [
            ("autotag add", {"channel": world.channel}, f"<#{world.channel}>"),
            ("autotag add", {"channel": news}, f"<#{news}>"),
            ("autotag remove", {"channel": world.channel}, "no longer watched"),
            ("autotag list", {}, f"Watched channels: <#{news}>"),
            ("autotag interval", {"minutes": 5}, "every 5 min"),
            ("results", {"channel": results}, f"<#{results}>"),
            ("seed set", {"sentence": "A speedrun of *old* games"}, "A speedrun of *old* games"),
            ("alerts channel", {"channel": alerts}, f"<#{alerts}>"),
            ("alerts role", {"role": world.mods_role}, f"<@&{world.mods_role}>"),
            ("alerts tags-add", {"tags": "Violence, gambling,violence"}, "Violence, gambling"),
            ("alerts tags-remove", {"tags": "GAMBLING"}, "Alert tags: Violence"),
            ("alerts undocumented", {"state": "on"}, "undocumented tags: on"),
            ("alerts errors", {"state": "on"}, "session errors: on"),
            ("alerts window", {"hits": 3, "samples": 4}, "heard in 3 of the last 4 samples"),
            ("alerts window", {"hits": 5, "samples": 4}, "heard in 4 of the last 4 samples"),
            ("alerts reping", {"minutes": 15}, "pings again once, after 15 min"),
            ("alerts announced", {"category": "Chess", "tags": "chess"}, "Chess: chess"),
            ("alerts announced", {"category": "Go", "tags": "Go"}, "Chess: chess; Go: Go"),
            ("alerts announced", {"category": "go"}, "Announced categories: Chess: chess"),
            (
                "digest time",
                {"weekday": "Friday", "hour": 18, "timezone": "Europe/Berlin"},
                "Fridays at 18:00 (Europe/Berlin)",
            ),
        ]
        for name, options, expected in steps:
            assert expected in await configure(world, name, options), name

        settings = await shown(world)
        digest = settings.pop("Weekly digest")
        assert digest.startswith(f"Fridays at 18:00 (Europe/Berlin) in <#{results}>, next <t:")
        assert settings == {
            "Auto-tag channels": f"<#{news}>",
            "Sample interval": "5 min",
            "Results": f"<#{results}>",
            "Seed sentence": "A speedrun of \\*old\\* games",
            "Alerts channel": f"<#{alerts}>",
            "Alert role": f"<@&{world.mods_role}>",
            "Alert tags": "Violence",
            "Undocumented tags alert": "on",
            "Session errors alert": "on",
            "Followed streams alert": "when heard in 4 of the last 4 samples",
            "Re-ping": "after 15 min",
            "Announced categories": "Chess: chess",
        }

        steps = [
            ("seed clear", {}, "cleared"),
            ("alerts role", {}, "no role"),
            ("results", {}, "a reply under each announcement"),
        ]
        for name, options, expected in steps:
            assert expected in await configure(world, name, options), name
        fields = await shown(world)
        assert fields["Seed sentence"] == "none"
        assert fields["Alert role"] == "none"
        assert fields["Results"] == "reply to the announcement"


async def test_the_configuration_answer_pings_nobody(tmp_path: Path) -> None:
    async with running_world(tmp_path) as world:
        await configure(world, "alerts role", {"role": world.mods_role})
        (answer,) = [
            m for m in world.emu.messages(world.channel) if m.ephemeral_for == world.moderator
        ]
        assert answer.data["mention_roles"] == []


async def test_autotag_add_warns_when_the_bot_cannot_read_messages(tmp_path: Path) -> None:
    async with running_world(tmp_path, message_content_intent=False) as world:
        text = await configure(world, "autotag add", {"channel": world.channel})
        assert "without the Message Content intent" in text
        fields = await shown(world)
        assert "Message Content intent" in fields["Note"]


async def test_autotag_add_does_not_warn_with_the_intent(tmp_path: Path) -> None:
    async with running_world(tmp_path) as world:
        text = await configure(world, "autotag add", {"channel": world.channel})
        assert "Message Content" not in text
        assert "Note" not in await shown(world)


@pytest.mark.parametrize(
    ("command", "field"),
    [("results", "Results"), ("alerts channel", "Alerts channel"), ("autotag add", None)],
)
async def test_a_channel_whose_history_the_bot_cannot_read_is_refused_by_name(
    tmp_path: Path, command: str, field: str | None
) -> None:
    """Without Read Message History the bot could not find, after an outage, what it posted
    there before, and might post it twice; so it says so instead of taking the channel."""
    async with running_world(tmp_path) as world:
        blind = await world.emu.create_channel(world.guild, "no-history")
        await world.emu.set_overwrite(blind, world.app.user_id, deny=READ_MESSAGE_HISTORY)
        text = await configure(world, command, {"channel": blind})
        assert text == (
            f"I can't post in <#{blind}>: I need Read Message History there (after an outage"
            " I read it, so that nothing is posted twice)."
        )
        fields = await shown(world)
        assert fields["Auto-tag channels"] == "none"
        if field is not None:
            assert f"<#{blind}>" not in fields[field]
