"""/chatsight history tag:…: a server's sessions heard with a tag, newest first, a page at a
time, in the channels the member can read only, with buttons for that member only."""

from __future__ import annotations

from pathlib import Path

from bot.domain.records import SessionState
from standins.discord import Interaction, StoredMessage
from standins.discord.permissions import VIEW_CHANNEL
from tests.bot_e2e.harness import World, running_world
from tests.bot_e2e.server_helpers import custom_ids, message_when
from tests.bot_e2e.tag_steps import (
    answers_to,
    eventually,
    private_reply,
    session_of,
    slash,
    started,
    tag,
)

STREAM = "https://streams.example/live?tags=Fun,Relaxed&n={n}"


async def heard(world: World, url: str, *, channel: int, user: int) -> None:
    """A /tag whose result is in: one at a time, within the server's cap."""
    convo = session_of(await started(world, await tag(world, url, channel=channel, user=user)))

    async def completed() -> bool | None:
        session = await world.running.core.store.get_session(convo)
        return True if session and session.state is SessionState.COMPLETED else None

    await eventually(completed)


async def history(world: World, user: int, tag_name: str) -> tuple[Interaction, StoredMessage]:
    interaction = await slash(world, "chatsight history", {"tag": tag_name}, user=user)
    await interaction.wait_response()
    [answer] = answers_to(world, interaction)
    assert answer.ephemeral_for == user
    return interaction, answer


def shown(message: StoredMessage) -> list[str]:
    """Each row's stream number (``n=…``), or "staff" for the moderators' channel."""
    return [f["value"].split("n=")[1].split("\n")[0] for f in message.data["embeds"][0]["fields"]]


def footer(message: StoredMessage) -> str:
    return str(message.data["embeds"][0]["footer"]["text"])


async def test_history_pages_newest_first_and_hides_what_the_member_cannot_read(
    tmp_path: Path,
) -> None:
    async with running_world(tmp_path) as world:
        staff = await world.emu.create_channel(world.guild, "staff")
        await world.emu.set_overwrite(staff, world.guild, deny=VIEW_CHANNEL)  # @everyone
        for allowed in (world.mods_role, world.app.user_id):
            await world.emu.set_overwrite(staff, allowed, allow=VIEW_CHANNEL)
        for n in range(6):
            await heard(world, STREAM.format(n=n), channel=world.channel, user=world.member)
        await heard(world, STREAM.format(n="staff"), channel=staff, user=world.moderator)
        await heard(
            world,
            "https://streams.example/live?tags=Calm&n=9",
            channel=world.channel,
            user=world.member,
        )

        _, page = await history(world, world.member, "fun")
        assert page.data["embeds"][0]["title"] == "Heard with fun"
        assert shown(page) == ["5", "4", "3", "2", "1"]
        assert all(f"<#{world.channel}>" in f["value"] for f in page.data["embeds"][0]["fields"])
        buttons = custom_ids(page)
        previous, following = (f"chatsight:history:{world.member}:{n}:fun" for n in (0, 1))
        assert buttons[previous]["disabled"] and not buttons[following].get("disabled")

        # Only the member who asked turns the pages.
        other = await world.emu.click_button(world.channel, page.id, world.moderator, following)
        assert "belong to the member who asked" in await private_reply(world, other)
        assert shown(world.emu.get_message(page.id)) == ["5", "4", "3", "2", "1"]

        click = await world.emu.click_button(world.channel, page.id, world.member, following)
        await click.wait_response()
        second = await message_when(world, page.id, lambda m: footer(m) == "Page 2 (last)")
        assert shown(second) == ["0"]
        assert custom_ids(second)[f"chatsight:history:{world.member}:2:fun"]["disabled"]
        back = await world.emu.click_button(world.channel, page.id, world.member, previous)
        await back.wait_response()
        first = await message_when(world, page.id, lambda m: footer(m) == "Page 1")
        assert shown(first) == ["5", "4", "3", "2", "1"]

        # A moderator reads the staff channel too; a tag nobody was heard with shows nothing.
        _, theirs = await history(world, world.moderator, "FUN")
        assert shown(theirs) == ["staff", "5", "4", "3", "2"]
        _, none = await history(world, world.member, "Violence")
        assert "No stream in the channels you can see" in none.data["embeds"][0]["description"]
        assert all(b.get("disabled") for b in custom_ids(none).values())
