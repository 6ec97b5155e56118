"""Guid handling: the static Guid, sign-in bodies, following `Set-GUID`, and masking.

CC-Gateway authenticates every call with a `Guid` header. Sign-in answers it in a
`Set-GUID: JSESSIONID=<guid>` header; with dynamic authentication (AUTHMODE 2) the gateway
rotates it and delivers the new one in `Set-GUID` on the event-polling response, so the kit
reads every response for a new Guid (also a bare `Guid` header, which some gateways send).
The Guid is a secret: it lives in a `SecretStr` and is only ever shown masked
(`****20f5.AgentGateway0`); the HTTP stack's DEBUG lines that name a Guid header are withheld.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pydantic import SecretStr

__all__ = [
    "GuidState",
    "as_secret",
    "guid_from_headers",
    "mask",
    "redact_http_debug_logs",
    "sign_in_body",
]


def as_secret(value: SecretStr | str | None) -> SecretStr | None:
    """`value` as a `SecretStr` (None stays None).

    pydantic is imported here, when a client is built, not with `sendmessage_kit`.
    """
    if isinstance(value, str):
        from pydantic import SecretStr

        return SecretStr(value)
    return value


def mask(secret: SecretStr | str | None, *, keep: int = 4) -> str:
    """A secret reduced to a masked tail, e.g. `****0f5a`; `<none>` when unset.

    A Guid's gateway-node suffix (`.AgentGateway0`) is not secret and would make every Guid
    look alike, so it is kept and the tail is taken from the part before it.

    Example:
        >>> mask("xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxx20f5.AgentGateway0")
        '****20f5.AgentGateway0'
        >>> mask("s3cret-passw0rd")
        '****w0rd'
    """
    if secret is None:
        return "<none>"
    text = secret if isinstance(secret, str) else secret.get_secret_value()
    head, dot, node = text.rpartition(".")
    if dot and node.startswith("AgentGateway") and len(head) > keep * 2:
        return f"****{head[-keep:]}.{node}"
    if len(text) <= keep * 2:
        return "****"
    return "****" + text[-keep:]


def guid_from_headers(headers: Mapping[str, str]) -> str | None:
    """The Guid a response hands out: `Set-GUID: JSESSIONID=<guid>` or a bare `Guid` header.

    Example:
        >>> guid_from_headers({"set-guid": "JSESSIONID=abc.AgentGateway0"})
        'abc.AgentGateway0'
    """
    exact = isinstance(headers, dict)  # a plain dict's keys are case-sensitive; httpx2's are not
    raw = headers.get("set-guid") or (headers.get("Set-GUID") if exact else None)
    if raw:
        first = raw.split(";", 1)[0].strip()
        name, sep, value = first.partition("=")
        guid = value.strip() if sep else name.strip()
        return guid or None
    bare = headers.get("guid") or (headers.get("Guid") if exact else None)
    return bare.strip() or None if bare else None


def sign_in_body(password: SecretStr | str, phonenum: str | None, **extra: Any) -> dict[str, Any]:
    """The JSON body of `PUT .../onlineagent/{agentid}` (sign-in and forced sign-in)."""
    secret = password if isinstance(password, str) else password.get_secret_value()
    body: dict[str, Any] = {"password": secret, "phonenum": phonenum or ""}
    body.update(extra)
    return body


class GuidState:
    """The current Guid of a client, replaced whenever a response hands out a new one.

    Thread-safe, so a background event poller and senders can share it.
    """

    def __init__(self, guid: SecretStr | str | None = None) -> None:
        self._lock = threading.Lock()
        self._guid = as_secret(guid)
        self.rotations = 0

    @property
    def value(self) -> SecretStr | None:
        """The Guid as a `SecretStr` (None before sign-in)."""
        return self._guid

    def set(self, guid: SecretStr | str | None) -> None:
        """Replace the Guid (None forgets it, e.g. after sign-out)."""
        with self._lock:
            self._guid = as_secret(guid)

    def headers(self) -> dict[str, str]:
        """The `Guid` request header, or nothing before sign-in."""
        guid = self._guid
        return {"Guid": guid.get_secret_value()} if guid is not None else {}

    def follow(self, headers: Mapping[str, str]) -> bool:
        """Take a new Guid from a response's headers; True when it changed."""
        new = guid_from_headers(headers)
        if new is None:
            return False
        with self._lock:
            old = self._guid.get_secret_value() if self._guid is not None else None
            if new == old:
                return False
            self._guid = as_secret(new)
            self.rotations += 1
            return True

    def __repr__(self) -> str:
        return f"GuidState({mask(self._guid)})"


# httpcore2 traces each response's headers at DEBUG, `Set-GUID: JSESSIONID=<guid>` included, as
# text it formats itself, and has no public switch to leave headers out (its `trace` request
# extension adds a listener; the log line is written all the same). So a filter on its loggers
# (the names httpx2's logging documentation gives) withholds every line that names a Guid header,
# whole, without reading the line's format. tests/reliability/test_secrets.py pins it: the trace
# is there, the withheld line with it, and no Guid.
WITHHELD = "(a line naming a Guid header, withheld by sendmessage_kit: it may carry the Guid)"
_HTTP_DEBUG_LOGGERS = (
    "httpcore2.connection",
    "httpcore2.http11",
    "httpcore2.http2",
    "httpcore2.proxy",
    "httpcore2.socks",
    "httpx2",
)


class _WithholdGuidLines(logging.Filter):
    """Replaces a log line that names a Guid header with `WITHHELD` (the record is kept)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if "guid" in record.getMessage().lower():
            record.msg, record.args = WITHHELD, ()
        return True


_WITHHOLD = _WithholdGuidLines()


def redact_http_debug_logs() -> None:
    """Withhold HTTP-stack log lines naming a Guid header; idempotent, done on client import."""
    for name in _HTTP_DEBUG_LOGGERS:
        logging.getLogger(name).addFilter(_WITHHOLD)
