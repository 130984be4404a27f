"""The soak run itself, for a few seconds with one fault of each kind, so `make soak` cannot rot
between the times someone runs it for ten minutes.

It takes longer than its 12.5 s of load: a result whose post the kill -9 interrupted waits out
its outbox lease (30 s) before the restarted process takes it, and the soak waits for it.
"""

from __future__ import annotations

from pathlib import Path

from bench.soak import Plan, soak
from bench.soak_faults import ROTATION


async def test_a_short_soak_loses_and_doubles_nothing_through_every_fault(tmp_path: Path) -> None:
    report = await soak(Plan(seconds=12.5, fault_every_s=2.0, warmup_s=1.0), tmp_path)
    print("\n" + "\n".join(report.lines()))

    assert report.faults == [name for name, _ in ROTATION]
    assert report.sent > 100
    assert report.lost == []
    assert report.doubled == []
    assert report.shown_once == report.sent
    assert len(report.runs) == 2  # the kill -9 ended the first
    first = report.runs[0]
    assert first.warm_kib is not None and first.end_kib is not None
    assert report.depths[-1][1] == 0  # drained
