"""Logging set-up: text or one JSON object a line, and a filter that masks every configured
secret, wherever it appears, before either format sees the record."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import UTC, datetime

import orjson

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


class TextLogFormatter(logging.Formatter):
    """The level in upper case, as in every other line: streamlink renames the standard levels
    in lower case when it is imported, and a grep for ERROR must not depend on import order."""

    def format(self, record: logging.LogRecord) -> str:
        record.levelname = record.levelname.upper()
        return super().format(record)


class JsonLogFormatter(logging.Formatter):
    """One JSON object a line, so a log shipper needs no pattern to split a line into fields.

    The session, guild and channel come from a call's ``extra`` (``extra={"session": convo_id}``):
    an operator filters one stream's story out of a busy log by them.
    """

    CONTEXT = ("session", "guild", "channel")

    def format(self, record: logging.LogRecord) -> str:
        document: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.upper(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        for name in self.CONTEXT:
            value = getattr(record, name, None)
            if value is not None:
                document[name] = value
        # The masking filter leaves a masked traceback in exc_text; format it only without one.
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            document["exception"] = record.exc_text
        return orjson.dumps(document, default=str).decode()


def configure_logging(
    level: str, secrets: Iterable[Secret], log_format: str = "text"
) -> SecretMaskingFilter:
    handler = logging.StreamHandler()
    handler.setFormatter(
        JsonLogFormatter()
        if log_format == "json"
        else TextLogFormatter("%(asctime)s %(levelname)-7s %(name)s: %(message)s")
    )
    masking = SecretMaskingFilter(secrets)
    handler.addFilter(masking)
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    return masking
