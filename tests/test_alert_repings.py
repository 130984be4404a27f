"""AlertRepings against the real store and the Discord emulator, through unmodified discord.py:
a stop at the moment Discord has the re-ping and the bot has not recorded it hands the re-ping
back at once, and the restart finds the post instead of sending another."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass, replace

import pytest

from bot.delivery.alert_repings import REPING_LATEST_MS, AlertRepings
from bot.delivery.poster import DiscordPoster
from bot.domain.clock import now_ms
from bot.domain.server_records import AlertRecord
from bot.store import Store
from standins.discord import StoredMessage
from tests.delivery_side import BotChannel, bot_in_a_channel, interrupted_after_post, logged_in
from tests.store.tag_requests import request


@dataclass
class Discord(BotChannel):
    alert: StoredMessage

    def repings(self) -> list[StoredMessage]:
        return [m for m in self.emu.messages(self.channel) if m.id != self.alert.id]


@pytest.fixture
async def discord_side() -> AsyncIterator[Discord]:
    async with bot_in_a_channel("alerts") as side:
        alert = await side.emu.post_message(side.channel, side.bot_user, "alert: Violence")
        yield Discord(**vars(side), alert=alert)


async def reping_due(store: Store, side: Discord) -> None:
    """A posted, unacknowledged alert whose re-ping fell due a minute ago."""
    await store.update_guild_settings(
        side.guild, lambda s: replace(s, alert_channel_id=side.channel), 1
    )
    await store.create_session(request("c1", side.channel, side.guild), None)
    alert = AlertRecord("c1", side.guild, side.channel, ("Violence",), now_ms() - 600_000)
    await store.record_alert(
        replace(alert, message_id=side.alert.id, reping_at_ms=now_ms() - 60_000)
    )


async def test_a_stop_just_after_the_reping_hands_it_back_at_once(
    backend_store: Store, discord_side: Discord
) -> None:
    await reping_due(backend_store, discord_side)
    stopped = interrupted_after_post(asyncio.CancelledError)
    async with logged_in(discord_side.token, stopped) as client:
        with pytest.raises(asyncio.CancelledError):
            await AlertRepings(backend_store, DiscordPoster(client)).run_due()
    [posted] = discord_side.repings()

    # The restarted process, well inside the stopped one's lease.
    async with logged_in(discord_side.token) as client:
        assert await AlertRepings(backend_store, DiscordPoster(client)).run_due() == 1
    assert [m.id for m in discord_side.repings()] == [posted.id]
    alert = await backend_store.get_alert("c1")
    assert alert is not None and alert.reping_at_ms is None  # never sent again


async def test_a_reping_that_keeps_failing_is_dropped_once_it_is_too_late(
    backend_store: Store, discord_side: Discord, caplog: pytest.LogCaptureFixture
) -> None:
    """Tried again each lease while Discord does not answer, but not for ever: an hour after it
    fell due it would only wake the moderators for a stream long over."""
    await reping_due(backend_store, discord_side)
    discord_side.emu.inject_ratelimit("POST /channels/*/messages", count=2, retry_after=5)
    async with logged_in(discord_side.token) as client:
        poster = DiscordPoster(client, request_timeout_s=0.2)
        assert await AlertRepings(backend_store, poster).run_due() == 1
        alert = await backend_store.get_alert("c1")
        assert alert is not None and alert.reping_at_ms is not None  # tried again later

        def an_hour_on() -> int:
            return now_ms() + REPING_LATEST_MS

        assert await AlertRepings(backend_store, poster, clock=an_hour_on).run_due() == 1
    alert = await backend_store.get_alert("c1")
    assert alert is not None and alert.reping_at_ms is None
    assert discord_side.repings() == []
    assert "re-ping of alert c1 dropped" in caplog.text
