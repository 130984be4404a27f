"""What keeps a server's features honest about what still works: where its configuration was
last changed and what its admins were last told is broken, and the follows waiting for a free
slot under the server's cap."""

from __future__ import annotations

from typing import Protocol


class ConfigNoticeStore(Protocol):
    async def note_config_channel(self, guild_id: int, channel_id: int, now_ms: int) -> None:
        """The channel the server's configuration was last changed in (one upsert): where its
        admins are told when that configuration breaks."""
        ...

    async def config_channel(self, guild_id: int) -> int | None: ...

    async def claim_config_notice(self, guild_id: int, problems: str, now_ms: int) -> bool:
        """Whether ``problems`` (a stable key of what is broken; ``""``: nothing) differs from
        what was last recorded, recording it; so each breakage is told once, however many
        events or processes notice it, and told again only once it changed (or healed first).

        One upsert: ``INSERT … ON CONFLICT (guild_id) DO UPDATE SET notified = … WHERE
        notified <> excluded.notified RETURNING``; on PostgreSQL a concurrent claim of the same
        key waits for the row lock, then finds it recorded and returns no row.
        """
        ...


class SlotWaitStore(Protocol):
    async def wait_for_slot(self, follow_id: int, guild_id: int, since_ms: int) -> None:
        """Mark a follow as waiting for a slot under its server's cap (kept from its first wait:
        ``ON CONFLICT DO NOTHING``)."""
        ...

    async def slot_taken(self, follow_id: int) -> None:
        """The follow got its slot (or no longer needs one)."""
        ...

    async def waiting_for_slot(self, guild_id: int) -> int:
        """How many of the server's active follows wait for a slot."""
        ...

    async def first_waiting_for_slot(self, guild_id: int) -> int | None:
        """The server's active follow that has waited for a slot the longest."""
        ...
