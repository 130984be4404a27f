"""The emulator's answers against Discord's official OpenAPI schemas, over raw HTTP."""

from __future__ import annotations

from standins.discord import DiscordEmulator
from tests.discord_emulator.emu_helpers import (
    World,
    raw_request,
    validate_component,
    validate_response,
)


async def test_login_routes_match_the_spec(emulator: DiscordEmulator, world: World) -> None:
    token = world.bot.token
    me = await raw_request("GET", f"{emulator.api_base}/users/@me", token=token)
    assert me.status == 200
    assert me.headers["Content-Type"] == "application/json"
    validate_response("GET", "/users/@me", 200, me.body)
    assert me.body["id"] == str(world.bot.user_id) and me.body["bot"] is True

    for path in ("/oauth2/applications/@me", "/applications/@me"):
        app = await raw_request("GET", emulator.api_base + path, token=token)
        validate_response("GET", path, 200, app.body)
        assert app.body["id"] == str(world.bot.application_id)

    gateway = await raw_request("GET", f"{emulator.api_base}/gateway/bot", token=token)
    validate_response("GET", "/gateway/bot", 200, gateway.body)
    assert gateway.body["url"] == emulator.gateway_url and gateway.body["shards"] == 1


async def test_bad_token_is_401_with_discords_body(emulator: DiscordEmulator, world: World) -> None:
    answer = await raw_request("GET", f"{emulator.api_base}/users/@me", token="nope")
    assert answer.status == 401
    assert answer.body == {"message": "401: Unauthorized", "code": 0}
    validate_component("ErrorResponse", answer.body)


async def test_every_answer_has_ratelimit_headers(emulator: DiscordEmulator, world: World) -> None:
    answer = await raw_request(
        "GET", f"{emulator.api_base}/channels/{world.general}", token=world.bot.token
    )
    assert answer.status == 200
    for header in (
        "X-RateLimit-Limit",
        "X-RateLimit-Remaining",
        "X-RateLimit-Reset",
        "X-RateLimit-Reset-After",
        "X-RateLimit-Bucket",
    ):
        assert header in answer.headers
    validate_response("GET", "/channels/{channel_id}", 200, answer.body)


async def test_message_and_command_answers_match_the_spec(
    emulator: DiscordEmulator, world: World
) -> None:
    base, token = emulator.api_base, world.bot.token
    created = await raw_request(
        "POST",
        f"{base}/channels/{world.general}/messages",
        token=token,
        json_body={
            "content": f"hi <@{world.alice}>",
            "nonce": "n1",
            "enforce_nonce": True,
            "embeds": [{"title": "t", "fields": [{"name": "a", "value": "b"}]}],
            "components": [
                {
                    "type": 1,
                    "components": [{"type": 2, "style": 1, "label": "Go", "custom_id": "go"}],
                }
            ],
        },
    )
    assert created.status == 200, created.body
    validate_response("POST", "/channels/{channel_id}/messages", 200, created.body)
    assert created.body["embeds"][0]["type"] == "rich"
    assert created.body["embeds"][0]["fields"][0]["inline"] is False
    assert created.body["nonce"] == "n1"
    message_id = created.body["id"]

    react = await raw_request(
        "PUT",
        f"{base}/channels/{world.general}/messages/{message_id}/reactions/%F0%9F%91%8D/@me",
        token=token,
    )
    assert react.status == 204
    fetched = await raw_request(
        "GET", f"{base}/channels/{world.general}/messages/{message_id}", token=token
    )
    validate_response("GET", "/channels/{channel_id}/messages/{message_id}", 200, fetched.body)
    assert fetched.body["reactions"][0]["emoji"]["name"] == "\N{THUMBS UP SIGN}"
    assert fetched.body["reactions"][0]["me"] is True

    commands = [
        {
            "name": "tag",
            "description": "Tag a stream",
            "type": 1,
            "options": [
                {"type": 3, "name": "url", "description": "The stream", "required": True},
                {"type": 7, "name": "channel", "description": "Where", "required": False},
            ],
        },
        {"name": "Tag this", "type": 3, "description": ""},
    ]
    put = await raw_request(
        "PUT",
        f"{base}/applications/{world.bot.application_id}/commands",
        token=token,
        json_body=commands,
    )
    assert put.status == 200, put.body
    validate_response("PUT", "/applications/{application_id}/commands", 200, put.body)
    guild_put = await raw_request(
        "PUT",
        f"{base}/applications/{world.bot.application_id}/guilds/{world.guild}/commands",
        token=token,
        json_body=commands[:1],
    )
    validate_response(
        "PUT", "/applications/{application_id}/guilds/{guild_id}/commands", 200, guild_put.body
    )
    listed = await raw_request(
        "GET", f"{base}/applications/{world.bot.application_id}/commands", token=token
    )
    assert [c["id"] for c in listed.body] == [c["id"] for c in put.body]


