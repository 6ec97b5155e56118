"""What the twin clients share: settings, the Guid, request bodies, results, the journal.

`client.py` holds the two clients; everything here is I/O-free or the same for both.
"""

from __future__ import annotations

import dataclasses
import functools
import logging
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from sendmessage_kit import _http
from sendmessage_kit.auth import GuidState, as_secret, mask, redact_http_debug_logs, sign_in_body
from sendmessage_kit.errors import (
    GatewayError,
    ResponseError,
    SendMessageKitError,
    SettingsError,
    describe_retcode,
    error_for_answer,
)

if TYPE_CHECKING:
    import ssl

    import httpx2
    from pydantic import SecretStr

    # Imported where first used: `from sendmessage_kit import GatewayClient` stays light (the
    # models, the constraint tables and pydantic-settings load on construction or first send).
    from sendmessage_kit.history import History
    from sendmessage_kit.models import MessageData, SendMessageRequest, SendMessageResponse
    from sendmessage_kit.settings import KitSettings

logger = logging.getLogger("sendmessage_kit.client")
#: One INFO line per HTTP exchange (method, URL, status; never a header or a body). The clients
#: call their transport themselves, so httpx2's own per-request line is not logged.
wire_logger = logging.getLogger("sendmessage_kit.http")
# httpx2 loads with the first client (about 200 ms), not with `import sendmessage_kit`.
_TransportT = TypeVar("_TransportT", "httpx2.BaseTransport", "httpx2.AsyncBaseTransport")

NO_PASSWORD_HINT = (
    "This client holds no password, so it cannot sign in again by itself: set "
    "SENDMESSAGE_KIT_PASSWORD (or password=) and it will, once, resending with the same "
    "messageCode; or call client.sign_in(password=...) and resend."
)


redact_http_debug_logs()


class SendMessageKitWarning(UserWarning):
    """Base of the kit's warnings."""


class InsecureTransportWarning(SendMessageKitWarning):
    """TLS verification is off: anyone on the path can read and change the traffic."""


@dataclass(slots=True)
class SendResult:
    """What one `send_message` did.

    Attributes:
        request_body: the exact JSON body sent (the Guid is a header, never in here).
        callid: the call the message was sent on.
        message_code: `data.messageCode` (None for a plain-text `data`).
        response: the gateway's parsed answer (None when none usable came back).
        elapsed: seconds from the first attempt to the final answer.
        attempts: how many times the body was sent (retries reuse the same messageCode).
        error: the error, when the client was told not to raise (`raise_on_error=False`).
    """

    request_body: str
    callid: str
    message_code: str | None
    response: SendMessageResponse | None = None
    elapsed: float = 0.0
    attempts: int = 0
    error: SendMessageKitError | None = field(default=None, repr=False)

    @property
    def retcode(self) -> str | None:
        """The gateway's retcode ("0" success), or None when no answer was usable."""
        return self.response.retcode if self.response is not None else None

    @property
    def ok(self) -> bool:
        """True when the gateway answered retcode "0"."""
        return self.retcode == "0"

    @property
    def explanation(self) -> str:
        """The retcode's description and remedy (or the error), in one readable line."""
        if self.ok:
            return "retcode 0: success; the gateway accepted the message."
        if self.retcode is not None:
            info = describe_retcode(self.retcode)
            return f"retcode {self.retcode}: {info.description}. {info.remedy}"
        return str(self.error) if self.error else "not sent"


