"""The webhook receiver: an aiohttp app that runs in any event loop (the bot's or the CLI's).

It answers ``200 OK`` only once the result and its outbox rows are committed (the store's group
commit resolves the request's future after the fsync), and refuses everything else with a status
that says why, changing nothing. Rejections are logged with their reason, one line per kind a
minute (refusal_log.py); never with a secret or the session's URL token.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections.abc import Awaitable, Callable

from aiohttp import HttpVersion11, hdrs, web
from aiohttp.abc import AbstractStreamWriter
from aiohttp.http_parser import RawRequestMessage
from aiohttp.streams import StreamReader
from aiohttp.web_protocol import RequestHandler

from bot.domain.records import CompletionOutcome
from bot.observability import metrics
from bot.sessions.service import WEBHOOK_ROUTE, TaggingService
from bot.store.base import StoreUnavailable
from bot.webhook.refusal_log import RefusalLog
from bot.webhook.store_health import StoreHealth, StoreState
from bot.webhook.verifier import Rejection, WebhookVerifier, parse_delivery

log = logging.getLogger(__name__)

MAX_BODY = 64 * 1024
JSON = "application/json"
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
WEBHOOK_PREFIX = WEBHOOK_ROUTE.removesuffix("{token}")
HEALTH_PATH = "/healthz"
_HEALTH_METHODS = (hdrs.METH_GET, hdrs.METH_HEAD)
# Bound once: the accepted path is the hot one (bench/webhook_ingest.py).
_STORED = metrics.WEBHOOKS.labels("accepted", "stored")
_REPEATED = metrics.WEBHOOKS.labels("accepted", "duplicate")


class WebhookReceiver:
    def __init__(
        self,
        service: TaggingService,
        verifier: WebhookVerifier,
        *,
        reload_secrets: Callable[[], Awaitable[None]] | None = None,
        reload_every_s: float = 1.0,
    ) -> None:
        self._service = service
        self._verifier = verifier
        self._reload_secrets = reload_secrets
        self._reload_every_s = reload_every_s
        self._last_reload = 0.0
        self._refusals = RefusalLog(log)
        self._health = StoreHealth(service.store)

    def server(self) -> web.Server:
        """aiohttp's low-level server, routing the two paths itself.

        An ``Application`` per request resolves a router, freezes match info, looks up the
        middleware chain and asks for the running loop (a ``getpid`` call on Python 3.11): about
        14 µs of a webhook's ~100 µs on this machine (bench/webhook_ingest.py), for two routes.
        Must be called on the loop that serves it.
        """
        loop = asyncio.get_running_loop()

        def bounded(
            message: RawRequestMessage,
            payload: StreamReader,
            protocol: RequestHandler,
            writer: AbstractStreamWriter,
            task: asyncio.Task[None],
        ) -> web.BaseRequest:
            return web.BaseRequest(
                message, payload, protocol, writer, task, loop, client_max_size=MAX_BODY
            )

        return web.Server(self.route, request_factory=bounded, access_log=None)

    async def route(self, request: web.BaseRequest) -> web.StreamResponse:
        """``POST /webhooks/chatsight/{token}`` and ``GET /healthz``; 405 or 404 otherwise."""
        path = request.path
        if path.startswith(WEBHOOK_PREFIX):
            token = path[len(WEBHOOK_PREFIX) :]
            if token and "/" not in token:
                if request.method != hdrs.METH_POST:
                    raise web.HTTPMethodNotAllowed(request.method, (hdrs.METH_POST,))
                return await self.handle_webhook(request, token)
        elif path == HEALTH_PATH:
            if request.method not in _HEALTH_METHODS:
                raise web.HTTPMethodNotAllowed(request.method, _HEALTH_METHODS)
            return await self.handle_health()
        raise web.HTTPNotFound()

    async def handle_webhook(self, request: web.BaseRequest, token: str) -> web.Response:
        try:
            convo_id = await self._accept(request, token)
        except Rejection as rejection:
            self._refusals.refused(
                logging.WARNING, "webhook refused", rejection.status, rejection.reason
            )
            metrics.webhook_refused(rejection.status)
            response = web.Response(status=rejection.status, text=rejection.reason)
            if rejection.close:
                response.force_close()
            return response
        except StoreUnavailable as failure:
            # Not stored, so not 200: the session stays awaiting and the poll recovers its result.
            self._health.not_stored()
            self._refusals.refused(logging.ERROR, "webhook not stored", 503, str(failure))
            metrics.webhook_refused(503)
            return web.Response(status=503, text="result not stored; try again later")
        log.debug("webhook accepted for session %s", convo_id)
        return web.Response(status=200, text="OK")

    async def _accept(self, request: web.BaseRequest, token: str) -> str:
        # The exact header Chatsight sends skips aiohttp's parse; parameters still get it.
        if request.headers.get(hdrs.CONTENT_TYPE) != JSON and request.content_type != JSON:
            raise Rejection(415, "content type must be application/json")
        if request.content_length is not None and request.content_length > MAX_BODY:
            raise Rejection(413, "body larger than 64 KiB")
        if hdrs.EXPECT in request.headers:
            await _continue(request)
        try:
            body = await request.read()
        except web.HTTPRequestEntityTooLarge:
            raise Rejection(413, "body larger than 64 KiB") from None
        except web.RequestPayloadError:
            # A Content-Encoding (gzip, deflate) whose body does not decompress. The body ends
            # here: aiohttp would otherwise read the rest after the answer, meet the same error
            # and log it as an unhandled exception; and the connection with it.
            request.content.feed_eof()
            raise Rejection(400, "body could not be decoded", close=True) from None
        delivery = parse_delivery(body)
        try:
            self._verifier.verify(delivery)
        except Rejection as rejection:
            # A secret rotated by another process (the CLI, another receiver) is in the store.
            if rejection.status != 401 or not await self._maybe_reload():
                raise
            self._verifier.verify(delivery)
        if not _TOKEN.match(token):
            raise Rejection(404, "no session behind this URL")
        outcome = await self._service.accept_webhook(token, delivery.convo_id, delivery.result)
        if outcome is CompletionOutcome.UNKNOWN:
            raise Rejection(404, f"no awaiting session {delivery.convo_id} behind this URL")
        if outcome is CompletionOutcome.COMPLETED:
            _STORED.inc()
            self._health.stored()
        else:
            _REPEATED.inc()
        return delivery.convo_id

    async def _maybe_reload(self) -> bool:
        if self._reload_secrets is None:
            return False
        now = time.monotonic()
        if now - self._last_reload < self._reload_every_s:
            return False
        self._last_reload = now
        await self._reload_secrets()
        return True

    async def handle_health(self) -> web.Response:
        """The store's state, and the deployment's id: ``chatsight-bot doctor`` fetches this
        through PUBLIC_BASE_URL to see that the address reaches this deployment. 503 while the
        store cannot take results (store_health.py), so a load balancer sends them elsewhere."""
        store = self._service.store
        state = await self._health.state()
        body = {"receiver": "ok", "store": state.value}
        if state is StoreState.OK:
            try:
                body["instance"] = await store.deployment_id()
            except StoreUnavailable:
                body["store"] = StoreState.UNWRITABLE.value
        return web.json_response(body, status=200 if "instance" in body else 503)


async def _continue(request: web.BaseRequest) -> None:
    """``Expect: 100-continue`` (RFC 9110 §10.1.1), sent once the headers have passed, so a
    refused delivery never sends its body; any other expectation is refused with 417."""
    if request.version != HttpVersion11 or request.headers[hdrs.EXPECT].lower() != "100-continue":
        raise Rejection(417, "only Expect: 100-continue is understood")
    await request.writer.write(b"HTTP/1.1 100 Continue\r\n\r\n")
    request.writer.output_size = 0
