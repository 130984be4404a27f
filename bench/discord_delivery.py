"""Result delivery at Discord's ceiling: from an accepted webhook to the result shown in Discord.

The real ``ChatsightBot`` runs in this process against the Discord emulator and the Chatsight
simulator, all on 127.0.0.1. Sessions are started with real ``/tag`` commands spread over many
channels; the simulator is told never to finish them, and this script then fires each session's
signed webhook at the bot's receiver at a steady rate, as Chatsight would.

``--limits discord`` keeps the emulator's default limits, Discord's own (5 messages per 5 s per
channel, 50 requests per second per bot); ``--limits none`` switches them off, to measure the
bot's own path. Each run measures the bot twice, each time in a fresh world: as it is (pacing
itself, packing results), and with both switched off (one message per result, discord.py's 429
handling alone), so the gain reads as a ratio on the same machine in the same minute.

Per session: t0 = the moment the receiver's ``200 OK`` has been read, t1 = the emulator's
``timestamp`` of the message that first shows its result (same wall clock, microseconds).

    python -m bench.discord_delivery [--limits discord|none] [--sessions 1000] [--channels 50]
        [--rate 500 with limits, 100 without] [--timeout 120]
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import logging
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import aiohttp
import uvloop

from bench.delivery_world import Target, World, start_sessions, start_world, stop_world
from bot.rendering.results import TAGS_TITLE, footer_session
from standins.chatsight.webhook import signed_delivery

# The targets (README, Stand-ins, tests and benchmarks): with Discord's limits, the last result
# within 3 s of the last webhook's 200 and no 429; without them, p99 under 25 ms at 100/s.
TARGET_LAST_S = 3.0
TARGET_P99_MS = 25.0
TARGET_P99_RATE = 100.0
DEFAULT_RATE = {"discord": 500.0, "none": TARGET_P99_RATE}


@dataclass
class Figures:
    name: str
    shown: int
    once: bool
    messages: int
    last_after_s: float  # from the last webhook's 200 to the last result shown
    per_second: float  # results shown per second, from the first webhook fired
    p50_ms: float
    p99_ms: float
    rate_limited: int  # 429s the emulator answered
    invalid: int  # the emulator's invalid-request count (401, 403, 429) for the bot's address


async def fire(secret: str, targets: Sequence[Target], rate: float) -> None:
    """One webhook every 1/rate seconds, on a fixed schedule, each on its own request."""
    loop = asyncio.get_running_loop()
    headers = {"Content-Type": "application/json"}
    async with aiohttp.ClientSession() as http:

        async def post(target: Target) -> None:
            now = int(time.time() * 1000)
            body = json.dumps(signed_delivery(secret, target.convo_id, "Fun,Relaxed", False, now))
            async with http.post(target.webhook, data=body, headers=headers) as response:
                await response.read()
                target.accepted_at = time.time()
                if response.status != 200:
                    raise RuntimeError(f"webhook refused: {response.status}")

        start = loop.time()
        pending = []
        for index, target in enumerate(targets):
            delay = start + index / rate - loop.time()
            if delay > 0:
                await asyncio.sleep(delay)
            pending.append(asyncio.create_task(post(target)))
        await asyncio.gather(*pending)


def shown_at(world: World) -> tuple[dict[str, list[float]], int]:
    """When each session's result was shown (every time it was), and the messages showing any."""
    shown: dict[str, list[float]] = {}
    messages = 0
    for channel in world.channels:
        for message in world.emu.messages(channel):
            stored = datetime.fromisoformat(message.data["timestamp"]).timestamp()
            found = [
                footer_session(embed["footer"]["text"])
                for embed in message.data["embeds"]
                if embed.get("title") == TAGS_TITLE
            ]
            messages += bool(found)
            for convo_id in found:
                assert convo_id is not None
                shown.setdefault(convo_id, []).append(stored)
    return shown, messages


async def until_shown(world: World, count: int, timeout_s: float) -> None:
    """Re-checked on every change the emulator makes, so only the messages new since the last
    look are read."""
    read = dict.fromkeys(world.channels, 0)
    seen: set[str] = set()

    def enough() -> bool:
        for channel in world.channels:
            ids = world.emu.state.channel_messages.get(channel, [])
            for message_id in ids[read[channel] :]:
                for embed in world.emu.state.messages[message_id].data["embeds"]:
                    found = footer_session(embed.get("footer", {}).get("text", ""))
                    if embed.get("title") == TAGS_TITLE and found is not None:
                        seen.add(found)
            read[channel] = len(ids)
        return len(seen) >= count

    await world.emu.wait_for(enough, timeout_s)


