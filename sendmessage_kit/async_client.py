"""`AsyncGatewayClient`: the asynchronous twin of `GatewayClient`, with `send_many`.

Same arguments, methods and results as `sendmessage_kit.client.GatewayClient` (both build on
`_client_base` and `_http`); the methods are awaited.

Example:
    >>> async with await AsyncGatewayClient.for_sandbox(sb) as client:  # doctest: +SKIP
    ...     (await client.send_message("call-1", new_message(to="u1", content="Hi"))).retcode
    '0'
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, Self

from sendmessage_kit import _http
from sendmessage_kit._client_base import (
    NO_PASSWORD_HINT,
    SendResult,
    _ClientBase,
    _interpret,
    event_of,
    sandbox_kwargs,
    sandbox_target,
)
from sendmessage_kit.errors import AgentStateError, SendMessageKitError, SignedOutError

if TYPE_CHECKING:
    import ssl

    import httpx2
    from pydantic import SecretStr

    from sendmessage_kit._aiohttp import AiohttpTransport
    from sendmessage_kit.bulk import BulkItem, BulkReport
    from sendmessage_kit.history import History
    from sendmessage_kit.models import MessageData, SendMessageRequest

__all__ = ["AsyncGatewayClient"]

MAX_CONNECTIONS = 100


def _aiohttp_transport(verify: ssl.SSLContext | bool) -> AiohttpTransport | None:
    """The aiohttp transport when aiohttp imports (about twice the rate of httpx2's pool)."""
    try:
        from sendmessage_kit._aiohttp import AiohttpTransport
    except ImportError:
        return None
    return AiohttpTransport(verify, MAX_CONNECTIONS)


def _failed_request(exc: httpx2.HTTPError) -> httpx2.Request | None:
    try:
        return exc.request
    except RuntimeError:  # raised without one
        return None


class AsyncGatewayClient(_ClientBase["httpx2.AsyncBaseTransport"]):
    """Asynchronous twin of `GatewayClient`, with `send_many` for bulk sending."""

    _httpx: httpx2.AsyncClient
    _sign_in_lock: asyncio.Lock
    #: The kit's own aiohttp transport, whose `exchange` the client calls (see
    #: `sendmessage_kit._aiohttp`); None when aiohttp is missing or a transport was given.
    _direct: AiohttpTransport | None
    #: What every request goes through: the aiohttp transport, httpx2's pool, or the transport
    #: given; called directly, as `GatewayClient` does (no `httpx2.AsyncClient.send` layers).
    _transport: httpx2.AsyncBaseTransport

    def _open_http(self, transport: httpx2.AsyncBaseTransport | None) -> httpx2.AsyncClient:
        import httpx2  # here, not at module level: see _TransportT

        self._sign_in_lock = asyncio.Lock()
        self._direct = None
        if transport is None:
            transport = self._direct = _aiohttp_transport(self._verify)
        if transport is None:
            limits = httpx2.Limits(max_connections=MAX_CONNECTIONS, max_keepalive_connections=100)
            transport = httpx2.AsyncHTTPTransport(
                verify=self._verify, trust_env=False, limits=limits
            )
        self._transport = transport
        return httpx2.AsyncClient(verify=self._verify, transport=transport, trust_env=False)

    async def _exchange(self, request: httpx2.Request) -> httpx2.Response:
        """The whole answer to `request` from a transport that is not the kit's aiohttp one."""
        response = await self._transport.handle_async_request(request)
        try:
            await response.aread()  # reads to the end and closes: the connection is released
        except BaseException:
            await response.aclose()
            raise
        response.request = request
        return response

    @classmethod
    async def for_sandbox(cls, sandbox: Any, **kwargs: Any) -> Self:
        """A client of a running sandbox, trusting its CA, signed in (await it)."""
        kwargs.setdefault("resend_on_failure", True)
        client = cls(**sandbox_kwargs(sandbox, kwargs))
        client.journal_target = sandbox_target(sandbox, client.agent_id)
        try:
            try:
                await client.sign_in()
            except AgentStateError:  # 100-002: signed in elsewhere; the sandbox is ours
                await client.force_sign_in()
        except BaseException:
            await client.aclose()
            raise
        return client

    async def _call(
        self,
        method: str,
        path: str,
        content: str | None = None,
        *,
        timeout: float | None = None,
        policy: _http.RetryPolicy | None = None,
    ) -> tuple[dict[str, Any] | None, SendMessageKitError | None, int]:
        import httpx2

        policy = policy or _http.RetryPolicy(self.policy.max_retries, False)
        url = self._root + path
        wait = timeout or self.timeout
        direct = self._direct
        body = content.encode("utf-8") if direct is not None and content is not None else None
        attempt = 0
        while True:
            self._refuse_if_closed()
            received: httpx2.Response | _http.Answer
            try:
                if direct is not None:
                    headers = {**_http.JSON_HEADERS, **self._guid.headers()}
                    received = await direct.exchange(method, url, headers, body, wait)
                else:
                    guid = self._guid.headers()
                    request = _http.build_request(
                        method, url, guid_headers=guid, content=content, timeout=wait
                    )
                    received = await self._exchange(request)
                obj, error, response = _interpret(received, self._guid, method, url)
            except httpx2.HTTPError as exc:
                obj, error, response = None, _http.map_error(exc, _failed_request(exc), url), None
                error.__cause__ = exc
            if error is None:
                return obj, None, attempt + 1
            delay = self._decide(error, attempt, response, policy)
            if delay is None:
                return obj, error, attempt + 1
            await asyncio.sleep(delay)
            attempt += 1

    async def _call_or_raise(
        self, method: str, path: str, content: str | None = None, **kw: Any
    ) -> dict[str, Any]:
        obj, error, _ = await self._call(method, path, content, **kw)
        if error is not None:
            raise error
        assert obj is not None
        return obj

    async def sign_in(
        self, password: SecretStr | str | None = None, phonenum: str | None = None
    ) -> dict[str, Any]:
        """Sign the agent in and keep the Guid from `Set-GUID` (100-002: use `force_sign_in`)."""
        content = self._sign_in_content(password, phonenum)
        obj = await self._call_or_raise("PUT", _http.sign_in_path(self.agent_id), content)
        return self._after_guid_response(obj, "sign-in")

    async def force_sign_in(
        self, password: SecretStr | str | None = None, phonenum: str | None = None
    ) -> dict[str, Any]:
        """Forced sign-in (`.../forcelogin`): take over an agent signed in elsewhere."""
        content = self._sign_in_content(password, phonenum)
        path = _http.sign_in_path(self.agent_id, force=True)
        obj = await self._call_or_raise("PUT", path, content)
        return self._after_guid_response(obj, "forced sign-in")

    async def sign_out(self) -> dict[str, Any]:
        """Sign the agent out and forget the Guid."""
        obj, error, _ = await self._call("DELETE", _http.sign_out_path(self.agent_id))
        if obj is not None:  # an answer, even a refusal: the Guid is of no further use
            self._guid.set(None)
        if error is not None:
            raise error
        assert obj is not None
        return obj

    async def poll_event(self, timeout: float | None = None) -> dict[str, Any] | None:
        """One long poll of `agentevent` (also the heartbeat); the event, or None after ~10 s."""
        obj = await self._call_or_raise(
            "GET",
            _http.event_path(self.agent_id),
            timeout=timeout or max(self.timeout, _http.POLL_TIMEOUT),
        )
        return event_of(obj)

    async def send_message(
        self,
        callid: str,
        data: MessageData | str,
        userid: str | None = None,
        *,
        check: bool = True,
        raise_on_error: bool | None = None,
        timeout: float | None = None,
        max_retries: int | None = None,
        journal: bool = True,
    ) -> SendResult:
        """Send one message (see `GatewayClient.send_message`)."""
        return await self.send_request(
            self._request_of(callid, data, userid),
            check=check,
            raise_on_error=raise_on_error,
            timeout=timeout,
            max_retries=max_retries,
            journal=journal,
        )

    async def send_request(
        self,
        request: SendMessageRequest,
        *,
        check: bool = True,
        raise_on_error: bool | None = None,
        timeout: float | None = None,
        max_retries: int | None = None,
        journal: bool = True,
    ) -> SendResult:
        """Send a ready `SendMessageRequest` (see `GatewayClient.send_message`).

        `journal=False` leaves the send out of the client's history (`send_many` journals its
        sends in batches itself).
        """
        body, result = self._prepare(request, check)
        policy = self._policy_for(max_retries)
        path = _http.send_path(self.agent_id)
        used = self._guid.value
        started = time.perf_counter()
        obj, error, result.attempts = await self._call(
            "POST", path, body, timeout=timeout, policy=policy
        )
        if isinstance(error, SignedOutError):
            obj, error, again = await self._sign_in_and_resend(
                obj, error, used, path, body, timeout, policy
            )
            result.attempts += again
        return self._finish(result, started, obj, error, raise_on_error, journal)

    async def _sign_in_and_resend(
        self,
        obj: dict[str, Any] | None,
        error: SignedOutError,
        used: SecretStr | None,
        path: str,
        body: str,
        timeout: float | None,
        policy: _http.RetryPolicy,
    ) -> tuple[dict[str, Any] | None, SendMessageKitError | None, int]:
        """After a signed-out answer to the Guid `used`: sign in again (once), resend `body`."""
        if self._password is None:
            return obj, error.with_hint(NO_PASSWORD_HINT), 0
        async with self._sign_in_lock:
            if self._guid.value is used:  # no other send has signed in again meanwhile
                try:
                    await self.sign_in()
                except SendMessageKitError as failure:
                    return obj, self._sign_in_failed(error, failure), 0
        return await self._call("POST", path, body, timeout=timeout, policy=policy)

    async def send_many(
        self,
        items: Iterable[BulkItem],
        *,
        concurrency: int | None = None,
        progress: bool = True,
        journal: History | None = None,
        check: bool = True,
    ) -> BulkReport:
        """Send many messages with bounded concurrency; see `sendmessage_kit.bulk.send_many`."""
        from sendmessage_kit.bulk import DEFAULT_CONCURRENCY, send_many

        return await send_many(
            self,
            items,
            concurrency=concurrency or DEFAULT_CONCURRENCY,
            progress=progress,
            journal=journal if journal is not None else self.history,
            check=check,
        )

    async def aclose(self) -> None:
        """Close the connections and the journal, when this client opened them."""
        await self._httpx.aclose()
        if self.history is not None and self._owns_history:
            self.history.close()
        self._run_closers()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()
