"""Gateway intents as Discord checks them at IDENTIFY (docs/discord-notes.md, Privileged intents).

* An ``intents`` value that is not an integer, or that sets a bit Discord documents no intent
  for, closes the socket with 4013 Invalid intent(s).
* A privileged intent (Server Members, Presences, Message Content) the application is not
  allowed, by either of its two application flags for that intent (the plain one, or the
  "limited" one the Developer Portal's toggle sets for a bot in under 100 servers), closes it
  with 4014 Disallowed intent(s).

``BotApp.refused_intents`` is a test's switch for the one case the flags alone do not show:
the gateway refusing an intent the flags still claim (the toggle switched off after the bot
read them).
"""

from __future__ import annotations

from .model import BotApp

INVALID_INTENTS, DISALLOWED_INTENTS = 4013, 4014

GUILD_MEMBERS = 1 << 1
GUILD_PRESENCES = 1 << 8
MESSAGE_CONTENT = 1 << 15

# Every documented intent: bits 0-16, 20, 21, 24 and 25.
DOCUMENTED = sum(1 << bit for bit in (*range(17), 20, 21, 24, 25))

# Application flags: the plain flag, then the limited one.
GATEWAY_PRESENCE, GATEWAY_PRESENCE_LIMITED = 1 << 12, 1 << 13
GATEWAY_GUILD_MEMBERS, GATEWAY_GUILD_MEMBERS_LIMITED = 1 << 14, 1 << 15
GATEWAY_MESSAGE_CONTENT, GATEWAY_MESSAGE_CONTENT_LIMITED = 1 << 18, 1 << 19

# Each privileged intent with the flags that allow it.
PRIVILEGED = {
    GUILD_MEMBERS: GATEWAY_GUILD_MEMBERS | GATEWAY_GUILD_MEMBERS_LIMITED,
    GUILD_PRESENCES: GATEWAY_PRESENCE | GATEWAY_PRESENCE_LIMITED,
    MESSAGE_CONTENT: GATEWAY_MESSAGE_CONTENT | GATEWAY_MESSAGE_CONTENT_LIMITED,
}

# What create_bot gives an application unless told otherwise: Server Members and Message
# Content switched on in the portal (the limited flags: a bot in under 100 servers), which is
# what the emulator's own discord.py test clients ask for.
PORTAL_TOGGLES_ON = GATEWAY_GUILD_MEMBERS_LIMITED | GATEWAY_MESSAGE_CONTENT_LIMITED


def allowed(bot: BotApp) -> int:
    """The privileged intents the gateway lets this application ask for."""
    granted = sum(intent for intent, flags in PRIVILEGED.items() if bot.flags & flags)
    return granted & ~bot.refused_intents


def refusal(bot: BotApp, raw: object) -> tuple[int, bytes] | None:
    """The close code and reason for an IDENTIFY's ``intents``, or None when they are fine."""
    if not isinstance(raw, int) or isinstance(raw, bool) or raw < 0 or raw & ~DOCUMENTED:
        return INVALID_INTENTS, b"Invalid intent(s)."
    privileged = sum(PRIVILEGED)
    if raw & privileged & ~allowed(bot):
        return DISALLOWED_INTENTS, b"Disallowed intent(s)."
    return None
