"""Cross-process wake: from a receiver's ``200 OK`` to delivery in another process's worker.

A `serve-webhooks` process and a `run` process meet only in PostgreSQL: the receiver commits the
result and its ``NOTIFY`` in one transaction, and the `run` process's change feed wakes its
delivery worker (bot/store/interface/, ChangeFeed). Both cores here have stores, pools and the
listener connection of their own, as two processes would; the delivery worker's own idle timer
(30 s) is far beyond what is measured, so each figure is the NOTIFY path.

Per result: t0 = the simulator reporting the receiver's ``200 OK`` (a little after it was read, so
the figure errs low by the simulator's bookkeeping), t1 = the sink called in the other core.
Prints p50, p99 and max of t1 - t0 against the target of 100 ms.

    python -m bench.change_feed [--results 200] [--database postgresql://postgres@127.0.0.1/postgres]
"""

from __future__ import annotations

import argparse
import asyncio
import secrets
import statistics
import sys
import time
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager

import asyncpg
import yarl

from bot.app.core import TaggingCore
from bot.config import Secret, Settings
from bot.domain.records import Delivery, Origin, SessionRecord, SessionSource, TagRequest
from standins.chatsight import ChatsightSimulator
from standins.loopback import free_port

TARGET_MS = 100.0


class TimingSink:
    def __init__(self) -> None:
        self.arrived: dict[str, float] = {}
        self.arrival = asyncio.Event()

    async def deliver(self, delivery: Delivery, session: SessionRecord) -> int | None:
        self.arrived[session.convo_id] = time.perf_counter()
        self.arrival.set()
        return None


@asynccontextmanager
async def throwaway(server: str) -> AsyncIterator[str]:
    admin = await asyncpg.connect(server, timeout=5)
    name = f"chatsight_bench_{secrets.token_hex(4)}"
    await admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield str(yarl.URL(server).with_path(f"/{name}"))
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


async def measure(results: int, server: str) -> list[float]:
    sim = ChatsightSimulator(auto_advance=False)
    await sim.start()
    port = free_port()
    sink = TimingSink()
    async with throwaway(server) as url:
        settings = Settings(
            chatsight_api_key=Secret("sim-api-key"),
            chatsight_shared_secret=Secret(sim.shared_secret),
            chatsight_api_base=sim.base_url,
            public_base_url=f"http://127.0.0.1:{port}",
            webhook_port=port,
            database_url=url,
        )
        receiver = TaggingCore(settings, serve_webhooks=True, monitor_interval_s=None)
        runner = TaggingCore(settings, serve_webhooks=False, monitor_interval_s=None)
        await receiver.start({})
        await runner.start({"result": sink})
        accepted: dict[str, float] = {}
        try:
            for number in range(results):
                convo = f"wake-{number}"
                request = TagRequest(
                    convo, "https://s.test/x.ts?tags=Fun", SessionSource.SLASH, Origin(1, 2, 3)
                )
                await runner.service.start(request)
                sink.arrival.clear()
                await sim.finish(convo)
                [attempt] = (await sim.wait_for_webhooks(number + 1))[-1:]
                accepted[convo] = time.perf_counter()
                assert attempt.status == 200, attempt
                await asyncio.wait_for(sink.arrival.wait(), 5)
        finally:
            await runner.stop()
            await receiver.stop()
            await sim.stop()
    return [(sink.arrived[c] - t0) * 1000 for c, t0 in accepted.items()]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.change_feed", description=__doc__)
    parser.add_argument("--results", type=int, default=200)
    parser.add_argument("--database", default="postgresql://postgres@127.0.0.1:5432/postgres")
    args = parser.parse_args(argv)
    latencies = sorted(asyncio.run(measure(args.results, args.database)))
    p50 = statistics.median(latencies)
    p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))]
    print(
        f"{len(latencies)} results, receiver 200 → other process's worker:"
        f" p50 {p50:.1f} ms, p99 {p99:.1f} ms, max {latencies[-1]:.1f} ms"
        f" (target {TARGET_MS:.0f} ms: {'met' if p99 <= TARGET_MS else 'missed'})"
    )
    return 0 if p99 <= TARGET_MS else 1


if __name__ == "__main__":
    sys.exit(main())
