"""Faults on demand for `sendmessage`: latency, a retcode, HTML 502, a dropped connection, garbage.

A fault spec is what `POST /sandbox/faults` takes (and the CLI's fault flags build):

    {"latency_ms": 500}                              every send waits 0.5 s
    {"retcode": "100-007", "count": 3}               the next 3 sends answer 100-007
    {"fail_ratio": 0.5, "retcode": "100-007"}        half the sends (at random) answer 100-007
    {"html_502": true, "count": 1}                   the next send gets a proxy's HTML 502 page
    {"drop_connection": true, "count": 1}            the next send's connection is closed, no answer
    {"garbage": true, "count": 1}                    the next send gets a body that is not JSON
    {"retcode": "100-007", "callid": "c-1"}          only sends on chat c-1 answer 100-007
    {"html_502": true, "user": "u-1"}                only sends to customer u-1 (data's `to`)

A scope (`callid`, `user`) limits a fault, its latency and its count to the matching sends, so
a guide faulting its own chat never hits another guide's chat on the same sandbox.
A new spec replaces the previous one; `DELETE /sandbox/faults` clears it. Faults act on
`sendmessage` only, before anything is checked or stored, so a faulted send stores nothing.
"""

from __future__ import annotations

import asyncio
import json
import random
import threading
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StrictFloat,
    StrictInt,
    model_validator,
)
from starlette.types import ASGIApp, Receive, Scope, Send

from sendmessage_kit.sandbox.asgi import answer, drain, read_body, replay

__all__ = ["FaultInjector", "FaultSpec", "Faults"]

Kind = Literal["retcode", "html_502", "drop_connection", "garbage"]

HTML_502 = (
    b"<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
    b"<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n"
    b"</body>\r\n</html>\r\n"
)
GARBAGE = b"<<sandbox fault: this body is not JSON>>\x00\xff"


class FaultSpec(BaseModel):
    """One set of faults (the body of `POST /sandbox/faults`)."""

    # Strict scalars: JSON `0` is no `false` and `"5"` no number, as the document says.
    model_config = ConfigDict(extra="forbid")

    latency_ms: StrictInt = Field(default=0, ge=0, le=120_000, description="Delay every send (ms).")
    retcode: str | None = Field(
        default=None, pattern=r"^\d{3}-\d{3}$", description="Answer this retcode (HTTP 200)."
    )
    html_502: StrictBool = Field(default=False, description="Answer an HTML 502 page (a proxy's).")
    drop_connection: StrictBool = Field(
        default=False, description="Close the connection, no answer."
    )
    garbage: StrictBool = Field(default=False, description="Answer HTTP 200 with a non-JSON body.")
    fail_ratio: StrictFloat | None = Field(
        default=None, gt=0, le=1, description="Fraction of sends hit (default: every send)."
    )
    count: StrictInt | None = Field(
        default=None, ge=1, description="Hit only this many sends, then clear (default: no end)."
    )
    seed: StrictInt | None = Field(default=None, description="Seed for fail_ratio's random draws.")
    callid: str | None = Field(
        default=None, min_length=1, description="Hit only sends on this chat (the body's callid)."
    )
    user: str | None = Field(
        default=None,
        min_length=1,
        description="Hit only sends to this customer (data's `to`).",
    )

    @model_validator(mode="after")
    def _one_kind(self) -> FaultSpec:
        kinds = [self.retcode is not None, self.html_502, self.drop_connection, self.garbage]
        if sum(kinds) > 1:
            raise ValueError("choose one of retcode, html_502, drop_connection, garbage")
        if self.fail_ratio is not None and not any(kinds):
            self.retcode = "100-007"  # a ratio alone fails with the internal-error retcode
        if self.count is not None and not any(kinds) and self.fail_ratio is None:
            raise ValueError("count needs a fault to count: retcode, html_502, ...")
        return self

    @property
    def kind(self) -> Kind | None:
        """Which answer the fault gives, or None for latency only."""
        if self.retcode is not None:
            return "retcode"
        if self.html_502:
            return "html_502"
        if self.drop_connection:
            return "drop_connection"
        if self.garbage:
            return "garbage"
        return None

    @property
    def scoped(self) -> bool:
        """Whether the fault hits only some sends (a callid or user scope)."""
        return self.callid is not None or self.user is not None

    def matches(self, callid: str | None, users: tuple[str, ...] = ()) -> bool:
        """Whether a send on `callid` to any of `users` is within this fault's scope."""
        if self.callid is not None and callid != self.callid:
            return False
        return self.user is None or self.user in users


