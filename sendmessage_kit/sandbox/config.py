"""The sandbox's settings: one frozen dataclass, shared by `start()`, the CLI and `create_app`."""

from __future__ import annotations

import hashlib
import json
import re
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from sendmessage_kit.constraints import Profile

__all__ = [
    "DEMO_AGENT_ID",
    "DEMO_PASSWORD",
    "DEMO_PHONENUM",
    "ManualClock",
    "SandboxConfig",
    "check_cors_origin",
    "data_dir",
    "load_agents",
]

DEMO_AGENT_ID = "101"
DEMO_PASSWORD = "sandbox"  # a documented demo value, printed at start on purpose
DEMO_PHONENUM = "88880001"
_RETCODE = re.compile(r"^\d{3}-\d{3}$")


def data_dir(override: str | Path | None = None) -> Path:
    """The kit's data folder (CA, certificate, default database), created on first use.

    `override`, else `KitSettings().data_folder`: `SENDMESSAGE_KIT_DATA_DIR` (environment or
    `.env`), else `platformdirs.user_data_dir("sendmessage-kit")`.
    """
    if override is None:
        from sendmessage_kit.settings import KitSettings

        override = KitSettings().data_folder
    path = Path(override)
    path.mkdir(parents=True, exist_ok=True)
    return path


def load_agents(source: str | Path | Mapping[str, str]) -> dict[str, str]:
    """Agents allowed to sign in, as {agent ID: password}.

    Accepts a mapping, or a JSON/YAML file holding either `{"101": "pw", ...}` or
    `[{"agentId": "101", "password": "pw"}, ...]`.

    Raises:
        ValueError: the file or mapping is not one of those shapes (the message says which).
    """
    if isinstance(source, Mapping):
        raw: Any = dict(source)
        where = "agents"
    else:
        where = str(source)
        text = Path(source).read_text(encoding="utf-8")
        try:
            raw = json.loads(text)
        except ValueError:
            import yaml

            raw = yaml.safe_load(text)
    if isinstance(raw, list):
        try:
            raw = {str(item["agentId"]): str(item["password"]) for item in raw}
        except (TypeError, KeyError) as exc:
            raise ValueError(
                f"{where}: each list item needs agentId and password (missing {exc})"
            ) from None
    if not isinstance(raw, dict) or not raw:
        raise ValueError(f'{where}: expected {{"<agent ID>": "<password>", ...}} or a list')
    agents = {str(k): str(v) for k, v in raw.items()}
    for agent_id in agents:
        if not agent_id.isdigit():
            raise ValueError(f"{where}: agent ID {agent_id!r} is not a number")
    return agents


_LOOPBACK_ORIGIN = re.compile(r"^https?://(127\.0\.0\.1|localhost|\[::1\])(:\d{1,5})?$")


def check_cors_origin(origin: str) -> str:
    """`origin` when it is a loopback origin (`http://127.0.0.1:8080`), else a ValueError."""
    if not _LOOPBACK_ORIGIN.match(origin):
        raise ValueError(
            f"--cors {origin!r}: give a web page's origin on this machine, scheme://host:port "
            "with host 127.0.0.1, localhost or [::1] and no path, e.g. http://127.0.0.1:8080 "
            "(the sandbox answers browsers on loopback origins only)"
        )
    return origin


class ManualClock:
    """A monotonic clock that moves only when told: `clock.advance(121)` is two idle minutes.

    Pass it as `SandboxConfig(clock=...)`; thread-safe, since the sandbox reads it on its own
    thread while a test advances it.
    """

    def __init__(self, start: float = 1000.0) -> None:
        self._now = start
        self._lock = threading.Lock()

    def __call__(self) -> float:
        """The clock's time, in seconds."""
        with self._lock:
            return self._now

    def advance(self, seconds: float) -> None:
        """Move the clock forward."""
        if seconds < 0:
            raise ValueError("a monotonic clock does not go back")
        with self._lock:
            self._now += seconds


