"""Posting to Discord for the delivery worker: results, follow timelines, and how failures count.

Failure policy (docs/discord-notes.md): 403 and 404 are permanent (the channel is gone or we
lost access) and never retried, since repeated invalid requests get the bot's IP banned; 5xx and
network errors are retried by ResultDelivery with backoff; 429s are waited out by discord.py.
The message nonce comes from the outbox row, so a send repeated after a crash returns the earlier
message instead of posting twice.
"""

from __future__ import annotations

import logging
from typing import Protocol

import discord

from bot.delivery.alert_sink import DiscordAlertSink
from bot.delivery.poster import DiscordPoster, delivery_nonce
from bot.delivery.routing import Route, route_result
from bot.delivery.worker import DeliveryFailed
from bot.domain.records import Delivery, SessionRecord
from bot.domain.server_records import Follow
from bot.rendering.results import result_embed
from bot.rendering.server import timeline_embed, timeline_view
from bot.server.following import Following
from bot.store.interface import FollowStore, ServerSettingsStore

log = logging.getLogger(__name__)


class ResultSinkStore(ServerSettingsStore, FollowStore, Protocol):
    """The server's results channel, and follows' timelines."""


class DiscordResultSink:
    def __init__(
        self,
        poster: DiscordPoster,
        store: ResultSinkStore,
        following: Following | None = None,
        alerts: DiscordAlertSink | None = None,
    ) -> None:
        self._poster = poster
        self._store = store
        self._following = following
        self._alerts = alerts

    async def deliver(self, delivery: Delivery, session: SessionRecord) -> int | None:
        settings = None
        if session.origin.guild_id is not None:
            settings = await self._store.guild_settings(session.origin.guild_id)
        route = route_result(session, settings)
        if route is None:
            raise DeliveryFailed("the session has no channel to post in", permanent=True)
        if session.follow_id is not None:
            channel_id, message_id = await self._timeline(
                delivery, session, session.follow_id, route
            )
        else:
            channel_id = route.channel_id
            message_id = await self._poster.send(
                channel_id,
                embed=result_embed(session),
                content=route.link,
                reply_to=route.reply_to,
                nonce=delivery_nonce(delivery),
            )
        if self._alerts is not None:
            # An alert that went out while this post was failing gets its link now.
            await self._alerts.link_result(session, settings, channel_id, message_id)
        return message_id

    async def _timeline(
        self, delivery: Delivery, session: SessionRecord, follow_id: int, route: Route
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
        message_id = await self._poster.send(
            route.channel_id,
            embed=embed,
            view=view,
            content=route.link,
            reply_to=route.reply_to,
            nonce=delivery_nonce(delivery),
        )
        await self._store.set_timeline_message(follow.id, route.channel_id, message_id)
        return route.channel_id, message_id

    async def _render(self, follow: Follow) -> tuple[discord.Embed, discord.ui.View | None]:
        samples = await self._store.follow_sessions(follow.id)
        return timeline_embed(follow, samples), timeline_view(follow)

    async def refresh_timeline(self, follow_id: int) -> None:
        """After a follow ended, so its message says so and loses its button.

        A timeline that cannot be edited (deleted, access lost, Discord failing) keeps its last
        state: logged, never raised, since the follow has ended either way.
        """
        follow = await self._store.get_follow(follow_id)
        if follow is None or follow.timeline_message_id is None:
            return
        assert follow.timeline_channel_id is not None
        embed, view = await self._render(follow)
        try:
            await self._poster.edit(
                follow.timeline_channel_id, follow.timeline_message_id, embed=embed, view=view
            )
        except DeliveryFailed as failure:
            log.warning("could not show that follow %s ended: %s", follow_id, failure.reason)
