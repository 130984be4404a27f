"""Posting to Discord for the delivery worker: results, follow timelines, and how failures count.

Failure policy (shared/discord-notes.md): 403 and 404 are permanent (the channel is gone or we
lost access) and never retried, since repeated invalid requests get the bot's IP banned; 5xx and
network errors are retried by ResultDelivery with backoff; 429s are waited out by discord.py.
The message nonce comes from the outbox row, so a send repeated after a crash returns the earlier
message instead of posting twice.
"""

from __future__ import annotations

import discord

from bot.delivery.alert_sink import DiscordAlertSink
from bot.delivery.poster import DiscordPoster, delivery_nonce
from bot.delivery.worker import DeliveryFailed
from bot.domain.records import Delivery, SessionRecord
from bot.domain.server_records import Follow
from bot.rendering.results import result_embed
from bot.rendering.server import jump_url, timeline_embed, timeline_view
from bot.server.following import Following
from bot.store.sqlite import SQLiteStore


class DiscordResultSink:
    def __init__(
        self,
        poster: DiscordPoster,
        store: SQLiteStore,
        following: Following | None = None,
        alerts: DiscordAlertSink | None = None,
    ) -> None:
        self._poster = poster
        self._store = store
        self._following = following
        self._alerts = alerts

    async def _route(self, session: SessionRecord) -> tuple[int, int | None, str | None]:
        """Channel, message to reply to, and a link back when posted elsewhere."""
        assert session.channel_id is not None
        if session.guild_id is not None and session.source == "autotag":
            settings = await self._store.guild_settings(session.guild_id)
            if settings.results_channel_id and settings.results_channel_id != session.channel_id:
                link = None
                if session.origin_message_id is not None:
                    origin = jump_url(
                        session.guild_id, session.channel_id, session.origin_message_id
                    )
                    link = f"Result for {origin}"
                return settings.results_channel_id, None, link
        return session.channel_id, session.origin_message_id, None

    async def deliver(self, delivery: Delivery, session: SessionRecord) -> int | None:
        if session.channel_id is None:
            raise DeliveryFailed("the session has no channel to post in", permanent=True)
        if session.follow_id is not None:
            channel_id, message_id = await self._timeline(delivery, session, session.follow_id)
        else:
            channel_id, reply_to, link = await self._route(session)
            message_id = await self._poster.send(
                channel_id,
                embed=result_embed(session),
                content=link,
                reply_to=reply_to,
                nonce=delivery_nonce(delivery),
            )
        if self._alerts is not None:
            # An alert that went out while this post was failing gets its link now.
            await self._alerts.link_result(session, channel_id, message_id)
        return message_id

    async def _timeline(
        self, delivery: Delivery, session: SessionRecord, follow_id: int
    ) -> tuple[int, int]:
        """Edit the follow's one message in place; post it the first time. Returns where it is."""
        if self._following is not None:
            await self._following.note_result(session)
        follow = await self._store.get_follow(follow_id)
        if follow is None:
            raise DeliveryFailed("the follow is gone", permanent=True)
        embed, view = await self._render(follow)
        if follow.timeline_message_id is not None and follow.timeline_channel_id is not None:
            try:
                await self._poster.edit(
                    follow.timeline_channel_id, follow.timeline_message_id, embed=embed, view=view
                )
                return follow.timeline_channel_id, follow.timeline_message_id
            except DeliveryFailed as failure:
                if not failure.permanent:
                    raise
        channel_id, reply_to, link = await self._route(session)
        message_id = await self._poster.send(
            channel_id,
            embed=embed,
            view=view,
            content=link,
            reply_to=reply_to,
            nonce=delivery_nonce(delivery),
        )
        await self._store.set_timeline_message(follow.id, channel_id, message_id)
        return channel_id, message_id

    async def _render(self, follow: Follow) -> tuple[discord.Embed, discord.ui.View | None]:
        samples = await self._store.follow_sessions(follow.id)
        return timeline_embed(follow, samples), timeline_view(follow)

    async def refresh_timeline(self, follow_id: int) -> None:
        """After a moderator stops a follow, so its message says so and loses its button."""
        follow = await self._store.get_follow(follow_id)
        if follow is None or follow.timeline_message_id is None:
            return
        assert follow.timeline_channel_id is not None
        embed, view = await self._render(follow)
        await self._poster.edit(
            follow.timeline_channel_id, follow.timeline_message_id, embed=embed, view=view
        )
