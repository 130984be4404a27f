"""What other people and Discord itself do to the bot: users running commands and clicking
buttons, users, other bots and webhooks posting, and the faults Discord throws at clients."""

from __future__ import annotations

from typing import Any

from .core import EmulatorCore
from .gateway import HEARTBEAT, RECONNECT
from .interactions import APPLICATION_COMMAND, AUTOCOMPLETE_INTERACTION, MESSAGE_COMPONENT
from .model import JSON, BotApp, Interaction, StoredMessage, User
from .ratelimit import STALLED, Fault
from .serialize import emoji_json


def _custom_ids(components: list[JSON]) -> dict[str, JSON]:
    found: dict[str, JSON] = {}
    for component in components:
        if "custom_id" in component:
            found[component["custom_id"]] = component
        found.update(_custom_ids(component.get("components") or []))
    return found


class ActionControl(EmulatorCore):
    def _bot_in_guild(self, guild_id: int, application_id: int | None) -> BotApp:
        guild = self.state.guild(guild_id)
        bots = [b for b in self.state.bots.values() if b.user_id in guild.members]
        if application_id is not None:
            bots = [b for b in bots if b.application_id == application_id]
        if len(bots) != 1:
            raise ValueError("name the bot: pass application_id= (none or several in the guild)")
        return bots[0]

    async def _dispatch(
        self,
        bot: BotApp,
        kind: int,
        guild_id: int,
        channel_id: int,
        user_id: int,
        data: JSON,
        message: StoredMessage | None = None,
    ) -> Interaction:
        interaction = self.builder.build(
            bot,
            kind=kind,
            guild_id=guild_id,
            channel_id=channel_id,
            user_id=user_id,
            data=data,
            message=message,
        )
        await self.events.interaction(interaction)
        return interaction

    async def send_slash_command(
        self,
        guild_id: int,
        channel_id: int,
        user_id: int,
        name: str,
        options: dict[str, Any] | None = None,
        *,
        application_id: int | None = None,
    ) -> Interaction:
        """Run ``/name`` as ``user_id``; ``name`` may hold a path such as ``"tag live set"``.

        Option values are typed from the registered command; user, role, channel and
        mentionable options take ids and get their ``resolved`` entries.
        """
        bot = self._bot_in_guild(guild_id, application_id)
        data = self.builder.slash_data(bot, guild_id, user_id, name, options or {})
        return await self._dispatch(bot, APPLICATION_COMMAND, guild_id, channel_id, user_id, data)

    async def send_autocomplete(
        self,
        guild_id: int,
        channel_id: int,
        user_id: int,
        name: str,
        options: dict[str, Any],
        focused: str,
        *,
        application_id: int | None = None,
    ) -> Interaction:
        """``user_id`` types into the option ``focused`` of ``/name`` (its value in ``options``
        is what is typed so far); the app answers with choices (callback type 8)."""
        bot = self._bot_in_guild(guild_id, application_id)
        data = self.builder.slash_data(bot, guild_id, user_id, name, options, focused)
        return await self._dispatch(
            bot, AUTOCOMPLETE_INTERACTION, guild_id, channel_id, user_id, data
        )

    async def send_message_command(
        self,
        guild_id: int,
        channel_id: int,
        user_id: int,
        name: str,
        target_message_id: int,
        *,
        application_id: int | None = None,
    ) -> Interaction:
        """Run the message context-menu command ``name`` on a message."""
        bot = self._bot_in_guild(guild_id, application_id)
        target = self.state.message(channel_id, target_message_id)
        data = self.builder.message_command_data(bot, guild_id, name, target)
        return await self._dispatch(bot, APPLICATION_COMMAND, guild_id, channel_id, user_id, data)

    async def click_button(
        self, channel_id: int, message_id: int, user_id: int, custom_id: str
    ) -> Interaction:
        """Click a button of a message; the interaction goes to the app that posted it."""
        message = self.state.message(channel_id, message_id)
        button = _custom_ids(message.data.get("components") or []).get(custom_id)
        if button is None:
            raise ValueError(f"message {message_id} has no component {custom_id!r}")
        application_id = message.data.get("application_id") or message.data["author"]["id"]
        bot = next(
            (
                b
                for b in self.state.bots.values()
                if str(b.application_id) == str(application_id)
                or str(b.user_id) == str(application_id)
            ),
            None,
        )
        if bot is None:
            raise ValueError("the message was not posted by a bot of this emulator")
        data = {"custom_id": custom_id, "component_type": button["type"], "id": button["id"]}
        guild_id = self.state.channel(channel_id).guild_id
        return await self._dispatch(
            bot, MESSAGE_COMPONENT, guild_id, channel_id, user_id, data, message
        )

    async def post_message(
        self,
        channel_id: int,
        author_id: int,
        content: str = "",
        *,
        embeds: list[JSON] | None = None,
        components: list[JSON] | None = None,
        allowed_mentions: JSON | None = None,
        reply_to: int | None = None,
        check_permissions: bool = True,
    ) -> StoredMessage:
        """Post as a user or another bot, with their permissions checked like the bot's."""
        payload: JSON = {"content": content, "embeds": embeds or [], "components": components or []}
        if allowed_mentions is not None:
            payload["allowed_mentions"] = allowed_mentions
        if reply_to is not None:
            payload["message_reference"] = {"message_id": str(reply_to)}
        if check_permissions:
            channel = self.messaging.check_can_send(channel_id, author_id, payload)
        else:
            channel = self.state.channel(channel_id)
        return await self.messaging.create(channel, author_id, payload)

    async def post_webhook_message(
        self, channel_id: int, username: str, content: str = "", *, embeds: list[JSON] | None = None
    ) -> StoredMessage:
        """Post through a channel webhook (its author is a bot-flagged webhook user)."""
        webhook_id = self.state.webhooks.get(username)
        if webhook_id is None:
            webhook_id = self.state.ids.next()
            self.state.users[webhook_id] = User(webhook_id, username, bot=True, webhook=True)
            self.state.webhooks[username] = webhook_id
        payload: JSON = {"content": content, "embeds": embeds or []}
        return await self.messaging.create(
            self.state.channel(channel_id),
            webhook_id,
            payload,
            extra={"webhook_id": str(webhook_id)},
        )

    async def update_message(self, channel_id: int, message_id: int, changes: JSON) -> None:
        """Change a message as Discord itself does (a link preview arriving as ``embeds``)."""
        stored = self.state.message(channel_id, message_id)
        stored.data.update(changes)
        self.state.changed()
        await self.events.message("MESSAGE_UPDATE", stored)

    async def edit_message_as_author(
        self,
        channel_id: int,
        message_id: int,
        *,
        content: str | None = None,
        embeds: list[JSON] | None = None,
    ) -> StoredMessage:
        """Its author edits a message (a notifier editing "LIVE" into its post): Discord's
        checks for an edit, ``edited_timestamp`` set, and MESSAGE_UPDATE."""
        stored = self.state.message(channel_id, message_id)
        changes: JSON = {}
        if content is not None:
            changes["content"] = content
        if embeds is not None:
            changes["embeds"] = embeds
        await self.messaging.edit(stored, changes)
        return stored

    async def react_as(self, channel_id: int, message_id: int, user_id: int, emoji: str) -> None:
        stored = self.state.message(channel_id, message_id)
        users = stored.reactions.setdefault(emoji, [])
        if user_id not in users:
            users.append(user_id)
            self.state.changed()
            await self.events.reaction(stored, user_id, emoji_json(emoji), True)

    # -- faults --------------------------------------------------------------------------

    def inject_ratelimit(
        self,
        pattern: str,
        *,
        count: int = 1,
        retry_after: float = 0.5,
        is_global: bool = False,
        shared: bool = False,
    ) -> None:
        """Answer the next ``count`` requests matching ``pattern`` with a 429.

        ``pattern`` is an fnmatch pattern over ``"METHOD /path"``, the path under /api/v10,
        e.g. ``"POST /channels/*/messages"``. ``is_global`` makes it the global limit's,
        ``shared`` a per-resource one (``X-RateLimit-Scope: shared``, not held against the bot).
        """
        if is_global and shared:
            raise ValueError("a 429 is either global or shared")
        scope = "global" if is_global else "shared" if shared else "user"
        self.limiter.faults.append(Fault(pattern, count, 429, retry_after, scope))

    def inject_stall(self, pattern: str, *, seconds: float, count: int = 1) -> None:
        """Handle the next ``count`` matching requests, but answer each only ``seconds`` later:
        a message is created, while the client hears nothing (an answer lost on its way)."""
        self.limiter.faults.append(Fault(pattern, count, STALLED, stall_s=seconds))

    def inject_server_error(self, pattern: str, *, count: int = 1, status: int = 500) -> None:
        """Answer the next ``count`` matching requests with ``status`` (500, 502, 503...)."""
        self.limiter.faults.append(Fault(pattern, count, status))

    async def drop_gateway(self, bot_user_id: int, *, code: int = 4000) -> None:
        """Close the bot's gateway sockets with a resumable code; events meanwhile are kept."""
        await self.gateway.drop(bot_user_id, code)

    async def invalidate_session(self, bot_user_id: int) -> None:
        """Send op 9 (not resumable): the client must identify again."""
        await self.gateway.invalidate(bot_user_id)

    async def request_heartbeat(self, bot_user_id: int) -> None:
        await self.gateway.send_op(bot_user_id, HEARTBEAT)

    async def request_reconnect(self, bot_user_id: int) -> None:
        await self.gateway.send_op(bot_user_id, RECONNECT)
