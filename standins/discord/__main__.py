"""``python -m standins.discord --host 127.0.0.1 --port N [--seed-file world.json]``.

``--shards N --max-concurrency K`` set what ``GET /gateway/bot`` recommends and the identify
buckets; ``--identify-window``, ``--guilds-per-shard`` and ``--invalid-request-limit`` tune the
other limits (``EmulatorConfig`` has the same knobs).

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


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m standins.discord", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1", help="loopback address only")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--seed-file", type=Path, help="JSON world description (see seed.py)")
    parser.add_argument("--interaction-timeout", type=float, default=3.0)
    parser.add_argument("--heartbeat-ms", type=int, default=41_250)
    parser.add_argument("--global-limit", type=int, default=50, help="requests per second")
    parser.add_argument("--shards", type=int, default=1, help="GET /gateway/bot's shard count")
    parser.add_argument(
        "--max-concurrency", type=int, default=1, help="identifies per window (buckets)"
    )
    parser.add_argument("--identify-window", type=float, default=5.0, help="seconds")
    parser.add_argument(
        "--guilds-per-shard", type=int, default=2500, help="more on one session: close 4011"
    )
    parser.add_argument(
        "--invalid-request-limit",
        type=int,
        default=10_000,
        help="401/403/429 answers per 10 minutes before the Cloudflare ban",
    )
    return parser


def config_from_args(args: argparse.Namespace) -> EmulatorConfig:
    return EmulatorConfig(
        heartbeat_interval_ms=args.heartbeat_ms,
        interaction_timeout=args.interaction_timeout,
        global_limit_per_second=args.global_limit,
        shards=args.shards,
        max_concurrency=args.max_concurrency,
        identify_window=args.identify_window,
        guilds_per_shard=args.guilds_per_shard,
        invalid_request_limit=args.invalid_request_limit,
    )


async def _serve(args: argparse.Namespace) -> None:
    config = config_from_args(args)
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
    asyncio.run(_serve(build_parser().parse_args()))


if __name__ == "__main__":
    main()
