"""`GatewayClient` and `connect()`: the one path to a gateway, real or sandbox.

Its asynchronous twin, `AsyncGatewayClient`, lives in `async_client` (also importable from here).
The twins share everything that is not I/O (`_http.py`, `auth.py`, `_ClientBase`): same
arguments, same methods, same results; the async one adds `send_many` for bulk sending.

Example:
    >>> from sendmessage_kit import sandbox, new_message            # doctest: +SKIP
    >>> with sandbox.start() as sb, GatewayClient.for_sandbox(sb) as client:  # doctest: +SKIP
    ...     client.send_message("call-1", new_message(to="u1", content="Hello")).retcode
    '0'
"""

from __future__ import annotations

import contextlib
import threading
import time
from typing import TYPE_CHECKING, Any, Self

from sendmessage_kit import _http
from sendmessage_kit._client_base import _ClientBase, event_of
from sendmessage_kit._for_sandbox import sandbox_kwargs, sandbox_target
from sendmessage_kit._lazy import lazy_names
from sendmessage_kit._results import InsecureTransportWarning, SendMessageKitWarning, SendResult
from sendmessage_kit.errors import AgentStateError, SendMessageKitError, SignedOutError
from sendmessage_kit.events import EventPoller

if TYPE_CHECKING:
    import httpx2
    from pydantic import SecretStr

    from sendmessage_kit.async_client import AsyncGatewayClient
    from sendmessage_kit.events import AsyncEventPoller
    from sendmessage_kit.models import MessageData, SendMessageRequest
    from sendmessage_kit.settings import KitSettings

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

# The async twin (and asyncio) load when first asked for, not with `GatewayClient`.
__getattr__, __dir__ = lazy_names(
    __name__,
    {"AsyncGatewayClient": "async_client", "AsyncEventPoller": "events"},
    __all__,
    globals(),
    anchor="sendmessage_kit",
)


