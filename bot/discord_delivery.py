"""The result sink for Discord: posts a session's embed in its channel, as a reply.

Failure policy (shared/discord-notes.md): 403 and 404 are permanent (the channel is gone or we
lost access) and must not be retried, since repeated invalid requests get the bot's IP banned;
5xx and network errors are retried by ResultDelivery with backoff; 429s are waited out by
discord.py itself. The message nonce is derived from the outbox row, so a send repeated after a
crash returns the earlier message instead of posting twice.
"""

from __future__ import annotations

from collections.abc import Callable

import aiohttp
import discord

from bot.delivery import DeliveryFailed
from bot.models import Delivery, SessionRecord
from bot.rendering import result_embed


def delivery_nonce(delivery: Delivery) -> str:
    """At most 25 characters, as Discord requires; unique per outbox row."""
    return f"cs-{delivery.convo_id[:8]}-{delivery.id}"[:25]


class DiscordResultSink:
    def __init__(
        self,
        client: discord.Client,
        render: Callable[[SessionRecord], discord.Embed] = result_embed,
    ) -> None:
        self._client = client
        self._render = render

    async def deliver(self, delivery: Delivery, session: SessionRecord) -> int | None:
        if delivery.channel_id is None:
            raise DeliveryFailed("the session has no channel to post in", permanent=True)
        channel = self._client.get_partial_messageable(delivery.channel_id)
        reference = None
        if delivery.reply_to_message_id is not None:
            reference = discord.MessageReference(
                message_id=delivery.reply_to_message_id,
                channel_id=delivery.channel_id,
                fail_if_not_exists=False,
            )
        try:
            message = await channel.send(
                embed=self._render(session),
                reference=reference,  # type: ignore[arg-type]
                allowed_mentions=discord.AllowedMentions.none(),
                nonce=delivery_nonce(delivery),
            )
        except discord.HTTPException as error:
            raise classify(error) from error
        except (TimeoutError, aiohttp.ClientError, OSError) as error:
            raise DeliveryFailed(f"network: {type(error).__name__}", permanent=False) from error
        return message.id


def classify(error: discord.HTTPException) -> DeliveryFailed:
    reason = f"Discord {error.status} ({error.code}): {error.text[:200]}"
    if isinstance(error, discord.Forbidden | discord.NotFound):
        return DeliveryFailed(reason, permanent=True)
    if error.status >= 500 or error.status == 429:
        return DeliveryFailed(reason, permanent=False)
    # Any other 4xx is our request's fault; sending it again would fail again.
    return DeliveryFailed(reason, permanent=True)
