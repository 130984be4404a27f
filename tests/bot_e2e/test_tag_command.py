"""/tag end to end: the real bot, the emulator and the simulator over loopback."""

from __future__ import annotations

from pathlib import Path

from tests.bot_e2e.harness import running_world

STREAM = "https://streams.example/live?tags=Fun,Relaxed"


async def test_tag_answers_then_posts_the_tags_once(tmp_path: Path) -> None:
    async with running_world(tmp_path) as world:
        interaction = await world.emu.send_slash_command(
            world.guild, world.channel, world.member, "tag", {"url": STREAM}
        )
        answer = await world.wait_for_embed("Tagging started")
        result = await world.wait_for_embed("Stream tags")
        assert result.data["embeds"][0]["description"] == "Fun, Relaxed"
        assert result.data["message_reference"]["message_id"] == answer.data["id"]
        assert interaction.responses[0].type == 5
        assert (
            len([m for m in world.bot_messages() if m.data["embeds"][0]["title"] == "Stream tags"])
            == 1
        )
