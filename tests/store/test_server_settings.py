"""Server settings and watched channels; an edit is applied to what is stored, atomically."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import replace

import pytest

from bot.domain.refusals import TooManyAlertTags
from bot.domain.server_records import GuildSettings
from bot.server.guild_config import MAX_ALERT_TAGS, GuildConfig
from bot.store import Store


async def test_a_server_without_settings_has_the_defaults(store: Store) -> None:
    assert await store.guild_settings(1) == GuildSettings(1)
    assert await store.autotag_channels(1) == ()


async def test_an_edit_saves_what_its_change_returns(store: Store) -> None:
    await store.set_autotag_channel(1, 100, True, 0)
    saved = await store.update_guild_settings(
        1,
        lambda current: replace(
            current,
            results_channel_id=5,
            seed="chess",
            alert_channel_id=6,
            alert_role_id=7,
            alert_tags=("Violence", "Gambling"),
            alert_undocumented=True,
            alert_errors=True,
            autotag_interval_minutes=30,
            alert_hits=3,
            alert_samples=5,
            alert_reping_minutes=20,
            announced_tags=(("Chess", ("Chess", "Board games")), ("Just Chatting", ("Talk",))),
        ),
        1_000,
    )
    expected = GuildSettings(
        1,
        5,
        "chess",
        6,
        7,
        ("Violence", "Gambling"),
        True,
        True,
        30,
        3,
        5,
        20,
        (("Chess", ("Chess", "Board games")), ("Just Chatting", ("Talk",))),
        (100,),
    )
    assert saved == expected
    assert await store.guild_settings(1) == expected
    assert await store.guild_settings(2) == GuildSettings(2)


async def test_watched_channels_change_one_at_a_time(store: Store) -> None:
    assert await store.set_autotag_channel(1, 100, True, 1)
    assert await store.set_autotag_channel(1, 101, True, 2)
    assert not await store.set_autotag_channel(1, 100, True, 3)  # already watched
    assert await store.autotag_channels(1) == (100, 101)
    assert await store.watched_since(1) == {100: 1, 101: 2}  # watched again keeps its start
    assert await store.watched_since(2) == {}
    assert await store.is_autotag_channel(1, 101)
    assert not await store.is_autotag_channel(2, 101)
    assert await store.set_autotag_channel(1, 100, False, 4)
    assert not await store.set_autotag_channel(1, 100, False, 5)
    assert (await store.guild_settings(1)).autotag_channel_ids == (101,)


async def test_concurrent_edits_all_land(store: Store) -> None:
    """Each change sees the one before it; none is lost to a stale read."""

    def add(tag: str) -> Callable[[GuildSettings], GuildSettings]:
        return lambda current: replace(current, alert_tags=(*current.alert_tags, tag))

    await asyncio.gather(*(store.update_guild_settings(1, add(f"T{i}"), i) for i in range(20)))
    assert sorted((await store.guild_settings(1)).alert_tags) == sorted(f"T{i}" for i in range(20))


async def test_concurrent_alert_tag_additions_all_land(store: Store) -> None:
    config = GuildConfig(store)
    await asyncio.gather(*(config.change_alert_tags(1, f"Tag{i}", add=True) for i in range(20)))
    tags = (await config.get(1)).alert_tags
    assert sorted(tags) == sorted(f"Tag{i}" for i in range(20))


async def test_concurrent_edits_of_different_fields_keep_each_other(store: Store) -> None:
    config = GuildConfig(store)
    await asyncio.gather(
        config.set_seed(1, "a chess stream"),
        config.set_alert_channel(1, 9),
        config.set_alert_role(1, 8),
        config.set_interval(1, 15),
        config.set_alert_switch(1, "alert_errors", True),
        config.change_alert_tags(1, "Violence", add=True),
    )
    assert await config.get(1) == GuildSettings(
        1,
        seed="a chess stream",
        alert_channel_id=9,
        alert_role_id=8,
        alert_tags=("Violence",),
        alert_errors=True,
        autotag_interval_minutes=15,
    )


async def test_a_refused_edit_writes_nothing_and_fails_no_other_write(store: Store) -> None:
    """Queued together, so on SQLite they share one group commit (test_sqlite_writer.py)."""
    config = GuildConfig(store)
    full = ", ".join(f"T{i}" for i in range(MAX_ALERT_TAGS))
    await config.change_alert_tags(2, full, add=True)
    before = await config.get(2)
    results = await asyncio.gather(
        config.set_seed(1, "first"),
        config.change_alert_tags(2, "One too many", add=True),
        store.add_shared_secret("s", 1),
        config.set_interval(3, 20),
        return_exceptions=True,
    )
    assert isinstance(results[1], TooManyAlertTags)
    assert results[1].limit == MAX_ALERT_TAGS
    assert await config.get(2) == before
    assert (await config.get(1)).seed == "first"
    assert (await config.get(3)).autotag_interval_minutes == 20
    assert await store.shared_secrets() == [("s", 1)]


async def test_an_edit_may_not_change_the_watched_channels(store: Store) -> None:
    await store.set_autotag_channel(1, 100, True, 0)
    with pytest.raises(ValueError, match="channels"):
        await store.update_guild_settings(
            1, lambda current: replace(current, seed="x", autotag_channel_ids=()), 1
        )
    assert await store.guild_settings(1) == GuildSettings(1, autotag_channel_ids=(100,))


async def test_configuration_round_trip(store: Store) -> None:
    config = GuildConfig(store)
    await config.watch_channel(1, 100, True)
    await config.watch_channel(1, 101, True)
    await config.watch_channel(1, 100, False)
    await config.change_alert_tags(1, "Violence, gambling", add=True)
    await config.change_alert_tags(1, "VIOLENCE", add=True)
    settings = await config.change_alert_tags(1, "Gambling", add=False)
    assert settings.alert_tags == ("Violence",)
    await config.set_seed(1, "  a chess stream  ")
    await config.set_alert_switch(1, "alert_errors", True)
    settings = await config.get(1)
    assert settings.autotag_channel_ids == (101,)
    assert settings.seed == "a chess stream"
    assert settings.alert_errors
    assert (await config.get(2)) == GuildSettings(2)
