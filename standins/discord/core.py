"""The emulator's parts wired together, shared by the control mixins and the HTTP server."""

from __future__ import annotations

from .cloudflare import InvalidRequestGuard
from .events import Events
from .gateway import Gateway
from .interactions import InteractionBuilder
from .messaging import Messaging
from .ratelimit import RateLimiter
from .state import EmulatorConfig, State


class EmulatorCore:
    def __init__(self, config: EmulatorConfig | None = None) -> None:
        self.config = config or EmulatorConfig()
        self.state = State(self.config)
        self.gateway = Gateway(self.state)
        self.events = Events(self.state, self.gateway)
        self.messaging = Messaging(self.state, self.events)
        self.limiter = RateLimiter(self.state)
        self.guard = InvalidRequestGuard(self.config)
        self.builder = InteractionBuilder(self.state)
