"""Every API request the simulator received, for tests to assert on and wait for."""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class RecordedRequest:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes = field(repr=False)

    def json(self) -> Any:
        return json.loads(self.body) if self.body else None


class RequestLog:
    def __init__(self) -> None:
        self.requests: list[RecordedRequest] = []
        self._changed = asyncio.Condition()

    async def add(self, request: RecordedRequest) -> None:
        async with self._changed:
            self.requests.append(request)
            self._changed.notify_all()

    def to(self, path: str, method: str | None = None) -> list[RecordedRequest]:
        return [
            r for r in self.requests if r.path == path and (method is None or r.method == method)
        ]

    async def wait_for(self, count: int, seconds: float) -> list[RecordedRequest]:
        """Returns once ``count`` requests arrived in all; raises TimeoutError otherwise."""
        async with asyncio.timeout(seconds), self._changed:
            await self._changed.wait_for(lambda: len(self.requests) >= count)
        return list(self.requests)
