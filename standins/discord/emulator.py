"""``DiscordEmulator``: the object tests and the CLI hold."""

from __future__ import annotations

import fnmatch
from collections.abc import Callable
from types import TracebackType
from typing import Any, Self, TypeVar

from .actions import ActionControl
from .control import add_control_routes
from .limits import LimitsControl
from .model import JSON, Interaction, RequestLogEntry, ResponseRecord, StoredMessage
from .seed import apply_seed
from .server import Server, build_app
from .state import EmulatorConfig
from .thread_control import ThreadControl
from .world import WorldControl

T = TypeVar("T")


class DiscordEmulator(WorldControl, ThreadControl, ActionControl, LimitsControl):
    """A local Discord (REST v10 + gateway) for discord.py, on a loopback port."""

    def __init__(
        self, config: EmulatorConfig | None = None, *, host: str = "127.0.0.1", port: int = 0
    ) -> None:
        super().__init__(config)
        app = build_app(self)
        add_control_routes(app, self)
        self._server = Server(app, host, port)

    async def start(self) -> Self:
        await self._server.start()
        self.gateway.url = self.gateway_url
        return self

    async def close(self) -> None:
        await self.gateway.close_all()
        await self._server.stop()

    async def __aenter__(self) -> Self:
        return await self.start()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    @property
    def port(self) -> int:
        return self._server.port

    @property
    def base_url(self) -> str:
        return f"http://{self._server.host}:{self.port}"

    @property
    def api_base(self) -> str:
        """What ``discord.http.Route.BASE`` must be set to."""
        return f"{self.base_url}/api/v10"

    @property
    def gateway_url(self) -> str:
        """What ``GET /gateway/bot`` answers and ``DiscordWebSocket.DEFAULT_GATEWAY`` needs."""
        return f"ws://{self._server.host}:{self.port}/gateway"

    # -- read-back -----------------------------------------------------------------------

    def messages(self, channel_id: int, *, include_ephemeral: bool = True) -> list[StoredMessage]:
        """Every message of the channel, oldest first, as Discord stores it."""
        return self.state.channel_history(channel_id, include_ephemeral)

    def get_message(self, message_id: int) -> StoredMessage:
        return self.state.messages[message_id]

    def interaction(self, interaction_id: int) -> Interaction:
        return self.state.interactions[interaction_id]

    def interactions(self) -> list[Interaction]:
        return list(self.state.interactions.values())

    def commands(self, application_id: int, guild_id: int | None = None) -> list[JSON]:
        return self.state.commands.get((application_id, guild_id), [])

    def requests(self, pattern: str = "*") -> list[RequestLogEntry]:
        """REST requests seen, matched like faults against ``"METHOD /path"``."""
        return [
            r
            for r in self.state.request_log
            if fnmatch.fnmatchcase(f"{r.method} {r.path}", pattern)
        ]

    # -- waiting -------------------------------------------------------------------------

    async def wait_for(
        self,
        predicate: Callable[[], T | None],
        timeout: float = 5.0,  # noqa: ASYNC109 - test API
    ) -> T:
        """The first truthy ``predicate()`` result, re-checked on every change (no polling)."""
        return await self.state.wait_for(predicate, timeout)

    async def wait_until_ready(
        self,
        bot_user_id: int,
        timeout: float = 10.0,  # noqa: ASYNC109 - test API
    ) -> None:
        """Until the bot identified (or resumed) and was sent its GUILD_CREATEs."""
        await self.wait_for(lambda: self.gateway.is_ready(bot_user_id), timeout)

    async def wait_for_message(
        self,
        channel_id: int,
        predicate: Callable[[StoredMessage], bool] | None = None,
        *,
        timeout: float = 5.0,  # noqa: ASYNC109 - test API
        content_contains: str | None = None,
    ) -> StoredMessage:
        """The newest message of the channel (ephemeral ones included) that matches."""

        def match(stored: StoredMessage) -> bool:
            if content_contains is not None and content_contains not in stored.content:
                return False
            return predicate is None or predicate(stored)

        def find() -> StoredMessage | None:
            return next((m for m in reversed(self.messages(channel_id)) if match(m)), None)

        return await self.wait_for(find, timeout)

    async def wait_for_response(
        self,
        interaction_id: int,
        timeout: float = 5.0,  # noqa: ASYNC109 - test API
    ) -> ResponseRecord:
        return await self.interaction(interaction_id).wait_response(timeout)

    async def seed(self, spec: JSON) -> dict[str, Any]:
        """Build a world from a JSON description (see ``seed.apply_seed``)."""
        return await apply_seed(self, spec)
