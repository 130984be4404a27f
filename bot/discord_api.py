"""Where discord.py sends its REST calls: the one documented place that sets it.

discord.py 2.7 builds every REST URL, interaction webhooks included, from the class attribute
``discord.http.Route.BASE``. Operators point it at a REST proxy; tests and the demo at the local
emulator. The gateway URL then comes from that API's ``GET /gateway/bot`` answer, which is why
the bot is an AutoShardedBot: it asks for that URL instead of using discord.py's default.
"""

from __future__ import annotations

import discord.http

DISCORD_API_BASE = "https://discord.com/api/v10"


def use_discord_api(base: str | None) -> None:
    discord.http.Route.BASE = (base or DISCORD_API_BASE).rstrip("/")
