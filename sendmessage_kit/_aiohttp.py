"""An httpx2 transport on aiohttp: `AsyncGatewayClient`'s HTTP when aiohttp is installed.

Measured by `bench/bench_client.py`, httpx2's own async pool costs about twice aiohttp's per
request, which capped `send_many` at half the rate of a raw aiohttp client. The kit keeps
httpx2's API (requests, responses, exceptions) and lets aiohttp move the bytes, the pattern of
httpx-aiohttp and openai-python's `DefaultAioHttpClient`; that package itself depends on httpx,
which the kit does not use, hence these few lines. aiohttp is a dependency of the kit (bulk
sending at the field's best rate is what `send_many` is for, and it is the field's well-kept
async client); where it cannot be imported, the client falls back to httpx2's own pool.

Bodies are read whole (gateway answers are small JSON documents); every aiohttp error leaves as
the httpx2 exception the clients already translate (`_http.map_error`).
"""

from __future__ import annotations

import ssl
from typing import Any

import aiohttp
import httpx2

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


class AiohttpTransport(httpx2.AsyncBaseTransport):
    """An `httpx2.AsyncBaseTransport` whose connections are one aiohttp session's.

    Args:
        verify: an `ssl.SSLContext`, True (the system's CAs) or False (no verification).
        max_connections: the connection pool's size.

    The session is opened on the first request (aiohttp needs the running loop) and closed by
    `aclose()`, which `httpx2.AsyncClient.aclose()` calls.
    """

    def __init__(self, verify: ssl.SSLContext | bool = True, max_connections: int = 100) -> None:
        self._ssl: ssl.SSLContext | bool = verify
        self._limit = max_connections
        self._session: aiohttp.ClientSession | None = None

    def _open(self) -> aiohttp.ClientSession:
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

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        session = self._session or self._open()
        timeout: dict[str, Any] = request.extensions.get("timeout", {})
        limits = aiohttp.ClientTimeout(
            total=None,
            connect=timeout.get("pool"),
            sock_connect=timeout.get("connect"),
            sock_read=timeout.get("read"),
        )
        try:
            async with session.request(
                request.method,
                str(request.url),
                headers=request.headers.multi_items(),
                data=request.content or None,
                allow_redirects=False,
                timeout=limits,
            ) as answer:
                content = await answer.read()
                headers = answer.raw_headers
                status = answer.status
        except (TimeoutError, aiohttp.ClientError) as exc:
            raise _map(exc, request) from exc
        return httpx2.Response(status, headers=headers, content=content, request=request)

    async def aclose(self) -> None:
        if self._session is not None:
            session, self._session = self._session, None
            await session.close()
