"""The gateway websocket: HELLO/IDENTIFY/READY, heartbeats, RESUME and sequenced dispatches.

An IDENTIFY is refused as Discord refuses it: a bad token (4004), shard (4010, 4011) or
intents (4013, 4014: intents.py).

Frames are plain-text JSON whatever ``compress`` the client asked for (discord.py accepts text
frames). Every dispatch is numbered per session and kept in a bounded buffer, also while the
client is away, so a RESUME replays exactly what was missed, as Discord does.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import secrets
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

from aiohttp import WSMsgType, web

from .intents import refusal
from .model import JSON, BotApp
from .serialize import guild_create_json, member_json, self_user_json
from .sharding import INVALID_SHARD, SHARDING_REQUIRED, IdentifyLimiter, parse_shard, shard_of
from .state import State

log = logging.getLogger(__name__)

DISPATCH, HEARTBEAT, IDENTIFY, RESUME, RECONNECT = 0, 1, 2, 6, 7
REQUEST_MEMBERS, INVALID_SESSION, HELLO, HEARTBEAT_ACK = 8, 9, 10, 11

GUILDS = 1 << 0
GUILD_MEMBERS = 1 << 1
GUILD_MESSAGES = 1 << 9
GUILD_MESSAGE_REACTIONS = 1 << 10
MESSAGE_CONTENT = 1 << 15

# Returns the event payload for one session, or None when its intents exclude the event.
PayloadFactory = Callable[["Session"], JSON | None]


@dataclass
class Session:
    id: str
    bot: BotApp
    intents: int
    shard: tuple[int, int]
    buffer: deque[JSON]
    ws: web.WebSocketResponse | None = None
    seq: int = 0
    ready: bool = False
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    def has(self, intent: int) -> bool:
        return bool(self.intents & intent)

    def owns_guild(self, guild_id: int) -> bool:
        shard_id, count = self.shard
        return shard_of(guild_id, count) == shard_id


class Gateway:
    def __init__(self, state: State) -> None:
        self.state = state
        self.url = ""  # set once the server knows its port
        self.sessions: dict[str, Session] = {}
        self.identifies = IdentifyLimiter(state.config)

    def sessions_of(self, bot_user_id: int) -> list[Session]:
        return [s for s in self.sessions.values() if s.bot.user_id == bot_user_id]

    def is_ready(self, bot_user_id: int) -> bool:
        return any(s.ready and s.ws is not None for s in self.sessions_of(bot_user_id))

    # -- connection ----------------------------------------------------------------------

    async def handle(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(max_msg_size=0)
        await ws.prepare(request)
        hello = {"heartbeat_interval": self.state.config.heartbeat_interval_ms}
        await ws.send_str(json.dumps({"op": HELLO, "d": hello, "s": None, "t": None}))
        session: Session | None = None
        try:
            async for msg in ws:
                if msg.type is not WSMsgType.TEXT:
                    break
                frame = json.loads(msg.data)
                op, data = frame.get("op"), frame.get("d")
                if op == HEARTBEAT:
                    await ws.send_str(json.dumps({"op": HEARTBEAT_ACK}))
                elif op == IDENTIFY and session is None:
                    session = await self._identify(ws, data)
                elif op == RESUME and session is None:
                    session = await self._resume(ws, data)
                elif op == REQUEST_MEMBERS and session is not None:
                    await self._members_chunk(session, data)
        finally:
            if session is not None and session.ws is ws:
                session.ws = None
                self.state.changed()
        return ws

    async def _identify(self, ws: web.WebSocketResponse, data: JSON) -> Session | None:
        bot = self.state.bot_by_token(str(data.get("token", "")).removeprefix("Bot "))
        if bot is None:
            await ws.close(code=4004, message=b"Authentication failed.")
            return None
        shard = parse_shard(data.get("shard"))
        if shard is None:
            await ws.close(code=INVALID_SHARD, message=b"Invalid shard.")
            return None
        refused = refusal(bot, data.get("intents"))
        if refused is not None:
            await ws.close(code=refused[0], message=refused[1])
            return None
        shard_id, shard_count = shard
        guilds = [
            g
            for g in self.state.member_guilds(bot.user_id)
            if shard_of(g.id, shard_count) == shard_id
        ]
        if len(guilds) > self.state.config.guilds_per_shard:
            await ws.close(code=SHARDING_REQUIRED, message=b"Sharding required.")
            return None
        if not self.identifies.admit(bot.user_id, shard_id):
            await ws.send_str(json.dumps({"op": INVALID_SESSION, "d": False}))
            self.state.changed()
            return None
        # Sessions may share a shard; only a disconnected one is dropped (it would time out).
        for old in [s for s in self.sessions_of(bot.user_id) if s.shard == shard and s.ws is None]:
            del self.sessions[old.id]
        session = Session(
            id=secrets.token_hex(16),
            bot=bot,
            intents=int(data.get("intents", 0)),
            shard=shard,
            buffer=deque(maxlen=self.state.config.resume_buffer),
            ws=ws,
        )
        self.sessions[session.id] = session
        ready = {
            "v": 10,
            "user": self_user_json(self.state.users[bot.user_id]),
            "user_settings": {},
            "guilds": [{"id": str(g.id), "unavailable": True} for g in guilds],
            "session_id": session.id,
            "session_type": "normal",
            "resume_gateway_url": self.url,
            "shard": list(shard),
            "application": {"id": str(bot.application_id), "flags": bot.flags},
            "private_channels": [],
            "relationships": [],
            "presences": [],
            "geo_ordered_rtc_regions": [],
            "auth": {},
            "_trace": ['["chatsight-discord-emulator"]'],
        }
        await self.send_dispatch(session, "READY", ready)
        for guild in guilds:
            payload = guild_create_json(self.state, guild, bot.user_id, session.has(GUILD_MEMBERS))
            await self.send_dispatch(session, "GUILD_CREATE", payload)
        session.ready = True
        self.state.changed()
        return session

    async def _resume(self, ws: web.WebSocketResponse, data: JSON) -> Session | None:
        session = self.sessions.get(str(data.get("session_id")))
        token = str(data.get("token", "")).removeprefix("Bot ")
        seq = data.get("seq")
        if (
            session is None
            or session.bot.token != token
            or not isinstance(seq, int)
            or seq > session.seq
            or (session.buffer and seq < session.buffer[0]["s"] - 1)
        ):
            await ws.send_str(json.dumps({"op": INVALID_SESSION, "d": False}))
            return None
        async with session.lock:
            previous, session.ws = session.ws, ws
            for frame in list(session.buffer):
                if frame["s"] > seq:
                    await ws.send_str(json.dumps(frame))
        if previous is not None and previous is not ws:
            await previous.close(code=4000)
        await self.send_dispatch(session, "RESUMED", {"_trace": []})
        self.state.changed()
        return session

    async def _members_chunk(self, session: Session, data: JSON) -> None:
        guild = self.state.guilds.get(int(data.get("guild_id", 0)))
        # Only a guild of the bot's on this session's shard, as Discord answers.
        if (
            guild is None
            or session.bot.user_id not in guild.members
            or not session.owns_guild(guild.id)
        ):
            return
        payload = {
            "guild_id": str(guild.id),
            "members": [member_json(self.state, m) for m in guild.members.values()],
            "chunk_index": 0,
            "chunk_count": 1,
            "not_found": [],
        }
        if data.get("nonce") is not None:
            payload["nonce"] = data["nonce"]
        await self.send_dispatch(session, "GUILD_MEMBERS_CHUNK", payload)

    # -- sending -------------------------------------------------------------------------

    async def send_dispatch(self, session: Session, event: str, data: JSON) -> None:
        async with session.lock:
            session.seq += 1
            frame = {"op": DISPATCH, "t": event, "s": session.seq, "d": data}
            session.buffer.append(frame)
            await self._send(session, frame)

    async def _send(self, session: Session, frame: JSON) -> None:
        ws = session.ws
        if ws is None or ws.closed:
            return
        try:
            await ws.send_str(json.dumps(frame))
        except (ConnectionError, RuntimeError):
            log.debug("gateway send to session %s failed; it will have to resume", session.id)
            session.ws = None

    async def dispatch(self, event: str, factory: PayloadFactory, *, guild_id: int) -> None:
        """Send an event to every bot session in the guild whose shard and intents want it."""
        guild = self.state.guilds.get(guild_id)
        if guild is None:
            return
        for session in list(self.sessions.values()):
            if session.bot.user_id not in guild.members or not session.owns_guild(guild_id):
                continue
            payload = factory(session)
            if payload is not None:
                await self.send_dispatch(session, event, payload)

    # -- faults --------------------------------------------------------------------------

    async def drop(self, bot_user_id: int, code: int = 4000) -> None:
        """Close the socket the way a network blip or a Discord restart does: resumable."""
        for session in self.sessions_of(bot_user_id):
            ws, session.ws = session.ws, None
            if ws is not None:
                await ws.close(code=code, message=b"emulator dropped the connection")
        self.state.changed()

    async def invalidate(self, bot_user_id: int) -> None:
        """Op 9 with ``d: false``: the client must forget the session and identify anew."""
        for session in self.sessions_of(bot_user_id):
            del self.sessions[session.id]
            if session.ws is not None:
                with contextlib.suppress(ConnectionError, RuntimeError):
                    await session.ws.send_str(json.dumps({"op": INVALID_SESSION, "d": False}))
        self.state.changed()

    async def send_op(self, bot_user_id: int, op: int) -> None:
        """Ask for a heartbeat (op 1) or a reconnect (op 7), as Discord sometimes does."""
        for session in self.sessions_of(bot_user_id):
            if session.ws is not None:
                await session.ws.send_str(json.dumps({"op": op, "d": None}))

    async def close_all(self) -> None:
        for session in self.sessions.values():
            if session.ws is not None:
                await session.ws.close(code=1001)
