"""A TCP proxy on 127.0.0.1 that a test can cut: a load balancer, or a network that fails.

Between the bot's processes and PostgreSQL it stands for an outage without touching the
machine's shared server; in front of several webhook receivers it is the load balancer, taking
the next upstream in turn and skipping one that refuses (a receiver killed with -9).
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
from collections.abc import Sequence

import yarl

CHUNK = 64 * 1024


class LoopbackProxy:
    def __init__(self, upstreams: Sequence[tuple[str, int]]) -> None:
        self._upstreams = list(upstreams)
        self._turn = itertools.count()
        self._server: asyncio.Server | None = None
        self._pipes: set[asyncio.Task[None]] = set()
        self._writers: set[asyncio.StreamWriter] = set()
        self._open = True
        self.port = 0
        self.connections = 0

    @classmethod
    def before(cls, url: str) -> LoopbackProxy:
        """A proxy for the server a URL names (a ``DATABASE_URL``, say); start() it, then
        connect through ``url_through(url)``."""
        target = yarl.URL(url)
        return cls([(target.host or "127.0.0.1", target.port or 5432)])

    def url_through(self, url: str) -> str:
        return str(yarl.URL(url).with_host("127.0.0.1").with_port(self.port))

    async def __aenter__(self) -> LoopbackProxy:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def start(self) -> LoopbackProxy:
        self._server = await asyncio.start_server(self._accept, "127.0.0.1", self.port)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def cut(self) -> None:
        """Every open connection is dropped and new ones are closed at once, as when the far
        side's host goes away; the listening port stays, as a load balancer's would."""
        self._open = False
        for writer in list(self._writers):
            writer.transport.abort()
        await asyncio.gather(*self._pipes, return_exceptions=True)

    def restore(self) -> None:
        self._open = True

    async def close(self) -> None:
        await self.cut()
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        upstream = await self._connect() if self._open else None
        if upstream is None:
            writer.transport.abort()
            return
        up_reader, up_writer = upstream
        for side in (writer, up_writer):
            self._writers.add(side)
        pipes = [
            asyncio.create_task(self._pipe(reader, up_writer)),
            asyncio.create_task(self._pipe(up_reader, writer)),
        ]
        self._pipes.update(pipes)
        await asyncio.gather(*pipes, return_exceptions=True)
        self._pipes.difference_update(pipes)
        for side in (writer, up_writer):
            self._writers.discard(side)
            side.transport.abort()

    async def _connect(self) -> tuple[asyncio.StreamReader, asyncio.StreamWriter] | None:
        """The next upstream that accepts, round robin; None when none does."""
        for _ in self._upstreams:
            host, port = self._upstreams[next(self._turn) % len(self._upstreams)]
            with contextlib.suppress(OSError):
                return await asyncio.open_connection(host, port)
        return None

    @staticmethod
    async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while data := await reader.read(CHUNK):
                writer.write(data)
                await writer.drain()
        except (ConnectionError, OSError):
            pass
        finally:
            writer.transport.abort()
