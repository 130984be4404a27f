"""Failures the bot can name to a user.

Each error carries a short, user-readable message; only the command layer decides how to show it.
Nothing here may contain a secret: messages are built from status codes and Chatsight's own text.
"""

from __future__ import annotations


class ChatsightBotError(Exception):
    """Base of every failure we expect and can explain in one sentence."""

    def __init__(self, user_message: str) -> None:
        super().__init__(user_message)
        self.user_message = user_message


class ConfigError(ChatsightBotError):
    """A setting is missing or malformed; the message names the variable."""


class ChatsightError(ChatsightBotError):
    """Chatsight did not do what we asked."""


class ChatsightAuthError(ChatsightError):
    def __init__(self) -> None:
        super().__init__("Chatsight rejected the API key")


class ChatsightRateLimited(ChatsightError):
    def __init__(self, retry_after: float) -> None:
        self.retry_after = retry_after
        super().__init__(f"Chatsight is rate-limiting us, retry in {max(1, round(retry_after))} s")


class ChatsightUnavailable(ChatsightError):
    """Connection failures, timeouts and 5xx that outlasted our retries."""


class ChatsightRejected(ChatsightError):
    """A 4xx (other than auth and rate limits) or a body that says ``success: false``."""


class ChatsightUnknownSession(ChatsightError):
    def __init__(self, convo_id: str) -> None:
        self.convo_id = convo_id
        super().__init__(f"Chatsight does not know session {convo_id}")


class ChatsightProtocolError(ChatsightError):
    """Chatsight answered in a shape we cannot read (the API is beta; shapes are undocumented)."""