class GatewayClient(_ClientBase["httpx2.BaseTransport"]):
    """Synchronous client of CC-Gateway's agent interfaces around `sendmessage`.

    Every argument is optional; what is not passed comes from `KitSettings` (see `_ClientBase`).
    Every request goes to one httpx2 transport's `handle_request`: httpx2's connection pool
    (`httpx2.HTTPTransport`) or the `transport=` given.
    """

    _transport: httpx2.BaseTransport
    _sign_in_lock: threading.Lock

    def _open_transport(self, transport: httpx2.BaseTransport | None) -> httpx2.BaseTransport:
        import httpx2  # here, not at module level: see _TransportT

        self._sign_in_lock = threading.Lock()
        return transport or httpx2.HTTPTransport(verify=self._verify, trust_env=False)

    @classmethod
    def for_sandbox(cls, sandbox: Any, **kwargs: Any) -> Self:
        """A client of a running sandbox (`sandbox.start()`), trusting its CA, signed in."""
        client = cls(**sandbox_kwargs(sandbox, kwargs))
        client.journal_target = sandbox_target(sandbox, client.agent_id)
        try:
            client._sign_in_or_take_over()
        except BaseException:
            client.close()
            raise
        return client

    def _sign_in_or_take_over(self) -> None:
        """Sign in; when signed in elsewhere (100-002), take the agent over."""
        try:
            self.sign_in()
        except AgentStateError:  # the sandbox is ours
            self.force_sign_in()

    def _call(self, call: _http.Call) -> dict[str, Any]:
        """The gateway's answer to `call`, sent again as its policy allows, or its error."""
        first = call.attempts
        while True:
            step = self._judge(call, first, *self._attempt(call))
            if isinstance(step, dict):
                return step
            time.sleep(step)

    def _attempt(self, call: _http.Call) -> _http.Attempt:
        """One attempt of `call`: the request sent, and the response or the error it got."""
        import httpx2

        request, started = self._request(call), time.perf_counter()
        try:
            with contextlib.closing(self._transport.handle_request(request)) as response:
                response.read()
        except httpx2.HTTPError as exc:
            return request, exc
        return request, _http.finished(response, request, started)

    def sign_in(
        self, password: SecretStr | str | None = None, phonenum: str | None = None
    ) -> dict[str, Any]:
        """Sign the agent in and keep the Guid from `Set-GUID` (100-002: use `force_sign_in`)."""
        call = self._sign_in_call(password, phonenum)
        return self._signed_in(call, self._call(call))

    def force_sign_in(
        self, password: SecretStr | str | None = None, phonenum: str | None = None
    ) -> dict[str, Any]:
        """Forced sign-in (`.../forcelogin`): take over an agent signed in elsewhere."""
        call = self._sign_in_call(password, phonenum, force=True)
        return self._signed_in(call, self._call(call))

    def sign_out(self) -> dict[str, Any]:
        """Sign the agent out and forget the Guid (also when the gateway refuses)."""
        call = self._sign_out_call()
        try:
            return self._call(call)
        finally:
            self._signed_out(call)

    def poll_event(self, timeout: float | None = None) -> dict[str, Any] | None:
        """One long poll of `agentevent` (also the heartbeat); the event, or None after ~10 s."""
        return event_of(self._call(self._poll_call(timeout)))

    def send_message(
        self, callid: str, data: MessageData | str, userid: str | None = None, *,
        check: bool = True, raise_on_error: bool | None = None, timeout: float | None = None,
        max_retries: int | None = None, journal: bool = True,
    ) -> SendResult:  # fmt: skip
        """Send one message; `data` is a `MessageData` or a ready string.

        `timeout` and `max_retries` override the client's for this call; `journal=False` leaves
        the send out of the client's history. A `SignedOutError` answer (the Guid is no longer
        valid) makes a client that holds the password sign in again, once, and resend the same
        body (same messageCode).

        Raises:
            PayloadError: `check` found errors (nothing was sent).
            GatewayError: retcode != "0" (a subclass per family), unless `raise_on_error=False`.
            TransportError: no usable answer (ConnectError, TLSError, RequestTimeout, ...).
            ResponseError: an HTML page or a non-JSON body.
        """
        request = self._request_of(callid, data, userid)
        call, result = self._send_call(request, check, timeout, max_retries)
        return self._send(call, result, raise_on_error, journal)

    def send_request(
        self, request: SendMessageRequest, *, check: bool = True,
        raise_on_error: bool | None = None, timeout: float | None = None,
        max_retries: int | None = None, journal: bool = True,
    ) -> SendResult:  # fmt: skip
        """Send a ready `SendMessageRequest` (see `send_message`)."""
        call, result = self._send_call(request, check, timeout, max_retries)
        return self._send(call, result, raise_on_error, journal)

    def _send(
        self, call: _http.Call, result: SendResult, raise_on_error: bool | None, journal: bool
    ) -> SendResult:
        """Send `call`; after a signed-out answer, sign in again and resend (once)."""
        error: SendMessageKitError | None = None
        try:
            try:
                self._call(call)
            except SignedOutError as signed_out:
                self._sign_in_and_resend(call, signed_out)
        except SendMessageKitError as exc:
            error = exc
        return self._finish(result, call, error, raise_on_error, journal)

    def _sign_in_and_resend(self, call: _http.Call, error: SignedOutError) -> None:
        """After `error` answered `call`: sign in again (once, if no other send has), resend."""
        with self._sign_in_lock:
            if self._may_sign_in_again(call, error):
                try:
                    self.sign_in()
                except SendMessageKitError as failure:
                    raise self._sign_in_failed(error, failure) from None
        self._call(call)

    def close(self) -> None:
        """Close the connections, the journal and the sandbox, when this client opened them."""
        self._closed = True
        self._transport.close()
        if self.history is not None and self._owns_history:
            self.history.close()
        self._run_closers()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def connect(settings: KitSettings | None = None, **kwargs: Any) -> GatewayClient:
    """The configured gateway's client, or, with nothing configured, a sandbox's; signed in.

    Decided by `sendmessage_kit.target.open_target()`: a sandbox it starts belongs to the client
    returned, and `client.close()` stops it (lab's sandbox, under `sendmessage-kit lab`, keeps
    running). For the sandbox's customer side as well, use `open_target()` itself.
    """
    from sendmessage_kit.target import open_target

    return open_target(settings, **kwargs).hand_over()
