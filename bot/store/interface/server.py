"""What each server configured and what its features keep: settings, follows, alerts, admission."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from bot.domain.convo_ids import Trigger
from bot.domain.records import (
    SessionRecord,
)
from bot.domain.refusals import ServerBusy, TooSoon
from bot.domain.server_records import AlertRecord, Follow, FollowState, GuildSettings


class ServerSettingsStore(Protocol):
    async def guild_settings(self, guild_id: int) -> GuildSettings:
        """The server's settings, defaults when it has none, with its watched channels."""
        ...

    async def update_guild_settings(
        self,
        guild_id: int,
        change: Callable[[GuildSettings], GuildSettings],
        now_ms: int,
    ) -> GuildSettings:
        """Read the settings, apply ``change`` and save what it returns, in one transaction.

        Two concurrent edits therefore both land. ``change`` must be pure: it may run while the
        write lock is held, and again if its transaction is retried. Whatever it raises (a
        refusal such as too many alert tags) aborts this edit, writes nothing and reaches the
        caller; other writes are unaffected. Watched channels change only through
        ``set_autotag_channel``; a ``change`` that alters them (or the guild id) is a ValueError.

        PostgreSQL: ``INSERT INTO guild_settings … ON CONFLICT DO NOTHING`` (so the row exists),
        ``SELECT … FROM guild_settings WHERE guild_id = $1 FOR UPDATE``, apply ``change``,
        ``UPDATE``, ``COMMIT``; ``ROLLBACK`` when ``change`` raises.
        """
        ...

    async def autotag_channels(self, guild_id: int) -> tuple[int, ...]: ...

    async def watched_since(self, guild_id: int) -> dict[int, int]:
        """Each watched channel of the server, and when it became watched (ms)."""
        ...

    async def set_autotag_channel(
        self, guild_id: int, channel_id: int, watched: bool, now_ms: int
    ) -> bool:
        """Watch or unwatch; returns whether anything changed (one insert or delete)."""
        ...

    async def is_autotag_channel(self, guild_id: int, channel_id: int) -> bool: ...


class FollowStore(Protocol):
    async def create_follow(self, follow: Follow) -> int:
        """Store a new follow (its ``id`` is ignored) and return the id it was given; or, when
        a follow of the same channel and trigger exists, that one's id and nothing stored: a
        retry whose first try committed unseen (its connection lost after COMMIT) must not
        follow the stream twice, under the same convoIds."""
        ...

    async def get_follow(self, follow_id: int) -> Follow | None: ...

    async def follow_of_trigger(self, channel_id: int | None, trigger: Trigger) -> int | None:
        """The id of the follow this channel's ``trigger`` started, if it started one."""
        ...

    async def claim_due_follows(self, now_ms: int, lease_ms: int, limit: int) -> list[Follow]:
        """Lease due active follows, so that two processes never sample the same one at once.

        Each claimed follow's ``next_sample_at`` moves to ``now_ms + lease_ms``, so no claim
        returns it again until then; its caller settles it
        (``record_sample``, ``postpone_follow`` or ``end_follow``), and a caller that dies
        leaves it due again when the lease runs out. A follow comes back as it was before this
        claim (its due time, not the lease), earliest due first. PostgreSQL: ``UPDATE follows SET
        next_sample_at = … FROM (SELECT … FOR UPDATE SKIP LOCKED) … RETURNING …``, so concurrent
        claimers skip each other's follows instead of waiting.
        """
        ...

    async def next_follow_due_ms(self) -> int | None: ...

    async def guild_follows(self, guild_id: int) -> list[Follow]:
        """The server's active follows, oldest first."""
        ...

    async def channel_follows(self, channel_id: int) -> list[Follow]:
        """The channel's active follows."""
        ...

    async def record_sample(
        self, follow_id: int, next_sample_at_ms: int, now_ms: int, *, taken: int
    ) -> bool:
        """Count a sample and schedule the next, when the follow is active and has taken
        ``taken`` samples (one conditional statement); whether it did. False: another caller
        counted this sample first (the same announcement seen twice at once), or it ended."""
        ...

    async def postpone_follow(self, follow_id: int, next_sample_at_ms: int) -> None: ...

    async def end_follow(
        self, follow_id: int, state: FollowState, reason: str, now_ms: int
    ) -> bool:
        """Only an active follow ends, once; returns whether this call ended it (one
        conditional ``UPDATE … WHERE state = 'active'``, atomic on PostgreSQL as it is)."""
        ...

    async def set_timeline_message(
        self, follow_id: int, channel_id: int, message_id: int
    ) -> None: ...

    async def set_follow_origin(self, follow_id: int, message_id: int) -> None:
        """Binds the message a follow's results reply to, unless one is bound already."""
        ...

    async def follow_sessions(self, follow_id: int) -> list[SessionRecord]:
        """The follow's samples, oldest first."""
        ...


