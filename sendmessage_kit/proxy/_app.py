"""The proxy's ASGI app: forward each request to the upstream, give its answer back.

The request's method, path and query, headers and body go to the upstream unchanged, and the
answer's status, headers and body come back unchanged, with two exceptions HTTP itself makes:
`Host` names the upstream, and the hop-by-hop headers of RFC 9110 §7.6.1 (`Connection`,
`Transfer-Encoding`, ...) belong to each connection, not to the message. Header names reach an
ASGI app in lower case (HTTP/1.1 names are case-insensitive, RFC 9110 §5.1); their values and
the bodies are passed on byte for byte (a compressed answer stays compressed), and so is the
status code (its reason phrase, which clients ignore, is the code's standard one: ASGI carries
no other). The answer is read whole before it goes back (gateway answers are small JSON).

Upstream failures (refused, down, timed out, TLS) are answered 502 with a JSON body saying what
failed and the fix; nothing else is ever answered by the proxy itself, except a sendmessage
body with an error finding under `refuse_invalid`, answered as the sandbox refuses it.
"""

from __future__ import annotations

import itertools
import json
import time
from collections.abc import Callable
from typing import Any

import httpx2
from starlette.types import Receive, Scope, Send

from sendmessage_kit.proxy.capture import Exchange, answered, capture, kind_of

__all__ = ["HOP_BY_HOP", "ProxyApp", "failure_of"]

HOP_BY_HOP = frozenset(
    (b"connection", b"keep-alive", b"proxy-connection", b"transfer-encoding", b"te",
     b"trailer", b"upgrade", b"proxy-authenticate", b"proxy-authorization")
)  # fmt: skip
_JSON = b"application/json;charset=UTF-8"
_BY = "sendmessage-kit proxy"


def failure_of(exc: httpx2.HTTPError, upstream: str) -> tuple[str, str]:
    """(what failed, the fix) for an upstream failure, in words."""
    from sendmessage_kit._http import _is_tls

    if isinstance(exc, httpx2.ConnectError | httpx2.ConnectTimeout) and _is_tls(exc):
        return (
            f"TLS handshake with the upstream {upstream} failed ({exc})",
            "trust the gateway's CA with --cacert FILE (the sandbox prints its CA path at "
            "start), or check that the upstream's scheme is right (https:// vs http://)",
        )
    if isinstance(exc, httpx2.ConnectTimeout):
        return (
            f"connecting to the upstream {upstream} timed out",
            "check the address and port in --upstream, and that a firewall lets this machine in",
        )
    if isinstance(exc, httpx2.ConnectError):
        return (
            f"could not connect to the upstream {upstream} ({exc or 'connection refused'})",
            "check --upstream: is the gateway (or `sendmessage-kit sandbox`) running there?",
        )
    if isinstance(exc, httpx2.TimeoutException):
        return (
            f"the upstream {upstream} did not answer within the timeout",
            "the request may have been processed: resend only with the same messageCode; "
            "raise --timeout if the gateway is slow",
        )
    return (
        f"the connection to the upstream {upstream} broke before the answer ended "
        f"({type(exc).__name__}: {exc})",
        "the request may have been processed: resend only with the same messageCode",
    )


