"""The proxy's request handler: forward each request to the upstream, give its answer back.

The request's method, path and query, headers (names as written) and body go to the upstream
unchanged, and the answer's status line, headers and body come back unchanged, except where
HTTP itself says a proxy must: `Host` names the upstream; the hop-by-hop headers of RFC 9110
§7.6.1 (`Connection`, `Transfer-Encoding`, ...) belong to each connection, not to the message,
and `Content-Length` is written again by the library framing the message (the same value: the
body is the same); an answer without `Date` gets one, as RFC 9110 §6.6.1 asks of a proxy, and
nothing else is added (`_Answer`). Bodies pass byte for byte (a compressed answer stays
compressed); an answer is read whole before it goes back (gateway answers are small JSON).

aiohttp serves and forwards: measured by `bench/bench_proxy.py` against uvicorn (h11) with an
httpx2 client, it costs the proxy half the CPU per exchange (about 460 against 1,040 µs), which
is what keeps the added latency under a millisecond on loopback. It is the kit's async HTTP
library already (`sendmessage_kit._aiohttp`), whose aiohttp-to-httpx2 error mapping this reuses.

Upstream failures (refused, down, timed out, TLS) are answered 502 with a JSON body saying what
failed and the fix; nothing else is ever answered by the proxy itself, except a sendmessage
body with an error finding under `refuse_invalid`, answered as the sandbox refuses it.
"""

from __future__ import annotations

import asyncio
import http
import itertools
import json
import ssl
import time
from collections.abc import Callable
from typing import Any

import aiohttp
import httpx2
from aiohttp import web
from yarl import URL

from sendmessage_kit._aiohttp import _map
from sendmessage_kit.proxy.capture import Exchange, answered, capture, kind_of

__all__ = ["HOP_BY_HOP", "ProxyApp", "failure_of", "refuse_like_sandbox"]

