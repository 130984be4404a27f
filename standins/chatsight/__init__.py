"""A local Chatsight API simulator: see :class:`ChatsightSimulator` and :func:`run_simulator`."""

from standins.chatsight.faults import Faults
from standins.chatsight.recorder import RecordedRequest
from standins.chatsight.rules import (
    PLACEHOLDER_VOCABULARY,
    FixedTags,
    QueryTags,
    SessionRequest,
    TagOutcome,
    TagRule,
)
from standins.chatsight.runner import run_simulator
from standins.chatsight.server import ChatsightSimulator
from standins.chatsight.sessions import SimSession
from standins.chatsight.webhook import WebhookAttempt

__all__ = [
    "PLACEHOLDER_VOCABULARY",
    "ChatsightSimulator",
    "Faults",
    "FixedTags",
    "QueryTags",
    "RecordedRequest",
    "SessionRequest",
    "SimSession",
    "TagOutcome",
    "TagRule",
    "WebhookAttempt",
    "run_simulator",
]
