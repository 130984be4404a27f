"""The bot's connection or process going away mid-session: the result still arrives, once."""

from __future__ import annotations

import asyncio
from pathlib import Path

from bot.domain.records import Delivery, DeliveryKind, DeliveryState
from standins.discord import StoredMessage
from tests.bot_e2e.harness import running_world
from tests.bot_e2e.tag_steps import TAGS_TITLE, session_of, started, tag, titled

STREAM = "https://streams.example/live?tags=Fun,Relaxed"
STALL_S = 3.0


async def test_a_dropped_gateway_loses_neither_the_result_nor_a_command(tmp_path: Path) -> None:
    async with running_world(tmp_path) as world:
        world.sim.faults.stick_next_session("running")
        first = session_of(await started(world, await tag(world, STREAM)))

        await world.emu.drop_gateway(world.app.user_id)
        # Sent while the bot is away: Discord keeps the event and replays it on RESUME.
        during = await tag(world, "https://streams.example/other?tags=Music", user=world.moderator)
        await world.emu.wait_until_ready(world.app.user_id)
        await world.sim.finish(first)

        second = session_of(await started(world, during))

        def both() -> list[StoredMessage] | None:
            found = titled(world, TAGS_TITLE)
            return found if len(found) >= 2 else None

        results = await world.emu.wait_for(both)
        by_session = {session_of(m): m.data["embeds"][0]["description"] for m in results}
        assert by_session == {first: "Fun, Relaxed", second: "Music"}
        assert len(titled(world, TAGS_TITLE)) == 2


async def test_an_answer_discord_never_sends_does_not_hold_the_result(tmp_path: Path) -> None:
    """Discord made the result's message, but its answer is lost: the post gives up after its
    timeout instead of discord.py's 300 s, and goes again with the same nonce, which Discord
    answers with the message it made. One message; the row settled long before the answer."""
    async with running_world(tmp_path, discord_request_timeout_seconds=0.5) as world:
        world.sim.faults.stick_next_session("running")
        session = session_of(await started(world, await tag(world, STREAM)))
        posts = "POST /channels/*/messages"
        world.emu.inject_stall(posts, seconds=STALL_S)
        await world.sim.finish(session)

        store = world.running.core.store

        async def result_row() -> Delivery:
            rows = await store.deliveries_for(session)
            return next(r for r in rows if r.kind is DeliveryKind.RESULT)

        async with asyncio.timeout(STALL_S):  # settled while the lost answer is still held
            while (await result_row()).state is not DeliveryState.DELIVERED:
                await asyncio.sleep(0.05)
        first, again = world.emu.requests(posts)
        assert (first.fault, again.fault, again.status) == ("stalled", None, 200)
        [result] = titled(world, TAGS_TITLE)
        assert session_of(result) == session
        assert (await result_row()).message_id == int(result.data["id"])


async def test_a_restart_between_tag_and_webhook_delivers_once(tmp_path: Path) -> None:
    async with running_world(tmp_path) as world:
        world.sim.faults.stick_next_session("running")
        session = session_of(await started(world, await tag(world, STREAM)))

        await world.restart_bot()
        # Chatsight's webhook reaches the new process: the listener's port is configured.
        await world.sim.finish(session)
        [attempt] = await world.sim.wait_for_webhooks(1)
        assert attempt.delivered
        result = await world.wait_for_embed(TAGS_TITLE)
        assert session_of(result) == session
        assert len(titled(world, TAGS_TITLE)) == 1


async def test_a_webhook_lost_while_down_is_recovered_by_polling(tmp_path: Path) -> None:
    async with running_world(tmp_path, poll_after_seconds=0.3) as world:
        world.sim.faults.stick_next_session("running")
        session = session_of(await started(world, await tag(world, STREAM)))

        await world.stop_bot()
        await world.sim.finish(session)  # nobody listens: the one webhook is lost
        [attempt] = await world.sim.wait_for_webhooks(1)
        assert not attempt.delivered
        await world.start_bot()

        result = await world.wait_for_embed(TAGS_TITLE)
        assert session_of(result) == session
        assert result.data["embeds"][0]["description"] == "Fun, Relaxed"
        assert world.sim.requests_to("/stream", "GET")
        assert len(titled(world, TAGS_TITLE)) == 1