HOP_BY_HOP = frozenset(
    ("connection", "keep-alive", "proxy-connection", "transfer-encoding", "te", "trailer",
     "upgrade", "proxy-authenticate", "proxy-authorization")
)  # fmt: skip
# Host names the upstream; Content-Length is written again (the same value: the body is the
# same) by the HTTP library framing the message.
_NOT_FORWARDED = HOP_BY_HOP | {"host", "content-length"}
_NOT_RETURNED = HOP_BY_HOP | {"content-length"}
_ADDED_BY_AIOHTTP = ("User-Agent", "Accept", "Accept-Encoding", "Content-Type")
_JSON = "application/json;charset=UTF-8"
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
    """Forwards to `upstream`; records each `Exchange`, then hands it to `notify`.

    An aiohttp request handler (`__call__`) with an aiohttp client session of its own, opened on
    the first request (aiohttp needs the running loop) and closed by `aclose()`.
    """

    def __init__(
        self,
        upstream: str,
        verify: ssl.SSLContext | bool,
        timeout: float,
        record: Callable[[Exchange], None],
        notify: Callable[[Exchange], None],
        refuse: Callable[[Exchange], bytes | None] | None = None,
    ) -> None:
        self.upstream = upstream.rstrip("/")
        self._host = str(URL(self.upstream).host_port_subcomponent)
        self._verify = verify
        self._timeout = aiohttp.ClientTimeout(total=None, sock_connect=timeout, sock_read=timeout)
        self._session: aiohttp.ClientSession | None = None
        self._record, self._notify = record, notify
        self._refuse = refuse
        self._ids = itertools.count(1)

    def _open(self) -> aiohttp.ClientSession:
        connector = aiohttp.TCPConnector(limit=100, ssl=self._verify)
        # Nothing implicit: no cookies kept, no proxy from the environment, no header added
        # that the application did not send, no answer decompressed.
        self._session = aiohttp.ClientSession(
            connector=connector,
            cookie_jar=aiohttp.DummyCookieJar(),
            trust_env=False,
            auto_decompress=False,
            skip_auto_headers=_ADDED_BY_AIOHTTP,
        )
        return self._session

    async def aclose(self) -> None:
        """Close the upstream session."""
        if self._session is not None:
            session, self._session = self._session, None
            await session.close()

    async def __call__(self, request: web.BaseRequest) -> web.StreamResponse:
        """Forward one request and give its answer back."""
        t0, wall = time.perf_counter(), time.time()
        body = await request.read()
        target = request.raw_path  # path and query, as the client wrote them
        # Recorded as forwarded: Host names the upstream.
        headers = [
            (k, self._host if k.lower() == "host" else v)
            for k, v in ((k.decode("latin-1"), v.decode("latin-1")) for k, v in request.raw_headers)
        ]
        exchange = capture(
            id=next(self._ids),
            started=wall,
            method=request.method,
            path=target,
            request_headers=headers,
            request_body=body,
        )
        if self._refuse is not None and exchange.kind == "sendmessage":
            refusal = self._refuse(exchange)
            if refusal is not None:
                exchange.refused = True
                return self._finish(exchange, 200, [("Content-Type", _JSON)], refusal, t0)
        out = [(k, v) for k, v in headers if k.lower() not in _NOT_FORWARDED]
        session = self._session or self._open()
        try:
            async with session.request(
                request.method,
                URL(self.upstream + target, encoded=True),
                headers=out,
                data=body or None,
                allow_redirects=False,
                timeout=self._timeout,
            ) as answer:
                content = await answer.read()
                raw = answer.raw_headers
                status, reason = answer.status, answer.reason or ""
        except (TimeoutError, aiohttp.ClientError) as exc:
            return self._fail(
                exchange, _map(exc, httpx2.Request(request.method, self.upstream)), t0
            )
        pairs = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in raw]
        back = [(k, v) for k, v in pairs if k.lower() not in _NOT_RETURNED]
        return self._finish(exchange, status, back, content, t0, reason)

    def _fail(self, exchange: Exchange, exc: httpx2.HTTPError, t0: float) -> web.Response:
        what, fix = failure_of(exc, self.upstream)
        payload = {"error": what, "fix": fix, "upstream": self.upstream, "by": _BY}
        body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
        exchange.failure = f"{what}; fix: {fix}"
        return self._finish(exchange, 502, [("Content-Type", _JSON)], body, t0)

    def _finish(
        self,
        exchange: Exchange,
        status: int,
        headers: list[tuple[str, str]],
        body: bytes,
        t0: float,
        reason: str | None = None,
    ) -> web.Response:
        # Recorded before the answer goes back, so a client that has its answer finds it in
        # `.exchanges`; the listeners (log, HAR) run once it is sent, off the answer's time.
        reason = reason if reason is not None else _reason(status)
        answered(exchange, status, reason, headers, body, time.perf_counter() - t0)
        self._record(exchange)
        response = _Answer(status=status, reason=reason or None, body=body, headers=headers)
        asyncio.get_running_loop().call_soon(self._notify, exchange)
        return response


class _Answer(web.Response):
    """A response with only the headers given, and `Date` (RFC 9110 §6.6.1: a proxy adds one).

    aiohttp's server adds `Server` and a default `Content-Type` to every response in
    `_prepare_headers`, with no public switch; this override removes the two again when the
    upstream's answer had none (pinned by tests/proxy/test_forward.py).
    """

    async def _prepare_headers(self) -> None:
        given = {k.lower() for k in self.headers}
        await super()._prepare_headers()
        for name in ("Server", "Content-Type"):
            if name.lower() not in given:
                self.headers.popall(name, None)


def _reason(status: int) -> str:
    try:
        return http.HTTPStatus(status).phrase
    except ValueError:
        return ""


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
        retcode = gateway._retcode_for(errors, config.oversize_retcode, config.invalid_retcode)
        return answer_bytes(retcode, gateway._describe(errors))

    return refuse
