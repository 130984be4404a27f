"""Logging set-up with a filter that masks every configured secret, wherever it appears."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from bot.config import Secret

MASK = "********"


class SecretMaskingFilter(logging.Filter):
    """Rewrites a record whose rendered text contains a secret, including its traceback.

    Our code never logs a secret on purpose; this guards against a library echoing one (a URL
    with a token, an exception that repeats a header).
    """

    def __init__(self, secrets: Iterable[Secret]) -> None:
        super().__init__()
        self._values = sorted({s.reveal() for s in secrets if s.reveal()}, key=len, reverse=True)

    def add(self, secret: Secret) -> None:
        if secret.reveal() and secret.reveal() not in self._values:
            self._values = sorted([*self._values, secret.reveal()], key=len, reverse=True)

    def _mask(self, text: str) -> str:
        for value in self._values:
            text = text.replace(value, MASK)
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        if not self._values:
            return True
        message = record.getMessage()
        masked = self._mask(message)
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self._mask(record.exc_text)
        if masked != message:
            record.msg, record.args = masked, None
        return True


def configure_logging(level: str, secrets: Iterable[Secret]) -> SecretMaskingFilter:
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)-7s %(name)s: %(message)s"))
    masking = SecretMaskingFilter(secrets)
    handler.addFilter(masking)
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    return masking