def _resolve_verify(verify: bool, ca_bundle: str | Path | None) -> ssl.SSLContext | bool:
    if not verify:
        warnings.warn(
            "TLS verification is off (verify=False): the Guid and messages can be read and "
            "changed by anyone on the path. Trust the server's CA with ca_bundle= instead.",
            InsecureTransportWarning,
            stacklevel=4,
        )
        return False
    if ca_bundle is None:
        return True
    import ssl  # httpx2 loads it on construction anyway

    path = Path(ca_bundle)
    if not path.is_file():
        raise SettingsError(
            f"ca_bundle {str(path)!r} is not a file; set SENDMESSAGE_KIT_CA_BUNDLE or ca_bundle= "
            "to a PEM file (the sandbox prints its CA path at start)."
        )
    try:
        return ssl.create_default_context(cafile=str(path))
    except ssl.SSLError as exc:
        raise SettingsError(f"ca_bundle {str(path)!r} is not a PEM CA file: {exc}") from None


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
        transport: an httpx2 transport (tests inject faults a server cannot produce with it).
    """

    _owns_history: bool

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
    ) -> None:
        from sendmessage_kit.history import History
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
        self._guid = GuidState(guid if guid is not None else s.guid)
        pw = password if password is not None else s.password
        self._password = as_secret(pw)
        self.phonenum = phonenum if phonenum is not None else s.phonenum
        self.timeout = float(timeout if timeout is not None else s.timeout)
        self.secmode = secmode if secmode is not None else s.secmode
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
        # KB reading, what the size counts and the agent-ID range: the settings' (unknowns).
        self._profile = dataclasses.replace(s.profile(), secmode=self.secmode)
        self._closers: list[Callable[[], object]] = []
        self._kit = _send_kit()
        self._httpx = self._open_http(transport)

    def _refuse_if_closed(self) -> None:
        """httpx2's Client.send refusal, before each attempt: a closed client reopens nothing."""
        if self._httpx.is_closed:
            raise RuntimeError("Cannot send a request, as the client has been closed.")

    def _also_close(self, closer: Callable[[], object]) -> None:
        """Run `closer` when this client closes (what `connect()` opened for it: its sandbox)."""
        self._closers.append(closer)

    def _run_closers(self) -> None:
        closers, self._closers = self._closers, []
        for closer in reversed(closers):
            closer()

    def _open_http(self, transport: _TransportT | None) -> Any:
        """The twin's httpx2 client (and its sign-in lock)."""
        raise NotImplementedError

    @property
    def guid(self) -> SecretStr | None:
        """The current Guid (a `SecretStr`; None before sign-in)."""
        return self._guid.value

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(base_url={self.base_url!r}, agent_id={self.agent_id!r}, "
            f"guid={mask(self._guid.value)})"
        )

    def _secrets(self) -> list[str]:
        out = [s.get_secret_value() for s in (self._guid.value, self._password) if s is not None]
        return out

    def _sign_in_content(self, password: SecretStr | str | None, phonenum: str | None) -> str:
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
        return json.dumps(sign_in_body(pw, self.phonenum))

    def _prepare(self, request: SendMessageRequest, run_check: bool) -> tuple[str, SendResult]:
        kit = self._kit
        outer = kit.body_dict(request)  # `data` encoded once, for the check and for the wire
        if run_check:
            findings = kit.check(outer, self._profile, agent_id=self.agent_id)
            if findings and kit.has_errors(findings):
                raise kit.refusal(findings)
        body = kit.encode_body(outer)
        data = request.data
        code = data.messageCode if isinstance(data, kit.MessageData) else None
        return body, SendResult(body, request.callid, code)

    def _request_of(
        self, callid: str, data: MessageData | str, userid: str | None
    ) -> SendMessageRequest:
        return self._kit.SendMessageRequest(callid=callid, userid=userid, data=data)

    def _after_guid_response(self, obj: dict[str, Any], what: str) -> dict[str, Any]:
        if self._guid.value is None:
            raise ResponseError(f"{what} answered retcode 0 without a Set-GUID header.")
        logger.info("signed in agent %s (guid %s)", self.agent_id, mask(self._guid.value))
        return obj

    def _finish(
        self,
        result: SendResult,
        started: float,
        obj: dict[str, Any] | None,
        error: SendMessageKitError | None,
        raise_on_error: bool | None,
        journal: bool = True,
    ) -> SendResult:
        result.elapsed = time.perf_counter() - started
        if obj is not None:
            result.response = self._kit.SendMessageResponse.model_validate(obj)
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
                result, base_url=self.base_url, agent_id=self.agent_id, secrets=self._secrets()
            )
        if error is not None and (
            self.raise_on_error if raise_on_error is None else raise_on_error
        ):
            raise error
        return result

    def _policy_for(self, max_retries: int | None) -> _http.RetryPolicy:
        if max_retries is None:
            return self.policy
        return _http.RetryPolicy(max_retries, self.policy.resend)

    @staticmethod
    def _sign_in_failed(error: GatewayError, failure: SendMessageKitError) -> GatewayError:
        logger.warning("signing in again after %s failed: %s", error.retcode, failure)
        again = failure.retcode if isinstance(failure, GatewayError) else type(failure).__name__
        return error.with_hint(
            f"The client tried to sign in again and got {again}: {failure} Nothing was resent."
        )

    def _decide(
        self,
        error: SendMessageKitError,
        attempt: int,
        response: httpx2.Response | _http.Answer | None,
        policy: _http.RetryPolicy,
    ) -> float | None:
        delay = policy.delay(error, attempt, _http.retry_after(response))
        if delay is not None:
            logger.warning(
                "attempt %d failed (%s); retrying in %.2f s",
                attempt + 1,
                type(error).__name__,
                delay,
            )
        return delay


_Outcome = tuple[
    dict[str, Any] | None, SendMessageKitError | None, "httpx2.Response | _http.Answer | None"
]


def _interpret(
    response: httpx2.Response | _http.Answer, guid: GuidState, method: str, url: str
) -> _Outcome:
    if wire_logger.isEnabledFor(logging.INFO):  # the line httpx2's Client.send would log
        wire_logger.info("HTTP Request: %s %s -> %d", method, url, response.status_code)
    guid.follow(response.headers)
    try:
        obj = _http.parse_json(response)
    except ResponseError as exc:
        return None, exc, response
    if obj["retcode"] != "0":
        return obj, error_for_answer(obj), response
    return obj, None, response


def event_of(obj: dict[str, Any]) -> dict[str, Any] | None:
    event = obj.get("event")
    return event if isinstance(event, dict) and event else None


def sandbox_kwargs(sandbox: Any, given: dict[str, Any]) -> dict[str, Any]:
    """A sandbox client's arguments: the sandbox's overridden by `given`.

    The sandbox's demo phonenum is used only when neither `given` nor its `settings` name one.
    """
    out: dict[str, Any] = {
        "base_url": sandbox.base_url,
        "agent_id": sandbox.agent_id,
        "password": sandbox.password,
        "phonenum": getattr(sandbox, "phonenum", None),
        "ca_bundle": getattr(sandbox, "ca_path", None),
        "secmode": getattr(sandbox, "secmode", None),
    }
    if getattr(given.get("settings"), "phonenum", None):
        del out["phonenum"]
    if hasattr(sandbox, "transport"):  # a sandbox in a web page: its clients talk in-process
        out["transport"] = sandbox.transport()
    return {**out, **given}
