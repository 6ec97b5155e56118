"""The async client's HTTP on aiohttp: an exchange the client calls, and an httpx2 transport.

Measured by `bench/bench_client.py`, httpx2's own async pool costs about twice aiohttp's per
request, which capped `send_many` at half the rate of a raw aiohttp client. aiohttp is a
dependency of the kit (bulk sending at the field's best rate is what `send_many` is for, and it
is the field's well-kept async client); where it cannot be imported, the client falls back to
httpx2's own pool.

`AsyncGatewayClient` calls `AiohttpTransport.exchange` itself: bytes and headers in, an
`_http.Answer` (status, case-insensitive headers, body) out. Going through
`httpx2.AsyncClient.send` instead built an `httpx2.Request` and an `httpx2.Response` (with its
decoder chain) and ran the client's auth, redirect, cookie and hook layers on every send: about
a quarter of `send_many`'s client CPU per message (800 -> 590 us), for layers the gateway's
interface does not use (no redirects, no auth flow; the Guid is a header the kit sets, and the
kit never sent the cookies httpx2 kept). The class is also an `httpx2.AsyncBaseTransport` on
the same session (the pattern of httpx-aiohttp and openai-python's `DefaultAioHttpClient`), for
any `httpx2.AsyncClient`.

Bodies are read whole (gateway answers are small JSON documents); every aiohttp error leaves as
the httpx2 exception the clients already translate (`_http.map_error`), with an `httpx2.Request`
built for it then, not before.
"""

from __future__ import annotations

import functools
import ssl
from typing import Any

import aiohttp
import httpx2
from aiohttp.typedefs import LooseHeaders

from sendmessage_kit._http import Answer

__all__ = ["AiohttpTransport"]


def _map(exc: BaseException, request: httpx2.Request) -> httpx2.HTTPError:
    """The httpx2 exception for an aiohttp one (the cause stays chained by the caller)."""
    message = str(exc) or type(exc).__name__
    if isinstance(exc, aiohttp.ConnectionTimeoutError):
        return httpx2.ConnectTimeout(message, request=request)
    if isinstance(exc, TimeoutError | aiohttp.ServerTimeoutError):
        return httpx2.ReadTimeout(message, request=request)
    if isinstance(exc, aiohttp.InvalidUrlClientError | aiohttp.NonHttpUrlClientError):
        return httpx2.UnsupportedProtocol(message, request=request)
    if isinstance(exc, aiohttp.ClientConnectorError):
        return httpx2.ConnectError(message, request=request)
    if isinstance(exc, aiohttp.ServerDisconnectedError | aiohttp.ClientPayloadError):
        return httpx2.RemoteProtocolError(message, request=request)
    return httpx2.ReadError(message, request=request)


@functools.lru_cache(maxsize=64)
def _limits(pool: float | None, connect: float | None, read: float | None) -> aiohttp.ClientTimeout:
    """The `aiohttp.ClientTimeout` of httpx2's pool / connect / read timeouts (one per value)."""
    return aiohttp.ClientTimeout(total=None, connect=pool, sock_connect=connect, sock_read=read)


class AiohttpTransport(httpx2.AsyncBaseTransport):
    """An `httpx2.AsyncBaseTransport` whose connections are one aiohttp session's.

    Args:
        verify: an `ssl.SSLContext`, True (the system's CAs) or False (no verification).
        max_connections: the connection pool's size.

    The session is opened on the first request (aiohttp needs the running loop) and closed by
    `aclose()`, which `httpx2.AsyncClient.aclose()` calls; a closed transport does not reopen.
    """

    def __init__(self, verify: ssl.SSLContext | bool = True, max_connections: int = 100) -> None:
        self._ssl: ssl.SSLContext | bool = verify
        self._limit = max_connections
        self._session: aiohttp.ClientSession | None = None
        self._closed = False

    def _open(self) -> aiohttp.ClientSession:
        if self._closed:  # what it opened is closed for good: nothing is opened behind its owner
            raise RuntimeError("Cannot send a request, as the transport has been closed.")
        connector = aiohttp.TCPConnector(limit=self._limit, ssl=self._ssl)
        # Nothing implicit: no cookies kept, no proxy or netrc from the environment, no
        # User-Agent or compression added (the client sets the headers it sends).
        self._session = aiohttp.ClientSession(
            connector=connector,
            cookie_jar=aiohttp.DummyCookieJar(),
            trust_env=False,
            auto_decompress=False,
            skip_auto_headers=("User-Agent", "Accept-Encoding"),
        )
        return self._session

    async def _send(
        self,
        method: str,
        url: str,
        headers: LooseHeaders,
        body: bytes | None,
        limits: aiohttp.ClientTimeout,
    ) -> Answer:
        session = self._session or self._open()
        async with session.request(
            method, url, headers=headers, data=body or None, allow_redirects=False, timeout=limits
        ) as answer:
            content = await answer.read()
            return Answer(answer.status, answer.headers, content, answer.raw_headers)

    async def exchange(
        self,
        method: str,
        url: str,
        headers: LooseHeaders,
        body: bytes | None,
        timeout: float,
    ) -> Answer:
        """Send one request and read its whole answer; aiohttp errors leave as httpx2's.

        `timeout` bounds the connect (TLS included) and each read, as `httpx2.Timeout(timeout)`
        does. A request waiting for a free connection (more than `max_connections` in flight)
        waits its turn: every request ahead of it ends within its own timeouts. Timing the wait
        too put a timer on every request, about 25 us of CPU each (`bench/bench_client.py`).
        """
        try:
            return await self._send(method, url, headers, body, _limits(None, timeout, timeout))
        except (TimeoutError, aiohttp.ClientError) as exc:
            raise _map(exc, httpx2.Request(method, url)) from exc

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        """httpx2's transport interface, on the same exchange."""
        t: dict[str, Any] = request.extensions.get("timeout", {})
        limits = _limits(t.get("pool"), t.get("connect"), t.get("read"))
        headers = request.headers.multi_items()
        try:
            a = await self._send(request.method, str(request.url), headers, request.content, limits)
        except (TimeoutError, aiohttp.ClientError) as exc:
            raise _map(exc, request) from exc
        return httpx2.Response(a.status_code, headers=a.raw, content=a.content, request=request)

    async def aclose(self) -> None:
        self._closed = True
        if self._session is not None:
            session, self._session = self._session, None
            await session.close()