class AlertStore(Protocol):
    async def record_alert(self, alert: AlertRecord) -> None:
        """Insert, or set the message id of an alert already recorded (one upsert). Its follow
        and re-ping time are written by the insert only; a second alert for the same follow is
        refused by a unique index (``alerts_one_per_follow``)."""
        ...

    async def get_alert(self, convo_id: str) -> AlertRecord | None: ...

    async def follow_alert(self, follow_id: int) -> AlertRecord | None:
        """The one alert a followed stream raised, if it raised one."""
        ...

    async def claim_due_repings(self, now_ms: int, lease_ms: int, limit: int) -> list[AlertRecord]:
        """Lease the alerts whose re-ping is due, posted and not acknowledged, so one process
        sends each; the caller ends it with ``finish_reping``, and one that dies leaves it due
        again when the lease runs out. Each comes back with its due time, earliest first.
        PostgreSQL: ``UPDATE alerts SET reping_lease_until = … FROM (SELECT … FOR UPDATE SKIP
        LOCKED) … RETURNING …``."""
        ...

    async def finish_reping(self, convo_id: str) -> None:
        """No re-ping is due any more (sent, or no longer wanted); never scheduled again."""
        ...

    async def release_reping(self, convo_id: str) -> None:
        """The process is stopping mid-send: claimable again at once, not when the lease ends;
        the resend has the same nonce and looks for the earlier post first."""
        ...

    async def next_reping_due_ms(self) -> int | None: ...

    async def acknowledge_alert(self, convo_id: str, user_id: int, now_ms: int) -> bool:
        """The first acknowledgement wins; later clicks change nothing. One conditional
        ``UPDATE … WHERE acknowledged_by IS NULL``, atomic on PostgreSQL as it is."""
        ...


class AdmissionStore(Protocol):
    async def claim_stream(
        self, guild_id: int, url: str, now_ms: int, window_ms: int, *, claimed_by: int
    ) -> int | None:
        """The claim's round (1 for the first ever) when this is the first claim of this URL in
        this server within the window, else None. ``claimed_by``: the message or interaction
        claiming it, which ``held_claim`` asks for.

        One upsert: ``INSERT … ON CONFLICT (guild_id, stream_url) DO UPDATE SET claimed_at = …,
        rounds = rounds + 1 WHERE claimed_at <= now - window RETURNING rounds``. PostgreSQL runs
        the same statement: a concurrent claim waits for the row lock, then sees the new
        ``claimed_at`` and returns no row.
        """
        ...

    async def held_claim(self, guild_id: int, url: str, claimed_by: int) -> int | None:
        """The round of the URL's claim when ``claimed_by`` holds it: a retry whose first claim
        may have committed unseen (its connection lost after COMMIT) would otherwise find the
        stream claimed, by itself, and tag nothing."""
        ...

    async def admit(
        self,
        user_id: int,
        guild_id: int | None,
        hold_convo_id: str,
        *,
        now_ms: int,
        cooldown_ms: int,
        guild_cap: int,
        hold_ms: int,
    ) -> TooSoon | ServerBusy | None:
        """Fair use for one tagging request, in one transaction; None when admitted.

        Refused (nothing changes) when the member started one less than ``cooldown_ms`` ago,
        else when the server already counts ``guild_cap`` awaiting sessions plus unexpired
        holds. Admitted, it stamps the member's cooldown (one conditional upsert of
        ``member_cooldowns``) and, in a server, holds a slot for ``hold_convo_id`` until
        ``create_session`` turns the hold into the session, or ``hold_ms`` passes (the process
        died in between). Admitting a held convoId again renews its hold rather than adding
        one, and a convoId whose session exists already takes none.

        PostgreSQL, in one transaction: lock the server's row (``INSERT INTO admission_locks … ON
        CONFLICT (guild_id) DO UPDATE … RETURNING``, which waits for any other admission in that
        server); take the cooldown with ``INSERT INTO member_cooldowns … ON CONFLICT (user_id) DO
        UPDATE … WHERE last_start_at <= now - cooldown RETURNING`` (no row: too soon; read
        ``last_start_at`` for the wait, ``ROLLBACK``); count awaiting sessions and unexpired holds
        in ONE statement, so one snapshot sees a ``create_session`` either before or after it
        swapped the hold for the session, never half-way (at the cap: ``ROLLBACK``, which also
        undoes the cooldown); insert the hold; ``COMMIT``. The server row is locked before the
        member row by every admission, so two admissions never wait on each other in a cycle.
        """
        ...
