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
        self._lose: tuple[bytes, bytes] | None = None
        self.lost = 0
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

    def lose_reply(self, request: bytes, reply: bytes) -> None:
        """Once: on the next connection whose client sends bytes holding ``request``, the first
        answer holding ``reply`` is dropped with the connection. The server did the work (an
        autocommitted statement committed) and the client never hears: a network lost just
        after COMMIT."""
        self._lose = (request, reply)

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
        armed = asyncio.Event()
        pipes = [
            asyncio.create_task(self._pipe(reader, up_writer, arm=armed)),
            asyncio.create_task(self._pipe(up_reader, writer, lose_when=armed)),
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

    async def _pipe(
        self,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        *,
        arm: asyncio.Event | None = None,
        lose_when: asyncio.Event | None = None,
    ) -> None:
        """``arm``: set when the client sends the request whose answer ``lose_reply`` loses;
        ``lose_when``: the server's side, which then drops that answer."""
        try:
            while data := await reader.read(CHUNK):
                if arm is not None and self._lose is not None and self._lose[0] in data:
                    arm.set()
                lose = self._lose
                if lose_when is not None and lose_when.is_set() and lose and lose[1] in data:
                    self._lose = None
                    self.lost += 1
                    return
                writer.write(data)
                await writer.drain()
        except (ConnectionError, OSError):
            pass
        finally:
            writer.transport.abort()
