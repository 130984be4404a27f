"""Results at Discord's own limits: many sessions waiting at once, and reading back where each
result was shown, in the emulator's terms."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence

from standins.discord import EmulatorConfig, StoredMessage
from tests.bot_e2e.harness import IDENTIFY_WINDOW_S, World
from tests.bot_e2e.tag_steps import SESSION_IN_FOOTER, TAGS_TITLE, session_of, started, tag

STREAM = "https://streams.example/live?tags=Fun,Relaxed"


def discord_limits(**buckets: tuple[int, float]) -> EmulatorConfig:
    """The emulator's defaults, which are Discord's limits (a bucket changed if asked), with the
    harness's short identify window."""
    return EmulatorConfig(
        heartbeat_interval_ms=2000, identify_window=IDENTIFY_WINDOW_S, bucket_limits=buckets
    )


async def waiting_sessions(world: World, channels: Sequence[int]) -> list[tuple[str, int]]:
    """A /tag in each of ``channels`` (a channel may repeat), each session left running until
    the test finishes it: each session and the id of its request's message."""
    for _ in channels:
        world.sim.faults.stick_next_session("running")
    gate = asyncio.Semaphore(10)

    async def one(channel: int) -> tuple[str, int]:
        async with gate:
            answer = await started(world, await tag(world, STREAM, channel=channel))
            return session_of(answer), answer.id

    return list(await asyncio.gather(*(one(channel) for channel in channels)))


def shown(world: World, channels: Sequence[int]) -> dict[str, list[StoredMessage]]:
    """Every message showing each session's result, by session."""
    found: dict[str, list[StoredMessage]] = {}
    for channel in dict.fromkeys(channels):
        for message in world.bot_messages(channel):
            for embed in message.data["embeds"]:
                match = SESSION_IN_FOOTER.search(embed.get("footer", {}).get("text", ""))
                if embed.get("title") == TAGS_TITLE and match is not None:
                    found.setdefault(match.group(1), []).append(message)
    return found


async def all_shown(
    world: World, channels: Sequence[int], sessions: Sequence[str], within_s: float = 20.0
) -> dict[str, list[StoredMessage]]:
    def every() -> dict[str, list[StoredMessage]] | None:
        found = shown(world, channels)
        return found if set(sessions) <= set(found) else None

    return await world.emu.wait_for(every, within_s)


def rate_limited(world: World) -> list[str]:
    """Every request the emulator answered 429, with its route."""
    return [f"{r.method} {r.path}" for r in world.emu.requests() if r.status == 429]


def dying_at(reached: asyncio.Event) -> Callable[..., Awaitable[None]]:
    """A stand-in for a store method: the process "dies" when it gets there (it never returns;
    the test then stops it)."""

    async def never(*_args: object) -> None:
        reached.set()
        await asyncio.Event().wait()

    return never
