"""The sandbox's SQLite store: chats and messages, committed before any answer is sent.

One connection in WAL mode, each INSERT its own transaction. `synchronous=OFF`: a commit has
handed the row to the operating system, so it survives the sandbox being killed (`kill -9`,
tested); an OS crash or power cut could lose recent rows. That is the sandbox's trade for speed
(the fsyncs of `NORMAL` cost about 40 µs a message). A lock guards the connection, so the server
thread and a reader in another thread can share it.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["Chat", "Store", "StoredMessage"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS chats (
    callid TEXT PRIMARY KEY,
    agent_id TEXT NOT NULL,
    channel TEXT NOT NULL,
    user_id TEXT NOT NULL,
    opened_by TEXT NOT NULL,
    created_ms INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS messages (
    seq INTEGER PRIMARY KEY,
    message_code TEXT NOT NULL UNIQUE,
    direction TEXT NOT NULL,
    callid TEXT NOT NULL,
    agent_id TEXT NOT NULL,
    user_id TEXT NOT NULL,
    channel TEXT NOT NULL,
    media_type TEXT NOT NULL,
    content TEXT NOT NULL,
    data TEXT,
    created_ms INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS messages_user ON messages (user_id, direction, seq);
CREATE INDEX IF NOT EXISTS chats_user ON chats (user_id, channel);
"""

