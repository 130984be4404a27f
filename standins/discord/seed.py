"""A small JSON world description, so a demo can start a populated emulator in one step.

Example::

    {"bots": [{"name": "Chatsight", "token": "demo-token"}],
     "users": [{"username": "alice"}],
     "guilds": [{"name": "Demo",
                 "roles": [{"name": "Mods", "permissions": 8192, "mentionable": true}],
                 "channels": [{"name": "general"}, {"name": "news", "type": 5}],
                 "members": [{"user": "alice", "roles": ["Mods"]}, {"user": "Chatsight"}]}]}

Members name users or bots by name; the answer maps every name to its ids.
"""

from __future__ import annotations

from typing import Any

from .model import JSON
from .world import WorldControl


async def apply_seed(emu: WorldControl, spec: JSON) -> dict[str, Any]:
    users: dict[str, int] = {}
    bots: dict[str, Any] = {}
    for item in spec.get("bots", []):
        bot = emu.create_bot(item.get("name", "Chatsight"), token=item.get("token"))
        users[bot.name] = bot.user_id
        bots[bot.name] = {
            "user_id": bot.user_id,
            "application_id": bot.application_id,
            "token": bot.token,
        }
    for item in spec.get("users", []):
        users[item["username"]] = emu.create_user(
            item["username"], bot=bool(item.get("bot", False)), global_name=item.get("global_name")
        )
    guilds: dict[str, Any] = {}
    for item in spec.get("guilds", []):
        owner = users.get(item["owner"]) if "owner" in item else None
        guild_id = emu.create_guild(item["name"], owner_id=owner)
        roles = {
            role["name"]: await emu.create_role(
                guild_id,
                role["name"],
                permissions=int(role.get("permissions", 0)),
                mentionable=bool(role.get("mentionable", False)),
            )
            for role in item.get("roles", [])
        }
        channels = {
            channel["name"]: await emu.create_channel(
                guild_id,
                channel["name"],
                type=int(channel.get("type", 0)),
                topic=channel.get("topic"),
            )
            for channel in item.get("channels", [])
        }
        for member in item.get("members", []):
            await emu.add_member(
                guild_id, users[member["user"]], roles=[roles[r] for r in member.get("roles", [])]
            )
        guilds[item["name"]] = {"id": guild_id, "roles": roles, "channels": channels}
    return {"bots": bots, "users": users, "guilds": guilds}
