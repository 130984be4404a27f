"""The storage interface every backend implements: SQLite, and PostgreSQL (asyncpg).

One small protocol per concern, so each service names only what it uses, and ``Store`` for the
whole. They speak in domain records, so one test suite (``tests/store/``) runs against every
backend and nothing above this layer writes SQL.

Several bot processes may share one PostgreSQL database, so no rule may rest on one process's
memory: every read-modify-write is one statement or one transaction inside the store. Each method
that is one says how the PostgreSQL backend must keep it atomic. The SQLite backend runs every
write inside its single writer (``BEGIN IMMEDIATE``, which also locks out other processes), and
reads what it is about to change through the writer's own connection.
"""

from __future__ import annotations

from typing import Protocol

from bot.store.interface.coordination import (
    ChangeFeed,
    ChangeTopic,
    DeploymentStore,
    GatewayStore,
    StoreLifecycle,
)
from bot.store.interface.delivery import OutboxStore, RequestBudgetStore
from bot.store.interface.digests import DigestStore, ReportStore
from bot.store.interface.operator import OperatorStore
from bot.store.interface.radar import RadarStore
from bot.store.interface.server import AdmissionStore, AlertStore, FollowStore, ServerSettingsStore
from bot.store.interface.sessions import SecretStore, SessionStore
from bot.store.interface.subscriptions import SubscriptionStore
from bot.store.interface.upkeep import ConfigNoticeStore, SlotWaitStore


class Store(
    StoreLifecycle,
    SessionStore,
    OutboxStore,
    RequestBudgetStore,
    SecretStore,
    ServerSettingsStore,
    FollowStore,
    AlertStore,
    AdmissionStore,
    GatewayStore,
    ChangeFeed,
    OperatorStore,
    DeploymentStore,
    DigestStore,
    ReportStore,
    SubscriptionStore,
    RadarStore,
    ConfigNoticeStore,
    SlotWaitStore,
    Protocol,
):
    """Every piece of durable state; ``bot.store.open_store`` picks the backend."""


__all__ = [
    "AdmissionStore",
    "AlertStore",
    "ChangeFeed",
    "ChangeTopic",
    "ConfigNoticeStore",
    "DeploymentStore",
    "DigestStore",
    "FollowStore",
    "GatewayStore",
    "OperatorStore",
    "OutboxStore",
    "RadarStore",
    "ReportStore",
    "RequestBudgetStore",
    "SecretStore",
    "ServerSettingsStore",
    "SessionStore",
    "SlotWaitStore",
    "Store",
    "StoreLifecycle",
    "SubscriptionStore",
]
