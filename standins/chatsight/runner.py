"""The simulator as a foreground process: ``chatsight-bot mock-api`` and ``python -m``."""

from __future__ import annotations

import asyncio
import signal

from standins.chatsight.rules import FixedTags
from standins.chatsight.server import ChatsightSimulator

DEFAULT_SECRET = "sim-shared-secret"  # noqa: S105 - made up; matches the class default
# Of the whole --delay, the share spent provisioning; the rest is the run itself.
PROVISIONING_SHARE = 0.25


def run_simulator(
    *,
    host: str,
    port: int,
    tags: list[str] | None,
    delay: float,
    secret: str | None,
    api_key: str,
) -> None:
    """Serves until Ctrl-C or SIGTERM. ``delay`` is the seconds from start to finish."""
    simulator = ChatsightSimulator(
        api_key=api_key,
        shared_secret=secret or DEFAULT_SECRET,
        host=host,
        port=port,
        tag_rule=FixedTags(tags) if tags else None,
        provisioning_delay=delay * PROVISIONING_SHARE,
        running_delay=delay * (1 - PROVISIONING_SHARE),
    )
    asyncio.run(_serve(simulator))


async def _serve(simulator: ChatsightSimulator) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    async with simulator:
        print(f"Chatsight simulator listening on {simulator.base_url}", flush=True)
        await stop.wait()
