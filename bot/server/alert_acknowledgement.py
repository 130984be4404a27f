"""Acknowledging a moderator alert: who may, and the first click winning a double click.

The store takes the acknowledgement in one conditional write, so two moderators clicking at once
(on one process or two) get one winner; the other is told who was first.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import Protocol

from bot.domain.clock import now_ms
from bot.domain.records import SessionRecord
from bot.domain.refusals import AlreadyAcknowledged, NotAllowedToAcknowledge, UnknownAlert
from bot.domain.server_records import AlertRecord
from bot.observability import metrics
from bot.store.interface import AlertStore, ServerSettingsStore, SessionStore


class AcknowledgementStore(AlertStore, ServerSettingsStore, SessionStore, Protocol):
    """Alerts, the server's alert role, and the alert's session."""


@dataclass(frozen=True, slots=True)
class Acknowledged:
    alert: AlertRecord
    session: SessionRecord


class AlertAcknowledgement:
    def __init__(self, store: AcknowledgementStore, *, clock: Callable[[], int] = now_ms) -> None:
        self._store = store
        self._clock = clock

    async def acknowledge(
        self,
        guild_id: int,
        convo_id: str,
        user_id: int,
        *,
        moderator: bool,
        role_ids: Collection[int],
    ) -> Acknowledged:
        """Moderators and members holding the server's alert role may acknowledge."""
        settings = await self._store.guild_settings(guild_id)
        has_role = settings.alert_role_id is not None and settings.alert_role_id in role_ids
        if not (moderator or has_role):
            raise NotAllowedToAcknowledge()
        known = await self._store.get_alert(convo_id)
        session = await self._store.get_session(convo_id)
        if known is None or session is None or known.guild_id != guild_id:
            raise UnknownAlert()
        first = await self._store.acknowledge_alert(convo_id, user_id, self._clock())
        alert = await self._store.get_alert(convo_id)
        assert alert is not None
        if not first:
            assert alert.acknowledged_by is not None
            raise AlreadyAcknowledged(alert.acknowledged_by)
        metrics.ALERTS_ACKNOWLEDGED.inc()
        return Acknowledged(alert, session)
