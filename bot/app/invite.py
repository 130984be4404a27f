"""``chatsight-bot invite``: the link a server admin opens to add the bot, asking for exactly the
permissions its features use and naming why, so the admin can grant them knowingly.

Never Administrator: a bot that asks for everything is one whose leaked token takes the server.
The posting permissions are the ones ``bot/app/channel_access.py`` checks before the bot
promises to post somewhere.
"""

from __future__ import annotations

import discord

SCOPES = ("bot", "applications.commands")

# Each permission with the line an admin reads under the link: what breaks without it.
FEATURE_PERMISSIONS: tuple[tuple[str, str, str], ...] = (
    ("view_channel", "View Channel", "see the channels it tags streams in"),
    ("send_messages", "Send Messages", "post results, timelines and alerts"),
    ("send_messages_in_threads", "Send Messages in Threads", "answer /tag used in a thread"),
    ("embed_links", "Embed Links", "show results as embeds"),
    ("attach_files", "Attach Files", "attach charts to its reports"),
    ("read_message_history", "Read Message History", "never post a result twice after an outage"),
    ("add_reactions", "Add Reactions", "mark announcements it has started tagging"),
)


def invite_permissions() -> discord.Permissions:
    permissions = discord.Permissions.none()
    for flag, _name, _why in FEATURE_PERMISSIONS:
        setattr(permissions, flag, True)
    return permissions


def invite_url(client_id: int) -> str:
    return discord.utils.oauth_url(client_id, permissions=invite_permissions(), scopes=SCOPES)


def invite_text(client_id: int, bot_name: str) -> str:
    width = max(len(name) for _flag, name, _why in FEATURE_PERMISSIONS)
    lines = [
        f"Invite {bot_name} to a server with this link:",
        invite_url(client_id),
        "",
        "It asks for these permissions (never Administrator):",
        *(f"  {name:{width}}  to {why}" for _flag, name, why in FEATURE_PERMISSIONS),
    ]
    return "\n".join(lines)
