"""What moderators and members do to a server, and how a test reads the bot's answers back."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from standins.discord import StoredMessage
from standins.discord.model import Interaction
from tests.bot_e2e.harness import World
from tests.bot_e2e.tag_steps import slash

EPHEMERAL = 1 << 6
DEFERRED = 5
TAGGING_REACTION = "🏷️"
TIMELINE = "Following stream"
ALERT = "Moderator alert"


async def run_command(
    world: World,
    name: str,
    options: dict[str, Any] | None = None,
    *,
    user: int | None = None,
    channel: int | None = None,
) -> Interaction:
    """Run ``/name`` (a path such as ``"chatsight-config alerts role"``), by default as the
    moderator in the main channel, and wait for the bot's first answer."""
    interaction = await slash(world, name, options, channel=channel, user=user or world.moderator)
    await interaction.wait_response()
    return interaction


async def final_answer(world: World, interaction: Interaction) -> dict[str, Any]:
    """What the user reads: the follow-up after a defer, else the first answer."""
    callback = await interaction.wait_response()
    if callback.type != DEFERRED:
        return callback.data

    def followup() -> dict[str, Any] | None:
        found = [r for r in interaction.responses if r.kind in ("followup", "edit_original")]
        return found[-1].data if found else None

    return await world.emu.wait_for(followup)


async def configure(world: World, name: str, options: dict[str, Any] | None = None) -> str:
    """Run a /chatsight-config command as the moderator; its private answer's text."""
    answer = await final_answer(
        world, await run_command(world, f"chatsight-config {name}", options)
    )
    assert answer["flags"] & EPHEMERAL
    return str(answer.get("content") or "")


async def watch(world: World, channel: int) -> None:
    await configure(world, "autotag add", {"channel": channel})


def replies_to(message_id: int) -> Callable[[StoredMessage], bool]:
    def match(message: StoredMessage) -> bool:
        reference = message.data.get("message_reference") or {}
        return reference.get("message_id") == str(message_id)

    return match


def embed_titled(title: str) -> Callable[[StoredMessage], bool]:
    def match(message: StoredMessage) -> bool:
        return any(e.get("title") == title for e in message.data.get("embeds", []))

    return match


def posted_urls(world: World) -> list[str]:
    """The stream URLs Chatsight was asked to tag, in order."""
    return [r.json()["url"] for r in world.sim.requests_to("/stream/tag", "POST")]


def custom_ids(message: StoredMessage) -> dict[str, dict[str, Any]]:
    """The message's buttons by custom id (link buttons, which have none, by label)."""
    found: dict[str, dict[str, Any]] = {}
    for row in message.data.get("components", []):
        for button in row.get("components", []):
            found[button.get("custom_id") or button["label"]] = button
    return found


# One "minute" of the server's sample interval lasts this long here, so `interval 1` samples
# a followed stream every 0.4 s; webhooks lost over a restart are polled for after 0.5 s.
MINUTE_S = 0.4
FAST: dict[str, Any] = {"follow_minute_seconds": MINUTE_S, "poll_after_seconds": 0.5}


def convo_ids(world: World) -> list[str]:
    """The sessions Chatsight was asked to start, each once, in order."""
    posted = [r.json()["convoId"] for r in world.sim.requests_to("/stream/tag", "POST")]
    return list(dict.fromkeys(posted))


def lines(message: StoredMessage) -> list[str]:
    return str(message.data["embeds"][0].get("description", "")).splitlines()


def fields(message: StoredMessage) -> dict[str, str]:
    return {f["name"]: f["value"] for f in message.data["embeds"][0]["fields"]}


async def message_when(
    world: World, message_id: int, predicate: Callable[[StoredMessage], bool]
) -> StoredMessage:
    """The message once an edit made ``predicate`` true."""

    def check() -> StoredMessage | None:
        message = world.emu.get_message(message_id)
        return message if predicate(message) else None

    return await world.emu.wait_for(check, timeout=10)


async def follow_announced(world: World, url: str) -> StoredMessage:
    """Announce ``url`` in a watched channel sampled every (fast) minute; its timeline."""
    await watch(world, world.channel)
    await configure(world, "autotag interval", {"minutes": 1})
    announcement = await world.emu.post_message(world.channel, world.member, f"live: {url}")
    return await world.emu.wait_for_message(world.channel, replies_to(announcement.id))
