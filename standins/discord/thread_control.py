"""Threads and forum posts as members make them, and moderators (or Discord's inactivity timer)
archiving and locking them; each change reaches bots as the THREAD_* event Discord sends."""

from __future__ import annotations

from . import errors
from .core import EmulatorCore
from .model import JSON, Channel, StoredMessage, ThreadState, iso_now
from .permissions import EMBED_LINKS, SEND_MESSAGES, has
from .threads import PRIVATE_THREAD, PUBLIC_THREAD_OF, THREAD_ONLY, THREAD_TYPES


class ThreadControl(EmulatorCore):
    async def _open_thread(
        self, parent: Channel, thread_id: int, name: str, kind: int, owner_id: int
    ) -> Channel:
        thread = Channel(
            thread_id,
            parent.guild_id,
            name,
            type=kind,
            parent_id=parent.id,
            thread=ThreadState(owner_id=owner_id, members={owner_id: iso_now()}),
        )
        self.state.channels[thread.id] = thread
        self.state.guilds[parent.guild_id].channel_ids.append(thread.id)
        self.state.changed()
        await self.events.thread("THREAD_CREATE", thread, created=True)
        return thread

    async def create_thread(
        self,
        channel_id: int,
        name: str,
        owner_id: int,
        *,
        message_id: int | None = None,
        private: bool = False,
    ) -> int:
        """A thread in a text or announcement channel: from ``message_id`` (the thread then
        has that message's id, as on Discord), or without one, public or private."""
        parent = self.state.channel(channel_id)
        if parent.type not in PUBLIC_THREAD_OF or parent.type in THREAD_ONLY:
            raise ValueError("threads start in text or announcement channels (forums: posts)")
        if message_id is not None:
            if private:
                raise ValueError("a thread started from a message is public")
            thread_id = self.state.message(channel_id, message_id).id
        else:
            thread_id = self.state.ids.next()
        kind = PRIVATE_THREAD if private else PUBLIC_THREAD_OF[parent.type]
        return (await self._open_thread(parent, thread_id, name, kind, owner_id)).id

    async def create_forum_post(
        self,
        forum_id: int,
        author_id: int,
        name: str,
        content: str = "",
        *,
        embeds: list[JSON] | None = None,
        check_permissions: bool = True,
    ) -> StoredMessage:
        """A post in a forum: a thread and its first message, which share one id. Creating it
        needs Send Messages in the forum (its messages then need Send Messages in Threads)."""
        forum = self.state.channel(forum_id)
        if forum.type not in THREAD_ONLY:
            raise ValueError(f"channel {forum_id} is not a forum")
        payload: JSON = {"content": content, "embeds": embeds or []}
        if check_permissions:
            _, perms = self.state.visible_channel(forum_id, author_id)
            if not has(perms, SEND_MESSAGES) or (embeds and not has(perms, EMBED_LINKS)):
                raise errors.missing_permissions()
        thread_id = self.state.ids.next()
        kind = PUBLIC_THREAD_OF[forum.type]
        thread = await self._open_thread(forum, thread_id, name, kind, author_id)
        forum.last_message_id = thread_id
        return await self.messaging.create(thread, author_id, payload, extra={"id": str(thread_id)})

    async def update_thread(
        self, thread_id: int, *, archived: bool | None = None, locked: bool | None = None
    ) -> None:
        """A moderator, or Discord's inactivity timer, archiving, unarchiving or locking it."""
        channel = self.state.channel(thread_id)
        if channel.thread is None or channel.type not in THREAD_TYPES:
            raise ValueError(f"channel {thread_id} is not a thread")
        if archived is not None and archived != channel.thread.archived:
            channel.thread.archived = archived
            channel.thread.archive_timestamp = iso_now()
        if locked is not None:
            channel.thread.locked = locked
        self.state.changed()
        await self.events.thread("THREAD_UPDATE", channel)
