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
        ├── AuthError            000-003, 100-004, 100-006
        ├── AgentStateError      000-004, 100-002
        ├── InvalidParameterError  000-002, 000-006, 106-002
        ├── RepeatedCallError    000-007
        ├── MultimediaError      106-xxx
        └── GatewayInternalError 100-007

`RETCODES` is the catalog the docs' error table is generated from: each code with its published
description (or a plain statement that none is public), a remedy, its source and whether a
resend with the same `messageCode` is reasonable.
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
    "TLSError",
    "TransportError",
    "describe_retcode",
    "error_for_retcode",
]


class SendMessageKitError(Exception):
    """Base of every error the kit raises."""


class SettingsError(SendMessageKitError):
    """A setting is missing or invalid; the message names the variable or argument to set."""


class PayloadError(SendMessageKitError, ValueError):
    """The payload breaks one or more rules; `.findings` lists them (field, rule, fix)."""

    def __init__(self, message: str, findings: Sequence[Finding] = ()) -> None:
        super().__init__(message)
        self.findings = list(findings)


class TransportError(SendMessageKitError):
    """No usable answer came back from the gateway."""

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
    """The answer is not the gateway's JSON: an HTML error page, garbage, or no `retcode`."""

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
    """

    def __init__(self, retcode: str, message: str = "", *, response: Any = None) -> None:
        info = describe_retcode(retcode)
        self.retcode = retcode
        self.message = message
        self.description = info.description
        self.remedy = info.remedy
        self.response = response
        gateway_said = f' (gateway said: "{message}")' if message else ""
        super().__init__(f"retcode {retcode}: {info.description}{gateway_said}. {info.remedy}")


class AuthError(GatewayError):
    """Authentication failed or expired: 000-003, 100-004, 100-006."""


class AgentStateError(GatewayError):
    """The agent is in a state that forbids the call: 000-004, 100-002."""


class InvalidParameterError(GatewayError):
    """A parameter or the message is invalid: 000-002, 000-006, 106-002."""


class RepeatedCallError(GatewayError):
    """The interface was invoked repeatedly: 000-007."""


class MultimediaError(GatewayError):
    """A multimedia (106-xxx) failure."""


class GatewayInternalError(GatewayError):
    """The gateway failed internally during the agent's operation: 100-007."""


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

RETCODES: dict[str, Retcode] = {
    r.code: r
    for r in (
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
            AuthError,
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
            "100-002",
            "the agent has already signed in",
            "Use forced sign-in (`force_sign_in`, PUT .../onlineagent/{agentid}/forcelogin).",
            _FACTS,
            False,
            AgentStateError,
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
            AuthError,
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

_FAMILY: dict[str, type[GatewayError]] = {"106": MultimediaError}


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


def error_for_retcode(retcode: str, message: str = "", *, response: Any = None) -> GatewayError:
    """The typed `GatewayError` for a non-zero retcode."""
    return describe_retcode(retcode).exception(retcode, message, response=response)
