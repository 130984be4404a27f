"""DiscordPoster: send and edit messages by id, paced, turning Discord's failures into
DeliveryFailed, and finding what an earlier attempt may have posted.

Works from ids alone (partial messageables), so delivery needs no gateway cache and survives a
restart before the guilds have arrived. Every send and edit takes its channel's turn
(pacing.py), unless it is the request of a turn its caller already holds.

Exactly once: every send carries a nonce from the outbox (a row's or a pack's), and Discord
returns the earlier message for a nonce it has seen from the bot; but only for a few minutes
(docs/discord-notes.md, Idempotent sends). A send that repeats an attempt made longer ago than
that (``EarlierAttempt``) first looks through the channel's messages since that attempt for one
of the bot's that shows it, and posts only if there is none. Reading them needs Read Message
History in the channel (without it Discord answers an empty list), which is why the bot asks for
it wherever it posts (cogs/tagging.py, cogs/config.py).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import aiohttp
import discord

from bot.config import Settings
from bot.delivery.channel_buckets import MessageBucket
from bot.delivery.guild_words import GuildWords
from bot.delivery.pacing import Pacer
from bot.delivery.retries import DeliveryFailed
from bot.domain.clock import now_ms
from bot.domain.records import Delivery, DeliveryPack

# How long Discord is trusted to recall a nonce: "a few minutes" in its documentation, so well
# inside them. Looking needlessly costs a read; trusting too long, a duplicate. (The settings'
# default, for a poster built without settings.)
NONCE_TRUSTED_S = Settings.nonce_trusted_seconds
# How far before the earlier attempt the search starts (clocks differ, Discord's and ours), and
# how many messages it reads at most before giving up and posting.
SEARCH_MARGIN_MS = 60_000
SEARCH_LIMIT = 300
# How long one request to Discord may take before it counts as failed and goes again later with
# the same nonce. discord.py waits aiohttp's default 300 s for an answer that is lost: meanwhile
# the post holds its channel's turn and outlives its rows' 30 s lease. Discord answers within a
# second; a request that waited for discord.py's own retry of a 429 or a 5xx still fits.
REQUEST_TIMEOUT_S = Settings.discord_request_timeout_seconds
# Discord's JSON error code for an edit in an archived thread.
ARCHIVED_THREAD = 50083


def delivery_nonce(delivery: Delivery) -> str:
    """At most 25 characters, as Discord requires; unique per outbox row."""
    return f"cs-{delivery.convo_id[:8]}-{delivery.id}"[:25]


def pack_nonce(pack: DeliveryPack) -> str:
    """Unique per pack, never a row's (the "p"), and like a row's, from no other database's."""
    return f"cs-{pack.rows[0].convo_id[:8]}-p{pack.id}"[:25]


@dataclass(frozen=True, slots=True)
class EarlierAttempt:
    """A send of the same thing that began at ``since_ms`` and may have posted it; ``shows``
    tells the bot's message that did."""

    since_ms: int
    shows: Callable[[discord.Message], bool]


