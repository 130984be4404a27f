"""Who a message pings, decided as Discord decides it.

Tests of the bot assert "nobody was pinged" from the stored ``mentions``, ``mention_roles``
and ``mention_everyone``, so these follow Discord's rules: without ``allowed_mentions``
everything in the content is parsed; with it, a user or role is pinged only when its kind
is in ``parse`` or its id is listed, ``@everyone``/``@here`` only with ``parse: ["everyone"]``.
Role and everyone pings also need the role to be mentionable or the author to hold
MENTION_EVERYONE; the author of a replied-to message is pinged unless ``replied_user`` is false.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .model import JSON, Guild, Role, User
from .permissions import MENTION_EVERYONE

USER_MENTION = re.compile(r"<@!?(\d+)>")
ROLE_MENTION = re.compile(r"<@&(\d+)>")
EVERYONE_MENTION = re.compile(r"@(everyone|here)")


@dataclass
class Pings:
    users: list[int]
    roles: list[int]
    everyone: bool


def compute_pings(
    content: str,
    allowed: JSON | None,
    *,
    guild: Guild,
    roles: dict[int, Role],
    users: dict[int, User],
    author_perms: int,
    replied_author: int | None,
) -> Pings:
    parse_all = allowed is None
    parse = set(allowed.get("parse") or []) if allowed is not None else set()
    listed_users = {int(u) for u in (allowed or {}).get("users") or []}
    listed_roles = {int(r) for r in (allowed or {}).get("roles") or []}
    can_mention_everyone = bool(author_perms & MENTION_EVERYONE)

    pinged_users: list[int] = []
    for match in USER_MENTION.finditer(content):
        user_id = int(match.group(1))
        if user_id not in users or user_id in pinged_users:
            continue
        if parse_all or "users" in parse or user_id in listed_users:
            pinged_users.append(user_id)
    if replied_author is not None and replied_author not in pinged_users:
        replied = True if allowed is None else bool(allowed.get("replied_user", False))
        if replied:
            pinged_users.append(replied_author)

    pinged_roles: list[int] = []
    for match in ROLE_MENTION.finditer(content):
        role_id = int(match.group(1))
        role = roles.get(role_id)
        if role is None or role.guild_id != guild.id or role_id in pinged_roles:
            continue
        if not (role.mentionable or can_mention_everyone):
            continue
        if parse_all or "roles" in parse or role_id in listed_roles:
            pinged_roles.append(role_id)

    everyone = (
        EVERYONE_MENTION.search(content) is not None
        and can_mention_everyone
        and (parse_all or "everyone" in parse)
    )
    return Pings(pinged_users, pinged_roles, everyone)
