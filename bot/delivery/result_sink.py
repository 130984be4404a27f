"""Posting results to Discord, in packs: several results of one channel in one message, and a
followed stream's samples in one edit of its timeline.

A channel's results wait in its lane for the channel's turn (lanes.py); ``choose`` then says which
go together: up to 10 results (Discord's most embeds a message, docs/discord-notes.md) within
6,000 characters, never two that link to the same request, since Discord merges embeds sharing a
``url``. One result alone is still today's reply under its request; a pack replies to nothing and
each of its embeds links to its request instead. A followed stream's waiting samples coalesce to
one edit of its timeline showing the latest state. Alerts are not packed (alert_sink.py).
Every post, and every later edit of a timeline, reads in its server's language
(guild_words.py).

Failure policy (retries.py): 403 and 404 are permanent, 5xx and network errors retried by the
worker with backoff, 429s waited out by discord.py. Every send carries its pack's nonce, and a
resend older than Discord's memory of it first looks for the earlier post (poster.py).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Protocol

import discord

from bot.delivery.alert_sink import DiscordAlertSink
from bot.delivery.channel_buckets import MessageBucket
from bot.delivery.lanes import LaneKey, Waiting
from bot.delivery.poster import DiscordPoster, EarlierAttempt, pack_nonce
from bot.delivery.retries import DeliveryFailed
from bot.delivery.routing import route_result
from bot.domain.clock import now_ms
from bot.domain.records import Delivery, DeliveryPack, SessionRecord
from bot.domain.server_records import Follow, FollowState, GuildSettings
from bot.language.catalogue import Words
from bot.rendering.results import (
    EMBEDS_PER_MESSAGE,
    joins_message,
    packed_result_embed,
    result_embed,
    shown_session,
)
from bot.rendering.timelines import timeline_embed, timeline_follow, timeline_view
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
        *,
        per_message: int = EMBEDS_PER_MESSAGE,
    ) -> None:
        """``per_message``: results in one message at most (1: one message each, no packing)."""
        self._poster = poster
        self._store = store
        self._following = following
        self._alerts = alerts
        self._per_message = per_message

    async def _settings(self, session: SessionRecord) -> GuildSettings | None:
        guild_id = session.origin.guild_id
        return None if guild_id is None else await self._store.guild_settings(guild_id)

    async def lane_of(self, delivery: Delivery, session: SessionRecord) -> LaneKey:
        route = route_result(session, await self._settings(session))
        if route is None:
            raise DeliveryFailed("the session has no channel to post in", permanent=True)
        if session.follow_id is not None:
            follow = await self._follow(session.follow_id)
            if follow.timeline_message_id is not None and follow.timeline_channel_id is not None:
                return LaneKey(follow.timeline_channel_id, MessageBucket.EDIT)
        return LaneKey(route.channel_id, MessageBucket.CREATE)

    def _words(self, session: SessionRecord) -> Words:
        return self._poster.guild_words(session.origin.guild_id)

    def choose(self, waiting: Sequence[Waiting]) -> list[Waiting]:
        first = waiting[0].session
        if first.follow_id is not None:
            return [w for w in waiting if w.session.follow_id == first.follow_id]
        chosen: list[Waiting] = []
        embeds: list[discord.Embed] = []
        for candidate in waiting:
            if candidate.session.follow_id is not None:
                continue
            # Measured as it will be posted: in its server's language.
            embed = packed_result_embed(candidate.session, words=self._words(candidate.session))
            if joins_message(embeds, embed, self._per_message):
                chosen.append(candidate)
                embeds.append(embed)
            elif len(embeds) == self._per_message:
                break
        return chosen

    async def deliver_pack(self, pack: DeliveryPack, sessions: Sequence[SessionRecord]) -> int:
        settings = await self._settings(sessions[0])
        follow_id = sessions[0].follow_id
        if follow_id is not None:
            channel_id, message_id = await self._timeline(pack, sessions, follow_id, settings)
        else:
            channel_id, message_id = pack.channel_id, await self._results(pack, sessions, settings)
        if self._alerts is not None:
            # An alert that went out while this post was failing gets its link now.
            for session in sessions:
                await self._alerts.link_result(session, settings, channel_id, message_id)
        return message_id

    async def _results(
        self, pack: DeliveryPack, sessions: Sequence[SessionRecord], settings: GuildSettings | None
    ) -> int:
        convo_ids = {session.convo_id for session in sessions}

        def shows(message: discord.Message) -> bool:
            return any(shown_session(embed) in convo_ids for embed in message.embeds)

        content, reply_to = None, None
        words = self._words(sessions[0])  # a pack is one channel's, so one server's
        embeds = [packed_result_embed(session, words=words) for session in sessions]
        if len(sessions) == 1:
            embeds = [result_embed(sessions[0], words=words)]
            route = route_result(sessions[0], settings)
            if route is not None and route.channel_id == pack.channel_id:
                content, reply_to = route.link, route.reply_to
        return await self._poster.send(
            pack.channel_id,
            embeds=embeds,
            content=content,
            reply_to=reply_to,
            nonce=pack_nonce(pack),
            earlier=EarlierAttempt(pack.created_at_ms, shows),
        )

    async def _follow(self, follow_id: int) -> Follow:
        follow = await self._store.get_follow(follow_id)
        if follow is None:
            raise DeliveryFailed("the follow is gone", permanent=True)
        return follow

    async def _timeline(
        self,
        pack: DeliveryPack,
        sessions: Sequence[SessionRecord],
        follow_id: int,
        settings: GuildSettings | None,
    ) -> tuple[int, int]:
        """Edit the follow's one message to its latest state; post it the first time. Returns
        where it is."""
        if self._following is not None:
            for session in sessions:
                await self._following.note_result(session)
        follow = await self._follow(follow_id)
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
        route = route_result(sessions[-1], settings)
        if route is None:
            raise DeliveryFailed("the session has no channel to post in", permanent=True)

        def shows(message: discord.Message) -> bool:
            return any(timeline_follow(embed) == follow_id for embed in message.embeds)

        try:
            message_id = await self._poster.send(
                route.channel_id,
                embeds=[embed],
                view=view,
                content=route.link,
                reply_to=route.reply_to,
                nonce=pack_nonce(pack),
                earlier=EarlierAttempt(pack.created_at_ms, shows),
            )
        except DeliveryFailed as failure:
            if isinstance(failure.__cause__, discord.Forbidden | discord.NotFound):
                # The channel is gone or closed to the bot: sampling on would call Chatsight
                # for results nobody can see.
                reason = "the bot lost access to the channel"
                await self._store.end_follow(follow.id, FollowState.ENDED, reason, now_ms())
            raise
        await self._store.set_timeline_message(follow.id, route.channel_id, message_id)
        return route.channel_id, message_id

    async def _render(self, follow: Follow) -> tuple[discord.Embed, discord.ui.View | None]:
        samples = await self._store.follow_sessions(follow.id)
        words = self._poster.guild_words(follow.origin.guild_id)
        return timeline_embed(follow, samples, words=words), timeline_view(follow, words=words)

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
