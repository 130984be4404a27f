"""/tag end to end: the real bot, the emulator and the simulator over loopback."""

from __future__ import annotations

import re
from pathlib import Path

from tests.bot_e2e.harness import running_world
from tests.bot_e2e.tag_steps import TAGS_TITLE, session_of, started, tag, titled

STREAM = "https://streams.example/live?tags=Fun,Relaxed"


async def test_tag_answers_then_posts_the_tags_once(tmp_path: Path) -> None:
    async with running_world(tmp_path) as world:
        interaction = await tag(world, STREAM)
        answer = await world.wait_for_embed("Tagging started")
        result = await world.wait_for_embed(TAGS_TITLE)
        embed = result.data["embeds"][0]
        assert embed["description"] == "Fun, Relaxed"
        assert result.data["message_reference"]["message_id"] == answer.data["id"]
        assert result.ephemeral_for is None
        assert interaction.responses[0].type == 5
        # Who asked is named (a mention inside an embed shows the name and never pings) ...
        fields = {field["name"]: field["value"] for field in embed["fields"]}
        assert fields["Requested by"] == f"<@{world.member}>"
        assert fields["Stream"] == STREAM
        assert result.data["mentions"] == []
        assert result.data["mention_roles"] == []
        assert result.data["mention_everyone"] is False
        # ... and the footer carries the session id to ask /chatsight status about, and how long.
        assert session_of(result) == session_of(answer)
        assert re.fullmatch(r"Session [0-9a-f-]{36} · took \d+ s", embed["footer"]["text"])
        assert len(titled(world, TAGS_TITLE)) == 1
        assert all(m.channel_id == world.channel for m in titled(world, TAGS_TITLE))


async def test_tags_reply_to_the_answer_even_when_editing_it_is_slow(tmp_path: Path) -> None:
    """Discord may hold the "Tagging started" edit (429) past the moment the result arrives."""
    async with running_world(tmp_path) as world:
        world.emu.inject_ratelimit("PATCH /webhooks/*/messages/@original", retry_after=0.5)
        interaction = await tag(world, STREAM)
        answer = await started(world, interaction)
        result = await world.wait_for_embed(TAGS_TITLE)
        assert result.data["message_reference"]["message_id"] == answer.data["id"]
        assert len(titled(world, TAGS_TITLE)) == 1
