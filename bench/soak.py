"""The soak run (`make soak`): the real bot for minutes under steady load and a fault every
interval, counting every result a webhook handed it and every time one shows.

The bot is one `chatsight-bot run` process on SQLite (bench/soak_world.py); members send /tag
round-robin over 20 channels at 20 a second, so 20 webhooks a second come back; every 30 s the
next fault of bench/soak_faults.py's rotation strikes. It prints the results sent (webhooks the
bot answered 200), shown once, lost (sent, never shown), doubled (shown more than once), each
run's resident set after its warm-up and at its end, and the outbox depth at every fault. It
exits 1 on any lost or doubled result, or a run that ends more than 10% above its warm-up RSS.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import aiohttp

from bench.processes import outbox_depth
from bench.shown import shown_anywhere
from bench.soak_faults import ROTATION
from bench.soak_world import Run, SoakWorld, soak_world, tag_at


@dataclass(frozen=True)
class Plan:
    seconds: float
    fault_every_s: float = 30.0
    warmup_s: float = 60.0  # of each run: its RSS then is the figure its end is held to
    per_second: float = 20.0
    channels: int = 20
    drain_s: float = 120.0  # after the load stops, for what is in flight to show
    rss_growth: float = 0.10


@dataclass
class Report:
    plan: Plan
    tags: int  # /tag commands sent
    started: int  # sessions Chatsight started
    sent: int  # results whose webhook the bot answered 200
    shown_once: int
    lost: list[str]
    doubled: list[str]
    polled: int  # shown though no webhook was taken (the bot was down): recovered by a poll
    faults: list[str]
    runs: list[Run]
    depths: list[tuple[float, float | None]]  # (seconds into the soak, outbox depth)
    stalled_posts: int = 0  # warnings in the bot's log of a post outliving its lease

    @property
    def keep_log(self) -> bool:
        return not self.passed or self.stalled_posts > 0

    def grown(self) -> list[int]:
        """The runs (numbered from 1) that ended above their warm-up RSS by more than allowed."""
        limit = 1 + self.plan.rss_growth
        return [
            number
            for number, run in enumerate(self.runs, 1)
            if run.warm_kib is not None
            and run.end_kib is not None
            and run.end_kib > run.warm_kib * limit
        ]

    @property
    def passed(self) -> bool:
        return not self.lost and not self.doubled and not self.grown()

    def lines(self) -> list[str]:
        plan = self.plan
        counts = {name: self.faults.count(name) for name, _ in ROTATION}
        out = [
            f"soak: {plan.seconds:g} s, {plan.channels} channels, {plan.per_second:g} /tag and"
            f" webhooks a second, a fault every {plan.fault_every_s:g} s; SQLite; one"
            " `chatsight-bot run` process; stand-ins in the harness's process, all on 127.0.0.1",
            "faults: " + ", ".join(f"{name} {n}x" for name, n in counts.items()),
            f"/tag sent {self.tags}, sessions started {self.started}; results sent (webhook"
            f" answered 200) {self.sent}: shown once {self.shown_once}, lost {len(self.lost)},"
            f" doubled {len(self.doubled)}; shown after a poll (webhook not taken) {self.polled}",
            f"RSS: warm-up figure taken {plan.warmup_s:g} s into each run, end figure just before"
            " its kill -9 (or the load's end)",
        ]
        for number, run in enumerate(self.runs, 1):
            out.append(
                f"  run {number}: warm-up {_mib(run.warm_kib)},"
                f" end {_mib(run.end_kib)}{_growth(run)}"
            )
        out.append(
            "outbox depth: "
            + ", ".join(
                f"{_clock(at)} {'-' if depth is None else f'{depth:.0f}'}"
                for at, depth in self.depths
            )
        )
        out.append(f"posts that outlived their lease (the bot's log warns): {self.stalled_posts}")
        verdict = [f"{len(self.lost)} lost"] if self.lost else []
        verdict += [f"{len(self.doubled)} doubled"] if self.doubled else []
        verdict += [f"run {n} grew past {plan.rss_growth:.0%}" for n in self.grown()]
        out.append("PASS" if self.passed else "FAIL: " + ", ".join(verdict))
        return out


async def soak(plan: Plan, workdir: Path) -> Report:
    async with soak_world(workdir, plan.channels) as world:
        try:
            return await _soak_in(world, plan)
        except BaseException:
            print(world.bot.tail(), file=sys.stderr)
            raise


async def _soak_in(world: SoakWorld, plan: Plan) -> Report:
    stop = asyncio.Event()
    load = asyncio.create_task(tag_at(world, plan.per_second, stop))
    begun = time.monotonic()
    next_fault = begun + plan.fault_every_s
    faults: list[str] = []
    depths: list[tuple[float, float | None]] = []
    while (now := time.monotonic()) < begun + plan.seconds:
        world.measure_warm(plan.warmup_s)
        if now >= next_fault:
            depths.append((now - begun, await _depth(world)))
            name, fault = ROTATION[len(faults) % len(ROTATION)]
            await fault(world)
            faults.append(name)
            next_fault += plan.fault_every_s
        await asyncio.sleep(min(0.5, max(0.0, next_fault - time.monotonic())))
    world.measure_warm(plan.warmup_s)
    world.end_run()
    stop.set()
    tags = await load
    await _drain(world, plan.drain_s)
    depths.append((time.monotonic() - begun, await _depth(world)))
    return _tally(world, plan, tags, faults, depths)


async def _depth(world: SoakWorld) -> float | None:
    """The outbox depth the bot exports, or None while it is down."""
    with contextlib.suppress(aiohttp.ClientError):
        return await outbox_depth(world.bot)
    return None


def _sent(world: SoakWorld) -> set[str]:
    return {attempt.convo_id for attempt in world.sim.webhook_attempts if attempt.delivered}


async def _drain(world: SoakWorld, within_s: float) -> None:
    """Until every result sent shows and the outbox is empty, or ``within_s`` passes (what is
    still missing then is lost)."""
    deadline = time.monotonic() + within_s
    while time.monotonic() < deadline:
        if (
            _sent(world) <= set(shown_anywhere(world.emu, world.channels))
            and await _depth(world) == 0
        ):
            return
        await asyncio.sleep(1.0)


def _tally(
    world: SoakWorld,
    plan: Plan,
    tags: int,
    faults: list[str],
    depths: list[tuple[float, float | None]],
) -> Report:
    shown = shown_anywhere(world.emu, world.channels)
    sent = _sent(world)
    return Report(
        plan=plan,
        tags=tags,
        started=len(world.sim.sessions),
        sent=len(sent),
        shown_once=sum(1 for session in sent if shown[session] == 1),
        lost=sorted(sent - set(shown)),
        doubled=sorted(session for session, times in shown.items() if times > 1),
        polled=len(set(shown) - sent),
        faults=faults,
        runs=world.runs,
        depths=depths,
        stalled_posts=world.bot.log_path.read_text(errors="replace").count("longer than a lease"),
    )


def _mib(kib: int | None) -> str:
    return "-" if kib is None else f"{kib / 1024:.1f} MiB"


def _growth(run: Run) -> str:
    if run.warm_kib is None or run.end_kib is None:
        return " (run shorter than the warm-up)" if run.warm_kib is None else ""
    return f" ({(run.end_kib / run.warm_kib - 1):+.1%})"


def _clock(seconds: float) -> str:
    return f"{int(seconds) // 60}:{int(seconds) % 60:02d}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--minutes", type=float, default=float(os.environ.get("SOAK_MINUTES", "10"))
    )
    parser.add_argument("--seconds", type=float, help="overrides --minutes (a short check)")
    parser.add_argument("--fault-every", type=float, default=Plan.fault_every_s)
    parser.add_argument("--warmup", type=float, default=Plan.warmup_s)
    args = parser.parse_args()
    seconds = args.seconds if args.seconds is not None else args.minutes * 60
    plan = Plan(seconds=seconds, fault_every_s=args.fault_every, warmup_s=args.warmup)
    workdir = Path(tempfile.mkdtemp(prefix="chatsight-soak-"))
    report = asyncio.run(soak(plan, workdir))
    print("\n".join(report.lines()))
    if report.keep_log:
        print(f"the bot's log: {workdir / 'soak-bot.log'}")
    else:
        shutil.rmtree(workdir)
    if not report.passed:
        sys.exit(1)


if __name__ == "__main__":
    main()
