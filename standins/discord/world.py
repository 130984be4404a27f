"""Building the world a test needs: bots, users, guilds, roles, channels, members, overwrites.

Changes made while a bot is connected reach it as the gateway events Discord would send
(GUILD_CREATE on joining, CHANNEL_*, GUILD_ROLE_*, GUILD_MEMBER_UPDATE).
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence

from .core import EmulatorCore
from .intents import PORTAL_TOGGLES_ON
from .locales import check_locale
from .model import BotApp, Channel, Guild, Member, Overwrite, Role, User
from .permissions import DEFAULT_EVERYONE
from .threads import THREAD_TYPES


class WorldControl(EmulatorCore):
    def create_user(
        self, username: str, *, bot: bool = False, global_name: str | None = None
    ) -> int:
        user = User(self.state.ids.next(), username, bot=bot, global_name=global_name)
        self.state.users[user.id] = user
        return user.id

    def create_bot(
        self, name: str = "Chatsight", *, token: str | None = None, flags: int = PORTAL_TOGGLES_ON
    ) -> BotApp:
        """A bot user, its application (with an owner user) and its token; by default with the
        Server Members and Message Content intents switched on (intents.py)."""
        user_id = self.create_user(name, bot=True)
        owner_id = self.create_user(f"{name}-owner")
        bot = BotApp(
            user_id=user_id,
            application_id=self.state.ids.next(),
            token=token or f"{secrets.token_urlsafe(18)}.{secrets.token_urlsafe(6)}",
            name=name,
            owner_id=owner_id,
            flags=flags,
            verify_key=secrets.token_hex(32),
        )
        self.state.bots[user_id] = bot
        return bot

    def set_application_flags(self, bot_user_id: int, flags: int) -> None:
        """What the owner's switches in the Developer Portal do: the flags
        ``GET /oauth2/applications/@me`` answers and the gateway's next IDENTIFY is held to."""
        self.state.bots[bot_user_id].flags = flags

    def refuse_intents(self, bot_user_id: int, intents: int) -> None:
        """The gateway refuses these privileged intents (4014) even though the application's
        flags still claim them; 0 lifts it."""
        self.state.bots[bot_user_id].refused_intents = intents

    def create_guild(
        self,
        name: str,
        *,
        owner_id: int | None = None,
        everyone_permissions: int = DEFAULT_EVERYONE,
        shard: Sequence[int] | None = None,
    ) -> int:
        """A guild with its @everyone role (whose id is the guild's, as on Discord).

        ``shard=(shard_id, num_shards)`` picks an id that routes the guild to that shard.
        """
        if shard is None:
            guild_id = self.state.ids.next()
        else:
            shard_id, shard_count = shard
            if not 0 <= shard_id < shard_count:
                raise ValueError(f"no shard {shard_id} among {shard_count}")
            guild_id = self.state.ids.next_on_shard(shard_id, shard_count)
        owner = owner_id if owner_id is not None else self.create_user(f"{name}-owner")
        guild = Guild(guild_id, name, owner)
        self.state.guilds[guild_id] = guild
        self.state.roles[guild_id] = Role(guild_id, guild_id, "@everyone", everyone_permissions)
        guild.role_ids.append(guild_id)
        guild.members[owner] = Member(owner, guild_id)
        return guild_id

    async def create_role(
        self,
        guild_id: int,
        name: str,
        *,
        permissions: int = 0,
        mentionable: bool = False,
        color: int = 0,
    ) -> int:
        guild = self.state.guild(guild_id)
        role = Role(
            self.state.ids.next(),
            guild_id,
            name,
            permissions,
            position=len(guild.role_ids),
            mentionable=mentionable,
            color=color,
        )
        self.state.roles[role.id] = role
        guild.role_ids.append(role.id)
        await self.events.role("GUILD_ROLE_CREATE", role)
        return role.id

    async def update_role(
        self, role_id: int, *, permissions: int | None = None, mentionable: bool | None = None
    ) -> None:
        role = self.state.roles[role_id]
        if permissions is not None:
            role.permissions = permissions
        if mentionable is not None:
            role.mentionable = mentionable
        await self.events.role("GUILD_ROLE_UPDATE", role)

    async def delete_role(self, role_id: int) -> None:
        """As Discord does: the role leaves its guild, every member who held it and every
        channel overwrite naming it. @everyone cannot be deleted."""
        role = self.state.roles[role_id]
        if role_id == role.guild_id:
            raise ValueError("@everyone cannot be deleted")
        guild = self.state.guild(role.guild_id)
        guild.role_ids.remove(role_id)
        for member in guild.members.values():
            if role_id in member.roles:
                member.roles.remove(role_id)
        for channel_id in guild.channel_ids:
            self.state.channels[channel_id].overwrites.pop(role_id, None)
        del self.state.roles[role_id]
        await self.events.role("GUILD_ROLE_DELETE", role)

    async def create_channel(
        self, guild_id: int, name: str, *, type: int = 0, topic: str | None = None
    ) -> int:
        """A text (0), announcement (5) or forum (15) channel; threads: ``create_thread``."""
        if type in THREAD_TYPES:
            raise ValueError("a thread is made with create_thread or create_forum_post")
        guild = self.state.guild(guild_id)
        channel = Channel(
            self.state.ids.next(),
            guild_id,
            name,
            type=type,
            position=len(guild.channel_ids),
            topic=topic,
        )
        self.state.channels[channel.id] = channel
        guild.channel_ids.append(channel.id)
        await self.events.channel("CHANNEL_CREATE", channel)
        return channel.id

    async def set_overwrite(
        self, channel_id: int, target_id: int, *, allow: int = 0, deny: int = 0
    ) -> None:
        """A role overwrite when ``target_id`` is a role of the guild, else a member one."""
        channel = self.state.channel(channel_id)
        role = self.state.roles.get(target_id)
        kind = 0 if role is not None and role.guild_id == channel.guild_id else 1
        channel.overwrites[target_id] = Overwrite(target_id, kind, allow, deny)
        self.state.changed()
        await self.events.channel("CHANNEL_UPDATE", channel)

    async def delete_channel(self, channel_id: int) -> None:
        channel = self.state.channel(channel_id)
        channel.deleted = True
        self.state.changed()
        if channel.thread is not None:
            await self.events.thread("THREAD_DELETE", channel)
        else:
            await self.events.channel("CHANNEL_DELETE", channel)

    async def add_member(
        self,
        guild_id: int,
        user_id: int,
        *,
        roles: list[int] | tuple[int, ...] = (),
        nick: str | None = None,
    ) -> None:
        """Add a member; a bot joining a guild gets its GUILD_CREATE."""
        guild = self.state.guild(guild_id)
        if user_id not in self.state.users:
            raise ValueError(f"unknown user {user_id}")
        guild.members[user_id] = Member(user_id, guild_id, list(roles), nick)
        self.state.changed()
        if user_id in self.state.bots:
            await self.events.guild_joined(guild_id, user_id)

    async def remove_member(self, guild_id: int, user_id: int) -> None:
        """A member leaves or is kicked; a bot removed gets its GUILD_DELETE, and the guild's
        channels answer it 403 (50001) from then on."""
        del self.state.guild(guild_id).members[user_id]
        self.state.changed()
        if user_id in self.state.bots:
            await self.events.guild_left(guild_id, user_id)

    async def set_member_roles(
        self, guild_id: int, user_id: int, roles: list[int] | tuple[int, ...]
    ) -> None:
        self.state.guild(guild_id).members[user_id].roles = list(roles)
        self.state.changed()
        await self.events.member_update(guild_id, user_id)

    def set_user_locale(self, user_id: int, locale: str) -> None:
        """The language the user's client is set to: their interactions' ``locale`` from now."""
        self.state.users[user_id].locale = check_locale(locale)
        self.state.changed()

    async def set_guild_locale(self, guild_id: int, locale: str) -> None:
        """The server's language (its ``preferred_locale``): interactions' ``guild_locale``,
        GUILD_CREATE, and a GUILD_UPDATE to the bots connected now."""
        self.state.guild(guild_id).preferred_locale = check_locale(locale)
        self.state.changed()
        await self.events.guild_update(guild_id)
