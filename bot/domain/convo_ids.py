"""convoIds: UUIDs that never collide on Chatsight's side, where a reused id overwrites results.

A Discord-triggered id is derived from the bot's application id and Discord snowflakes only: the
guild, the channel, the triggering interaction or message, the URL's position in a message that
links several (for an announcement, a digest of the stream's canonical URL), the dedupe round and
the sample number of a followed stream. Snowflakes are unique across Discord, so two
installations (staging and production sharing an API key) or two fresh databases never derive
the same id, and a retried request derives the same one. A local row id never enters it.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass

from bot.domain.records import Origin

# Fixed forever: changing it would re-key every convoId.
PROJECT_NAMESPACE = uuid.UUID("6f1d2a4e-8c3b-5e7f-9a10-c4a7b5d3e2f1")


@dataclass(frozen=True, slots=True)
class Trigger:
    """The Discord event behind a request.

    ``snowflake`` is the interaction's id (a command, the "Tag stream" menu) or the announced
    message's; ``position`` the URL's place among those a command's message links, or for an
    announcement the stream's own place (``announced_position``); ``round`` counts the times the
    dedupe window let the same stream be claimed again in that server.
    """

    snowflake: int
    position: int = 0
    round: int = 0


def announced_position(canonical_url: str) -> int:
    """An announced stream's position: a digest of its canonical URL, not its index.

    An announcement is scanned again when it is edited, and an edit can move its links: a new
    link at a place an earlier one held would otherwise get that one's convoId. The digest keeps
    a stream's place wherever it moves, and two streams of one message share one only by a
    1-in-2^31 chance (31 bits: PostgreSQL keeps it in an INTEGER).
    """
    digest = hashlib.sha256(canonical_url.encode()).digest()
    return int.from_bytes(digest[:4], "big") >> 1


@dataclass(frozen=True, slots=True)
class ConvoIds:
    """Bound to the bot's application id, known once it has logged in."""

    application_id: int

    def for_session(self, origin: Origin, trigger: Trigger, sample: int = 0) -> str:
        """``sample`` is 0 for a one-off session and 1, 2, … for a followed stream's samples."""
        name = (
            f"discord/{self.application_id}/{origin.guild_id or 0}/{origin.channel_id or 0}"
            f"/{trigger.snowflake}/{trigger.position}/{trigger.round}/{sample}"
        )
        return str(uuid.uuid5(PROJECT_NAMESPACE, name))


def cli_convo_id(nonce: str | None = None) -> str:
    """A separate name space, so a CLI session can never equal a Discord one."""
    return str(uuid.uuid5(PROJECT_NAMESPACE, f"cli/{nonce or secrets.token_hex(16)}"))
