"""Discord's rules for threads and forum channels (docs/discord-notes.md, Channels).

A thread (type 10, 11 or 12) lives under a text or announcement channel, a forum's posts (type 15)
are threads too; a thread has no permissions of its own, only its parent's, except that Send
Messages has no effect in it: Send Messages in Threads does. Only active threads can be changed:
editing a message or reacting in an archived one fails (50083), while sending a message
unarchives it, unless a moderator locked it. A forum takes no messages itself (40058).
"""

from __future__ import annotations

from . import errors
from .model import Channel
from .permissions import (
    EMBED_LINKS,
    MANAGE_THREADS,
    SEND_MESSAGES,
    SEND_MESSAGES_IN_THREADS,
    VIEW_CHANNEL,
    has,
)

GUILD_TEXT, GUILD_ANNOUNCEMENT = 0, 5
ANNOUNCEMENT_THREAD, PUBLIC_THREAD, PRIVATE_THREAD = 10, 11, 12
GUILD_FORUM, GUILD_MEDIA = 15, 16
THREAD_TYPES = (ANNOUNCEMENT_THREAD, PUBLIC_THREAD, PRIVATE_THREAD)
THREAD_ONLY = (GUILD_FORUM, GUILD_MEDIA)
# The thread type a channel's public threads get; a forum's posts are public threads.
PUBLIC_THREAD_OF = {
    GUILD_TEXT: PUBLIC_THREAD,
    GUILD_ANNOUNCEMENT: ANNOUNCEMENT_THREAD,
    GUILD_FORUM: PUBLIC_THREAD,
    GUILD_MEDIA: PUBLIC_THREAD,
}
AUTO_ARCHIVE_DURATIONS = (60, 1440, 4320, 10080)


def archived_thread() -> errors.DiscordError:
    return errors.DiscordError(400, 50083, "Operation cannot be performed on an archived thread")


def thread_locked() -> errors.DiscordError:
    return errors.DiscordError(400, 160005, "Thread is locked")


def forum_takes_no_messages() -> errors.DiscordError:
    return errors.DiscordError(400, 40058, "Cannot send a message in a forum channel")


def in_thread(parent_perms: int, thread: Channel, user_id: int) -> int:
    """A user's permissions in a thread: its parent's; a private thread is seen only by those
    added to it and by moderators (Manage Threads)."""
    assert thread.thread is not None
    if (
        thread.type == PRIVATE_THREAD
        and user_id not in thread.thread.members
        and not has(parent_perms, MANAGE_THREADS)
    ):
        return parent_perms & ~VIEW_CHANNEL
    return parent_perms


def check_send(channel: Channel, perms: int, *, embeds: bool) -> None:
    """Discord's checks for posting into a channel the user can see, in Discord's order."""
    if channel.type in THREAD_ONLY:
        raise forum_takes_no_messages()
    needed = SEND_MESSAGES_IN_THREADS if channel.thread is not None else SEND_MESSAGES
    if not has(perms, needed):
        raise errors.missing_permissions()
    if embeds and not has(perms, EMBED_LINKS):
        raise errors.missing_permissions()
    if channel.thread is not None and channel.thread.locked and not has(perms, MANAGE_THREADS):
        raise thread_locked()


def check_active(channel: Channel, perms: int, *, editing: bool) -> None:
    """Edits and reactions need an active thread; edits also one that is not locked."""
    if channel.thread is None:
        return
    if channel.thread.archived:
        raise archived_thread()
    if editing and channel.thread.locked and not has(perms, MANAGE_THREADS):
        raise thread_locked()