class DiscordPoster:
    def __init__(
        self,
        client: discord.Client,
        pacer: Pacer | None = None,
        *,
        nonce_trusted_s: float = NONCE_TRUSTED_S,
        request_timeout_s: float = REQUEST_TIMEOUT_S,
        clock: Callable[[], int] = now_ms,
    ) -> None:
        self._client = client
        # Where delivery meets the client: every sink words its posts through this poster's.
        self.guild_words = GuildWords(client)
        self._pacer = pacer or Pacer.unpaced()
        self._nonce_trusted_ms = int(nonce_trusted_s * 1000)
        self._request_timeout_s = request_timeout_s
        self._clock = clock

    @classmethod
    def configured(
        cls,
        client: discord.Client,
        pacer: Pacer,
        settings: Settings,
        *,
        clock: Callable[[], int] = now_ms,
    ) -> DiscordPoster:
        """As the settings say: every poster the bot builds takes them from here."""
        return cls(
            client,
            pacer,
            nonce_trusted_s=settings.nonce_trusted_seconds,
            request_timeout_s=settings.discord_request_timeout_seconds,
            clock=clock,
        )

    async def send(
        self,
        channel_id: int,
        *,
        embeds: Sequence[discord.Embed],
        nonce: str,
        content: str | None = None,
        reply_to: int | None = None,
        view: discord.ui.View | None = None,
        mentions: discord.AllowedMentions | None = None,
        earlier: EarlierAttempt | None = None,
        files: Sequence[discord.File] = (),
    ) -> int:
        """The id of the message posted, or of the one ``earlier`` posted already. ``files``
        go as attachments (multipart); each ``discord.File`` is read once, so a caller that
        sends again makes new ones."""
        channel = self._client.get_partial_messageable(channel_id)
        reference = None
        if reply_to is not None:
            reference = discord.MessageReference(
                message_id=reply_to, channel_id=channel_id, fail_if_not_exists=False
            )
        async with self._pacer.turn(channel_id, MessageBucket.CREATE):
            if earlier is not None and self._clock() - earlier.since_ms >= self._nonce_trusted_ms:
                found = await self.find_posted(channel_id, earlier)
                if found is not None:
                    return found
            async with self._request():
                message = await channel.send(
                    content=content,
                    embeds=list(embeds),
                    reference=reference,  # type: ignore[arg-type]
                    view=view,  # type: ignore[arg-type]
                    allowed_mentions=mentions or discord.AllowedMentions.none(),
                    nonce=nonce,
                    files=list(files) or None,  # type: ignore[arg-type]
                )
        return message.id

    async def edit(
        self,
        channel_id: int,
        message_id: int,
        *,
        embed: discord.Embed,
        view: discord.ui.View | None,
    ) -> None:
        """A message in an archived thread cannot be edited (50083) until the thread is
        unarchived, which the bot may do in a thread it posted in (docs/discord-notes.md,
        Channels); when it may not (a locked thread), the failure is permanent like any 403."""
        message = self._client.get_partial_messageable(channel_id).get_partial_message(message_id)
        async with self._pacer.turn(channel_id, MessageBucket.EDIT), self._request():
            try:
                await message.edit(embed=embed, view=view)
            except discord.HTTPException as error:
                if error.code != ARCHIVED_THREAD:
                    raise
                await self._client.http.edit_channel(channel_id, archived=False)
                await message.edit(embed=embed, view=view)

    async def find_posted(self, channel_id: int, earlier: EarlierAttempt) -> int | None:
        """The bot's message in the channel since the earlier attempt that shows it, if any."""
        me = self._client.user
        since = datetime.fromtimestamp((earlier.since_ms - SEARCH_MARGIN_MS) / 1000, UTC)
        after = discord.Object(discord.utils.time_snowflake(since))
        channel = self._client.get_partial_messageable(channel_id)
        async with self._request():
            async for message in channel.history(
                limit=SEARCH_LIMIT, after=after, oldest_first=True
            ):
                if me is not None and message.author.id == me.id and earlier.shows(message):
                    return message.id
        return None

    @contextlib.asynccontextmanager
    async def _request(self) -> AsyncIterator[None]:
        """A request to Discord: bounded in time, and its failures as DeliveryFailed."""
        try:
            async with asyncio.timeout(self._request_timeout_s):
                yield
        except discord.HTTPException as error:
            raise classify(error) from error
        except (TimeoutError, aiohttp.ClientError, OSError) as error:
            raise DeliveryFailed(f"network: {type(error).__name__}", permanent=False) from error


def classify(error: discord.HTTPException) -> DeliveryFailed:
    reason = f"Discord {error.status} ({error.code}): {error.text[:200]}"
    if isinstance(error, discord.Forbidden | discord.NotFound):
        return DeliveryFailed(reason, permanent=True)
    if error.status >= 500 or error.status == 429:
        return DeliveryFailed(reason, permanent=False)
    # Any other 4xx is our request's fault; sending it again would fail again.
    return DeliveryFailed(reason, permanent=True)
