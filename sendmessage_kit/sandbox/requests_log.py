"""The sandbox's own request log: `GET /sandbox/requests` (loopback only, secrets masked).

The sandbox keeps the last `KEEP` requests to its gateway and web-channel interfaces (not its
own `/sandbox/...` controls), each with the rule that decided the answer and the retcode
chosen. An application pointed at the sandbox gets the view the validation proxy gives
(`sendmessage_kit.proxy`, `TrafficView`): the entries are the proxy's `Exchange`s, captured
the same way (the Guid, `Set-GUID` and the password masked by header name and body member).

Recording costs a request little: the body and answer are kept as bytes, and what they mean
(findings, retcode meaning, the deciding rule) is worked out only when the log is read.
"""

from __future__ import annotations

import collections
import contextvars
import itertools
import threading
import time
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from sendmessage_kit.proxy.capture import Exchange, answered, capture

__all__ = ["KEEP", "Reached", "RequestLog", "decided_by", "router"]

KEEP = 500
_LOGGED = ("/agentgateway/", "/apiaccess/")
_LOOPBACK = frozenset(("127.0.0.1", "::1", "localhost"))
_REACHED: contextvars.ContextVar[list[bool] | None] = contextvars.ContextVar(
    "sendmessage_kit_sandbox_reached", default=None
)
_AUTH = frozenset(("000-003", "100-006"))
FAULT = "an injected fault answered (POST /sandbox/faults); the request was not checked"


class RequestLog:
    """ASGI wrapper keeping the last `keep` gateway requests and their answers."""

    def __init__(self, app: ASGIApp, keep: int = KEEP) -> None:
        self.app = app
        self.entries: collections.deque[Exchange] = collections.deque(maxlen=keep)
        self._ids = itertools.count(1)
        self._lock = threading.Lock()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass the request on, keeping a copy of it and of its answer."""
        if scope["type"] != "http" or not scope["path"].startswith(_LOGGED):
            await self.app(scope, receive, send)
            return
        t0, wall = time.perf_counter(), time.time()
        body: list[bytes] = []
        status: list[int] = []
        headers: list[tuple[str, str]] = []
        answer: list[bytes] = []
        reached = [False]
        token = _REACHED.set(reached)

        async def receive_copy() -> Message:
            message = await receive()
            if message["type"] == "http.request":
                body.append(message.get("body", b""))
            return message

        def keep(message: Message) -> None:
            if message["type"] == "http.response.start":
                status.append(message["status"])
                headers.extend((k.decode("latin-1"), v.decode("latin-1"))
                               for k, v in message.get("headers", []))  # fmt: skip
            elif message["type"] == "http.response.body":
                answer.append(message.get("body", b""))

        try:
            await self.app(scope, receive_copy, _SendCopy(send, keep).send)
        finally:
            _REACHED.reset(token)
            query = scope.get("query_string", b"")
            path = scope["path"] + ("?" + query.decode("latin-1") if query else "")
            raw = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in scope["headers"]]
            with self._lock:
                number = next(self._ids)
            entry = capture(id=number, started=wall, method=scope["method"], path=path,
                            request_headers=raw, request_body=b"".join(body))  # fmt: skip
            answered(entry, status[0] if status else 0, "", headers, b"".join(answer),
                     time.perf_counter() - t0)  # fmt: skip
            if not reached[0]:  # answered by the fault injector
                entry.failure = FAULT
            with self._lock:
                self.entries.append(entry)


class _SendCopy:
    """`send`, keeping a copy of each message, as a bound method of a stand-in for the cycle.

    The fault injector's dropped connection reaches the server's transport through
    `send.__self__` (`faults._drop`); through this `send` it still does.
    """

    def __init__(self, send: Send, keep: Any) -> None:
        object.__setattr__(self, "_send", send)
        object.__setattr__(self, "_keep", keep)

    async def send(self, message: Message) -> None:
        """Keep a copy, then send."""
        self._keep(message)
        await self._send(message)

    def __getattr__(self, name: str) -> Any:
        return getattr(getattr(self._send, "__self__", None), name)

    def __setattr__(self, name: str, value: Any) -> None:
        setattr(self._send.__self__, name, value)


class Reached:
    """ASGI wrapper inside the fault injector: marks a request that got past the faults."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Mark, then pass on."""
        reached = _REACHED.get()
        if reached is not None:
            reached[0] = True
        await self.app(scope, receive, send)


def decided_by(entry: Exchange, profile: Any) -> str:
    """The rule that decided a logged request's answer, in words."""
    if entry.failure == FAULT:
        return "fault: " + FAULT
    e = entry.explain(profile)
    if e.retcode is None:
        return f"HTTP {entry.status}: no gateway answer"
    if e.retcode in _AUTH:  # the sandbox checks the Guid before the body
        return "auth: the Guid is missing, unknown or expired, or the agent is not signed in"
    errors = dict.fromkeys(f["rule"] for f in e.findings if f["severity"] == "error")
    if errors:
        return "check(): " + ", ".join(errors)
    if e.retcode == "0":
        return "accepted: every rule passed" if e.kind == "sendmessage" else "success"
    return f"the gateway's state: {_message(entry)}"


def _message(entry: Exchange) -> str:
    import json

    try:
        return str(json.loads(entry.response_body).get("message") or "")
    except (ValueError, AttributeError):
        return ""


router = APIRouter(tags=["Sandbox control"])


@router.get(
    "/sandbox/requests",
    summary="The last requests the sandbox received, newest first (loopback only)",
    responses={403: {"description": "asked from another machine"}},
)
async def requests_log(
    request: Request,
    limit: Annotated[int, Query(ge=0, le=KEEP, description="How many, newest first.")] = 100,
) -> JSONResponse:
    """The last requests to the gateway and web-channel interfaces, newest first.

    The sandbox keeps the last 500 (not its own `/sandbox/...` controls). Each entry holds the
    request (`method`, `path`, `request`: the body as received), the answer (`status`,
    `answer`: the body as sent), `interface` (sendmessage, sign-in, sign-out, updateGuid,
    event poll, web channel), `retcode` with its `meaning` and `remedy` from the kit's
    catalog, `decidedBy` (the rule that decided the answer: `check()`'s rule IDs, the Guid
    check, or an injected fault), and for sendmessage the decoded `data` fields and every
    `findings` of `check()`. The Guid and `Set-GUID` are never kept, and a sign-in body's
    password reads `<password: masked by sendmessage-kit>`. Answered only to this machine
    (loopback); from another, 403. `TrafficView.from_sandbox(sb)` shows it in a notebook.
    """
    from sendmessage_kit.proxy.log import view_record

    client = request.client.host if request.client is not None else ""
    if client not in _LOOPBACK:
        return JSONResponse(
            {"error": "the request log is for this machine only (loopback)"}, status_code=403
        )
    state = request.app.state.sandbox
    log: RequestLog = request.app.state.requests_log
    with log._lock:
        entries = list(log.entries)[-max(0, limit) :]
    out = []
    for entry in reversed(entries):
        record = view_record(entry, state.profile)
        record["decidedBy"] = decided_by(entry, state.profile)
        out.append(record)
    return JSONResponse({"kept": log.entries.maxlen, "requests": out})