_INSERT_MESSAGE = (
    "INSERT OR IGNORE INTO messages (message_code, direction, callid, agent_id, user_id, channel,"
    " media_type, content, data, created_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
_COLUMNS = (
    "seq, message_code, direction, callid, agent_id, user_id, channel, media_type, content, data,"
    " created_ms"
)


@dataclass(frozen=True, slots=True)
class Chat:
    """A chat (a multimedia call allocated to an agent): its `callid` is sendmessage's."""

    callid: str
    agent_id: str
    channel: str
    user_id: str


@dataclass(frozen=True, slots=True)
class StoredMessage:
    """One stored message; `direction` is "agent" (sent with sendmessage) or "customer"."""

    seq: int
    message_code: str
    direction: str
    callid: str
    agent_id: str
    user_id: str
    channel: str
    media_type: str
    content: str
    data: str | None
    created_ms: int


class Store:
    """Chats and messages in SQLite (a file, or ":memory:")."""

    def __init__(self, path: str = ":memory:") -> None:
        self.path = path
        self._lock = threading.Lock()
        if path != ":memory:" and not path.startswith("file:"):
            Path(path).expanduser().parent.mkdir(parents=True, exist_ok=True)
        # isolation_level=None: every statement commits on its own, so an INSERT is durable
        # (in the WAL) by the time execute() returns.
        self._conn = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.execute("PRAGMA synchronous=OFF")
        self._conn.executescript(_SCHEMA)
        self._chats: dict[str, Chat] = {}
        #: Called with each newly stored message (the live feed of the chat pages listens).
        self.listeners: list[Callable[[StoredMessage], None]] = []

    def close(self) -> None:
        """Close the connection (idempotent)."""
        with self._lock:
            self._conn.close()

    def open_chat(self, callid: str, agent_id: str, channel: str, user_id: str, by: str) -> Chat:
        """Record a chat; an existing `callid` is kept as it was."""
        chat = Chat(callid, agent_id, channel, user_id)
        with self._lock:
            self._conn.execute(
                "INSERT OR IGNORE INTO chats VALUES (?, ?, ?, ?, ?, ?)",
                (callid, agent_id, channel, user_id, by, _now_ms()),
            )
        self._chats.pop(callid, None)
        return self.chat(callid) or chat

    def chat(self, callid: str) -> Chat | None:
        """The chat with this `callid`, or None."""
        cached = self._chats.get(callid)
        if cached is not None:
            return cached
        with self._lock:
            row = self._conn.execute(
                "SELECT callid, agent_id, channel, user_id FROM chats WHERE callid = ?", (callid,)
            ).fetchone()
        if row is None:
            return None
        chat = Chat(*row)
        self._chats[callid] = chat
        return chat

    def add_message(
        self,
        *,
        message_code: str,
        direction: str,
        callid: str,
        agent_id: str,
        user_id: str,
        channel: str,
        media_type: str,
        content: str,
        data: str | None = None,
    ) -> bool:
        """Store a message; False when its `messageCode` is already stored (kept once)."""
        row = (
            message_code,
            direction,
            callid,
            agent_id,
            user_id,
            channel,
            media_type,
            content,
            data,
            _now_ms(),
        )
        with self._lock:
            cur = self._conn.execute(_INSERT_MESSAGE, row)
            added = cur.rowcount == 1
            seq = cur.lastrowid
        if added and self.listeners:
            stored = StoredMessage(seq or 0, *row)
            for listener in list(self.listeners):
                listener(stored)
        return added

    def chat_messages(self, callid: str, after: int = 0, limit: int = 100) -> list[StoredMessage]:
        """One chat's messages, both directions, oldest first, after a sequence number."""
        with self._lock:
            rows = self._conn.execute(
                f"SELECT {_COLUMNS} FROM messages WHERE callid = ? AND seq > ? ORDER BY seq"
                " LIMIT ?",
                (callid, after, limit),
            ).fetchall()
        return [StoredMessage(*r) for r in rows]

    def latest_chat(self, user_id: str, channel: str) -> Chat | None:
        """The newest chat a customer opened on a channel (the one a chat page joins), or None.

        Chats the sandbox recorded from an agent's send to a callid of its own are not joined.
        """
        with self._lock:
            row = self._conn.execute(
                "SELECT callid, agent_id, channel, user_id FROM chats WHERE user_id = ?"
                " AND channel = ? AND opened_by = 'customer'"
                " ORDER BY created_ms DESC, rowid DESC LIMIT 1",
                (user_id, channel),
            ).fetchone()
        return None if row is None else Chat(*row)

    def messages_to(
        self, user_id: str, after: int = 0, limit: int = 100, *, channel: str | None = None
    ) -> list[StoredMessage]:
        """Messages the agents sent to a customer, oldest first, after a sequence number.

        With `channel`, that channel's messages only.
        """
        where = " AND channel = ?" if channel is not None else ""
        args = (user_id, after, channel, limit) if channel is not None else (user_id, after, limit)
        with self._lock:
            rows = self._conn.execute(
                f"SELECT {_COLUMNS} FROM messages WHERE user_id = ? AND direction = 'agent'"
                f" AND seq > ?{where} ORDER BY seq LIMIT ?",
                args,
            ).fetchall()
        return [StoredMessage(*r) for r in rows]

    def newest_to(self, user_id: str) -> int:
        """The sequence number of the newest message sent to a customer (0: none yet)."""
        with self._lock:
            row = self._conn.execute(
                "SELECT MAX(seq) FROM messages WHERE user_id = ? AND direction = 'agent'",
                (user_id,),
            ).fetchone()
        return int(row[0] or 0)

    def all_messages(self) -> list[StoredMessage]:
        """Every stored message, oldest first (tests and demos)."""
        with self._lock:
            rows = self._conn.execute(f"SELECT {_COLUMNS} FROM messages ORDER BY seq").fetchall()
        return [StoredMessage(*r) for r in rows]

    def count(self, **where: Any) -> int:
        """How many messages match, e.g. `count(message_code="...")`."""
        allowed = {"message_code", "direction", "callid", "agent_id", "user_id"}
        if not set(where) <= allowed:
            raise ValueError(f"count() filters on {sorted(allowed)}")
        clause = " AND ".join(f"{k} = ?" for k in where) or "1"
        with self._lock:
            row = self._conn.execute(
                f"SELECT COUNT(*) FROM messages WHERE {clause}", tuple(where.values())
            ).fetchone()
        return int(row[0])


def _now_ms() -> int:
    return time.time_ns() // 1_000_000
