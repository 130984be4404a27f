"""Creating, editing and deleting messages: the one path shared by REST, interactions and control.

Keeping a single path means a message posted by the bot, by an interaction response or by a
simulated user gets the same validation, the same mention computation and the same events.
"""

from __future__ import annotations

import copy
from typing import Any

from . import errors
from .events import Events
from .mentions import compute_pings
from .model import JSON, Channel, StoredMessage, iso_now
from .serialize import message_json, user_json
from .state import State
from .threads import check_active, check_send
from .validation import (
    check_message_body,
    is_empty_after_edit,
    normalize_components,
    normalize_embeds,
)

EPHEMERAL = 1 << 6
LOADING = 1 << 7
SUPPRESS_EMBEDS = 1 << 2
REPLY = 19


class Messaging:
    def __init__(self, state: State, events: Events) -> None:
        self.state = state
        self.events = events

    def check_can_send(self, channel_id: int, author_id: int, payload: JSON) -> Channel:
        """Discord's checks for a user or bot posting into a channel, in Discord's order."""
        channel, perms = self.state.visible_channel(channel_id, author_id)
        check_send(channel, perms, embeds=bool(payload.get("embeds")))
        return channel

    async def _thread_activity(self, channel: Channel, author_id: int) -> None:
        """Posting in a thread unarchives it (THREAD_UPDATE first, as Discord sends it) and
        adds the author to its members (docs/discord-notes.md, Channels)."""
        thread = channel.thread
        if thread is None:
            return
        if thread.archived:
            thread.archived = False
            thread.archive_timestamp = iso_now()
            await self.events.thread("THREAD_UPDATE", channel)
        thread.total_message_sent += 1
        if author_id not in thread.members:
            thread.members[author_id] = iso_now()
            await self.events.thread_member_added(channel, author_id)

    def _pings(
        self,
        channel: Channel,
        author_id: int,
        content: str,
        allowed: JSON | None,
        replied_author: int | None,
    ) -> dict[str, Any]:
        guild = self.state.guilds[channel.guild_id]
        perms = self.state.permissions(channel, author_id) if author_id in guild.members else 0
        author = self.state.users.get(author_id)
        if author is not None and author.webhook:
            perms = self.state.permissions(channel, guild.owner_id)
        pings = compute_pings(
            content,
            allowed,
            guild=guild,
            roles=self.state.roles,
            users=self.state.users,
            author_perms=perms,
            replied_author=replied_author,
        )
        return {
            "mentions": [user_json(self.state.users[u]) for u in pings.users],
            "mention_roles": [str(r) for r in pings.roles],
            "mention_everyone": pings.everyone,
        }

    def _reference(self, channel: Channel, payload: JSON) -> tuple[JSON, StoredMessage] | None:
        ref = payload.get("message_reference")
        if not ref or ref.get("message_id") is None:
            return None
        ref_channel = int(ref.get("channel_id") or channel.id)
        try:
            target = self.state.message(ref_channel, int(ref["message_id"]))
        except errors.DiscordError:
            if ref.get("fail_if_not_exists", True):
                raise errors.invalid_form(
                    {
                        "message_reference": errors.field_error(
                            "MESSAGE_REFERENCE_UNKNOWN_MESSAGE", "Unknown message"
                        )
                    }
                ) from None
            return None
        reference = {
            "type": 0,
            "channel_id": str(ref_channel),
            "message_id": str(target.id),
            "guild_id": str(channel.guild_id),
        }
        return reference, target

    async def create(
        self,
        channel: Channel,
        author_id: int,
        payload: JSON,
        *,
        msg_type: int = 0,
        extra: JSON | None = None,
        ephemeral_for: int | None = None,
        flags: int = 0,
        placeholder: bool = False,
    ) -> StoredMessage:
        """Validate, store and announce a message whose sender already passed its checks.

        ``placeholder`` admits the empty "thinking" message a deferred interaction shows.
        """
        check_message_body(payload, creating=not placeholder)
        nonce = payload.get("nonce")
        if nonce is not None and payload.get("enforce_nonce"):
            earlier = self.state.recall_nonce(author_id, str(nonce))
            if earlier is not None:
                return earlier
        if ephemeral_for is None:  # only its viewer sees an ephemeral message
            await self._thread_activity(channel, author_id)
        reference = self._reference(channel, payload)
        content = str(payload.get("content") or "")
        allowed = payload.get("allowed_mentions")
        replied_author = int(reference[1].data["author"]["id"]) if reference else None
        flags |= int(payload.get("flags") or 0) & (SUPPRESS_EMBEDS | EPHEMERAL)
        data: JSON = {
            "id": str(self.state.ids.next()),
            "channel_id": str(channel.id),
            "type": REPLY if reference and msg_type == 0 else msg_type,
            "author": user_json(self.state.users[author_id]),
            "content": content,
            "timestamp": iso_now(),
            "edited_timestamp": None,
            "tts": bool(payload.get("tts", False)),
            **self._pings(channel, author_id, content, allowed, replied_author),
            "attachments": [],
            "embeds": normalize_embeds(payload.get("embeds") or []),
            "components": normalize_components(payload.get("components") or []),
            "pinned": False,
            "flags": flags,
        }
        if nonce is not None:
            data["nonce"] = nonce
        if reference is not None:
            data["message_reference"] = reference[0]
            data["referenced_message"] = message_json(reference[1])
        data.update(extra or {})
        stored = StoredMessage(data=data, ephemeral_for=ephemeral_for, allowed_mentions=allowed)
        self.state.store_message(stored)
        if nonce is not None and payload.get("enforce_nonce"):
            self.state.remember_nonce(author_id, str(nonce), stored.id)
        await self.events.message("MESSAGE_CREATE", stored)
        return stored

    async def edit(self, stored: StoredMessage, payload: JSON, *, clear_flags: int = 0) -> None:
        """Apply an edit: untouched parts stay, ``edited_timestamp`` is set, mentions re-parsed."""
        check_message_body(payload, creating=False)
        channel = self.state.channels[stored.channel_id]
        author_id = int(stored.data["author"]["id"])
        check_active(channel, self.state.permissions(channel, author_id), editing=True)
        before = copy.deepcopy(stored.data)
        data = stored.data
        if "content" in payload:
            data["content"] = str(payload["content"] or "")
        if "embeds" in payload:
            data["embeds"] = normalize_embeds(payload["embeds"] or [])
        if "components" in payload:
            data["components"] = normalize_components(payload["components"] or [])
        if "attachments" in payload:
            data["attachments"] = []
        flags = int(data.get("flags", 0)) & ~clear_flags
        if payload.get("flags") is not None:
            flags = (flags & ~SUPPRESS_EMBEDS) | (int(payload["flags"]) & SUPPRESS_EMBEDS)
        data["flags"] = flags
        if payload.get("allowed_mentions") is not None:
            stored.allowed_mentions = payload["allowed_mentions"]
        if is_empty_after_edit(data) and not flags & LOADING:
            data.clear()
            data.update(before)
            raise errors.empty_message()
        replied = data.get("referenced_message")
        replied_author = int(replied["author"]["id"]) if replied else None
        data.update(
            self._pings(
                channel,
                author_id,
                data["content"],
                stored.allowed_mentions,
                replied_author,
            )
        )
        data["edited_timestamp"] = iso_now()
        stored.history.append(before)
        self.state.changed()
        await self.events.message("MESSAGE_UPDATE", stored)

    async def delete(self, stored: StoredMessage) -> None:
        stored.deleted = True
        self.state.changed()
        await self.events.message_deleted(stored)
