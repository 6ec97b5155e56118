"""What the clients hand back and warn about: `SendResult`, the warnings, TLS verification."""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from sendmessage_kit.errors import SendMessageKitError, SettingsError, describe_retcode

if TYPE_CHECKING:
    import ssl

    from sendmessage_kit.models import SendMessageResponse

__all__ = ["InsecureTransportWarning", "SendMessageKitWarning", "SendResult"]


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


class SendMessageKitWarning(UserWarning):
    """Base of the kit's warnings."""


class InsecureTransportWarning(SendMessageKitWarning):
    """TLS verification is off: anyone on the path can read and change the traffic."""


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
