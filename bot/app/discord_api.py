"""Where discord.py connects: the one documented place that sets it.

discord.py 2.7 builds every REST URL, interaction webhooks included, from the class attribute
``discord.http.Route.BASE``; operators point it at a REST proxy, tests and the demo at the local
emulator. The bot is an AutoShardedBot, so it takes its gateway URL from that API's
``GET /gateway/bot``. After an INVALID_SESSION, though, discord.py reconnects to the class
default ``DiscordWebSocket.DEFAULT_GATEWAY``; :func:`adopt_gateway` sets that default to the
API's answer too, so a bot pointed elsewhere never falls back to Discord's own gateway.
"""

from __future__ import annotations

import discord.http
import yarl
from discord.gateway import DiscordWebSocket

DISCORD_API_BASE = "https://discord.com/api/v10"


def use_discord_api(base: str | None) -> None:
    discord.http.Route.BASE = (base or DISCORD_API_BASE).rstrip("/")


async def adopt_gateway(http: discord.http.HTTPClient) -> None:
    """Only when REST is pointed away from Discord; call after login."""
    if discord.http.Route.BASE == DISCORD_API_BASE:
        return
    _shards, url, _limits = await http.get_bot_gateway()
    DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(url)
