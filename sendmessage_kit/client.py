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

import threading
import time
from typing import TYPE_CHECKING, Any, Self

from sendmessage_kit import _http
from sendmessage_kit._client_base import (
    NO_PASSWORD_HINT,
    InsecureTransportWarning,
    SendMessageKitWarning,
    SendResult,
    _ClientBase,
    _interpret,
    event_of,
    sandbox_kwargs,
    sandbox_target,
)
from sendmessage_kit._lazy import lazy_names
from sendmessage_kit.errors import (
    AgentStateError,
    SendMessageKitError,
    SignedOutError,
)
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
    """

    _httpx: httpx2.Client
    _sign_in_lock: threading.Lock
    #: What every request goes through: httpx2's connection pool, or the transport given. The
    #: client calls it directly; `httpx2.Client.send` would add its auth, redirect, cookie and
    #: hook layers, which the gateway's interface does not use, to every send.
    _transport: httpx2.BaseTransport

    def _open_http(self, transport: httpx2.BaseTransport | None) -> httpx2.Client:
        import httpx2  # here, not at module level: see _TransportT

        self._sign_in_lock = threading.Lock()
        self._transport = transport or httpx2.HTTPTransport(verify=self._verify, trust_env=False)
        return httpx2.Client(verify=self._verify, transport=self._transport, trust_env=False)

    @classmethod
    def for_sandbox(cls, sandbox: Any, **kwargs: Any) -> Self:
        """A client of a running sandbox (`sandbox.start()`), trusting its CA, signed in."""
        kwargs.setdefault("resend_on_failure", True)
        client = cls(**sandbox_kwargs(sandbox, kwargs))
        client.journal_target = sandbox_target(sandbox, client.agent_id)
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
        import httpx2

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
            self._refuse_if_closed()
            try:
                obj, error, response = _interpret(self._exchange(request), self._guid, method, url)
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

    def _exchange(self, request: httpx2.Request) -> httpx2.Response:
        """The whole answer to `request`, its connection back in the pool."""
        response = self._transport.handle_request(request)
        try:
            response.read()  # reads to the end and closes: the connection goes back to the pool
        except BaseException:
            response.close()
            raise
        response.request = request
        return response

    def _call_or_raise(
        self, method: str, path: str, content: str | None = None, **kw: Any
    ) -> dict[str, Any]:
        obj, error, _ = self._call(method, path, content, **kw)
        if error is not None:
            raise error
        assert obj is not None
        return obj

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
        obj, error, _ = self._call("DELETE", _http.sign_out_path(self.agent_id))
        if obj is not None:  # an answer, even a refusal: the Guid is of no further use
            self._guid.set(None)
        if error is not None:
            raise error
        assert obj is not None
        return obj

    def poll_event(self, timeout: float | None = None) -> dict[str, Any] | None:
        """One long poll of `agentevent` (also the heartbeat); the event, or None after ~10 s."""
        obj = self._call_or_raise(
            "GET",
            _http.event_path(self.agent_id),
            timeout=timeout or max(self.timeout, _http.POLL_TIMEOUT),
        )
        return event_of(obj)

    def send_message(
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
        return self.send_request(
            self._request_of(callid, data, userid),
            check=check,
            raise_on_error=raise_on_error,
            timeout=timeout,
            max_retries=max_retries,
            journal=journal,
        )

    def send_request(
        self,
        request: SendMessageRequest,
        *,
        check: bool = True,
        raise_on_error: bool | None = None,
        timeout: float | None = None,
        max_retries: int | None = None,
        journal: bool = True,
    ) -> SendResult:
        """Send a ready `SendMessageRequest` (see `send_message`)."""
        body, result = self._prepare(request, check)
        policy = self._policy_for(max_retries)
        path = _http.send_path(self.agent_id)
        used = self._guid.value
        started = time.perf_counter()
        obj, error, result.attempts = self._call("POST", path, body, timeout=timeout, policy=policy)
        if isinstance(error, SignedOutError):
            obj, error, again = self._sign_in_and_resend(
                obj, error, used, path, body, timeout, policy
            )
            result.attempts += again
        return self._finish(result, started, obj, error, raise_on_error, journal)

    def _sign_in_and_resend(
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
        with self._sign_in_lock:
            if self._guid.value is used:  # no other send has signed in again meanwhile
                try:
                    self.sign_in()
                except SendMessageKitError as failure:
                    return obj, self._sign_in_failed(error, failure), 0
        return self._call("POST", path, body, timeout=timeout, policy=policy)

    def close(self) -> None:
        """Close the connections, the journal and the sandbox, when this client opened them."""
        self._httpx.close()
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
