"""What an operator watches of the shared state: figures read from the database, not counted in
one process, so every process sharing it sees the same (bot/observability/ exports them once)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class StoreFigures:
    outbox_depth: int  # deliveries not yet posted nor given up
    oldest_due_ms: int | None  # when the longest-waiting due delivery fell due; None: none due
    active_follows: int
