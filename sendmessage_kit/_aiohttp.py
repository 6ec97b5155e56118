"""aiohttp's connections behind httpx2's async transport interface (the async client's default).

Measured by `bench/bench_client.py`, httpx2's own async pool costs about twice aiohttp's per
request, which capped `send_many` at half the rate of a raw aiohttp client. So the async client
sends through this `httpx2.AsyncBaseTransport`, the way openai-python puts aiohttp under its
async client (`DefaultAioHttpClient`, after httpx-aiohttp): every request and answer is
httpx2's, with its timeouts and its exceptions; only the sockets are aiohttp's. aiohttp is a
dependency of the kit (bulk sending at the field's best rate is what `send_many` is for).

Bodies are read whole (gateway answers are small JSON documents) and handed to httpx2 as the
response's stream, read (decoded by httpx2 as its Content-Encoding says), so the response
comes back complete; every aiohttp error leaves as the httpx2 exception of the same kind.
"""

from __future__ import annotations

import functools
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
    `aclose()`, which `AsyncGatewayClient.aclose()` calls; a closed transport does not reopen.
    """

    def __init__(self, verify: ssl.SSLContext | bool = True, max_connections: int = 100) -> None:
        self._ssl: ssl.SSLContext | bool = verify
        self._limit = max_connections
        self._session: aiohttp.ClientSession | None = None
        self._closed = False

    @property
    def is_closed(self) -> bool:
        """True once `aclose()` ran: nothing is opened behind its owner's back."""
        return self._closed

    def _open(self) -> aiohttp.ClientSession:
        if self._closed:
            raise RuntimeError("This AiohttpTransport is closed; open a new one to send.")
        connector = aiohttp.TCPConnector(limit=self._limit, ssl=self._ssl)
        # Nothing implicit: no cookies kept, no proxy or netrc from the environment, no
        # User-Agent or compression added (httpx2's request carries every header sent).
        self._session = aiohttp.ClientSession(
            connector=connector,
            cookie_jar=aiohttp.DummyCookieJar(),
            trust_env=False,
            auto_decompress=False,
            skip_auto_headers=("User-Agent", "Accept-Encoding"),
        )
        return self._session

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        """Send `request` on aiohttp and read its whole answer; aiohttp errors leave as httpx2's.

        The request's `timeout` extension bounds the wait for a free connection (`pool`), the
        connect (TLS included) and each read, as on httpx2's own transport.
        """
        t: dict[str, Any] = request.extensions.get("timeout", {})
        limits = _limits(t.get("pool"), t.get("connect"), t.get("read"))
        body = await request.aread()
        session = self._session or self._open()
        try:
            async with session.request(
                request.method,
                str(request.url),
                headers=[
                    (k.decode("latin-1"), v.decode("latin-1")) for k, v in request.headers.raw
                ],
                data=body or None,
                allow_redirects=False,
                timeout=limits,
            ) as answer:
                content = await answer.read()
        except (TimeoutError, aiohttp.ClientError) as exc:
            raise _map(exc, request) from exc
        major, minor = answer.version or aiohttp.HttpVersion11
        version = f"HTTP/{major}.{minor}".encode("ascii")
        reason = (answer.reason or "").encode("latin-1")
        response = httpx2.Response(
            answer.status,
            headers=answer.raw_headers,
            stream=httpx2.ByteStream(content),
            extensions={"http_version": version, "reason_phrase": reason},
        )
        response.read()  # at hand already: decoded here, without an async iteration per read
        return response

    async def aclose(self) -> None:
        self._closed = True
        if self._session is not None:
            session, self._session = self._session, None
            await session.close()
