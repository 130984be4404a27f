"""The Discord side of delivery, wired once: the sink for each kind of outbox row, the result
packs and the alert re-pings, all posting through one poster so they spend one pacing."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import discord

from bot.chatsight.tag_list import PublishedTags
from bot.config import Settings
from bot.delivery.alert_repings import AlertRepings
from bot.delivery.alert_sink import DiscordAlertSink
from bot.delivery.pacing import Pacer
from bot.delivery.poster import DiscordPoster
from bot.delivery.radar_sink import RadarSink
from bot.delivery.result_sink import DiscordResultSink
from bot.delivery.subscription_sink import DiscordSubscriptionSink
from bot.delivery.worker import ResultSink
from bot.domain.records import DeliveryKind
from bot.rendering.results import EMBEDS_PER_MESSAGE
from bot.server.following import Following
from bot.store import Store


@dataclass(frozen=True)
class DiscordDelivery:
    results: DiscordResultSink  # results in packs, and follow timelines
    sinks: Mapping[str, ResultSink]  # every other kind of row
    repings: AlertRepings


def discord_delivery(
    client: discord.Client,
    store: Store,
    following: Following,
    published_tags: PublishedTags,
    settings: Settings,
    pacer: Pacer,
) -> DiscordDelivery:
    poster = DiscordPoster.configured(client, pacer, settings)
    repings = AlertRepings(store, poster)
    alerts = DiscordAlertSink(
        poster, store, minute_s=settings.follow_minute_seconds, on_raised=repings.wake
    )
    results = DiscordResultSink(
        poster,
        store,
        following,
        alerts,
        per_message=EMBEDS_PER_MESSAGE if settings.pace_and_pack else 1,
    )
    sinks: dict[str, ResultSink] = {
        DeliveryKind.ALERT: alerts,
        DeliveryKind.SUBSCRIPTION: DiscordSubscriptionSink(poster, store),
        DeliveryKind.RADAR: RadarSink(store, published_tags),
    }
    return DiscordDelivery(results, sinks, repings)
