"""What the twin clients share: settings, the Guid, calls, answers, results, the journal.

`client.py` and `async_client.py` hold the two clients; each sends a `_http.Call`'s request
through its httpx2 client's `send` (the I/O) and everything else is here or in `_http`.
"""

from __future__ import annotations

import dataclasses
import functools
import logging
import time
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from sendmessage_kit import _http
from sendmessage_kit._results import SendResult, _resolve_verify
from sendmessage_kit.auth import GuidState, as_secret, mask, redact_http_debug_logs, sign_in_body
from sendmessage_kit.errors import (
    GatewayError,
    ResponseError,
    SendMessageKitError,
    SettingsError,
    SignedOutError,
)

if TYPE_CHECKING:
    from pathlib import Path

    import httpx2
    from pydantic import SecretStr

    # Imported where first used: `from sendmessage_kit import GatewayClient` stays light (the
    # models, the constraint tables and pydantic-settings load on construction or first send).
    from sendmessage_kit.constraints import Profile
    from sendmessage_kit.history import History
    from sendmessage_kit.models import MessageData, SendMessageRequest
    from sendmessage_kit.settings import KitSettings

logger = logging.getLogger("sendmessage_kit.client")
# httpx2 loads with the first client (about 200 ms), not with `import sendmessage_kit`.
_TransportT = TypeVar("_TransportT", "httpx2.BaseTransport", "httpx2.AsyncBaseTransport")

NO_PASSWORD_HINT = (
    "This client holds no password, so it cannot sign in again by itself: set "
    "SENDMESSAGE_KIT_PASSWORD (or password=) and it will, once, resending with the same "
    "messageCode; or call client.sign_in(password=...) and resend."
)


redact_http_debug_logs()


class _SendKit:
    """What every send uses, bound once (importing it in `_prepare` cost 6.4 us a send)."""

    def __init__(self) -> None:
        # Loaded with the first client, not with `import sendmessage_kit` (see the imports).
        from sendmessage_kit.constraints import check, has_errors
        from sendmessage_kit.encoding import body_dict, encode_body
        from sendmessage_kit.models import MessageData, SendMessageRequest, SendMessageResponse
        from sendmessage_kit.rules import refusal

        self.check, self.has_errors, self.refusal = check, has_errors, refusal
        self.body_dict, self.encode_body = body_dict, encode_body
        self.MessageData, self.SendMessageRequest = MessageData, SendMessageRequest
        self.SendMessageResponse = SendMessageResponse


@functools.cache
def _send_kit() -> _SendKit:
    return _SendKit()


