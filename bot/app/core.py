"""TaggingCore: the core's resources, opened in order and closed in reverse, in one place.

Both the CLI and the Discord bot run the same core; they differ only in their sinks and in
whether the receiver and the monitor run. Shutdown stops intake first (the receiver), then the
workers, and closes the store last, so every accepted webhook is committed before exit.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable, Coroutine, Mapping
from typing import Any

import aiohttp

from bot.app.background import BackgroundTasks
from bot.app.logsetup import SecretMaskingFilter
from bot.chatsight.client import ChatsightClient
from bot.chatsight.locator import StreamLocator
from bot.chatsight.stream_pages import StreamPages
from bot.chatsight.stream_prep import StreamPreparer
from bot.config import Secret, Settings
from bot.delivery.pacing import Pacer
from bot.delivery.packs import PackSink
from bot.delivery.worker import ResultDelivery, ResultSink
from bot.domain.clock import now_ms
from bot.language.catalogue import ENGLISH_WORDS
from bot.rendering.refusals import refusal_text
from bot.sessions.monitor import SessionMonitor
from bot.sessions.service import TaggingService
from bot.store import Store, open_store
from bot.store.base import StoreUnavailable
from bot.store.interface import ChangeTopic
from bot.webhook.receiver import WebhookReceiver
from bot.webhook.server import WebhookServer
from bot.webhook.verifier import SecretRing, WebhookVerifier


class TaggingCore:
    def __init__(
        self,
        settings: Settings,
        *,
        serve_webhooks: bool,
        monitor_interval_s: float | None = 30.0,
        http: aiohttp.ClientSession | None = None,
        store: Store | None = None,
        masking: SecretMaskingFilter | None = None,
    ) -> None:
        self.settings = settings
        self._serve_webhooks = serve_webhooks
        self._monitor_interval_s = monitor_interval_s
        self._own_http = http is None
        self._http = http
        self.store = store or open_store(settings)
        self._masking = masking
        self._tasks = BackgroundTasks()
        self.ring = SecretRing(grace_ms=int(settings.secret_grace_seconds * 1000))
        self.server: WebhookServer | None = None
        self.delivery: ResultDelivery | None = None
        # Secret changes heard, and how many of them the last reload that succeeded had seen.
        self._secret_changes = 0
        self._secret_changes_loaded = 0
        self._secrets_reload: asyncio.Task[Any] | None = None
        self.client: ChatsightClient
        self.service: TaggingService

    @classmethod
    def one_off(
        cls,
        settings: Settings,
        *,
        serve_webhooks: bool = False,
        masking: SecretMaskingFilter | None = None,
    ) -> TaggingCore:
        """A core for a one-off command (``tag``, ``status``, ``rotate-secret``): no monitor, and
        a store that runs beside a running bot (bot/store/sqlite/store.py, ``exclusive``)."""
        return cls(
            settings,
            serve_webhooks=serve_webhooks,
            monitor_interval_s=None,
            masking=masking,
            store=open_store(settings, exclusive=False),
        )

    @property
    def http(self) -> aiohttp.ClientSession:
        assert self._http is not None, "start() first"
        return self._http

    async def start(self, sinks: Mapping[str, ResultSink]) -> None:
        await self.open()
        await self.serve(sinks)

    async def open(self) -> None:
        """Store, HTTP session, client and service: enough to start and query sessions."""
        await self.store.open()
        if self._http is None:
            self._http = aiohttp.ClientSession()
        self.client = ChatsightClient(
            self._http,
            base_url=self.settings.chatsight_api_base,
            api_key=self.settings.require_api_key(),
            timeout=self.settings.chatsight_timeout_seconds,
        )
        locator = StreamLocator(
            StreamPreparer(self._http, allow_networks=self.settings.stream_fetch_allow),
            StreamPages(plugin_dirs=self.settings.streamlink_plugin_dirs),
        )
        self.service = TaggingService(
            self.store,
            self.client,
            public_base_url=self.settings.public_base_url,
            on_final=self._wake_delivery,
            locator=locator,
            # Kept with the failed session, which members of any language may read later.
            describe=functools.partial(refusal_text, words=ENGLISH_WORDS),
        )
        await self.reload_secrets()

    def _wake_delivery(self) -> None:
        if self.delivery is not None:
            self.delivery.wake()

    async def serve(
        self,
        sinks: Mapping[str, ResultSink],
        *,
        packs: PackSink | None = None,
        pacer: Pacer | None = None,
        deliver_after: Callable[[], Coroutine[Any, Any, None]] | None = None,
    ) -> None:
        """The receiver, the delivery worker for ``sinks`` (and results in ``packs``, paced by
        ``pacer``; started once ``deliver_after`` returns) and the monitor."""
        if self._serve_webhooks:
            verifier = WebhookVerifier(
                self.ring, max_skew_ms=int(self.settings.webhook_max_skew_seconds * 1000)
            )
            receiver = WebhookReceiver(self.service, verifier, reload_secrets=self.reload_secrets)
            self.server = WebhookServer(receiver.server())
            await self.server.start(self.settings.webhook_host, self.settings.webhook_port)
        if sinks or packs is not None:
            delivery = ResultDelivery(self.store, sinks, packs=packs, pacer=pacer)
            self.delivery = delivery

            async def deliver() -> None:
                if deliver_after is not None:
                    await deliver_after()
                await delivery.run()

            self._tasks.keep_running(deliver, "result-delivery")
        if self._monitor_interval_s is not None:
            monitor = SessionMonitor(
                self.service,
                poll_after_s=self.settings.poll_after_seconds,
                expire_after_s=self.settings.expire_after_seconds,
                interval_s=self._monitor_interval_s,
            )
            self._tasks.keep_running(monitor.run, "session-monitor")
        self._tasks.keep_running(lambda: self.store.listen(self._changed), "change-feed")

    def keep_running(self, loop: Callable[[], Coroutine[Any, Any, Any]], name: str) -> None:
        """Another long-running loop of this process, stopped with the core's own."""
        self._tasks.keep_running(loop, name)

    def _changed(self, topic: str) -> None:
        """Another process (a receiver, a moderator's edit elsewhere) changed shared state."""
        if topic == ChangeTopic.OUTBOX:
            self._wake_delivery()
        elif topic == ChangeTopic.SECRETS:
            self._secrets_changed()

    def _secrets_changed(self) -> None:
        """Reload until a reload has succeeded since the latest change: the feed reports every
        topic when it connects again, often while the database still cannot answer (a failover),
        and a rotation missed then would be missed until the next one."""
        self._secret_changes += 1
        if self._secrets_reload is None or self._secrets_reload.done():
            self._secrets_reload = self._tasks.keep_running(
                self._reload_while_behind, "reload-secrets"
            )

    async def _reload_while_behind(self) -> None:
        while self._secret_changes_loaded < self._secret_changes:
            seen = self._secret_changes
            await self.reload_secrets()
            self._secret_changes_loaded = seen

    async def stop(self) -> None:
        if self.server is not None:
            await self.server.stop()
            self.server = None
        await self._tasks.stop()
        await self.store.close()
        if self._own_http and self._http is not None:
            await self._http.close()
            self._http = None

    async def reload_secrets(self) -> None:
        """The configured secret first in force, then every rotated one from the store."""
        configured = self.settings.chatsight_shared_secret
        secrets = [(configured.reveal(), 0)] if configured else []
        stored = await self.store.shared_secrets()
        for secret, _ in stored:
            self._mask(Secret(secret))
        self.ring.replace(secrets + stored)

    async def rotate_secret(self) -> None:
        """Chatsight invalidates the old secret at once, so the new one must be kept: a
        database that takes no write is found before Chatsight is asked, not after. The ring
        keeps the old secret for the grace period."""
        if not await self.store.writable():
            raise StoreUnavailable("it takes no write now, so the secret was not rotated")
        secret = await self.client.rotate_secret()
        self._mask(secret)
        try:
            await self.store.add_shared_secret(secret.reveal(), now_ms())
        except StoreUnavailable as error:
            raise StoreUnavailable(
                f"{error}; Chatsight rotated the secret already, and webhooks fail verification"
                " until `rotate-secret` runs again once the database takes writes"
            ) from error
        await self.reload_secrets()

    def _mask(self, secret: Secret) -> None:
        if self._masking is not None:
            self._masking.add(secret)
