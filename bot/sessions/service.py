"""The life of a tagging session: starting → running → completed | failed | expired.

A session is stored before Chatsight is called, so a crash never leaves a session Chatsight knows
and we do not. Every final state, from a webhook or from our own polling, goes through
:meth:`TaggingService.complete`, so the outbox rows and the one-result rule are the same for all.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from collections.abc import Callable

from bot.chatsight.client import ChatsightClient
from bot.chatsight.locator import StreamLocator
from bot.chatsight.wire import SessionPhase, SessionStatus
from bot.domain.failure_reasons import expired_error, stopped_error
from bot.domain.records import (
    Completion,
    CompletionOutcome,
    SessionRecord,
    SessionState,
    TagRequest,
)
from bot.domain.refusals import Refusal
from bot.domain.stream_details import NO_DETAILS
from bot.domain.stream_refusals import StreamRefusal
from bot.domain.tags import TagResult
from bot.errors import ChatsightError
from bot.observability import metrics
from bot.store.base import Store

log = logging.getLogger(__name__)

WEBHOOK_ROUTE = "/webhooks/chatsight/{token}"
# Bound once: a result arriving is the receiver's hot path (bench/webhook_ingest.py).
_FINISHED = {
    state: metrics.SESSIONS_FINISHED.labels(state.value)
    for state in SessionState
    if not state.awaiting
}


def token_hash(token: str) -> str:
    """Only a hash is stored: a leaked database must not let anyone forge a delivery URL."""
    return hashlib.sha256(token.encode()).hexdigest()


class TaggingService:
    def __init__(
        self,
        store: Store,
        client: ChatsightClient,
        *,
        public_base_url: str | None,
        on_final: Callable[[], None] = lambda: None,
        locator: StreamLocator | None = None,
        describe: Callable[[Refusal], str] = repr,
    ) -> None:
        """``locator`` finds the media behind a stream URL (without one, the URL is sent as
        given); ``describe`` words a stream refusal for the failed session's record, as the
        member reads it (the app passes ``bot/rendering/refusals.py``'s words)."""
        self.store = store
        self.client = client
        self._public_base_url = public_base_url
        self._on_final = on_final
        self._locator = locator
        self._describe = describe

    async def start(self, request: TagRequest) -> SessionRecord:
        """Store, find the media, then ask Chatsight. Raises a ChatsightError the caller can
        show as it is, or a stream refusal (then Chatsight was not asked); either fails the
        session with nothing to deliver, since the caller answers whoever asked."""
        token = secrets.token_urlsafe(24)
        webhook = None
        if self._public_base_url:
            webhook = self._public_base_url + WEBHOOK_ROUTE.format(token=token)
        if await self.store.create_session(request, token_hash(token)):
            url, stream = request.stream_url, NO_DETAILS
            try:
                if self._locator is not None:
                    # Resolved for every session (signed media URLs expire); the stored URL
                    # stays the one people gave.
                    located = await self._locator.locate(url)
                    url, stream = located.url, located.stream
                await self.client.start_session(
                    url=url,
                    convo_id=request.convo_id,
                    webhook=webhook,
                    seed=request.origin.seed,
                )
            except (ChatsightError, StreamRefusal) as error:
                reason = (
                    error.user_message
                    if isinstance(error, ChatsightError)
                    else self._describe(error)
                )
                await self.complete(
                    Completion(request.convo_id, SessionState.FAILED, error=reason, notify=False)
                )
                raise
            await self.store.mark_running(request.convo_id, stream)
            metrics.SESSIONS_STARTED.labels(request.source.value).inc()
        record = await self.store.get_session(request.convo_id)
        assert record is not None
        return record

    async def complete(self, completion: Completion) -> CompletionOutcome:
        return self._recorded(completion, await self.store.complete(completion))

    async def accept_webhook(
        self, token: str, convo_id: str, result: TagResult
    ) -> CompletionOutcome:
        # Awaits the store itself rather than complete(): one coroutine less per webhook.
        completion = Completion(
            convo_id, SessionState.COMPLETED, result=result, token_hash=token_hash(token)
        )
        return self._recorded(completion, await self.store.complete(completion))

    def _recorded(self, completion: Completion, outcome: CompletionOutcome) -> CompletionOutcome:
        if outcome is CompletionOutcome.COMPLETED:
            _FINISHED[completion.state].inc()
            # A result arriving is the normal case, and at INFO its line per webhook cost the
            # receiver over a quarter of its throughput (bench/webhook_ingest: 14.4k against
            # 10.5k req/s); a failure or an expiry is worth the operator's attention.
            level = logging.DEBUG if completion.state is SessionState.COMPLETED else logging.INFO
            log.log(
                level,
                "session %s is %s",
                completion.convo_id,
                completion.state.value,
                extra={"session": completion.convo_id},
            )
            if completion.notify:
                self._on_final()
        return outcome

    async def refresh(self, convo_id: str) -> SessionRecord | None:
        """Ask Chatsight for a session still awaiting its result; complete it when finished."""
        record = await self.store.get_session(convo_id)
        if record is None or not record.state.awaiting:
            return record
        status = await self.client.query_session(convo_id)
        if status.phase is SessionPhase.FINISHED:
            if status.error or status.result is not None:
                await self.complete(_completion_from_status(status))
            else:
                # Finished, neither failed nor with its result: not "no tags". It waits for the
                # result a webhook or a later poll may bring, and expires as having none.
                log.info("session %s finished without its result", convo_id)
        return await self.store.get_session(convo_id)

    async def expire(self, record: SessionRecord, minutes: int) -> CompletionOutcome:
        return await self.complete(
            Completion(
                record.convo_id,
                SessionState.EXPIRED,
                error=expired_error(minutes),
            )
        )


def _completion_from_status(status: SessionStatus) -> Completion:
    if status.error:
        return Completion(
            status.convo_id, SessionState.FAILED, error=stopped_error(status.stop_reason)
        )
    return Completion(status.convo_id, SessionState.COMPLETED, result=status.result)
