"""A member's permissions in a channel from Discord's REST answers, as Discord computes them
(docs/discord-notes.md, Permissions): the guild's @everyone role and the member's roles, then
the channel's overwrites for @everyone, for the member's roles together, and for the member.

The doctor has no gateway cache to ask discord.py, so it computes them from what it fetched.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import discord

JSON = Mapping[str, Any]


def channel_permissions(
    guild: JSON, member: JSON, channel: JSON, user_id: int
) -> discord.Permissions:
    guild_id = int(guild["id"])
    if int(guild.get("owner_id") or 0) == user_id:
        return discord.Permissions.all()
    roles = {int(role["id"]): int(role["permissions"]) for role in guild.get("roles", [])}
    member_roles = {int(role) for role in member.get("roles", [])}
    value = roles.get(guild_id, 0)
    for role in member_roles:
        value |= roles.get(role, 0)
    if value & discord.Permissions(administrator=True).value:
        return discord.Permissions.all()
    overwrites: Sequence[JSON] = channel.get("permission_overwrites", [])
    by_id = {int(o["id"]): (int(o["allow"]), int(o["deny"])) for o in overwrites}
    if guild_id in by_id:
        allow, deny = by_id[guild_id]
        value = (value & ~deny) | allow
    allow = deny = 0
    for role in member_roles:
        role_allow, role_deny = by_id.get(role, (0, 0))
        allow, deny = allow | role_allow, deny | role_deny
    value = (value & ~deny) | allow
    if user_id in by_id:
        allow, deny = by_id[user_id]
        value = (value & ~deny) | allow
    return discord.Permissions(value)