@dataclass(frozen=True)
class SandboxConfig:
    """How the sandbox behaves. Defaults give the simplest first run (see docs/sandbox.md).

    Attributes:
        host: address to bind; loopback by default.
        port: TCP port; 0 picks a free one.
        http: serve plain HTTP instead of HTTPS with the kit's local CA.
        secmode: MULTIMEDIA_SECMODE (1: content under 1.9 KB; 0: under 3.8 KB).
        auth_mode: AUTHMODE; 1 static Guid (default here), 2 dynamic (rotating) Guid.
        db: SQLite file, or ":memory:".
        strict_calls: refuse a `callid` no customer opened (default: open the chat on the fly).
        agents: {agent ID: password}; None lets every ID in range sign in with "sandbox".
        guid_interval: seconds between Guid rotations (auth mode 2).
        guid_timeout: seconds a Guid stays valid after it was issued (auth mode 2).
        idle_timeout: seconds without an event poll before an agent is signed out; 0 = never.
        oversize_retcode: retcode for content over the secmode budget (the vendor's is unknown).
        invalid_retcode: retcode for any other sendmessage body the sandbox cannot accept (not
            JSON, a rule broken, text that is not valid Unicode); the vendor's is unknown.
        web_poll_chars: the web channel poll cuts `content` to this many characters (0: no cut).
        allow_empty_phonenum: accept a sign-in whose `phonenum` is empty or whitespace (the
            kit's choice is to refuse it with 100-001, as the vendor's field table marks
            `phonenum` required and publishes 100-001 for empty sign-in parameters).
        poll_wait: seconds an event poll waits before answering with no event.
        agent_id_range: allowed agent IDs (the seed's edition: 101-59999; newer: 101-999999).
        bytes_per_kb: bytes in a KB of every size limit, 1000 (default) or 1024: unpublished.
        size_counts: what the send size limit counts, "content" (default) or the whole "data"
            string: unpublished.
        data_dir: where the CA and certificate live; None = the kit's data folder.
        faults: faults active from the start (same keys as `POST /sandbox/faults`).
        clock: seconds from a monotonic clock, for the Guid and idle timers; tests pass a
            `ManualClock` to move time instead of sleeping.
        lan: LAN mode: also listen on `host` (the machine's LAN address when `host` is
            loopback) so phones in the room open the customer's chat page; a random agent
            password, page tokens, and control from loopback only (docs/sandbox.md, "LAN mode").
        cors_origins: web pages allowed to call the sandbox from the browser (CORS), e.g.
            Swagger UI on `http://127.0.0.1:8080`; loopback origins only; empty: none (default).
        max_body_bytes: request bodies larger than this are refused with 413 before they are
            read whole (default 1 MiB; the gateway's largest valid sendmessage body is some
            tens of KB).
        request_timeout: seconds a client has to send a whole request, headers and body, from
            its first byte (or from connecting); a slower connection is closed.
        keep_alive_timeout: seconds an idle keep-alive connection stays open (uvicorn's
            `timeout_keep_alive`).
    """

    host: str = "127.0.0.1"
    port: int = 0
    http: bool = False
    secmode: int = 1
    auth_mode: int = 1
    db: str = ":memory:"
    strict_calls: bool = False
    agents: Mapping[str, str] | None = field(default=None, repr=False)  # holds passwords
    guid_interval: float = 60.0
    guid_timeout: float = 120.0
    idle_timeout: float = 120.0
    oversize_retcode: str = "000-006"
    invalid_retcode: str = "000-002"
    web_poll_chars: int = 500
    allow_empty_phonenum: bool = False
    poll_wait: float = 10.0
    agent_id_range: tuple[int, int] = (101, 59999)
    bytes_per_kb: int = 1000
    size_counts: Literal["content", "data"] = "content"
    data_dir: Path | None = None
    faults: Mapping[str, Any] | None = field(default=None, compare=False)
    clock: Callable[[], float] = field(default=time.monotonic, compare=False, repr=False)
    lan: bool = False
    cors_origins: tuple[str, ...] = ()
    max_body_bytes: int = 1024 * 1024
    request_timeout: float = 30.0
    keep_alive_timeout: int = 5

    def __post_init__(self) -> None:
        for origin in self.cors_origins:
            check_cors_origin(origin)
        if self.secmode not in (0, 1):
            raise ValueError(f"secmode must be 0 or 1, got {self.secmode!r}")
        if self.auth_mode not in (1, 2):
            raise ValueError(f"auth_mode must be 1 (static) or 2 (dynamic), got {self.auth_mode!r}")
        if not 0 < self.guid_interval < self.guid_timeout:
            raise ValueError(
                "guid_interval must be positive and below guid_timeout "
                f"(got {self.guid_interval} and {self.guid_timeout}); GUIDINTERVAL < GUIDTIMEOUT"
            )
        if self.idle_timeout < 0 or self.poll_wait < 0:
            raise ValueError("idle_timeout and poll_wait must not be negative")
        for name in ("oversize_retcode", "invalid_retcode"):
            if not _RETCODE.match(getattr(self, name)):
                raise ValueError(f"{name} must look like 000-006, got {getattr(self, name)!r}")
        if self.web_poll_chars < 0:
            raise ValueError(
                f"web_poll_chars must be 0 (no cut) or more, got {self.web_poll_chars}"
            )
        if not 0 <= self.port <= 65535:
            raise ValueError(f"port must be 0-65535, got {self.port}")
        if self.bytes_per_kb not in (1000, 1024):
            raise ValueError(f"bytes_per_kb must be 1000 or 1024, got {self.bytes_per_kb!r}")
        if self.size_counts not in ("content", "data"):
            raise ValueError(f"size_counts must be content or data, got {self.size_counts!r}")
        if min(self.max_body_bytes, self.request_timeout, self.keep_alive_timeout) <= 0:
            raise ValueError("max_body_bytes, request_timeout and keep_alive_timeout must be > 0")
        low, high = self.agent_id_range
        if not 0 <= low <= high:
            raise ValueError(f"agent_id_range must be (low, high), got {self.agent_id_range!r}")
        if self.lan and self.host in ("0.0.0.0", "::", ""):
            raise ValueError(
                f"LAN mode listens on one LAN address, not on every interface ({self.host!r}): "
                "leave host at 127.0.0.1 to use this machine's LAN address, or give that address"
            )

    def profile(self) -> Profile:
        """What the sandbox checks a body against: a `constraints.Profile`.

        Every setting `check()` reads is this config's: secmode, KB reading, what the size
        counts, the agent-ID range and the web poll's cut (`web_poll_chars`), so the sandbox
        warns where it cuts.
        """
        from sendmessage_kit.constraints import Profile
        from sendmessage_kit.encoding import SizeLimits

        limits = SizeLimits(bytes_per_kb=self.bytes_per_kb, counts=self.size_counts)
        return Profile(
            secmode=self.secmode,
            limits=limits,
            agent_id_range=self.agent_id_range,
            web_poll_chars=self.web_poll_chars,
        )

    @property
    def demo_agent_id(self) -> str:
        """The agent ID a demo signs in with: "101", or the first listed agent."""
        return next(iter(self.agents)) if self.agents else DEMO_AGENT_ID

    @property
    def demo_password(self) -> str:
        """The demo agent's password ("sandbox" unless an agents list says otherwise)."""
        return self.agents[self.demo_agent_id] if self.agents else DEMO_PASSWORD

    def agents_digest(self) -> str | None:
        """A short digest of the agents list, so two sandboxes can be compared without secrets."""
        if self.agents is None:
            return None
        blob = json.dumps(sorted(self.agents.items())).encode()
        return hashlib.sha256(blob).hexdigest()[:16]

    def behaviour(self) -> dict[str, Any]:
        """The settings that change what a client sees (its `/sandbox/health` shows them)."""
        return {
            "http": self.http,
            "secmode": self.secmode,
            "authMode": self.auth_mode,
            "strictCalls": self.strict_calls,
            "agents": self.agents_digest(),
            "guidInterval": self.guid_interval,
            "guidTimeout": self.guid_timeout,
            "idleTimeout": self.idle_timeout,
            "oversizeRetcode": self.oversize_retcode,
            "invalidRetcode": self.invalid_retcode,
            "webPollChars": self.web_poll_chars,
            "allowEmptyPhonenum": self.allow_empty_phonenum,
            "pollWait": self.poll_wait,
            "agentIdRange": list(self.agent_id_range),
            "bytesPerKb": self.bytes_per_kb,
            "sizeCounts": self.size_counts,
            "lan": self.lan,
            "corsOrigins": list(self.cors_origins),
        }
