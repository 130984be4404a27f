"""A real webhook receiver on 127.0.0.1 with a real store, for tests that talk to it over HTTP."""

from __future__ import annotations

import json
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

import aiohttp

from bot.chatsight.client import ChatsightClient
from bot.config import Secret
from bot.domain.clock import now_ms
from bot.domain.records import Origin, SessionSource, TagRequest
from bot.sessions.service import TaggingService, token_hash
from bot.store import Store
from bot.webhook.receiver import WebhookReceiver
from bot.webhook.server import WebhookServer
from bot.webhook.verifier import SecretRing, WebhookVerifier
from standins.chatsight.webhook import signed_delivery

SECRET = "receiver-test-secret"


@dataclass
class Harness:
    store: Store
    http: aiohttp.ClientSession
    base_url: str
    ring: SecretRing
    wakes: list[int]

    @property
    def port(self) -> int:
        return int(self.base_url.rsplit(":", 1)[1])

    async def session(self, convo_id: str) -> str:
        return await awaiting_session(self.store, convo_id)

    async def post(
        self, token: str, body: bytes, content_type: str = "application/json"
    ) -> tuple[int, str]:
        async with self.http.post(
            f"{self.base_url}/webhooks/chatsight/{token}",
            data=body,
            headers={"Content-Type": content_type},
        ) as response:
            return response.status, await response.text()


async def awaiting_session(store: Store, convo_id: str) -> str:
    """A session awaiting its result; returns the token of its webhook URL."""
    token = secrets.token_urlsafe(24)
    request = TagRequest(
        convo_id, "https://s.test/live.m3u8", SessionSource.SLASH, Origin(channel_id=7)
    )
    await store.create_session(request, token_hash(token))
    await store.mark_running(convo_id)
    return token


def webhook_body(
    convo_id: str,
    tags: str = "Fun,Relaxed",
    *,
    secret: str = SECRET,
    time_ms: int | None = None,
    **overrides: object,
) -> bytes:
    when = now_ms() if time_ms is None else time_ms
    document = signed_delivery(secret, convo_id, tags, False, when)
    document.update(overrides)
    return json.dumps(document).encode()


@asynccontextmanager
async def running_receiver(store: Store) -> AsyncIterator[Harness]:
    ring = SecretRing(grace_ms=60_000)

    async def reload() -> None:
        ring.replace([(SECRET, 0), *await store.shared_secrets()])

    await reload()
    wakes: list[int] = []
    async with aiohttp.ClientSession() as http:
        # The receiver never calls Chatsight; the client only completes the service's wiring.
        client = ChatsightClient(http, base_url="http://127.0.0.1:9", api_key=Secret("unused"))
        service = TaggingService(
            store, client, public_base_url=None, on_final=lambda: wakes.append(1)
        )
        receiver = WebhookReceiver(
            service, WebhookVerifier(ring, max_skew_ms=300_000), reload_secrets=reload
        )
        server = WebhookServer(receiver.server())
        port = await server.start("127.0.0.1", 0)
        try:
            yield Harness(store, http, f"http://127.0.0.1:{port}", ring, wakes)
        finally:
            await server.stop()