def send_scope(body: bytes) -> tuple[str | None, tuple[str, ...]]:
    """(callid, users) of a sendmessage body: its callid and data's `to`.

    A body that is not the expected JSON has no scope (a scoped fault does not hit it).
    """
    try:
        outer = json.loads(body)
        callid = outer.get("callid")
        users = []
        data = outer.get("data")
        inner = json.loads(data) if isinstance(data, str) else data
        if isinstance(inner, dict):
            users.append(inner.get("to"))
    except (ValueError, AttributeError, TypeError):
        return None, ()
    found = tuple(str(u) for u in users if isinstance(u, str | int) and str(u))
    return (str(callid) if isinstance(callid, str | int) else None), found


class Faults:
    """The active fault spec and its remaining count; thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._spec: FaultSpec | None = None
        self._left: int | None = None
        self._rng = random.Random()
        self.active = False  # read without the lock on the hot path: a stale read is harmless

    def set(self, spec: FaultSpec | dict[str, Any]) -> FaultSpec:
        """Replace the active faults."""
        spec = spec if isinstance(spec, FaultSpec) else FaultSpec.model_validate(spec)
        with self._lock:
            self._spec = spec
            self._left = spec.count
            self._rng = random.Random(spec.seed)
            self.active = spec.latency_ms > 0 or spec.kind is not None
        return spec

    def clear(self) -> None:
        """Remove every fault."""
        with self._lock:
            self._spec, self._left, self.active = None, None, False

    def state(self) -> dict[str, Any]:
        """The active spec and how many hits are left (for `GET /sandbox/faults`)."""
        with self._lock:
            spec = self._spec.model_dump(exclude_defaults=True) if self._spec else None
            return {"active": self.active, "spec": spec, "left": self._left}

    @property
    def scoped(self) -> bool:
        """Whether the active fault needs the send's body to decide (a callid or user scope)."""
        spec = self._spec
        return spec is not None and spec.scoped

    def draw(
        self, callid: str | None = None, users: tuple[str, ...] = ()
    ) -> tuple[float, FaultSpec | None]:
        """For one send on `callid` to `users`: (latency in seconds, the spec if it is hit)."""
        with self._lock:
            spec = self._spec
            if spec is None or not spec.matches(callid, users):
                return 0.0, None
            latency = spec.latency_ms / 1000
            if spec.kind is None:
                return latency, None
            if spec.fail_ratio is not None and self._rng.random() >= spec.fail_ratio:
                return latency, None
            if self._left is not None:
                self._left -= 1
                if self._left <= 0:
                    # the count is spent: keep only the latency, if any
                    self._spec = spec.model_copy(
                        update={
                            "retcode": None,
                            "html_502": False,
                            "drop_connection": False,
                            "garbage": False,
                            "fail_ratio": None,
                            "count": None,
                        }
                    )
                    self._left = None
                    self.active = spec.latency_ms > 0
            return latency, spec


class FaultInjector:
    """ASGI wrapper that applies the faults to `.../sendmessage` before the app sees it."""

    def __init__(self, app: ASGIApp, faults: Faults) -> None:
        self.app = app
        self.faults = faults

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass through, unless a fault is active and this is a sendmessage request."""
        if not (
            self.faults.active
            and scope["type"] == "http"
            and scope["path"].endswith("/sendmessage")
        ):
            await self.app(scope, receive, send)
            return
        callid: str | None = None
        users: tuple[str, ...] = ()
        if self.faults.scoped:  # read the body to match the scope, then hand it on unchanged
            body = await read_body(receive)
            if body is None:  # the client went away: nothing to answer
                return
            callid, users = send_scope(body)
            receive = replay(body, receive)
        latency, spec = self.faults.draw(callid, users)
        if latency:
            await asyncio.sleep(latency)
        if spec is None:
            await self.app(scope, receive, send)
            return
        await drain(receive)
        if spec.kind == "drop_connection":
            await _drop(send)
        elif spec.kind == "html_502":
            await answer(send, 502, b"text/html", HTML_502)
        elif spec.kind == "garbage":
            await answer(send, 200, b"application/json;charset=UTF-8", GARBAGE)
        else:
            body = json.dumps({"message": "sandbox fault", "retcode": spec.retcode}).encode()
            await answer(send, 200, b"application/json;charset=UTF-8", body)


async def _drop(send: Send) -> None:
    # No public call of ASGI or uvicorn ends a connection with no answer (an exception answers
    # 500, or cuts an answer after its headers), so this one reaches into uvicorn: its `send` is
    # a bound method of the request cycle, whose transport is closed here, and `disconnected`
    # keeps the cycle from answering 500 once the app returns. The client sees the connection
    # end with no byte, like a crash; tests/sandbox/test_faults.py::test_a_drop_sends_no_byte
    # pins it.
    cycle = getattr(send, "__self__", None)
    transport = getattr(cycle, "transport", None)
    if transport is None:
        raise ConnectionAbortedError("sandbox fault: drop_connection")
    transport.close()
    cycle.disconnected = True  # type: ignore[union-attr]
