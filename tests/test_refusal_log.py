"""RefusalLog: a flood of refused webhooks writes one line per kind a window, then the count."""

from __future__ import annotations

import logging

import pytest

from bot.webhook.refusal_log import RefusalLog

LOGGER = "tests.refusals"


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def lines(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [record.getMessage() for record in caplog.records if record.name == LOGGER]


def test_one_line_per_kind_a_window_then_the_count(caplog: pytest.LogCaptureFixture) -> None:
    clock = Clock()
    refusals = RefusalLog(logging.getLogger(LOGGER), window_s=60.0, clock=clock)
    with caplog.at_level(logging.WARNING, logger=LOGGER):
        for _ in range(500):
            refusals.refused(logging.WARNING, "webhook refused", 401, "hmac does not match")
            clock.now += 0.01
        # Another kind is its own line, at once.
        refusals.refused(logging.WARNING, "webhook refused", 404, "no session behind this URL")
        refusals.refused(logging.ERROR, "webhook not stored", 503, "database: disk I/O error")
        clock.now += 60.0
        refusals.refused(logging.WARNING, "webhook refused", 401, "time is outside the window")
        refusals.refused(logging.WARNING, "webhook refused", 401, "hmac does not match")
    assert lines(caplog) == [
        "webhook refused (401): hmac does not match",
        "webhook refused (404): no session behind this URL",
        "webhook not stored (503): database: disk I/O error",
        "webhook refused (401): time is outside the window"
        " (and 499 more with this status since the last such line)",
    ]
    assert [r.levelno for r in caplog.records] == [logging.WARNING] * 2 + [logging.ERROR] + [
        logging.WARNING
    ]
