"""Exceptions and the retcode catalog.

The exception tree::

    SendMessageKitError
    ├── SettingsError            a setting is missing or wrong (names the variable to set)
    ├── PayloadError             the payload breaks a rule (carries .findings)
    ├── TransportError           nothing usable came back (carries .request)
    │   ├── ConnectError         could not connect: nothing was sent
    │   │   └── TLSError         the certificate was not trusted / handshake failed
    │   └── RequestTimeout       no answer in time (the message may have been delivered)
    ├── ResponseError            an answer that is not the gateway's JSON (HTML page, no retcode)
    └── GatewayError             the gateway answered retcode != "0" (HTTP 200 all the same)
        ├── AuthError            the credentials were refused
        │   └── SignedOutError   the Guid is no longer valid (signed out, or expired)
        ├── AgentStateError      the agent's state forbids the call
        ├── InvalidParameterError  a parameter or the message is invalid
        ├── RepeatedCallError    the interface was invoked repeatedly
        ├── MultimediaError      a multimedia (106-xxx) failure
        └── GatewayInternalError the gateway failed internally

`RETCODES` is the catalog the docs' error table is generated from: each code with its published
description (or a plain statement that none is public), a remedy, its source, whether a resend
with the same `messageCode` is reasonable, and its exception. That is the one place a retcode is
mapped to its exception: `error_for_retcode` reads it (a code missing from it: `MultimediaError`
for the 106 family, else `GatewayError`), and each class's docstring lists its codes from it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sendmessage_kit.constraints import Finding

__all__ = [
    "RETCODES",
    "AgentStateError",
    "AuthError",
    "ConnectError",
    "GatewayError",
    "GatewayInternalError",
    "InvalidParameterError",
    "MultimediaError",
    "PayloadError",
    "RepeatedCallError",
    "RequestTimeout",
    "ResponseError",
    "Retcode",
    "SendMessageKitError",
    "SettingsError",
    "SignedOutError",
    "TLSError",
    "TransportError",
    "describe_retcode",
    "error_for_answer",
    "error_for_retcode",
]


class SendMessageKitError(Exception):
    """Base of every error the kit raises."""


class SettingsError(SendMessageKitError, ValueError):
    """A setting is missing or invalid; the message names the variable or argument to set."""


class PayloadError(SendMessageKitError, ValueError):
    """The payload breaks one or more rules; `.findings` lists them (field, rule, fix)."""

    def __init__(self, message: str, findings: Sequence[Finding] = ()) -> None:
        super().__init__(message)
        self.findings = list(findings)


class TransportError(SendMessageKitError):
    """No usable answer came back from the gateway.

    Attributes:
        request: the `httpx2.Request` last sent (None when none was built).
    """

    def __init__(self, message: str, *, request: Any = None) -> None:
        super().__init__(message)
        self.request = request


class ConnectError(TransportError):
    """The connection could not be made; nothing was sent, so a retry is always safe."""


class TLSError(ConnectError):
    """The TLS handshake failed, most often an untrusted certificate (see `ca_bundle=`)."""


class RequestTimeout(TransportError):
    """No answer within the timeout; the gateway may still have delivered the message."""


class ResponseError(SendMessageKitError):
    """The answer is not the gateway's JSON: an HTML error page, garbage, or no `retcode`.

    Attributes:
        response: the whole `httpx2.Response` (`.status_code`, `.headers`, `.text`, `.json()`,
            `.elapsed`, `.request`), as for `GatewayError`; None when raised without one.
        status_code: its HTTP status.
        body: its text.
    """

    def __init__(
        self, message: str, *, response: Any = None, status_code: int | None = None, body: str = ""
    ) -> None:
        super().__init__(message)
        self.response = response
        self.status_code = status_code
        self.body = body


class GatewayError(SendMessageKitError):
    """The gateway answered with `retcode` other than "0".

    Attributes:
        retcode: the code, e.g. "000-003".
        message: the gateway's own `message` text.
        description: the catalog's description of the code.
        remedy: what to do about it.
        response: the whole `httpx2.Response` that carried the code (`.json()` is the
            gateway's answer; `.elapsed`, `.request`), None when raised without one.
    """

    def __init__(
        self, retcode: str, message: str = "", *, response: Any = None, hint: str = ""
    ) -> None:
        info = describe_retcode(retcode)
        self.retcode = retcode
        self.message = message
        self.description = info.description
        self.remedy = info.remedy
        self.response = response
        self.hint = hint
        gateway_said = f' (gateway said: "{message}")' if message else ""
        text = f"retcode {retcode}: {info.description}{gateway_said}. {info.remedy}"
        super().__init__(f"{text} {hint}" if hint else text)

    def with_hint(self, hint: str) -> GatewayError:
        """The same error with `hint` added to its message (what the caller can do about it)."""
        return type(self)(self.retcode, self.message, response=self.response, hint=hint)


class AuthError(GatewayError):
    """The gateway refused the credentials."""


class SignedOutError(AuthError):
    """The Guid is no longer valid: the agent was signed out, or the Guid expired.

    Signed out after idling, by a sign-out, or by a forced sign-in elsewhere. A client that holds
    the password signs in again by itself, once, and resends with the same messageCode.
    """


class AgentStateError(GatewayError):
    """The agent is in a state that forbids the call."""


class InvalidParameterError(GatewayError):
    """A parameter or the message is invalid."""


class RepeatedCallError(GatewayError):
    """The interface was invoked repeatedly."""


class MultimediaError(GatewayError):
    """A multimedia (106-xxx) failure."""


class GatewayInternalError(GatewayError):
    """The gateway failed internally during the agent's operation."""


@dataclass(frozen=True, slots=True)
class Retcode:
    """One entry of the retcode catalog."""

    code: str
    description: str
    remedy: str
    source: str
    retryable: bool
    exception: type[GatewayError]


_UNPUBLISHED = "no public description found (listed by the interface description for sendmessage)"
_FACTS = "Huawei CEC API reference, error codes (cec_07_0580): docs/facts.md#retcodes"

_SIGN_IN = f"{_FACTS}; Signing In (cec_07_1202): docs/facts.md#sign-in"

RETCODES: dict[str, Retcode] = {
    r.code: r
    for r in (
        Retcode(
            "000-001",
            "wrong method of obtaining agent events",
            "Get events the way the agent signed in for: poll GET .../agentevent/{agentid} "
            "after a sign-in without callBackUri, or receive pushes after one with it.",
            _FACTS,
            False,
            InvalidParameterError,
        ),
        Retcode(
            "000-002",
            "a parameter or address in the URL is incorrect, or an interface parameter is invalid",
            "Check the agent ID in the URL (101-59999) and the body with `sendmessage-kit check`.",
            _FACTS,
            False,
            InvalidParameterError,
        ),
        Retcode(
            "000-003",
            "no permission to invoke the interface; the agent's authentication may have expired",
            "Sign in again (or, with dynamic authentication, use the newest Guid from event "
            "polling) and resend with the same messageCode.",
            _FACTS,
            False,
            SignedOutError,
        ),
        Retcode(
            "000-004",
            "the agent is being switched over",
            "Wait for the switchover to finish, then resend with the same messageCode.",
            _FACTS,
            True,
            AgentStateError,
        ),
        Retcode(
            "000-006",
            "message parameter error",
            "Fix the `data` object: run `sendmessage-kit check` on the body.",
            _FACTS,
            False,
            InvalidParameterError,
        ),
        Retcode(
            "000-007",
            "the interface is invoked repeatedly",
            "Slow down: wait for the previous call's answer before calling again.",
            _FACTS,
            True,
            RepeatedCallError,
        ),
        Retcode(
            "100-001",
            "the sign-in parameters are empty or invalid",
            "Send a sign-in body with a non-empty password (at most 32 characters) and phonenum "
            "(at most 24), and an agent ID in range.",
            _SIGN_IN,
            False,
            InvalidParameterError,
        ),
        Retcode(
            "100-002",
            "the agent has already signed in",
            "Use forced sign-in (`force_sign_in`, PUT .../onlineagent/{agentid}/forcelogin).",
            _FACTS,
            False,
            AgentStateError,
        ),
        Retcode(
            "100-003",
            "a resource or provider was unavailable at sign-in (ResourceUnavailable / "
            "ProviderUnavailable)",
            "Sign in again in a moment; if it persists, ask the gateway's operators (some "
            "integrations answer it with a forced sign-in, .../forcelogin).",
            _SIGN_IN,
            True,
            GatewayInternalError,
        ),
        Retcode(
            "100-004",
            "wrong username or password at sign-in",
            "Check the agent ID and password (the sandbox's demo password is `sandbox`).",
            _FACTS,
            False,
            AuthError,
        ),
        Retcode(
            "100-006",
            "the agent has not signed in",
            "Sign in first (PUT .../onlineagent/{agentid}) and keep polling events as heartbeat.",
            _FACTS,
            False,
            SignedOutError,
        ),
        Retcode(
            "100-007",
            "an exception occurred during the agent's operation (internal error)",
            "Retry later with the same messageCode; if it persists, ask the gateway's operators.",
            _FACTS,
            True,
            GatewayInternalError,
        ),
        Retcode(
            "106-001",
            "the multimedia switch is not enabled (Chinese edition)",
            "Sign in with checkInWebm true; ask the tenant administrator to enable multimedia.",
            _FACTS,
            False,
            MultimediaError,
        ),
        Retcode(
            "106-002",
            "the message to send is empty (Chinese edition)",
            "Put the message text in data.content.",
            _FACTS,
            False,
            InvalidParameterError,
        ),
        Retcode(
            "106-003",
            "the number of sessions set exceeds the maximum, 60 (Chinese edition)",
            "Close chats or lower the session count to 60 or fewer.",
            _FACTS,
            False,
            MultimediaError,
        ),
        *(
            Retcode(
                code,
                _UNPUBLISHED,
                "Check the callid is a chat allocated to this agent and the payload passes "
                "`sendmessage-kit check`; ask the gateway's operators what this code means.",
                "sendmessage interface description (code listed, meaning unpublished): "
                "docs/facts.md#retcodes-unpublished",
                False,
                MultimediaError,
            )
            for code in ("106-007", "106-011", "106-013", "106-014")
        ),
    )
}

# A code missing from the catalog: the 106 family is documented as multimedia failures.
_FAMILY: dict[str, type[GatewayError]] = {"106": MultimediaError}


def _document_codes() -> None:
    """Append to each exception's docstring the retcodes the catalog maps to it."""
    for kind in {r.exception for r in RETCODES.values()}:
        codes = ", ".join(r.code for r in RETCODES.values() if r.exception is kind)
        kind.__doc__ = (
            f"{kind.__doc__ or kind.__name__}\n\n    Retcodes (from `RETCODES`): {codes}.\n"
        )


_document_codes()


def describe_retcode(retcode: str) -> Retcode:
    """The catalog entry for a retcode; unknown codes get a plain 'not in the catalog' entry."""
    known = RETCODES.get(retcode)
    if known is not None:
        return known
    return Retcode(
        retcode,
        "not in the kit's catalog of published codes",
        "Look the code up in your gateway's documentation.",
        "none",
        False,
        _FAMILY.get(retcode.split("-", 1)[0], GatewayError),
    )


def error_for_retcode(
    retcode: str, message: str = "", *, response: Any = None, hint: str = ""
) -> GatewayError:
    """The typed `GatewayError` for a non-zero retcode (the exception the catalog names)."""
    return describe_retcode(retcode).exception(retcode, message, response=response, hint=hint)


def error_for_answer(answer: dict[str, Any], *, response: Any = None) -> GatewayError | None:
    """The error a gateway's JSON answer stands for (None for retcode "0").

    The clients turn every answer into an exception here and nowhere else; `response` is the
    `httpx2.Response` it came in.
    """
    retcode = str(answer.get("retcode"))
    if retcode == "0":
        return None
    return error_for_retcode(retcode, str(answer.get("message") or ""), response=response)
