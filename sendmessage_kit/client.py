"""`GatewayClient` and `AsyncGatewayClient`: the one path to a gateway, real or sandbox.

The twins share everything that is not I/O (`_http.py`, `auth.py`, `_ClientBase`): same
arguments, same methods, same results; the async one adds `send_many` for bulk sending.

Example:
    >>> from sendmessage_kit import sandbox, new_message            # doctest: +SKIP
    >>> with sandbox.start() as sb, GatewayClient.for_sandbox(sb) as client:  # doctest: +SKIP
    ...     client.send_message("call-1", new_message(to="u1", content="Hello")).retcode
    '0'
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, Self

import httpx2
from pydantic import SecretStr

from sendmessage_kit import _http
from sendmessage_kit._client_base import (
    InsecureTransportWarning,
    SendMessageKitWarning,
    SendResult,
    _ClientBase,
    _interpret,
)
from sendmessage_kit.errors import (
    AgentStateError,
    SendMessageKitError,
    SettingsError,
    error_for_retcode,
)
from sendmessage_kit.events import AsyncEventPoller, EventPoller
from sendmessage_kit.history import History
from sendmessage_kit.models import MessageData, SendMessageRequest
from sendmessage_kit.settings import KitSettings

if TYPE_CHECKING:
    from sendmessage_kit.bulk import BulkItem, BulkReport
    from sendmessage_kit.sandbox.customer import CustomerClient

__all__ = [
    "AsyncEventPoller",
    "AsyncGatewayClient",
    "EventPoller",
    "GatewayClient",
    "InsecureTransportWarning",
    "SendMessageKitWarning",
    "SendResult",
    "connect",
]


class GatewayClient(_ClientBase):
    """Synchronous client of CC-Gateway's agent interfaces around `sendmessage`."""

    def __init__(
        self,
        settings: KitSettings | None = None,
        *,
        transport: httpx2.BaseTransport | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(settings, **kwargs)
        self._http = httpx2.Client(verify=self._verify, transport=transport, trust_env=False)

    @classmethod
    def for_sandbox(cls, sandbox: Any, **kwargs: Any) -> Self:
        """A client of a running sandbox (`sandbox.start()`), trusting its CA, signed in."""
        kwargs.setdefault("resend_on_failure", True)
        client = cls(**{**_sandbox_kwargs(sandbox), **kwargs})
        try:
            try:
                client.sign_in()
            except AgentStateError:  # 100-002: signed in elsewhere; the sandbox is ours
                client.force_sign_in()
        except BaseException:
            client.close()
            raise
        return client

    def _call(
        self,
        method: str,
        path: str,
        content: str | None = None,
        *,
        timeout: float | None = None,
        policy: _http.RetryPolicy | None = None,
    ) -> tuple[dict[str, Any] | None, SendMessageKitError | None, int]:
        policy = policy or _http.RetryPolicy(self.policy.max_retries, False)
        url = self._root + path
        attempt = 0
        while True:
            request = _http.build_request(
                method,
                url,
                guid_headers=self._guid.headers(),
                content=content,
                timeout=timeout or self.timeout,
            )
            try:
                obj, error, response = _interpret(self._http.send(request), self._guid)
            except httpx2.HTTPError as exc:
                obj, error, response = None, _http.map_error(exc, request, url), None
                error.__cause__ = exc
            if error is None:
                return obj, None, attempt + 1
            delay = self._decide(error, attempt, response, policy)
            if delay is None:
                return obj, error, attempt + 1
            time.sleep(delay)
            attempt += 1

    def _call_or_raise(
        self, method: str, path: str, content: str | None = None, **kw: Any
    ) -> dict[str, Any]:
        obj, error, _ = self._call(method, path, content, **kw)
        if obj is not None:
            return obj
        assert error is not None
        raise error

    def sign_in(
        self, password: SecretStr | str | None = None, phonenum: str | None = None
    ) -> dict[str, Any]:
        """Sign the agent in and keep the Guid from `Set-GUID` (100-002: use `force_sign_in`)."""
        content = self._sign_in_content(password, phonenum)
        obj = self._call_or_raise("PUT", _http.sign_in_path(self.agent_id), content)
        return self._after_guid_response(obj, "sign-in")

    def force_sign_in(
        self, password: SecretStr | str | None = None, phonenum: str | None = None
    ) -> dict[str, Any]:
        """Forced sign-in (`.../forcelogin`): take over an agent signed in elsewhere."""
        content = self._sign_in_content(password, phonenum)
        obj = self._call_or_raise("PUT", _http.sign_in_path(self.agent_id, force=True), content)
        return self._after_guid_response(obj, "forced sign-in")

    def sign_out(self) -> dict[str, Any]:
        """Sign the agent out and forget the Guid."""
        obj = self._call_or_raise("DELETE", _http.sign_out_path(self.agent_id))
        self._guid.set(None)
        if obj["retcode"] != "0":
            raise error_for_retcode(obj["retcode"], str(obj.get("message", "")), response=obj)
        return obj

    def poll_event(self, timeout: float | None = None) -> dict[str, Any] | None:
        """One long poll of `agentevent` (also the heartbeat); the event, or None after ~10 s."""
        obj = self._call_or_raise(
            "GET",
            _http.event_path(self.agent_id),
            timeout=timeout or max(self.timeout, _http.POLL_TIMEOUT),
        )
        return _event_of(obj)

    def send_message(
        self,
        callid: str,
        data: MessageData | str,
        userid: str | None = None,
        *,
        check: bool = True,
        raise_on_error: bool | None = None,
    ) -> SendResult:
        """Send one message; `data` is a `MessageData` or a ready string.

        Raises:
            PayloadError: `check` found errors (nothing was sent).
            GatewayError: retcode != "0" (a subclass per family), unless `raise_on_error=False`.
            TransportError: no usable answer (ConnectError, TLSError, RequestTimeout, ...).
            ResponseError: an HTML page or a non-JSON body.
        """
        request = self._request_of(callid, data, userid)
        return self.send_request(request, check=check, raise_on_error=raise_on_error)

    def send_request(
        self, request: SendMessageRequest, *, check: bool = True, raise_on_error: bool | None = None
    ) -> SendResult:
        """Send a ready `SendMessageRequest` (see `send_message`)."""
        body, result = self._prepare(request, check)
        started = time.perf_counter()
        obj, error, result.attempts = self._call(
            "POST", _http.send_path(self.agent_id), body, policy=self.policy
        )
        return self._finish(result, started, obj, error, raise_on_error)

    def customer_side(self) -> CustomerClient:
        """The customer's side of the sandbox this client talks to (sandbox only).

        Opens chats and reads what a customer received. A real CC-Gateway has no such side: its
        customers are reached through their channels, so this raises `SettingsError` there.
        """
        from sendmessage_kit.sandbox.customer import CustomerClient

        root = self._root.removesuffix("/agentgateway")
        side = CustomerClient(root, verify=self._verify, timeout=self.timeout)
        try:
            side.health()
        except httpx2.HTTPError as exc:
            side.close()
            raise _http.map_error(exc, None, f"{root}/sandbox/health") from exc
        except ValueError:
            side.close()
            raise SettingsError(
                f"{root} is not a sendmessage-kit sandbox, so it has no customer side: open a "
                "chat from the customer's channel and use its callid, or unset "
                "SENDMESSAGE_KIT_BASE_URL to use the local sandbox."
            ) from None
        return side

    def close(self) -> None:
        """Close the connections, the journal and the sandbox, when this client opened them."""
        self._http.close()
        if self.history is not None and self._owns_history:
            self.history.close()
        self._run_closers()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class AsyncGatewayClient(_ClientBase):
    """Asynchronous twin of `GatewayClient`, with `send_many` for bulk sending."""

    def __init__(
        self,
        settings: KitSettings | None = None,
        *,
        transport: httpx2.AsyncBaseTransport | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(settings, **kwargs)
        limits = httpx2.Limits(max_connections=100, max_keepalive_connections=100)
        self._http = httpx2.AsyncClient(
            verify=self._verify, transport=transport, trust_env=False, limits=limits
        )

    @classmethod
    async def for_sandbox(cls, sandbox: Any, **kwargs: Any) -> Self:
        """A client of a running sandbox, trusting its CA, signed in (await it)."""
        kwargs.setdefault("resend_on_failure", True)
        client = cls(**{**_sandbox_kwargs(sandbox), **kwargs})
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
        policy = policy or _http.RetryPolicy(self.policy.max_retries, False)
        url = self._root + path
        attempt = 0
        while True:
            request = _http.build_request(
                method,
                url,
                guid_headers=self._guid.headers(),
                content=content,
                timeout=timeout or self.timeout,
            )
            try:
                obj, error, response = _interpret(await self._http.send(request), self._guid)
            except httpx2.HTTPError as exc:
                obj, error, response = None, _http.map_error(exc, request, url), None
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
        if obj is not None:
            return obj
        assert error is not None
        raise error

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
        obj = await self._call_or_raise("DELETE", _http.sign_out_path(self.agent_id))
        self._guid.set(None)
        if obj["retcode"] != "0":
            raise error_for_retcode(obj["retcode"], str(obj.get("message", "")), response=obj)
        return obj

    async def poll_event(self, timeout: float | None = None) -> dict[str, Any] | None:
        """One long poll of `agentevent` (also the heartbeat); the event, or None after ~10 s."""
        obj = await self._call_or_raise(
            "GET",
            _http.event_path(self.agent_id),
            timeout=timeout or max(self.timeout, _http.POLL_TIMEOUT),
        )
        return _event_of(obj)

    async def send_message(
        self,
        callid: str,
        data: MessageData | str,
        userid: str | None = None,
        *,
        check: bool = True,
        raise_on_error: bool | None = None,
    ) -> SendResult:
        """Send one message (see `GatewayClient.send_message`)."""
        request = self._request_of(callid, data, userid)
        return await self.send_request(request, check=check, raise_on_error=raise_on_error)

    async def send_request(
        self,
        request: SendMessageRequest,
        *,
        check: bool = True,
        raise_on_error: bool | None = None,
        journal: bool = True,
    ) -> SendResult:
        """Send a ready `SendMessageRequest` (see `GatewayClient.send_message`).

        `journal=False` leaves the send out of the client's history (`send_many` journals its
        sends in batches itself).
        """
        body, result = self._prepare(request, check)
        started = time.perf_counter()
        obj, error, result.attempts = await self._call(
            "POST", _http.send_path(self.agent_id), body, policy=self.policy
        )
        return self._finish(result, started, obj, error, raise_on_error, journal)

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
        await self._http.aclose()
        if self.history is not None and self._owns_history:
            self.history.close()
        self._run_closers()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()


def _event_of(obj: dict[str, Any]) -> dict[str, Any] | None:
    if obj["retcode"] != "0":
        raise error_for_retcode(obj["retcode"], str(obj.get("message", "")), response=obj)
    event = obj.get("event")
    return event if isinstance(event, dict) and event else None


def _sandbox_kwargs(sandbox: Any) -> dict[str, Any]:
    return {
        "base_url": sandbox.base_url,
        "agent_id": sandbox.agent_id,
        "password": sandbox.password,
        "phonenum": getattr(sandbox, "phonenum", None),
        "ca_bundle": getattr(sandbox, "ca_path", None),
        "secmode": getattr(sandbox, "secmode", None),
    }


def connect(settings: KitSettings | None = None, **kwargs: Any) -> GatewayClient:
    """The configured gateway's client, or, with nothing configured, a sandbox's; signed in.

    Decided by `sendmessage_kit.target.open_target()`: a sandbox it starts belongs to the client
    returned, and `client.close()` stops it (lab's sandbox, under `sendmessage-kit lab`, keeps
    running). For the sandbox's customer side as well, use `open_target()` itself.
    """
    from sendmessage_kit.target import open_target

    return open_target(settings, **kwargs).hand_over()
