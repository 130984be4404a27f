"""A local Discord for tests and demos: REST API v10 and gateway, as discord.py 2.7 uses them.

An aiohttp server on a loopback port that an *unmodified* discord.py logs into: login
(``/users/@me``, ``/oauth2/applications/@me``, ``/gateway/bot``), the gateway (HELLO,
IDENTIFY, READY, GUILD_CREATE, heartbeats, RESUME with replay, INVALID_SESSION, intents held
to the application's flags: 4013/4014), messages,
reactions, application commands, interactions (callbacks, ``@original``, follow-ups), threads
and forum channels (posts, THREAD_* events, archiving, Send Messages in Threads), with
Discord's permission checks, limits, error bodies, mention rules and rate limits, sharding (event
routing per shard, 4010/4011, identify concurrency) and the invalid-request Cloudflare ban.

Point discord.py at it by setting both (``point_discord_py`` does it and undoes it):

* ``discord.http.Route.BASE = emulator.api_base`` (REST *and* interaction webhooks: the
  webhook module uses the same ``Route`` class, there is no second base URL);
* ``discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(emulator.gateway_url)``
  (used by a plain ``Client`` and by every client after an op 9 INVALID_SESSION; without it
  such a client would try to reach the real Discord).

Drive it from Python (``DiscordEmulator`` methods) or, from another process, over HTTP
(``POST /_control/<method>`` with keyword arguments as JSON; see ``control``).
"""

from .emulator import DiscordEmulator
from .model import BotApp, Interaction, ResponseRecord, StoredMessage
from .state import EmulatorConfig

__all__ = [
    "BotApp",
    "DiscordEmulator",
    "EmulatorConfig",
    "Interaction",
    "ResponseRecord",
    "StoredMessage",
]
