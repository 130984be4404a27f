"""Discord's JSON shapes for the emulator's records.

Every key discord.py reads without ``.get`` and every key the official OpenAPI schema marks
as required is present, even when its value is a dull default.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote

from .model import JSON, BotApp, Channel, Guild, Member, Role, StoredMessage, User
from .permissions import VIEW_CHANNEL
from .state import State
from .threads import THREAD_ONLY


def user_json(user: User) -> JSON:
    data: JSON = {
        "id": str(user.id),
        "username": user.username,
        "avatar": None,
        "discriminator": "0000" if user.webhook else "0",
        "public_flags": 0,
        "flags": 0,
        "global_name": user.global_name,
        "primary_guild": None,
        "banner": None,
        "accent_color": None,
        "avatar_decoration_data": None,
        "collectibles": None,
    }
    if user.bot:
        data["bot"] = True
    return data


def self_user_json(user: User) -> JSON:
    """``/users/@me`` and READY add the account's private fields."""
    return {**user_json(user), "mfa_enabled": False, "locale": user.locale, "verified": True}


def role_json(role: Role) -> JSON:
    return {
        "id": str(role.id),
        "name": role.name,
        "color": role.color,
        "colors": {"primary_color": role.color, "secondary_color": None, "tertiary_color": None},
        "hoist": role.hoist,
        "icon": None,
        "unicode_emoji": None,
        "position": role.position,
        "permissions": str(role.permissions),
        "managed": role.managed,
        "mentionable": role.mentionable,
        "flags": 0,
    }


def overwrites_json(channel: Channel) -> list[JSON]:
    return [
        {"id": str(o.id), "type": o.type, "allow": str(o.allow), "deny": str(o.deny)}
        for o in channel.overwrites.values()
    ]


def channel_json(channel: Channel) -> JSON:
    if channel.thread is not None:
        return thread_json(channel)
    last = str(channel.last_message_id) if channel.last_message_id else None
    data: JSON = {
        "id": str(channel.id),
        "type": channel.type,
        "guild_id": str(channel.guild_id),
        "name": channel.name,
        "position": channel.position,
        "permission_overwrites": overwrites_json(channel),
        "flags": 0,
        "topic": channel.topic,
        "nsfw": False,
        "parent_id": str(channel.parent_id) if channel.parent_id else None,
        "rate_limit_per_user": 0,
        "last_message_id": last,
    }
    if channel.type in THREAD_ONLY:
        # A forum's last_message_id is its latest post (thread) id.
        data.update(
            available_tags=[],
            default_reaction_emoji=None,
            default_sort_order=None,
            default_forum_layout=0,
            default_thread_rate_limit_per_user=0,
            default_auto_archive_duration=1440,
        )
    return data


def thread_json(channel: Channel, member_of: int | None = None) -> JSON:
    """A thread as Discord shows it; ``member_of``: the viewer, whose thread member object is
    included when they joined it."""
    thread = channel.thread
    assert thread is not None
    data: JSON = {
        "id": str(channel.id),
        "type": channel.type,
        "guild_id": str(channel.guild_id),
        "name": channel.name,
        "parent_id": str(channel.parent_id),
        "owner_id": str(thread.owner_id),
        "flags": 0,
        "rate_limit_per_user": 0,
        "last_message_id": str(channel.last_message_id) if channel.last_message_id else None,
        "message_count": thread.total_message_sent,
        "total_message_sent": thread.total_message_sent,
        "member_count": min(len(thread.members), 50),
        "thread_metadata": {
            "archived": thread.archived,
            "archive_timestamp": thread.archive_timestamp,
            "auto_archive_duration": thread.auto_archive_duration,
            "locked": thread.locked,
            "create_timestamp": thread.create_timestamp,
        },
    }
    if member_of is not None and member_of in thread.members:
        data["member"] = thread_member_json(channel, member_of)
    return data


def thread_member_json(channel: Channel, user_id: int) -> JSON:
    assert channel.thread is not None
    return {
        "id": str(channel.id),
        "user_id": str(user_id),
        "join_timestamp": channel.thread.members[user_id],
        "flags": 0,
    }


