"""Signed-in agents, their Guids and their event queues (in memory, like a real gateway's).

Everything here runs on the server's event loop thread, so it needs no locks. Time comes from
`config.clock` (`time.monotonic` unless a test injects a `ManualClock`), so the Guid and idle
timers are immune to wall-clock changes, and tests move time instead of sleeping.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections import OrderedDict, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sendmessage_kit.agent_ids import agent_id_ok
from sendmessage_kit.sandbox.config import SandboxConfig

__all__ = ["Gateway", "Session"]

SERVER_NAME = "AgentGateway0"
_ENDED_KEEP = 10_000  # remembered Guids of ended sessions, to answer 100-006 instead of 000-003


def new_guid() -> str:
    """A Guid in the real gateway's shape: `<uuid>.AgentGateway0`."""
    return f"{uuid.uuid4()}.{SERVER_NAME}"


@dataclass
class Session:
    """One signed-in agent."""

    agent_id: str
    phonenum: str
    guid: str
    guid_born: float
    last_poll: float
    login_ms: int


@dataclass
class _Inbox:
    events: deque[dict[str, Any]] = field(default_factory=lambda: deque(maxlen=1000))
    ready: asyncio.Event = field(default_factory=asyncio.Event)


class Gateway:
    """Sign-in, Guid checks and rotation, idle sign-out and event queues."""

    def __init__(self, config: SandboxConfig, *, clock: Callable[[], float] | None = None) -> None:
        self.config = config
        self.clock = clock if clock is not None else config.clock
        self.sessions: dict[str, Session] = {}
        self._guids: dict[str, tuple[str, float]] = {}  # guid -> (agent ID, issued at)
        self._ended: OrderedDict[str, str] = OrderedDict()  # guid -> agent ID
        self._inboxes: dict[str, _Inbox] = {}
        self.closing = False

    # -- agents and passwords -------------------------------------------------------------
    def in_range(self, agent_id: str) -> bool:
        """True when the agent ID is a number inside the configured range."""
        return agent_id_ok(agent_id, self.config.agent_id_range)

    def password_ok(self, agent_id: str, password: Any) -> bool:
        """The demo accepts "sandbox" for every agent, unless an agents list is configured."""
        agents = self.config.agents
        expected = agents.get(agent_id) if agents is not None else "sandbox"
        return expected is not None and password == expected

    # -- sessions ---------------------------------------------------------------------------
    def live_session(self, agent_id: str) -> Session | None:
        """The agent's session, after signing it out if it stopped polling too long ago."""
        session = self.sessions.get(agent_id)
        idle = self.config.idle_timeout
        if session is not None and idle and self.clock() - session.last_poll > idle:
            self.end(agent_id)
            return None
        return session

    def sign_in(self, agent_id: str, phonenum: str, *, force: bool) -> Session | None:
        """Open a session; None when one is live and `force` is False (100-002)."""
        if self.live_session(agent_id) is not None:
            if not force:
                return None
            self.end(agent_id)
        now = self.clock()
        guid = new_guid()
        session = Session(agent_id, phonenum, guid, now, now, time.time_ns() // 1_000_000)
        self.sessions[agent_id] = session
        self._guids[guid] = (agent_id, now)
        return session

    def end(self, agent_id: str) -> None:
        """Sign the agent out: all of its Guids stop working (they now answer 100-006)."""
        if self.sessions.pop(agent_id, None) is None:
            return
        for guid in [g for g, (a, _) in self._guids.items() if a == agent_id]:
            del self._guids[guid]
            self._ended[guid] = agent_id
        while len(self._ended) > _ENDED_KEEP:
            self._ended.popitem(last=False)

    def authenticate(self, guid: str | None, agent_id: str) -> tuple[str, Session | None]:
        """Check a `Guid` header for an agent: ("0", session) or (retcode, None).

        Missing, unknown, expired or another agent's Guid: 000-003. A Guid of a session that
        ended (sign-out, idle, forced sign-in elsewhere), or an agent not signed in: 100-006.
        """
        if not guid:
            return "000-003", None
        owner = self._guids.get(guid)
        if owner is None:
            return ("100-006" if self._ended.get(guid) == agent_id else "000-003"), None
        owner_id, born = owner
        session = self.live_session(owner_id)
        if session is None:
            return ("100-006" if owner_id == agent_id else "000-003"), None
        if owner_id != agent_id:
            return ("100-006" if self.live_session(agent_id) is None else "000-003"), None
        if self.config.auth_mode == 2 and self.clock() - born >= self.config.guid_timeout:
            del self._guids[guid]
            return "000-003", None
        return "0", session

    def rotate_if_due(self, session: Session) -> str | None:
        """Auth mode 2: a new Guid when the interval has passed (sent as Set-GUID), else None."""
        if self.config.auth_mode != 2:
            return None
        now = self.clock()
        if now - session.guid_born < self.config.guid_interval:
            return None
        timeout = self.config.guid_timeout
        for old in [g for g, (_, born) in self._guids.items() if now - born >= timeout]:
            del self._guids[old]
        return self.new_guid_for(session)

    def new_guid_for(self, session: Session) -> str:
        """Issue a new current Guid; earlier ones keep working until their timeout."""
        now = self.clock()
        session.guid = new_guid()
        session.guid_born = now
        self._guids[session.guid] = (session.agent_id, now)
        return session.guid

    # -- events -----------------------------------------------------------------------------
    def _inbox(self, agent_id: str) -> _Inbox:
        inbox = self._inboxes.get(agent_id)
        if inbox is None:
            inbox = self._inboxes[agent_id] = _Inbox()
        return inbox

    def push_event(self, agent_id: str, event_type: str, content: dict[str, Any] | None) -> None:
        """Queue an event for an agent; a waiting poll answers at once."""
        inbox = self._inbox(agent_id)
        inbox.events.append({"eventType": event_type, "workNo": agent_id, "content": content})
        inbox.ready.set()

    async def next_event(self, session: Session) -> dict[str, Any] | None:
        """One event, waiting up to `poll_wait` seconds; the poll is also the heartbeat."""
        session.last_poll = self.clock()
        inbox = self._inbox(session.agent_id)
        if not inbox.events and not self.closing:
            inbox.ready.clear()
            try:
                await asyncio.wait_for(inbox.ready.wait(), self.config.poll_wait)
            except TimeoutError:
                pass
        session.last_poll = self.clock()
        return inbox.events.popleft() if inbox.events else None

    def begin_shutdown(self) -> None:
        """Answer every waiting poll now, so the server can stop without waiting 10 s."""
        self.closing = True
        for inbox in self._inboxes.values():
            inbox.ready.set()
