"""The sandbox's outer edge: rules every request passes before anything else reads it.

- **Host check.** A request whose `Host` is not one of the sandbox's own names (loopback names,
  and the address it listens on: in LAN mode, the LAN address it printed; bound to 0.0.0.0 or
  ::, any IP address) is refused with 421.
  A web page on another site cannot reach the sandbox by rebinding its own name to 127.0.0.1
  (DNS rebinding): the browser would send that name as the Host.
- **Body cap.** A body over `SandboxConfig.max_body_bytes` is refused with 413 and a JSON
  `detail`: at once when its `Content-Length` says so, else as soon as the bytes read pass the
  cap. Nothing reads more than the cap into memory.
- **Slow clients.** `SlowClientTimeout` (uvicorn's HTTP protocol with one timer) closes a
  connection that takes longer than `SandboxConfig.request_timeout` to send a whole request;
  uvicorn's `timeout_keep_alive` closes idle ones between requests.
"""

from __future__ import annotations

import asyncio
import ipaddress
import json

import h11
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from uvicorn.protocols.http.h11_impl import H11Protocol

from sendmessage_kit.encoding import shown
from sendmessage_kit.sandbox.asgi import answer, header
from sendmessage_kit.sandbox.config import SandboxConfig

__all__ = ["BodyTooLarge", "Edge", "SlowClientTimeout", "host_name"]

_LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "::1"})
_WILDCARDS = frozenset({"", "0.0.0.0", "::"})


class BodyTooLarge(HTTPException):
    """The body passed the cap.

    An `HTTPException`, so FastAPI's routes answer it as 413 JSON too when it is raised inside
    them (reading the body).
    """

    def __init__(self, limit: int) -> None:
        super().__init__(
            413,
            f"the request body is over the sandbox's cap of {limit} bytes (max_body_bytes); "
            "a sendmessage body is at most some tens of KB: send a smaller body",
        )


def host_name(value: str) -> str:
    """The name part of a Host header: no port, no brackets, lower case, no final dot."""
    value = value.strip().lower()
    if value.startswith("["):
        return value[1 : value.find("]")] if "]" in value else value
    if value.count(":") == 1:
        value = value.split(":", 1)[0]
    return value.rstrip(".")


class Edge:
    """ASGI wrapper: the Host check and the body cap, ahead of every other part of the app."""

    def __init__(self, inner: ASGIApp, config: SandboxConfig) -> None:
        self._inner = inner
        self._cap = config.max_body_bytes
        names = set(_LOOPBACK_NAMES)
        # Bound to every interface (outside LAN mode), the sandbox is reached by any of the
        # machine's addresses: an address as the Host is allowed (rebinding needs a name).
        self._any_address = config.host.lower() in _WILDCARDS
        if not self._any_address:
            names.add(host_name(config.host))
        self._names = frozenset(names)

    def host_ok(self, value: str | None) -> bool:
        """True for a request without Host (HTTP/1.0) or with one of the sandbox's names."""
        if value is None:
            return True
        name = host_name(value)
        if name in self._names:
            return True
        try:
            address = ipaddress.ip_address(name)
        except ValueError:
            return False
        return address.is_loopback or self._any_address

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Refuse a foreign Host or an oversized body; pass everything else through."""
        if scope["type"] != "http":
            await self._inner(scope, receive, send)
            return
        host = header(scope, b"host")
        if not self.host_ok(host):
            detail = (
                f"Host {shown(host or '', 60)!r} is not this sandbox's name: use 127.0.0.1 or "
                "localhost (or, in LAN mode, the address the sandbox printed)"
            )
            await _refuse(send, 421, detail)
            return
        length = header(scope, b"content-length")
        if length is not None and (len(length) > 15 or int(length or "0") > self._cap):
            await _refuse(send, 413, str(BodyTooLarge(self._cap).detail))
            return
        seen = 0

        async def capped() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self._cap:
                    raise BodyTooLarge(self._cap)
            return message

        # `send` passes through as it is: the fault injector reaches the connection through it.
        try:
            await self._inner(scope, capped, send)
        except BodyTooLarge as exc:  # raised outside FastAPI (the sendmessage hot path)
            # A body is read before the answer starts; were it not, uvicorn refuses a second
            # start with RuntimeError, and the original error is the one to report.
            try:
                await _refuse(send, 413, str(exc.detail))
            except RuntimeError:
                raise exc from None


async def _refuse(send: Send, status: int, detail: str) -> None:
    body = json.dumps({"detail": detail}, ensure_ascii=False).encode("utf-8", "replace")
    await answer(send, status, b"application/json", body)


class SlowClientTimeout(H11Protocol):
    """uvicorn's h11 protocol, plus a deadline for receiving each whole request.

    uvicorn times out idle keep-alive connections but not a client that sends its request a
    byte at a time. This subclass (passed as `uvicorn.Config(http=...)`, which takes a protocol
    class) arms one timer when a connection opens or a new request begins, disarms it when the
    request has been received whole, and closes the connection when it fires. It uses
    H11Protocol's `conn` (the h11 connection), `loop` and `transport` (no public hook exists);
    tests/reliability/test_edges_server.py (`test_slow_and_idle_connections_are_timed_out`)
    pins that behaviour.
    """

    request_timeout: float = 30.0
    _deadline: asyncio.TimerHandle | None = None

    @classmethod
    def with_timeout(cls, seconds: float) -> type[SlowClientTimeout]:
        """This protocol with its own deadline (uvicorn builds one instance per connection)."""
        return type(cls.__name__, (cls,), {"request_timeout": seconds})

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        """Start the clock for the first request."""
        super().connection_made(transport)
        self._arm()

    def data_received(self, data: bytes) -> None:
        """Feed h11; start the clock when a request begins, stop it when it has all come."""
        if self._deadline is None and self.conn.their_state is h11.IDLE:
            self._arm()
        super().data_received(data)
        if self.conn.their_state in (h11.DONE, h11.MUST_CLOSE, h11.CLOSED, h11.ERROR):
            self._disarm()

    def connection_lost(self, exc: Exception | None) -> None:
        """Stop the clock with the connection."""
        self._disarm()
        super().connection_lost(exc)

    def _arm(self) -> None:
        self._disarm()
        self._deadline = self.loop.call_later(self.request_timeout, self._too_slow)

    def _disarm(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None

    def _too_slow(self) -> None:
        self._deadline = None
        if not self.transport.is_closing():
            self.transport.close()
