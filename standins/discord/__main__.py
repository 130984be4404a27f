"""``python -m standins.discord --host 127.0.0.1 --port N [--seed-file world.json]``.

Prints one JSON line (the URLs and the seeded ids) once listening, then serves until killed.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import signal
from pathlib import Path

from .emulator import DiscordEmulator
from .state import EmulatorConfig


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m standins.discord", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1", help="loopback address only")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--seed-file", type=Path, help="JSON world description (see seed.py)")
    parser.add_argument("--interaction-timeout", type=float, default=3.0)
    parser.add_argument("--heartbeat-ms", type=int, default=41_250)
    parser.add_argument("--global-limit", type=int, default=50, help="requests per second")
    return parser


async def _serve(args: argparse.Namespace) -> None:
    config = EmulatorConfig(
        heartbeat_interval_ms=args.heartbeat_ms,
        interaction_timeout=args.interaction_timeout,
        global_limit_per_second=args.global_limit,
    )
    emulator = DiscordEmulator(config, host=args.host, port=args.port)
    await emulator.start()
    seeded = {}
    if args.seed_file is not None:
        seeded = await emulator.seed(json.loads(args.seed_file.read_text()))
    print(
        json.dumps(
            {
                "api_base": emulator.api_base,
                "gateway_url": emulator.gateway_url,
                "control": f"{emulator.base_url}/_control",
                "seed": seeded,
            }
        ),
        flush=True,
    )
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    await emulator.close()


def main() -> None:
    asyncio.run(_serve(_parser().parse_args()))


if __name__ == "__main__":
    main()