class _ClientBase(Generic[_TransportT]):
    """Everything the twins share: settings, Guid, request bodies, results, journal.

    Args:
        settings: where the values not passed here come from (default: `KitSettings()`, i.e.
            `SENDMESSAGE_KIT_*` variables and `.env`).
        base_url, agent_id, guid, password, phonenum, ca_bundle, verify, timeout, max_retries,
            resend_on_failure, secmode: override the `KitSettings` field of the same name.
        raise_on_error: raise on a failed send (else the `SendResult` carries `.error`).
        history: a `History` to journal sends in, False for none, None: `settings.history`.
        transport: the httpx2 transport every request goes through (default: httpx2's pool;
            the async client: aiohttp's connections), e.g. `httpx2.ASGITransport(app)`.
        profile: what `check()` checks sends against (a `constraints.Profile`; default:
            `settings.profile()`); a sandbox's client gets the sandbox's (`for_sandbox`).

    Attributes:
        profile: the `constraints.Profile` in force: limits, tables, the web poll's cut; its
            secmode is the client's.
    """

    _owns_history: bool
    _transport: _TransportT

    def __init__(
        self,
        settings: KitSettings | None = None,
        *,
        base_url: str | None = None,
        agent_id: str | int | None = None,
        guid: SecretStr | str | None = None,
        password: SecretStr | str | None = None,
        phonenum: str | None = None,
        ca_bundle: str | Path | None = None,
        verify: bool | None = None,
        timeout: float | None = None,
        max_retries: int | None = None,
        resend_on_failure: bool | None = None,
        raise_on_error: bool = True,
        history: History | bool | None = None,
        secmode: int | None = None,
        transport: _TransportT | None = None,
        profile: Profile | None = None,
    ) -> None:
        from sendmessage_kit.history import History, target_of
        from sendmessage_kit.settings import KitSettings

        s = settings if settings is not None else KitSettings()
        url = base_url or s.base_url
        if not url:
            raise SettingsError(
                "no gateway configured: set SENDMESSAGE_KIT_BASE_URL (or base_url=), or use "
                "sendmessage_kit.connect() / GatewayClient.for_sandbox() for the sandbox."
            )
        agent = agent_id if agent_id is not None else s.agent_id
        if agent is None or not str(agent).strip():
            raise SettingsError("no agent ID: set SENDMESSAGE_KIT_AGENT_ID (or agent_id=).")
        self.base_url = url.rstrip("/")
        self._root = _http.gateway_root(url)
        self.agent_id = str(agent).strip()
        # Where the journal says this client's sends went (`for_sandbox` marks a sandbox).
        self.journal_target = target_of(self.base_url, self.agent_id)
        self._guid = GuidState(guid if guid is not None else s.guid)
        pw = password if password is not None else s.password
        self._password = as_secret(pw)
        self.phonenum = phonenum if phonenum is not None else s.phonenum
        self.timeout = float(timeout if timeout is not None else s.timeout)
        self.secmode = secmode if secmode is not None else (profile or s).secmode
        resend = resend_on_failure if resend_on_failure is not None else s.resend_on_failure
        self.policy = _http.RetryPolicy(
            max_retries if max_retries is not None else s.max_retries, bool(resend)
        )
        self.raise_on_error = raise_on_error
        self._verify = _resolve_verify(
            s.verify if verify is None else verify, ca_bundle or s.ca_bundle
        )
        self._owns_history = False
        if isinstance(history, History):
            self.history: History | None = history
        elif history is False or (history is None and not s.history):
            self.history = None
        else:
            self.history = History(s.journal_path)
            self._owns_history = True
        # KB reading, what the size counts, the agent-ID range: the settings' (unknowns), or the
        # sandbox's own when the client is a sandbox's.
        self.profile = dataclasses.replace(profile or s.profile(), secmode=self.secmode)
        self._closers: list[Callable[[], object]] = []
        self._kit = _send_kit()
        self._closed = False
        self._transport = self._open_transport(transport)

    def on_close(self, closer: Callable[[], object]) -> None:
        """Make this client the owner of something else: `closer()` runs when it closes.

        Closers run once, after the client's connections and journal are closed, the last
        given first (as `contextlib.ExitStack`). `connect()` hands the sandbox it started to
        its client this way (`client.on_close(sandbox.stop)`), so `client.close()` stops it.
        """
        self._closers.append(closer)

    def _run_closers(self) -> None:
        closers, self._closers = self._closers, []
        for closer in reversed(closers):
            closer()

    def _open_transport(self, transport: _TransportT | None) -> _TransportT:
        """The twin's httpx2 transport: `transport`, or its default (and its sign-in lock).

        Every request goes to the transport's public `handle_request` /
        `handle_async_request` and comes back as one whole `httpx2.Response`
        (`_http.finished`). No client layer sits between: no proxy or netrc from the
        environment, no redirects followed, no cookie jar (the interface authenticates with
        the Guid header, so a cookie a gateway or proxy sets is never kept or sent back).
        """
        raise NotImplementedError

    @property
    def closed(self) -> bool:
        """True once the client is closed: it sends nothing more."""
        return self._closed

    @property
    def guid(self) -> SecretStr | None:
        """The current Guid (a `SecretStr`; None before sign-in)."""
        return self._guid.value

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(base_url={self.base_url!r}, agent_id={self.agent_id!r}, "
            f"guid={mask(self._guid.value)})"
        )

    def journal(
        self,
        results: Iterable[SendResult],
        *,
        history: History | None = None,
        source: str = "client",
    ) -> None:
        """Write `results` to `history` (default: this client's) in one transaction.

        Each entry records this client's target (`journal_target`); the journal holds no header
        or sign-in body, so no secret reaches it (`send_many` journals its sends this way).
        """
        history = history if history is not None else self.history
        if history is not None:
            history.record_many(results, base_url=self.base_url, agent_id=self.agent_id,
                                source=source, target=self.journal_target)  # fmt: skip

    def _options(
        self, timeout: float | None, max_retries: int | None, resend: bool
    ) -> dict[str, Any]:
        """A `Call`'s options: this client's, overridden by the call's own."""
        policy = self.policy if resend else _http.RetryPolicy(self.policy.max_retries, False)
        if max_retries is not None:
            policy = _http.RetryPolicy(max_retries, policy.resend)
        return {"timeout": timeout or self.timeout, "policy": policy}

    def _sign_in_call(
        self, password: SecretStr | str | None, phonenum: str | None, *, force: bool = False
    ) -> _http.Call:
        import json

        pw = password if password is not None else self._password
        if pw is None:
            raise SettingsError(
                "sign-in needs a password: set SENDMESSAGE_KIT_PASSWORD (or password=)."
            )
        if password is not None:
            self._password = as_secret(password)
        if phonenum is not None:
            self.phonenum = phonenum
        if not (self.phonenum or "").strip():
            raise SettingsError(
                "sign-in needs phonenum, the agent's softphone number (at most 24 characters), "
                "which the gateway requires: set SENDMESSAGE_KIT_PHONENUM (or phonenum=)."
            )
        content = json.dumps(sign_in_body(pw, self.phonenum))
        path = _http.sign_in_path(self.agent_id, force=force)
        return _http.Call("PUT", path, content, **self._options(None, None, False))

    def _sign_out_call(self) -> _http.Call:
        path = _http.sign_out_path(self.agent_id)
        return _http.Call("DELETE", path, **self._options(None, None, False))

    def _poll_call(self, timeout: float | None) -> _http.Call:
        path = _http.event_path(self.agent_id)
        wait = timeout or max(self.timeout, _http.POLL_TIMEOUT)
        return _http.Call("GET", path, **self._options(wait, None, False))

    def _send_call(
        self,
        request: SendMessageRequest,
        check: bool,
        timeout: float | None,
        max_retries: int | None,
    ) -> tuple[_http.Call, SendResult]:
        """The sendmessage call of `request` (checked first, unless told not to)."""
        kit = self._kit
        outer = kit.body_dict(request)  # `data` encoded once, for the check and for the wire
        if check:
            findings = kit.check(outer, self.profile, agent_id=self.agent_id)
            if findings and kit.has_errors(findings):
                raise kit.refusal(findings)
        body = kit.encode_body(outer)
        data = request.data
        code = data.messageCode if isinstance(data, kit.MessageData) else None
        path = _http.send_path(self.agent_id)
        call = _http.Call("POST", path, body, **self._options(timeout, max_retries, True))
        return call, SendResult(body, request.callid, code)

    def _request_of(
        self, callid: str, data: MessageData | str, userid: str | None
    ) -> SendMessageRequest:
        return self._kit.SendMessageRequest(callid=callid, userid=userid, data=data)

    def _request(self, call: _http.Call) -> httpx2.Request:
        """The next attempt's request (with the Guid held now, which it notes in `call`)."""
        if self._closed:
            raise RuntimeError(
                f"{type(self).__name__} for {self.base_url} is closed, so nothing was sent: "
                "open a new client (or keep this one open while you send)."
            )
        call.guid = self._guid.value
        return _http.build_request(
            call.method,
            self._root + call.path,
            guid_headers=self._guid.headers(),
            content=call.content,
            timeout=call.timeout,
        )

    def _judge(
        self,
        call: _http.Call,
        first: int,
        request: httpx2.Request,
        got: httpx2.Response | httpx2.HTTPError,
    ) -> dict[str, Any] | float:
        """The answer, or the seconds before the next attempt; raises when giving up.

        `first`: how many attempts `call` had made before this round of retries began.
        """
        return _http.judge(call, call.attempts - first, request, got, self._guid.follow)

    def _signed_in(self, call: _http.Call, answer: dict[str, Any]) -> dict[str, Any]:
        if self._guid.value is None:
            what = f"{call.method} {call.path}"
            raise ResponseError(f"{what} answered retcode 0 without a Set-GUID header.",
                                response=call.response, status_code=200)  # fmt: skip
        logger.info("signed in agent %s (guid %s)", self.agent_id, mask(self._guid.value))
        return answer

    def _signed_out(self, call: _http.Call) -> None:
        if call.answer is not None:  # an answer, even a refusal: the Guid is of no further use
            self._guid.set(None)

    def _may_sign_in_again(self, call: _http.Call, error: SignedOutError) -> bool:
        """After `error` answered `call`: whether to sign in again (another send may have).

        Raises `error` with what to do when this client holds no password.
        """
        if self._password is None:
            raise error.with_hint(NO_PASSWORD_HINT)
        return self._guid.value is call.guid

    @staticmethod
    def _sign_in_failed(error: GatewayError, failure: SendMessageKitError) -> GatewayError:
        logger.warning("signing in again after %s failed: %s", error.retcode, failure)
        again = failure.retcode if isinstance(failure, GatewayError) else type(failure).__name__
        return error.with_hint(
            f"The client tried to sign in again and got {again}: {failure} Nothing was resent."
        )

    def _finish(
        self,
        result: SendResult,
        call: _http.Call,
        error: SendMessageKitError | None,
        raise_on_error: bool | None,
        journal: bool,
    ) -> SendResult:
        result.elapsed = time.perf_counter() - call.started
        result.attempts = call.attempts
        if call.answer is not None:
            result.response = self._kit.SendMessageResponse.model_validate(call.answer)
        result.error = error
        if logger.isEnabledFor(logging.DEBUG):  # its arguments cost more than the check
            logger.debug(
                "sendmessage agent %s callid %s -> %s in %.1f ms (%d attempt(s), guid %s)",
                self.agent_id,
                result.callid,
                result.retcode or type(error).__name__,
                result.elapsed * 1000,
                result.attempts,
                mask(self._guid.value),
            )
        if journal and self.history is not None:
            self.history.record(
                result, base_url=self.base_url, agent_id=self.agent_id, target=self.journal_target
            )
        if error is not None and (
            self.raise_on_error if raise_on_error is None else raise_on_error
        ):
            raise error
        return result


def event_of(obj: dict[str, Any]) -> dict[str, Any] | None:
    event = obj.get("event")
    return event if isinstance(event, dict) and event else None
