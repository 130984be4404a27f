"""What tests ask about the limits Discord holds a whole bot to: which shard each gateway
session claims, how often identifies came too soon, and the invalid-request count behind
Cloudflare bans."""

from __future__ import annotations

from .core import EmulatorCore
from .model import JSON


class LimitsControl(EmulatorCore):
    def gateway_sessions(self, bot_user_id: int | None = None) -> list[JSON]:
        """Every gateway session (of one bot, if given) with the shard its IDENTIFY claimed."""
        return [
            {
                "session_id": s.id,
                "bot_user_id": s.bot.user_id,
                "shard": list(s.shard),
                "connected": s.ws is not None,
                "ready": s.ready,
            }
            for s in self.gateway.sessions.values()
            if bot_user_id is None or s.bot.user_id == bot_user_id
        ]

    def identify_violations(self) -> int:
        """IDENTIFYs answered with op 9 because their ``max_concurrency`` bucket was taken."""
        return self.gateway.identifies.violations

    def set_invalid_request_limit(
        self,
        limit: int,
        *,
        window: float | None = None,
        ban_duration: float | None = None,
    ) -> None:
        """Lower (or raise) the invalid-request limit, its rolling window and the ban's length."""
        self.config.invalid_request_limit = limit
        if window is not None:
            self.config.invalid_request_window = window
        if ban_duration is not None:
            self.config.ban_duration = ban_duration

    def invalid_requests(self, address: str = "127.0.0.1") -> JSON:
        """The count within the window for one client address, the limit, and any ban left."""
        return self.guard.report(address)

    def lift_ban(self) -> None:
        """Forget every invalid-request count and ban."""
        self.guard.lift()
