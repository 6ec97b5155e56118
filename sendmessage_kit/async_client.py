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
from sendmessage_kit._client_base import _ClientBase, event_of
from sendmessage_kit._for_sandbox import sandbox_kwargs, sandbox_target
from sendmessage_kit._results import SendResult
from sendmessage_kit.errors import AgentStateError, SendMessageKitError, SignedOutError

if TYPE_CHECKING:
    import httpx2
    from pydantic import SecretStr

    from sendmessage_kit.bulk import BulkItem, BulkReport
    from sendmessage_kit.history import History
    from sendmessage_kit.models import MessageData, SendMessageRequest

__all__ = ["AsyncGatewayClient"]

MAX_CONNECTIONS = 100


class AsyncGatewayClient(_ClientBase["httpx2.AsyncBaseTransport"]):
    """Asynchronous twin of `GatewayClient`, with `send_many` for bulk sending.

    Every request goes to one httpx2 transport's `handle_async_request`: aiohttp's
    connections (`sendmessage_kit._aiohttp.AiohttpTransport`, about twice the rate of httpx2's
    own pool) or the `transport=` given (an `httpx2.AsyncHTTPTransport`, an
    `httpx2.ASGITransport`, ...).
    """

    _transport: httpx2.AsyncBaseTransport
    _sign_in_lock: asyncio.Lock

    def _open_transport(
        self, transport: httpx2.AsyncBaseTransport | None
    ) -> httpx2.AsyncBaseTransport:
        from sendmessage_kit._aiohttp import AiohttpTransport

        self._sign_in_lock = asyncio.Lock()
        return transport or AiohttpTransport(self._verify, MAX_CONNECTIONS)

    @classmethod
    async def for_sandbox(cls, sandbox: Any, **kwargs: Any) -> Self:
        """A client of a running sandbox, trusting its CA, signed in (await it)."""
        client = cls(**sandbox_kwargs(sandbox, kwargs))
        client.journal_target = sandbox_target(sandbox, client.agent_id)
        try:
            await client._sign_in_or_take_over()
        except BaseException:
            await client.aclose()
            raise
        return client

    async def _sign_in_or_take_over(self) -> None:
        """Sign in, or take over (see `GatewayClient._sign_in_or_take_over`)."""
        try:
            await self.sign_in()
        except AgentStateError:  # the sandbox is ours
            await self.force_sign_in()

    async def _call(self, call: _http.Call) -> dict[str, Any]:
        """Await the gateway's answer to `call` (see `GatewayClient._call`)."""
        first = call.attempts
        while True:
            step = self._judge(call, first, *await self._attempt(call))
            if isinstance(step, dict):
                return step
            await asyncio.sleep(step)

    async def _attempt(self, call: _http.Call) -> _http.Attempt:
        """One attempt of `call` (see `GatewayClient._attempt`)."""
        import httpx2

        request, started = self._request(call), time.perf_counter()
        try:
            response = await self._transport.handle_async_request(request)
            try:
                await response.aread()
            finally:
                await response.aclose()
        except httpx2.HTTPError as exc:
            return request, exc
        return request, _http.finished(response, request, started)

    async def sign_in(
        self, password: SecretStr | str | None = None, phonenum: str | None = None
    ) -> dict[str, Any]:
        """Sign the agent in (see `GatewayClient.sign_in`)."""
        call = self._sign_in_call(password, phonenum)
        return self._signed_in(call, await self._call(call))

    async def force_sign_in(
        self, password: SecretStr | str | None = None, phonenum: str | None = None
    ) -> dict[str, Any]:
        """Forced sign-in: take over an agent signed in elsewhere (see `GatewayClient`)."""
        call = self._sign_in_call(password, phonenum, force=True)
        return self._signed_in(call, await self._call(call))

    async def sign_out(self) -> dict[str, Any]:
        """Sign the agent out and forget the Guid (see `GatewayClient.sign_out`)."""
        call = self._sign_out_call()
        try:
            return await self._call(call)
        finally:
            self._signed_out(call)

    async def poll_event(self, timeout: float | None = None) -> dict[str, Any] | None:
        """One long poll of `agentevent` (see `GatewayClient.poll_event`)."""
        return event_of(await self._call(self._poll_call(timeout)))

    async def send_message(
        self, callid: str, data: MessageData | str, userid: str | None = None, *,
        check: bool = True, raise_on_error: bool | None = None, timeout: float | None = None,
        max_retries: int | None = None, journal: bool = True,
    ) -> SendResult:  # fmt: skip
        """Send one message (see `GatewayClient.send_message`)."""
        request = self._request_of(callid, data, userid)
        call, result = self._send_call(request, check, timeout, max_retries)
        return await self._send(call, result, raise_on_error, journal)

    async def send_request(
        self, request: SendMessageRequest, *, check: bool = True,
        raise_on_error: bool | None = None, timeout: float | None = None,
        max_retries: int | None = None, journal: bool = True,
    ) -> SendResult:  # fmt: skip
        """Send a ready `SendMessageRequest` (see `GatewayClient.send_message`).

        `journal=False` leaves the send out of the client's history (`send_many` journals its
        sends in batches itself).
        """
        call, result = self._send_call(request, check, timeout, max_retries)
        return await self._send(call, result, raise_on_error, journal)

    async def _send(
        self, call: _http.Call, result: SendResult, raise_on_error: bool | None, journal: bool
    ) -> SendResult:
        """Send `call` (signing in again, once, after a signed-out answer) and finish `result`."""
        error: SendMessageKitError | None = None
        try:
            try:
                await self._call(call)
            except SignedOutError as signed_out:
                await self._sign_in_and_resend(call, signed_out)
        except SendMessageKitError as exc:
            error = exc
        return self._finish(result, call, error, raise_on_error, journal)

    async def _sign_in_and_resend(self, call: _http.Call, error: SignedOutError) -> None:
        """Sign in again and resend (see `GatewayClient._sign_in_and_resend`)."""
        async with self._sign_in_lock:
            if self._may_sign_in_again(call, error):
                try:
                    await self.sign_in()
                except SendMessageKitError as failure:
                    raise self._sign_in_failed(error, failure) from None
        await self._call(call)

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
        self._closed = True
        await self._transport.aclose()
        if self.history is not None and self._owns_history:
            self.history.close()
        self._run_closers()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()
