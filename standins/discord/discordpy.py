"""Pointing an unmodified discord.py at the emulator.

Two class attributes decide where discord.py connects, and both must be set:

* ``discord.http.Route.BASE``: every REST call, including the interaction callback and the
  interaction webhook (``discord.webhook.async_`` imports the same ``Route``);
* ``discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY``: where a client identifies when it has
  no gateway URL of its own, i.e. a plain ``Client``, and any client after an
  INVALID_SESSION (op 9), which resets its URL to this default. An ``AutoShardedClient`` takes
  its first URL from ``GET /gateway/bot`` and resumes at ``resume_gateway_url``.
"""

from __future__ import annotations

from collections.abc import Callable

import yarl
from discord.gateway import DiscordWebSocket
from discord.http import Route


def point_discord_py(api_base: str, gateway_url: str) -> Callable[[], None]:
    """Point discord.py at an emulator; returns the function that restores the old targets."""
    old_base, old_gateway = Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY
    Route.BASE = api_base
    DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(gateway_url)

    def restore() -> None:
        Route.BASE = old_base
        DiscordWebSocket.DEFAULT_GATEWAY = old_gateway

    return restore
