"""Finding one's way end to end: /chatsight help for what this member may use here, the choices
offered while typing a session or alert tags (autocomplete), and /chatsight follows with a Stop
button that works."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from standins.chatsight import PLACEHOLDER_VOCABULARY
from standins.discord.model import Interaction
from tests.bot_e2e.harness import World, running_world
from tests.bot_e2e.server_helpers import (
    EPHEMERAL,
    TIMELINE,
    configure,
    fields,
    final_answer,
    run_command,
)
from tests.bot_e2e.tag_steps import (
    SESSION_IN_FOOTER,
    TAGS_TITLE,
    private_embed,
    slash,
    tag,
    titled,
)

AUTOCOMPLETE_RESULT = 8
SEND_MESSAGES = 1 << 11
STREAM = "https://streams.example/live?tags={tags}"


async def typing(
    world: World, command: str, options: dict[str, Any], focused: str, user: int
) -> list[dict[str, Any]]:
    """The choices the bot offers while ``user`` types into ``focused``, as Discord shows them."""
    interaction = await world.emu.send_autocomplete(
        world.guild, world.channel, user, command, options, focused
    )
    answer = await interaction.wait_response(timeout=3)  # Discord's window for any first answer
    assert answer.type == AUTOCOMPLETE_RESULT
    choices: list[dict[str, Any]] = answer.data["choices"]
    return choices


def results(world: World) -> set[str]:
    """The sessions whose results were posted here, by their footers (possibly packed)."""
    footers = [
        embed["footer"]["text"]
        for message in titled(world, TAGS_TITLE)
        for embed in message.data["embeds"]
    ]
    return {found.group(1) for f in footers if (found := SESSION_IN_FOOTER.search(f))}


def help_lines(embed: dict[str, Any]) -> list[str]:
    """What each line names: a command's mention, a code span with its options, or a menu."""
    return [line.split(": ")[0] for line in embed["description"].splitlines()]


async def test_help_lists_only_what_this_member_may_use_here(tmp_path: Path) -> None:
    async with running_world(tmp_path) as world:
        member = await private_embed(world, await slash(world, "chatsight help"))
        moderator = await private_embed(
            world, await slash(world, "chatsight help", user=world.moderator)
        )
        await world.emu.set_overwrite(world.channel, world.app.user_id, deny=SEND_MESSAGES)
        muted = await private_embed(world, await slash(world, "chatsight help"))

        chatsight = next(
            c["id"]
            for c in world.emu.commands(world.app.application_id, world.guild)
            if c["name"] == "chatsight"
        )
        everyone = [
            "`/chatsight status [session]`",
            f"</chatsight history:{chatsight}>",
            f"</chatsight follows:{chatsight}>",
            "`/chatsight subscribe tag:<tag>`",
            "`/chatsight unsubscribe tag:<tag>`",
            f"</chatsight subscriptions:{chatsight}>",
            f"</chatsight help:{chatsight}>",
        ]
        tagging = ["`/tag url:<stream> [seed] [follow]`", '"Tag stream" (message menu)']
        assert help_lines(member) == tagging + everyone
        assert help_lines(moderator) == [
            *tagging,
            *everyone,
            f"</chatsight unfollow:{chatsight}>",
            "Stop following",
            "Acknowledge",
            "`/chatsight-config …`",
        ]
        assert help_lines(muted) == everyone
        assert "I lack permissions here" in muted["fields"][0]["value"]


async def test_status_offers_this_channels_sessions_by_what_they_found(tmp_path: Path) -> None:
    async with running_world(tmp_path) as world:
        for tags in ("Gaming", "Music"):
            await tag(world, STREAM.format(tags=tags))
        sessions = await world.emu.wait_for(
            lambda: results(world) if len(results(world)) == 2 else None
        )

        offered = await typing(world, "chatsight status", {"session": ""}, "session", world.member)
        assert {c["value"] for c in offered} == sessions
        assert {c["name"] for c in offered} == {
            f"just now · {tags} · streams.example/live?tags={tags}" for tags in ("Gaming", "Music")
        }
        [music] = await typing(
            world, "chatsight status", {"session": "mus"}, "session", world.member
        )
        assert "Music" in music["name"]

        picked = await slash(world, "chatsight status", {"session": music["value"]})
        shown = await private_embed(world, picked)
        assert shown["title"] == TAGS_TITLE and shown["description"] == "Music"


async def test_alert_tags_are_offered_from_chatsights_published_list(tmp_path: Path) -> None:
    async with running_world(tmp_path) as world:
        command, mod = "chatsight-config alerts tags-add", world.moderator
        offered = await typing(world, command, {"tags": "fu"}, "tags", mod)
        assert [c["value"] for c in offered] == ["Fun"]
        everything = await typing(world, command, {"tags": ""}, "tags", mod)
        assert {c["value"] for c in everything} == PLACEHOLDER_VOCABULARY
        assert [
            c["value"] for c in await typing(world, command, {"tags": "Fun, ou"}, "tags", mod)
        ] == ["Fun, Outdoors"]

        await configure(world, "alerts tags-add", {"tags": "Fun"})
        left = await typing(world, command, {"tags": ""}, "tags", mod)
        assert "Fun" not in {c["value"] for c in left}
        removable = await typing(
            world, "chatsight-config alerts tags-remove", {"tags": ""}, "tags", mod
        )
        assert [c["value"] for c in removable] == ["Fun"]
        assert len(world.sim.requests_to("/audio/tagginglist.json")) == 1  # kept, not refetched


async def follows_list(world: World, user: int) -> tuple[Interaction, dict[str, Any]]:
    listing = await run_command(world, "chatsight follows", user=user)
    answer = await final_answer(world, listing)
    assert answer["flags"] & EPHEMERAL
    return listing, answer


async def test_follows_lists_the_channels_streams_each_with_a_stop_button_that_works(
    tmp_path: Path,
) -> None:
    async with running_world(tmp_path) as world:
        await run_command(
            world, "tag", {"url": STREAM.format(tags="Fun"), "follow": True}, user=world.member
        )
        timeline = await world.wait_for_embed(TIMELINE)
        outsider = world.emu.create_user("carol")
        await world.emu.add_member(world.guild, outsider)

        _, seen = await follows_list(world, outsider)
        [entry] = seen["embeds"][0]["fields"]
        assert "streams.example/live" in entry["value"] and f"<@{world.member}>" in entry["value"]
        assert seen.get("components", []) == []  # not theirs to stop

        listing, mine = await follows_list(world, world.member)
        [stop] = [b for b in custom_ids_of(mine) if b.startswith("chatsight:unfollow:")]
        listed = await listing.wait_response()
        assert listed.message_id is not None
        click = await world.emu.click_button(world.channel, listed.message_id, world.member, stop)
        await click.wait_response()

        renewed = world.emu.get_message(listed.message_id)
        assert renewed.data["embeds"][0]["description"] == "No stream is followed in this channel."
        assert renewed.data["components"] == []
        stopped = world.emu.get_message(timeline.id)
        assert fields(stopped)["Status"] == f"Stopped: stopped by <@{world.member}>"


def custom_ids_of(answer: dict[str, Any]) -> list[str]:
    return [
        button["custom_id"]
        for row in answer.get("components", [])
        for button in row["components"]
        if "custom_id" in button
    ]
