"""DiscordPoster: send and edit messages by id, turning Discord's failures into DeliveryFailed.

Works from ids alone (partial messageables), so delivery needs no gateway cache and survives a
restart before the guilds have arrived.
"""

from __future__ import annotations

import aiohttp
import discord

from bot.delivery.worker import DeliveryFailed
from bot.domain.records import Delivery


def delivery_nonce(delivery: Delivery) -> str:
    """At most 25 characters, as Discord requires; unique per outbox row."""
    return f"cs-{delivery.convo_id[:8]}-{delivery.id}"[:25]


class DiscordPoster:
    def __init__(self, client: discord.Client) -> None:
        self._client = client

    async def send(
        self,
        channel_id: int,
        *,
        embed: discord.Embed,
        nonce: str,
        content: str | None = None,
        reply_to: int | None = None,
        view: discord.ui.View | None = None,
        mentions: discord.AllowedMentions | None = None,
    ) -> int:
        channel = self._client.get_partial_messageable(channel_id)
        reference = None
        if reply_to is not None:
            reference = discord.MessageReference(
                message_id=reply_to, channel_id=channel_id, fail_if_not_exists=False
            )
        try:
            message = await channel.send(
                content=content,
                embed=embed,
                reference=reference,  # type: ignore[arg-type]
                view=view,  # type: ignore[arg-type]
                allowed_mentions=mentions or discord.AllowedMentions.none(),
                nonce=nonce,
            )
        except discord.HTTPException as error:
            raise classify(error) from error
        except (TimeoutError, aiohttp.ClientError, OSError) as error:
            raise DeliveryFailed(f"network: {type(error).__name__}", permanent=False) from error
        return message.id

    async def edit(
        self,
        channel_id: int,
        message_id: int,
        *,
        embed: discord.Embed,
        view: discord.ui.View | None,
    ) -> None:
        message = self._client.get_partial_messageable(channel_id).get_partial_message(message_id)
        try:
            await message.edit(embed=embed, view=view)
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
