"""The soak run's faults, one every interval in this rotation: what a bot running for weeks
meets. Discord failing and rate-limiting its posts, Chatsight failing and stalling /tag's calls,
the gateway dropping under the bot, and the process killed with kill -9 and started again (last,
so each run between kills lives through every other fault once)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from bench.soak_world import CHATSIGHT_TIMEOUT_S, SoakWorld

POSTS = "POST /channels/*/messages"
TAG = "/stream/tag"
BURST = 5  # requests each Discord or Chatsight fault spoils


async def discord_5xx(world: SoakWorld) -> None:
    world.emu.inject_server_error(POSTS, count=BURST, status=502)


async def discord_429(world: SoakWorld) -> None:
    world.emu.inject_ratelimit(POSTS, count=BURST, retry_after=1.0)


async def chatsight_5xx(world: SoakWorld) -> None:
    world.sim.faults.fail_next(TAG, status=503, count=BURST)


async def chatsight_timeout(world: SoakWorld) -> None:
    world.sim.faults.slow_next(TAG, delay=CHATSIGHT_TIMEOUT_S + 1.0, count=BURST)


async def gateway_drop(world: SoakWorld) -> None:
    await world.emu.drop_gateway(world.app.user_id)


async def kill_9(world: SoakWorld) -> None:
    await world.kill_and_restart()


Fault = Callable[[SoakWorld], Awaitable[None]]
ROTATION: tuple[tuple[str, Fault], ...] = (
    ("discord 5xx", discord_5xx),
    ("discord 429", discord_429),
    ("chatsight 5xx", chatsight_5xx),
    ("chatsight timeout", chatsight_timeout),
    ("gateway dropped", gateway_drop),
    ("kill -9", kill_9),
)
