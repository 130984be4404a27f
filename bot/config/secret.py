"""Credentials that cannot leak by being printed, and URLs shown with their password masked."""

from __future__ import annotations

from urllib.parse import urlsplit


class Secret:
    """A credential that masks itself in ``repr``, ``str`` and f-strings.

    Only :meth:`reveal` hands out the value, so a secret cannot leak by being logged by accident.
    """

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "Secret('********')"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)


def masked_url(url: str) -> str:
    """The URL with its password, if any, replaced by asterisks: safe to print and log."""
    parts = urlsplit(url)
    if not parts.password:
        return url
    user = parts.username or ""
    host = parts.netloc.rpartition("@")[2]
    return parts._replace(netloc=f"{user}:********@{host}").geturl()
