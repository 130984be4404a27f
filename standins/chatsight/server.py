"""A fake Chatsight on 127.0.0.1 that the real client cannot tell from the real API.

It follows docs/chatsight-api.md, including the project's decisions where the docs are silent
(§12); wherever it has to invent a shape, a comment says so. Tests drive it through Python
methods; a separate process can drive it through the ``/_sim/`` control routes.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import json
import secrets
from collections.abc import Awaitable, Callable, Collection, Mapping
from types import TracebackType
from typing import Any

from aiohttp import web

from standins.chatsight.control import add_control_routes
from standins.chatsight.faults import Faults
from standins.chatsight.recorder import RecordedRequest, RequestLog
from standins.chatsight.rules import QueryTags, TagRule
from standins.chatsight.sessions import SessionBook, SimSession, UndocumentedField
from standins.chatsight.taglist import TAGLIST_PATH, add_taglist_route
from standins.chatsight.webhook import LOOPBACK_HOSTS, WebhookAttempt, WebhookSender
from standins.chatsight.wire import error_triplet, generic_error, parse_tag_request

CONTROL_PREFIX = "/_sim/"
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class ChatsightSimulator:
    def __init__(
        self,
        *,
        api_key: str = "sim-api-key",
        shared_secret: str = "sim-shared-secret",  # noqa: S107 - a made-up test credential
        host: str = "127.0.0.1",
        port: int = 0,
        tag_rule: TagRule | None = None,
        provisioning_delay: float = 0.05,
        running_delay: float = 0.2,
        auto_advance: bool = True,
        auth_failure_status: int = 401,
        webhook_on_error: bool = False,
        webhook_retries: int = 0,
        webhook_retry_delay: float = 0.1,
        webhook_timeout: float = 5.0,
        webhook_hosts: Collection[str] | None = LOOPBACK_HOSTS,
        include_state: bool = True,
        undocumented_in: UndocumentedField = None,
    ) -> None:
        """``include_state=False`` and ``undocumented_in`` vary the undocumented parts of the
        query answer (docs/chatsight-api.md §5), so the client's tolerance can be tested against
        them."""
        self._api_key = api_key
        self._shared_secret = shared_secret
        self._host = host
        self._port = port
        self.auth_failure_status = auth_failure_status
        self.webhook_on_error = webhook_on_error
        self.include_state = include_state
        self.undocumented_in: UndocumentedField = undocumented_in
        self.faults = Faults()
        self._log = RequestLog()
        self._webhooks = WebhookSender(
            lambda: self._shared_secret,
            retries=webhook_retries,
            retry_delay=webhook_retry_delay,
            timeout=webhook_timeout,
            allowed_hosts=webhook_hosts,
        )
        self._book = SessionBook(
            rule=tag_rule or QueryTags(),
            faults=self.faults,
            on_finish=self._session_finished,
            provisioning_delay=provisioning_delay,
            running_delay=running_delay,
            auto_advance=auto_advance,
        )
        self._stopping = asyncio.Event()
        self._runner: web.AppRunner | None = None

    # -- lifecycle -----------------------------------------------------------------------------
    async def start(self) -> None:
        self._stopping.clear()
        await self._webhooks.start()  # before serving: a session may finish at once
        app = web.Application(middlewares=[self._record, self._inject_faults, self._authenticate])
        app.router.add_post("/stream/tag", self._create)
        app.router.add_get("/stream", self._query)
        app.router.add_patch("/addons/secrets", self._rotate)
        add_taglist_route(app)
        add_control_routes(app, self)
        # handler_cancellation: a client that gave up on a slow answer must not keep it alive.
        self._runner = web.AppRunner(
            app, access_log=None, shutdown_timeout=1.0, handler_cancellation=True
        )
        await self._runner.setup()
        site = web.TCPSite(self._runner, self._host, self._port)
        await site.start()
        self._port = int(self._runner.addresses[0][1])

    async def stop(self) -> None:
        self._stopping.set()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
        await self._book.close()
        await self._webhooks.close()

    async def __aenter__(self) -> ChatsightSimulator:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    # -- what tests read -----------------------------------------------------------------------
    @property
    def base_url(self) -> str:
        host = f"[{self._host}]" if ":" in self._host else self._host
        return f"http://{host}:{self._port}"

    @property
    def port(self) -> int:
        return self._port

    @property
    def shared_secret(self) -> str:
        return self._shared_secret

    @property
    def sessions(self) -> Mapping[str, SimSession]:
        return self._book.sessions

    @property
    def webhook_attempts(self) -> list[WebhookAttempt]:
        return self._webhooks.attempts

    @property
    def dropped_webhooks(self) -> list[str]:
        """convoIds whose webhook a ``drop_next_webhook`` fault swallowed."""
        return self._webhooks.dropped

    @property
    def requests(self) -> list[RecordedRequest]:
        """Every API request received (control routes excluded), secrets and all."""
        return self._log.requests

    def requests_to(self, path: str, method: str | None = None) -> list[RecordedRequest]:
        return self._log.to(path, method)

    async def wait_for_requests(
        self,
        count: int,
        timeout: float = 5.0,  # noqa: ASYNC109 - named like wait_for_webhooks
    ) -> list[RecordedRequest]:
        """Waits until ``count`` requests arrived in all; raises TimeoutError otherwise."""
        return await self._log.wait_for(count, timeout)

    def status_of(self, convo_id: str) -> dict[str, Any]:
        """The status object ``GET /stream`` would answer now."""
        return self._book.get(convo_id).status(
            include_state=self.include_state, undocumented_in=self.undocumented_in
        )

    async def wait_for_webhooks(
        self,
        count: int,
        timeout: float = 5.0,  # noqa: ASYNC109 - the team's agreed name for this helper
    ) -> list[WebhookAttempt]:
        """Waits until ``count`` attempts were made in all; raises TimeoutError otherwise."""
        return await self._webhooks.wait_for(count, timeout)

    # -- what tests do -------------------------------------------------------------------------
    async def advance(self, convo_id: str) -> SimSession:
        return await self._book.advance(convo_id)

    async def finish(
        self,
        convo_id: str,
        *,
        tags: tuple[str, ...] | None = None,
        stop_reason: str | None = None,
    ) -> SimSession:
        """Ends a session now; returns once its webhook (if any) was attempted."""
        return await self._book.finish(convo_id, tags=tags, stop_reason=stop_reason)

    def rotate_secret(self) -> str:
        """The old secret stops signing at once, as Chatsight invalidates it
        (docs/chatsight-api.md §4)."""
        self._shared_secret = secrets.token_urlsafe(32)
        return self._shared_secret

    # -- middlewares ---------------------------------------------------------------------------
    @web.middleware
    async def _record(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        if not request.path.startswith(CONTROL_PREFIX):
            await self._log.add(
                RecordedRequest(
                    request.method,
                    request.path,
                    dict(request.query),
                    dict(request.headers),
                    await request.read(),
                )
            )
        return await handler(request)

    @web.middleware
    async def _inject_faults(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        if request.path.startswith(CONTROL_PREFIX):
            return await handler(request)
        fault = self.faults.take_route(request.path)
        if fault is None:
            return await handler(request)
        if fault.delay:
            await self._sleep(fault.delay)
        if fault.status is None:
            return await handler(request)
        headers = {"Retry-After": fault.retry_after} if fault.retry_after else {}
        message = f"simulated HTTP {fault.status}"
        return web.json_response(generic_error(message), status=fault.status, headers=headers)

    @web.middleware
    async def _authenticate(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        if request.path.startswith(CONTROL_PREFIX) or request.path == TAGLIST_PATH:
            return await handler(request)
        given = request.headers.get("x-chatsight-api-auth", "")
        if not hmac.compare_digest(given.encode(), self._api_key.encode()):
            return self._auth_failure("invalid or missing x-chatsight-api-auth")
        is_stream = request.path == "/stream" or request.path.startswith("/stream/")
        if is_stream and request.headers.get("x-chatsight-api") != "chatsightvoice":
            return self._auth_failure("stream routes need x-chatsight-api: chatsightvoice")
        return await handler(request)

    def _auth_failure(self, message: str) -> web.Response:
        # The documented generic error object (docs/chatsight-api.md §1); the status is
        # undocumented.
        return web.json_response(generic_error(message), status=self.auth_failure_status)

    async def _sleep(self, seconds: float) -> None:
        """A delay that ends early when the simulator stops, so shutdown never waits on it."""
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(seconds):
                await self._stopping.wait()

    # -- routes --------------------------------------------------------------------------------
    async def _create(self, request: web.Request) -> web.Response:
        try:
            body = json.loads(await request.read())
        except ValueError:
            return web.json_response(error_triplet("body is not JSON"), status=400)
        parsed = parse_tag_request(body)
        if isinstance(parsed, str):
            return web.json_response(error_triplet(parsed), status=400)
        self._book.create(parsed)
        # ASSUMED shape: the create page's response section was never seen
        # (docs/chatsight-api.md §3, §12.5).
        accepted = {"convoId": parsed.convo_id, "state": "provisioning", "running": True}
        return web.json_response([True, accepted, None])

    async def _query(self, request: web.Request) -> web.Response:
        # Lowercase, unlike the POST body (docs/chatsight-api.md §5).
        convo_id = request.query.get("convoid")
        if not convo_id:
            return web.json_response(error_triplet("convoid is required"), status=400)
        if convo_id not in self._book.sessions:
            # Project decision for an undocumented case (docs/chatsight-api.md §12.6).
            return web.json_response(error_triplet("unknown convoid"), status=404)
        return web.json_response([True, self.status_of(convo_id), None])

    async def _rotate(self, request: web.Request) -> web.Response:
        secret = self.rotate_secret()
        info = "This secret will not be shown again!"
        return web.json_response(
            {
                "api": "chatsight-lang-text",
                "success": True,
                "response": {"sharedSecret": secret, "info": info},
            }
        )

    async def _session_finished(self, session: SimSession) -> None:
        """One webhook per finished session; errored ones send it only if switched on, since
        whether Chatsight does is unknown (docs/chatsight-api.md §3.1, §12.7)."""
        webhook = session.request.webhook
        if webhook is None or session.result_lost:
            return
        if session.outcome.error and not self.webhook_on_error:
            return
        fault = self.faults.take_webhook()
        outcome = session.outcome
        await self._webhooks.send(
            session.request.convo_id, webhook, outcome.tags, outcome.undocumented, fault
        )
