"""The benchmarks' verdicts: where each judges its target and what it reports as met."""

from __future__ import annotations

import os

from bench.discord_delivery import Figures
from bench.discord_delivery import verdict as delivery_verdict
from bench.ingest_load import cpu_seconds, parse_wrk
from bench.webhook_ingest import LoadSummary, verdict


def summary(connections: int, ratio: float, p99_ratio: float, rps: float) -> LoadSummary:
    return LoadSummary(connections, ratio, p99_ratio, real_rps=rps, real_p99_ms=5.0)


def test_throughput_is_judged_at_the_load_where_the_receiver_peaks_not_the_best_ratio() -> None:
    # A noisy round can give a low load a better ratio; the verdict still reads the peak load.
    low = summary(16, ratio=0.68, p99_ratio=1.5, rps=9_000)
    peak = summary(64, ratio=0.55, p99_ratio=1.5, rps=14_000)
    assert verdict([low, peak]) == (peak, False)


def test_the_p99_ratio_must_hold_at_every_load() -> None:
    low = summary(16, ratio=0.40, p99_ratio=2.3, rps=9_000)
    peak = summary(64, ratio=0.65, p99_ratio=1.6, rps=14_000)
    assert verdict([low, peak]) == (peak, False)
    low_ok = summary(16, ratio=0.40, p99_ratio=2.0, rps=9_000)
    assert verdict([low_ok, peak]) == (peak, True)


def test_wrk_output_is_read_in_milliseconds() -> None:
    output = (
        "  Latency Distribution\n     50%  812.00us\n     75%    1.20ms\n     90%    2.00ms\n"
        "     99%    1.50s\n  80000 requests in 4.00s\nRequests/sec:  20000.00\n"
        "  Non-2xx or 3xx responses: 3\n"
    )
    assert parse_wrk(output) == {"rps": 20000.0, "p50": 0.812, "p99": 1500.0, "errors": 3.0}


def test_cpu_seconds_reads_the_process_time_from_proc() -> None:
    times = os.times()
    assert abs(cpu_seconds(os.getpid()) - (times.user + times.system)) < 0.05


def delivered(p99_ms: float, last_after_s: float = 1.0, rate_limited: int = 0) -> Figures:
    return Figures(
        "paced and packed",
        1000,
        True,
        150,
        last_after_s,
        300.0,
        5.0,
        p99_ms,
        rate_limited,
        rate_limited,
    )


def test_the_delivery_p99_target_is_judged_only_at_its_own_rate() -> None:
    assert delivery_verdict("none", 100, delivered(4.8))[1] is True
    assert delivery_verdict("none", 100, delivered(30.0))[1] is False
    # 500 webhooks/s without limits is a load the target was never set for.
    target, met = delivery_verdict("none", 500, delivered(180.0))
    assert met is None and "at 100 webhooks/s" in target


def test_the_delivery_ceiling_target_needs_no_429_and_the_last_result_within_3_s() -> None:
    assert delivery_verdict("discord", 500, delivered(1170.0, last_after_s=1.13))[1] is True
    assert delivery_verdict("discord", 500, delivered(1170.0, last_after_s=3.5))[1] is False
    assert delivery_verdict("discord", 500, delivered(900.0, rate_limited=1))[1] is False
