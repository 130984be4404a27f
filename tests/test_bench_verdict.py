"""The ingest benchmark's verdict: where it judges the target and what it reports as met."""

from __future__ import annotations

import os

from bench.webhook_ingest import LoadSummary, cpu_seconds, verdict


def test_judged_at_the_load_where_the_receiver_peaks_not_the_best_ratio() -> None:
    # A noisy round can give a low load a better ratio; the verdict still reads the peak load.
    low = LoadSummary(connections=16, ratio=0.58, real_rps=9_000, real_p99_ms=3.0)
    peak = LoadSummary(connections=64, ratio=0.45, real_rps=14_000, real_p99_ms=7.0)
    assert verdict([low, peak]) == (peak, False)


def test_met_needs_the_ratio_and_the_p99_at_that_load() -> None:
    fast = LoadSummary(connections=64, ratio=0.63, real_rps=14_800, real_p99_ms=7.5)
    slow_tail = LoadSummary(connections=64, ratio=0.63, real_rps=14_800, real_p99_ms=20.0)
    assert verdict([fast]) == (fast, True)
    assert verdict([slow_tail]) == (slow_tail, False)


def test_cpu_seconds_reads_the_process_time_from_proc() -> None:
    times = os.times()
    assert abs(cpu_seconds(os.getpid()) - (times.user + times.system)) < 0.05