async def test_interaction_callback_answers_match_the_spec(
    emulator: DiscordEmulator, world: World
) -> None:
    base = emulator.api_base
    emulator.state.commands[(world.bot.application_id, None)] = [
        {"id": "1", "name": "ping", "type": 1, "description": "p", "options": []}
    ]
    interaction = await emulator.send_slash_command(world.guild, world.general, world.alice, "ping")
    url = f"{base}/interactions/{interaction.id}/{interaction.token}/callback?with_response=true"
    answer = await raw_request("POST", url, json_body={"type": 4, "data": {"content": "pong"}})
    assert answer.status == 200, answer.body
    validate_response(
        "POST", "/interactions/{interaction_id}/{interaction_token}/callback", 200, answer.body
    )
    message = answer.body["resource"]["message"]
    assert message["interaction_metadata"]["user"]["id"] == str(world.alice)
    assert message["type"] == 20

    again = await raw_request("POST", url, json_body={"type": 4, "data": {"content": "x"}})
    assert again.status == 400 and again.body["code"] == 40060

    followup = await raw_request(
        "POST",
        f"{base}/webhooks/{world.bot.application_id}/{interaction.token}?wait=true",
        json_body={"content": "more", "flags": 64},
    )
    validate_response("POST", "/webhooks/{webhook_id}/{webhook_token}", 200, followup.body)
    assert followup.body["flags"] & 64
    edited = await raw_request(
        "PATCH",
        f"{base}/webhooks/{world.bot.application_id}/{interaction.token}/messages/@original",
        json_body={"content": "pong!"},
    )
    validate_response(
        "PATCH", "/webhooks/{webhook_id}/{webhook_token}/messages/@original", 200, edited.body
    )
    assert edited.body["edited_timestamp"] is not None


async def test_error_and_ratelimit_bodies_match_the_spec(
    emulator: DiscordEmulator, world: World
) -> None:
    url = f"{emulator.api_base}/channels/{world.general}/messages"
    too_long = await raw_request(
        "POST", url, token=world.bot.token, json_body={"content": "x" * 2001}
    )
    assert too_long.status == 400
    assert too_long.body == {
        "message": "Invalid Form Body",
        "code": 50035,
        "errors": {
            "content": {
                "_errors": [
                    {"code": "BASE_TYPE_MAX_LENGTH", "message": "Must be 2000 or fewer in length."}
                ]
            }
        },
    }
    validate_component("ErrorResponse", too_long.body)

    emulator.inject_ratelimit("POST /channels/*/messages", retry_after=0.25, is_global=True)
    limited = await raw_request("POST", url, token=world.bot.token, json_body={"content": "x"})
    assert limited.status == 429
    validate_component("RatelimitedResponse", limited.body)
    assert limited.body == {
        "message": "You are being rate limited.",
        "retry_after": 0.25,
        "global": True,
    }
    assert limited.headers["Via"] == "1.1 google"
    assert limited.headers["X-RateLimit-Global"] == "true"
    assert limited.headers["X-RateLimit-Scope"] == "global"
    assert "Retry-After" in limited.headers
