"""/tag refused before anything starts: bad URLs, missing permissions, cooldown, server cap.

Each refusal is a short answer only the asker sees, and Chatsight is never called.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from standins.discord.permissions import EMBED_LINKS, SEND_MESSAGES
from tests.bot_e2e.harness import running_world
from tests.bot_e2e.tag_steps import answers_to, private_reply, tag

STREAM = "https://streams.example/live?tags=Fun"
ACCEPTED = "give an http, https, rtmp or rtmps link"


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("ftp://x", ACCEPTED),
        ("not a url", ACCEPTED),
        ("https://streams.example/" + "a" * 2025, "at most 2048 characters"),
    ],
)
async def test_a_bad_url_gets_a_private_hint_and_starts_nothing(
    tmp_path: Path, url: str, says: str
) -> None:
    async with running_world(tmp_path) as world:
        interaction = await tag(world, url)
        text = await private_reply(world, interaction)
        assert says in text
        assert len(text) < 200
        [answer] = answers_to(world, interaction)
        assert answer.ephemeral_for == world.member
        assert world.emu.messages(world.channel, include_ephemeral=False) == []
        assert world.sim.requests_to("/stream/tag") == []


@pytest.mark.parametrize(
    ("denied", "named"),
    [(SEND_MESSAGES, "Send Messages"), (EMBED_LINKS, "Embed Links")],
)
async def test_missing_permissions_are_named_and_nothing_starts(
    tmp_path: Path, denied: int, named: str
) -> None:
    async with running_world(tmp_path) as world:
        await world.emu.set_overwrite(world.channel, world.app.user_id, deny=denied)
        interaction = await tag(world, STREAM)
        text = await private_reply(world, interaction)
        assert text == f"I can't post results in this channel: I need {named} here."
        assert all(m.ephemeral_for == world.member for m in answers_to(world, interaction))
        assert world.sim.requests_to("/stream/tag") == []


async def test_a_member_on_cooldown_is_told_when_to_try_again(tmp_path: Path) -> None:
    async with running_world(tmp_path, tag_cooldown_seconds=60.0) as world:
        await tag(world, STREAM)
        await world.wait_for_embed("Tagging started")
        second = await tag(world, STREAM + "&again")
        text = await private_reply(world, second)
        found = re.fullmatch(r"You can start another tagging session in (\d+) s\.", text)
        assert found is not None, text
        assert 55 <= int(found.group(1)) <= 60
        assert len(world.sim.requests_to("/stream/tag")) == 1
        # Someone else is not slowed down by another member's cooldown.
        other = await tag(world, STREAM + "&other", user=world.moderator)
        assert (await world.emu.wait_for_response(other.id)).type == 5


async def test_the_server_cap_holds_until_a_session_finishes(tmp_path: Path) -> None:
    async with running_world(tmp_path, guild_session_cap=1) as world:
        world.sim.faults.stick_next_session("running")
        await tag(world, STREAM)
        await world.wait_for_embed("Tagging started")
        refused = await tag(world, STREAM + "&more", user=world.moderator)
        text = await private_reply(world, refused)
        assert text.startswith("This server already has 1 tagging sessions running.")
        assert "Try again when one finishes" in text
        assert len(world.sim.requests_to("/stream/tag")) == 1
        # Once the running session ends, the server has room again.
        [stuck] = world.sim.sessions
        await world.sim.finish(stuck)
        await world.wait_for_embed("Stream tags")
        admitted = await tag(world, STREAM + "&more", user=world.moderator)
        assert (await world.emu.wait_for_response(admitted.id)).type == 5
