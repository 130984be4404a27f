"""Discord's permission bits and its channel-permission algorithm.

The bot's error handling hinges on telling "cannot see the channel" (50001) from "can see but
cannot act" (50013), so the computation follows Discord's documented order exactly: base
permissions from @everyone and the member's roles, the administrator bypass, then the
@everyone, role and member overwrites, each deny applied before its allow.
"""

from __future__ import annotations

from .model import Channel, Guild, Role

CREATE_INSTANT_INVITE = 1 << 0
KICK_MEMBERS = 1 << 1
BAN_MEMBERS = 1 << 2
ADMINISTRATOR = 1 << 3
MANAGE_CHANNELS = 1 << 4
MANAGE_GUILD = 1 << 5
ADD_REACTIONS = 1 << 6
VIEW_CHANNEL = 1 << 10
SEND_MESSAGES = 1 << 11
MANAGE_MESSAGES = 1 << 13
EMBED_LINKS = 1 << 14
ATTACH_FILES = 1 << 15
READ_MESSAGE_HISTORY = 1 << 16
MENTION_EVERYONE = 1 << 17
USE_EXTERNAL_EMOJIS = 1 << 18
CONNECT = 1 << 20
SPEAK = 1 << 21
CHANGE_NICKNAME = 1 << 26
MANAGE_ROLES = 1 << 28
USE_APPLICATION_COMMANDS = 1 << 31
MANAGE_THREADS = 1 << 34
CREATE_PUBLIC_THREADS = 1 << 35
CREATE_PRIVATE_THREADS = 1 << 36
SEND_MESSAGES_IN_THREADS = 1 << 38

ALL = (1 << 51) - 1

DEFAULT_EVERYONE = (
    CREATE_INSTANT_INVITE
    | ADD_REACTIONS
    | VIEW_CHANNEL
    | SEND_MESSAGES
    | EMBED_LINKS
    | ATTACH_FILES
    | READ_MESSAGE_HISTORY
    | USE_EXTERNAL_EMOJIS
    | CONNECT
    | SPEAK
    | CHANGE_NICKNAME
    | USE_APPLICATION_COMMANDS
    | SEND_MESSAGES_IN_THREADS
)


def base_permissions(guild: Guild, roles: dict[int, Role], user_id: int) -> int:
    """Guild-wide permissions of a member, before any channel overwrite."""
    if user_id == guild.owner_id:
        return ALL
    member = guild.members.get(user_id)
    perms = roles[guild.id].permissions if guild.id in roles else 0
    if member is not None:
        for role_id in member.roles:
            role = roles.get(role_id)
            if role is not None:
                perms |= role.permissions
    if perms & ADMINISTRATOR:
        return ALL
    return perms


def channel_permissions(
    guild: Guild, roles: dict[int, Role], channel: Channel, user_id: int
) -> int:
    perms = base_permissions(guild, roles, user_id)
    if perms == ALL:
        return ALL
    everyone = channel.overwrites.get(guild.id)
    if everyone is not None:
        perms = (perms & ~everyone.deny) | everyone.allow
    member = guild.members.get(user_id)
    member_roles = set(member.roles) if member is not None else set()
    allow = deny = 0
    for overwrite in channel.overwrites.values():
        if overwrite.type == 0 and overwrite.id in member_roles:
            allow |= overwrite.allow
            deny |= overwrite.deny
    perms = (perms & ~deny) | allow
    own = channel.overwrites.get(user_id)
    if own is not None and own.type == 1:
        perms = (perms & ~own.deny) | own.allow
    return perms


def has(perms: int, *flags: int) -> bool:
    return all(perms & flag == flag for flag in flags)