class ProxyApp:
    """Forwards to `upstream` with `client`; hands each finished `Exchange` to `done`."""

    def __init__(
        self,
        upstream: str,
        client_factory: Callable[[], httpx2.AsyncClient],
        record: Callable[[Exchange], None],
        notify: Callable[[Exchange], None],
        refuse: Callable[[Exchange], bytes | None] | None = None,
    ) -> None:
        self.upstream = upstream.rstrip("/")
        self._url = httpx2.URL(self.upstream)
        self._host = self._url.netloc
        self._prefix = self._url.raw_path.rstrip(b"/")
        self._client_factory = client_factory
        self.client: httpx2.AsyncClient | None = None
        self._record, self._notify = record, notify
        self._refuse = refuse
        self._ids = itertools.count(1)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Serve one HTTP request (other scope types are not served)."""
        if scope["type"] != "http":
            return
        from sendmessage_kit.sandbox import asgi

        t0, wall = time.perf_counter(), time.time()
        body = await asgi.read_body(receive)
        if body is None:  # the client went away before its body ended: nothing forwarded
            return
        raw_path: bytes = scope.get("raw_path") or scope["path"].encode()
        query: bytes = scope.get("query_string", b"")
        target = raw_path + (b"?" + query if query else b"")
        method: str = scope["method"]
        headers: list[tuple[bytes, bytes]] = scope["headers"]
        exchange = capture(
            id=next(self._ids),
            started=wall,
            method=method,
            path=target.decode("latin-1"),
            request_headers=[(k.decode("latin-1"), v.decode("latin-1")) for k, v in headers],
            request_body=body,
        )
        if self._refuse is not None and exchange.kind == "sendmessage":
            refusal = self._refuse(exchange)
            if refusal is not None:
                exchange.refused = True
                self._finish(exchange, 200, "OK", [(b"content-type", _JSON)], refusal, t0)
                await asgi.answer(send, 200, _JSON, refusal)
                self._notify(exchange)
                return
        await self._forward(exchange, method, target, headers, body, send, t0)

    async def _forward(
        self,
        exchange: Exchange,
        method: str,
        target: bytes,
        headers: list[tuple[bytes, bytes]],
        body: bytes,
        send: Send,
        t0: float,
    ) -> None:
        if self.client is None:
            self.client = self._client_factory()
        out = [(b"host", self._host)]
        out += [(k, v) for k, v in headers if k != b"host" and k not in HOP_BY_HOP]
        url = self._url.copy_with(raw_path=self._prefix + target)
        request = httpx2.Request(method, url, headers=out, content=body)
        try:
            response = await self.client.send(request, stream=True)
        except httpx2.HTTPError as exc:
            await self._fail(exchange, exc, send, t0)
            return
        try:
            # The raw bytes as they came (no decoding of a compressed body); gateway answers
            # are small JSON documents, read whole.
            answer = b"".join([chunk async for chunk in response.aiter_raw()])
        except httpx2.HTTPError as exc:
            await self._fail(exchange, exc, send, t0)
            return
        finally:
            await response.aclose()
        headers_back = [(k, v) for k, v in response.headers.raw if k.lower() not in HOP_BY_HOP]
        # Recorded before the answer goes back, so a client that has its answer finds it in
        # `.exchanges`; the listeners (log, HAR) run after, off the answer's time.
        status = response.status_code
        self._finish(exchange, status, response.reason_phrase, headers_back, answer, t0)
        await send({"type": "http.response.start", "status": status, "headers": headers_back})
        await send({"type": "http.response.body", "body": answer})
        self._notify(exchange)

    async def _fail(self, exchange: Exchange, exc: httpx2.HTTPError, send: Send, t0: float) -> None:
        from sendmessage_kit.sandbox import asgi

        what, fix = failure_of(exc, self.upstream)
        payload = {
            "error": what,
            "fix": fix,
            "upstream": self.upstream,
            "by": "sendmessage-kit proxy",
        }
        body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
        exchange.failure = f"{what}; fix: {fix}"
        self._finish(exchange, 502, "Bad Gateway", [(b"content-type", _JSON)], body, t0)
        await asgi.answer(send, 502, _JSON, body)
        self._notify(exchange)

    def _finish(
        self,
        exchange: Exchange,
        status: int,
        reason: str,
        headers: list[tuple[bytes, bytes]],
        body: bytes,
        t0: float,
    ) -> None:
        pairs = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in headers]
        answered(exchange, status, reason, pairs, body, time.perf_counter() - t0)
        self._record(exchange)


def refuse_like_sandbox(profile: Any) -> Callable[[Exchange], bytes | None]:
    """`--refuse-invalid`: a sendmessage body with an error finding gets the sandbox's refusal."""
    from sendmessage_kit.constraints import check
    from sendmessage_kit.sandbox.config import SandboxConfig
    from sendmessage_kit.sandbox.routes import gateway
    from sendmessage_kit.sandbox.routes._shared import answer_bytes

    config = SandboxConfig()

    def refuse(exchange: Exchange) -> bytes | None:
        agent_id = kind_of(exchange.method, exchange.path)[1]
        found = check(exchange.request_body, profile, agent_id=agent_id)
        errors = [f for f in found if f.severity == "error"]
        if not errors:
            return None
        # The sandbox's own choice of retcode and message for these findings.
        retcode = gateway._retcode_for(errors, config)
        return answer_bytes(retcode, gateway._describe(errors))

    return refuse
