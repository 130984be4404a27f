"""ChatsightBot: the discord.py client that carries the tagging core in its own event loop.

``setup_hook`` opens the store and the HTTP session, builds the services, starts the webhook
receiver, the delivery worker, the monitor and the follow scheduler, loads the extensions and
syncs the slash commands; ``close`` stops intake first and closes the store last, so no accepted
result is lost on Ctrl-C or SIGTERM.

The Message Content intent is asked for only when the application has it, and given up when
Discord refuses it anyway (bot/app/gateway_intents.py). discord.py closes the client before it
raises such a refusal out of ``connect``: while the bot may reconnect, that close ends only the
shards, and the core, the HTTP session and the extensions go on.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Coroutine, Sequence
from typing import Any

import discord
from discord.ext import commands

from bot.app import client_options
from bot.app.background import BackgroundTasks
from bot.app.command_words import CatalogueTranslator, command_ids
from bot.app.core import TaggingCore
from bot.app.discord_api import adopt_gateway
from bot.app.discord_delivery import discord_delivery
from bot.app.gateway_intents import (
    drop_content_intent,
    forget_queued_events,
    has_content_flag,
    reconnect_without_content,
    waiting_line,
)
from bot.app.identify import IdentifySchedule
from bot.app.logsetup import SecretMaskingFilter
from bot.app.tree import ChatsightTree
from bot.chatsight.tag_list import PublishedTags
from bot.config import Settings
from bot.delivery.alert_repings import AlertRepings
from bot.delivery.digests import WeeklyDigests
from bot.delivery.poster import DiscordPoster
from bot.delivery.result_sink import DiscordResultSink
from bot.domain.clock import Clock, now_ms
from bot.domain.convo_ids import ConvoIds
from bot.language.catalogue import know_commands
from bot.observability import metrics
from bot.server.admission import AutomaticSlots, TagGate
from bot.server.alert_acknowledgement import AlertAcknowledgement
from bot.server.autotag import AutoTagger
from bot.server.channel_tagging import ChannelTagging
from bot.server.digest_config import DigestConfig
from bot.server.discovery import Discovery
from bot.server.following import Following
from bot.server.guild_config import GuildConfig
from bot.server.history import TagHistory
from bot.server.radar import TagRadar
from bot.server.subscriptions import TagSubscriptions
from bot.server.upkeep import ServerUpkeep

log = logging.getLogger(__name__)

# The longest a start waits for the gateway's servers before posting (guilds_known).
GUILDS_WAIT_S = 15.0

EXTENSIONS = (
    "cogs.tagging",
    "cogs.config",
    "cogs.autotag",
    "cogs.alerts",
    "cogs.history",
    "cogs.radar",
    "cogs.server_access",
)


class ChatsightBot(commands.AutoShardedBot):
    def __init__(
        self,
        settings: Settings,
        *,
        masking: SecretMaskingFilter | None = None,
        run_core: bool = True,
        extensions: Sequence[str] = EXTENSIONS,
        monitor_interval_s: float | None = None,
        guild_ready_timeout: float = 2.0,
        clock: Clock = now_ms,
    ) -> None:
        """``clock``: the time the weekly digest keeps; tests move it to the digest's hour."""
        pacer, tracing = client_options.pacing(settings)
        super().__init__(
            command_prefix=commands.when_mentioned,
            help_command=None,
            intents=client_options.bot_intents(settings.message_content_intent),
            allowed_mentions=discord.AllowedMentions.none(),
            tree_cls=ChatsightTree,
            # How long discord.py waits for more GUILD_CREATEs before on_ready; tests lower it.
            guild_ready_timeout=guild_ready_timeout,
            **client_options.sharding(settings),
            **tracing,
        )
        self.settings = settings
        self.pacer = pacer
        self._run_core = run_core
        self._extensions = extensions
        self._tasks = BackgroundTasks()
        self._shards_seen: set[int] = set()
        self.core = TaggingCore(
            settings,
            serve_webhooks=settings.serve_webhooks,
            # Often enough that an overdue session waits at most half its poll delay more.
            monitor_interval_s=monitor_interval_s or min(30.0, settings.poll_after_seconds / 2),
            masking=masking,
        )
        self.tagging: ChannelTagging
        self.following: Following
        self.autotagger: AutoTagger
        self.guild_config: GuildConfig
        self.published_tags: PublishedTags | None = None
        self.discovery: Discovery
        self.acknowledgement: AlertAcknowledgement
        self.upkeep: ServerUpkeep
        self.results: DiscordResultSink
        self.subscriptions: TagSubscriptions
        self.radar: TagRadar
        self.history: TagHistory
        self.digests: WeeklyDigests
        self.repings: AlertRepings
        self.digest_config: DigestConfig
        self._clock = clock
        self._identify: IdentifySchedule | None = None
        self._connecting: asyncio.Task[None] | None = None

    @property
    def content_intent(self) -> bool:
        return self.intents.message_content

    async def setup_hook(self) -> None:
        await adopt_gateway(self.http)
        self._ask_only_for_granted_intents()
        if self._run_core:
            await self._start_core()
            limits = await self.fetch_session_start_limits()
            self._identify = IdentifySchedule(
                self.core.store,
                limits.max_concurrency,
                spacing_ms=int(self.settings.identify_spacing_seconds * 1000),
            )
        for extension in self._extensions:
            await self.load_extension(extension)
        await self.tree.set_translator(CatalogueTranslator())
        await self.sync_commands()

    async def _start_core(self) -> None:
        await self.core.open()
        store = self.core.store
        assert self.application_id is not None, "setup_hook runs after login"
        convo_ids = ConvoIds(self.application_id)
        gate = TagGate(
            store,
            cooldown_s=self.settings.tag_cooldown_seconds,
            guild_cap=self.settings.guild_session_cap,
        )
        self.following = Following(
            store,
            self.core.service,
            convo_ids,
            minute_s=self.settings.follow_minute_seconds,
            max_duration_s=self.settings.follow_max_seconds,
            on_ended=lambda follow_id: self.results.refresh_timeline(follow_id),
            # Announcements wait for a slot at most their dedupe window.
            slots=AutomaticSlots(store, gate, wait_limit_s=self.settings.autotag_window_seconds),
        )
        self.tagging = ChannelTagging(self.core.service, gate, self.following, convo_ids)
        self.autotagger = AutoTagger(
            store,
            self.following,
            window_s=self.settings.autotag_window_seconds,
        )
        self.guild_config = GuildConfig(store)
        self.published_tags = PublishedTags(self.core.http, self.settings.chatsight_taglist_url)
        self.discovery = Discovery(store, self.published_tags)
        self.acknowledgement = AlertAcknowledgement(store)
        self.upkeep = ServerUpkeep(store)
        self.subscriptions = TagSubscriptions(store)
        self.radar = TagRadar(store, self.guild_config)
        # Every process's requests from one budget, kept in the database they share.
        self.pacer.budget.share_through(store)
        delivery = discord_delivery(
            self, store, self.following, self.published_tags, self.settings, self.pacer
        )
        self.results, self.repings = delivery.results, delivery.repings
        await self.core.serve(
            delivery.sinks,
            packs=self.results,
            pacer=self.pacer,
            deliver_after=self.guilds_known,
        )
        self._tasks.keep_running(self.following.run, "follow-scheduler")
        self._tasks.keep_running(self.autotagger.run, "held-announcements")
        self._tasks.keep_running(self._after_guilds(self.repings.run), "alert-repings")
        self._start_digests()
        if self.core.server is not None:
            log.info("webhook receiver listening on port %s", self.core.server.port)

    def _ask_only_for_granted_intents(self) -> None:
        """Before the first IDENTIFY; logging in read the application, its flags included."""
        if not self.content_intent:
            log.warning("auto-tagging is off: DISCORD_MESSAGE_CONTENT=false")
        elif self.application is not None and not has_content_flag(self.application.flags):
            drop_content_intent(self)
            log.warning(waiting_line("this bot's application does not have it"))

    def _start_digests(self) -> None:
        """History by tag, and the weekly digests with their own poster on the digest's clock."""
        store = self.core.store
        self.history = TagHistory(store)
        poster = DiscordPoster.configured(self, self.pacer, self.settings, clock=self._clock)
        self.digests = WeeklyDigests(store, poster, clock=self._clock)
        self.digest_config = DigestConfig(store, clock=self._clock, on_change=self.digests.wake)
        self._tasks.keep_running(self._after_guilds(self.digests.run), "weekly-digests")

    async def guilds_known(self) -> None:
        """Until the gateway has sent every server (GUILD_CREATE carries its preferred locale),
        so what falls due at a start (results taken while down, a digest) reads in its server's
        language (bot/delivery/guild_words.py); at most GUILDS_WAIT_S, since posting needs REST
        only and a gateway that does not come must not hold results back."""
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(GUILDS_WAIT_S):
                await self.wait_until_ready()

    def _after_guilds(
        self, loop: Callable[[], Coroutine[Any, Any, None]]
    ) -> Callable[[], Coroutine[Any, Any, None]]:
        async def started() -> None:
            await self.guilds_known()
            await loop()

        return started

    async def before_identify_hook(self, shard_id: int | None, *, initial: bool = False) -> None:
        """Space IDENTIFYs per concurrency bucket across every process of this bot (the store
        keeps the schedule), instead of discord.py's 5 s between this process's own shards."""
        if self._identify is None:
            await super().before_identify_hook(shard_id, initial=initial)
            return
        await self._identify.wait_turn(shard_id or 0)

    async def sync_commands(self) -> int:
        """To the development guild when one is set (instant), else globally; then the
        messages that name a command mention it, shown in each reader's language."""
        if self.settings.dev_guild_id is not None:
            guild = discord.Object(id=self.settings.dev_guild_id)
            self.tree.copy_global_to(guild=guild)
            synced = await self.tree.sync(guild=guild)
            where = f"guild {self.settings.dev_guild_id}"
        else:
            synced = await self.tree.sync()
            where = "all guilds"
        log.info("synced %d application commands to %s", len(synced), where)
        know_commands(command_ids(synced))
        return len(synced)

    async def on_ready(self) -> None:
        log.info("logged in as %s in %d guilds", self.user, len(self.guilds))

    async def on_shard_connect(self, shard_id: int) -> None:
        """A READY: a shard's first session, or a new one after its old one was lost."""
        if shard_id in self._shards_seen:
            metrics.GATEWAY_RECONNECTS.inc()
        self._shards_seen.add(shard_id)

    async def on_shard_resumed(self, shard_id: int) -> None:
        metrics.GATEWAY_RECONNECTS.inc()

    async def connect(self, *, reconnect: bool = True) -> None:
        """discord.py's, again without the Message Content intent after Discord refused it."""
        self._connecting = asyncio.current_task()
        try:
            while True:
                try:
                    await super().connect(reconnect=reconnect)
                    return
                except discord.PrivilegedIntentsRequired:
                    if not reconnect_without_content(self):
                        raise
        finally:
            self._connecting = None
            if not self.is_closed():  # ended by discord.py, which closed the shards only
                await self.close()

    async def close(self) -> None:
        if self._connecting is not None and asyncio.current_task() is self._connecting:
            # discord.py, inside connect(), before it raises: connect() decides what ends.
            for shard in self.shards.values():
                await shard.disconnect()
            forget_queued_events(self)
            return
        if self._run_core:
            await self._tasks.stop()
            if self.published_tags is not None:
                await self.published_tags.close()  # its fetch uses the core's HTTP session
            await self.core.stop()
        await super().close()