def member_json(state: State, member: Member, *, with_user: bool = True) -> JSON:
    data: JSON = {
        "roles": [str(r) for r in member.roles],
        "nick": member.nick,
        "avatar": None,
        "banner": None,
        "joined_at": member.joined_at,
        "premium_since": None,
        "deaf": False,
        "mute": False,
        "pending": False,
        "flags": 0,
        "communication_disabled_until": None,
    }
    if with_user:
        data["user"] = user_json(state.users[member.user_id])
    return data


def guild_json(state: State, guild: Guild) -> JSON:
    return {
        "id": str(guild.id),
        "name": guild.name,
        "icon": None,
        "splash": None,
        "discovery_splash": None,
        "banner": None,
        "description": None,
        "owner_id": str(guild.owner_id),
        "region": "deprecated",
        "afk_channel_id": None,
        "afk_timeout": 300,
        "verification_level": 0,
        "default_message_notifications": 1,
        "explicit_content_filter": 0,
        "mfa_level": 0,
        "nsfw_level": 0,
        "premium_tier": 0,
        "premium_subscription_count": 0,
        "preferred_locale": guild.preferred_locale,
        "system_channel_id": None,
        "system_channel_flags": 0,
        "rules_channel_id": None,
        "public_updates_channel_id": None,
        "features": [],
        "emojis": [],
        "stickers": [],
        "roles": [role_json(state.roles[r]) for r in guild.role_ids],
    }


def guild_create_json(state: State, guild: Guild, bot_user_id: int, all_members: bool) -> JSON:
    """GUILD_CREATE; without the members intent Discord sends only the bot's own member."""
    members = [
        member_json(state, m)
        for m in guild.members.values()
        if all_members or m.user_id == bot_user_id
    ]
    live = [state.channels[c] for c in guild.channel_ids if not state.channels[c].deleted]
    channels = [channel_json(c) for c in live if c.thread is None]
    # Only active threads the bot can see (docs/discord-notes.md, Channels).
    threads = [
        thread_json(c, bot_user_id)
        for c in live
        if c.thread is not None
        and not c.thread.archived
        and state.permissions(c, bot_user_id) & VIEW_CHANNEL
    ]
    me = guild.members.get(bot_user_id)
    return {
        **guild_json(state, guild),
        "unavailable": False,
        "large": False,
        "lazy": True,
        "member_count": len(guild.members),
        "joined_at": me.joined_at if me else None,
        "members": members,
        "channels": channels,
        "threads": threads,
        "presences": [],
        "voice_states": [],
        "stage_instances": [],
        "guild_scheduled_events": [],
        "soundboard_sounds": [],
    }


def application_json(state: State, bot: BotApp) -> JSON:
    return {
        "id": str(bot.application_id),
        "name": bot.name,
        "icon": None,
        "description": "",
        "type": None,
        "bot": user_json(state.users[bot.user_id]),
        "bot_public": True,
        "bot_require_code_grant": False,
        "verify_key": bot.verify_key,
        "flags": bot.flags,
        "flags_new": str(bot.flags),
        "redirect_uris": [],
        "interactions_endpoint_url": None,
        "role_connections_verification_url": None,
        "owner": user_json(state.users[bot.owner_id]),
        "approximate_guild_count": len(state.member_guilds(bot.user_id)),
        "approximate_user_install_count": 0,
        "approximate_user_authorization_count": 0,
        "explicit_content_filter": 0,
        "team": None,
        "eligible_oauth2_scopes": ["bot", "applications.commands"],
        "summary": "",
        "rpc_origins": [],
        "tags": [],
    }


def emoji_key(raw: str) -> str:
    """Reactions are keyed as Discord's URLs name them: a unicode emoji or ``name:id``."""
    return unquote(raw)


def emoji_json(key: str) -> JSON:
    if ":" in key:
        name, _, emoji_id = key.partition(":")
        return {"id": emoji_id, "name": name}
    return {"id": None, "name": key}


def message_json(stored: StoredMessage, viewer: int | None = None) -> JSON:
    """The message as ``viewer`` sees it; only ``reactions[].me`` depends on who looks."""
    data: dict[str, Any] = dict(stored.data)
    if stored.reactions:
        data["reactions"] = [
            {
                "emoji": emoji_json(key),
                "count": len(users),
                "count_details": {"burst": 0, "normal": len(users)},
                "burst_colors": [],
                "me_burst": False,
                "burst_me": False,
                "me": viewer in users,
                "burst_count": 0,
            }
            for key, users in stored.reactions.items()
            if users
        ]
    return data