def percentile(values: Sequence[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


async def measure(name: str, paced: bool, args: argparse.Namespace) -> Figures:
    with tempfile.TemporaryDirectory() as tmp:
        world = await start_world(Path(tmp), args.limits, paced, args.channels, args.sessions)
        try:
            began = time.monotonic()
            targets = await start_sessions(world, args.sessions)
            print(f"{name}: started {args.sessions} sessions in {time.monotonic() - began:.1f} s")
            # The stand-ins' world (thousands of stored messages and interactions) would not
            # live in the bot's process in production: keep it out of the collector's sweeps.
            gc.freeze()
            before = len(world.emu.state.request_log)
            fired = time.time()
            await fire(world.sim.shared_secret, targets, args.rate)
            try:
                await until_shown(world, args.sessions, args.timeout)
            except TimeoutError:
                print(f"{name}: not every result shown within {args.timeout:g} s")
            shown, messages = shown_at(world)
            answers = world.emu.state.request_log[before:]
            invalid = int(world.emu.invalid_requests()["count"])
        finally:
            await stop_world(world)
            gc.unfreeze()
    first = {convo: min(times) for convo, times in shown.items()}
    latencies = [(first[t.convo_id] - t.accepted_at) * 1000 for t in targets if t.convo_id in first]
    last = max(first.values(), default=fired)
    return Figures(
        name,
        shown=len(first),
        once=len(first) == args.sessions and all(len(t) == 1 for t in shown.values()),
        messages=messages,
        last_after_s=last - max(t.accepted_at for t in targets),
        per_second=len(first) / max(1e-9, last - fired),
        p50_ms=statistics.median(latencies) if latencies else float("nan"),
        p99_ms=percentile(latencies, 0.99) if latencies else float("nan"),
        rate_limited=sum(1 for answer in answers if answer.status == 429),
        invalid=invalid,
    )


def report(figures: Sequence[Figures], args: argparse.Namespace) -> bool:
    print(
        f"\n--limits {args.limits}: {args.sessions} sessions, {args.channels} channels,"
        f" webhooks at {args.rate:g}/s"
    )
    print(
        f"{'':<28}{'shown':>7}{'messages':>10}{'last after':>12}{'results/s':>11}"
        f"{'p50 ms':>10}{'p99 ms':>10}{'429s':>6}{'invalid':>9}"
    )
    for f in figures:
        print(
            f"{f.name:<28}{f.shown:>7}{f.messages:>10}{f.last_after_s:>11.2f}s{f.per_second:>11.0f}"
            f"{f.p50_ms:>10.1f}{f.p99_ms:>10.1f}{f.rate_limited:>6}{f.invalid:>9}"
            f"{'' if f.once else '  NOT each once'}"
        )
    on, off = figures
    print(
        f"gain: last result {off.last_after_s / max(on.last_after_s, 1e-9):.1f}x sooner,"
        f" {on.per_second / max(off.per_second, 1e-9):.1f}x the results per second,"
        f" p99 {off.p99_ms / max(on.p99_ms, 1e-9):.1f}x lower"
    )
    target, met = verdict(args.limits, args.rate, on)
    judged = "not judged at this rate" if met is None else "met" if met else "MISSED"
    print(f"target ({target}): {judged}")
    return on.once


def verdict(limits: str, rate: float, on: Figures) -> tuple[str, bool | None]:
    """The target for ``limits`` and whether the paced, packed bot met it; None where the run's
    rate is not the one the target is set at (without limits, p99 at 100 webhooks/s)."""
    if limits == "discord":
        met = on.once and on.last_after_s <= TARGET_LAST_S and on.rate_limited == 0
        return f"last result within {TARGET_LAST_S:g} s of the last webhook, no 429", met
    target = f"p99 under {TARGET_P99_MS:g} ms at {TARGET_P99_RATE:g} webhooks/s"
    if rate > TARGET_P99_RATE:
        return target, None
    return target, on.once and on.p99_ms < TARGET_P99_MS


async def run(args: argparse.Namespace) -> int:
    figures = [
        await measure("paced and packed", True, args),
        await measure("one message each, unpaced", False, args),
    ]
    return 0 if report(figures, args) else 1


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--limits", choices=("discord", "none"), default="discord")
    parser.add_argument("--sessions", type=int, default=1000)
    parser.add_argument("--channels", type=int, default=50)
    parser.add_argument(
        "--rate", type=float, help="webhooks per second (500 with --limits discord, else 100)"
    )
    parser.add_argument(
        "--timeout", type=float, default=120.0, help="seconds each round waits for its results"
    )
    args = parser.parse_args(argv)
    if args.rate is None:
        args.rate = DEFAULT_RATE[args.limits]
    logging.basicConfig(level=logging.ERROR)
    # uvloop's loop, as `chatsight-bot run` serves the bot (bot/app/cli.py).
    return uvloop.run(run(args))


if __name__ == "__main__":
    sys.exit(main())
