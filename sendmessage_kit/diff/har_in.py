"""Read a HAR 1.2 recording (the kit's proxy's, a browser's, Postman's) into gateway exchanges.

Only what a replay needs is read: each entry's method, URL, request headers and body, and the
answer's status and retcode. Entries that are not CC-Gateway interfaces (a browser's page, its
scripts) are counted and left out. A file that is not HAR is a `HarError` naming the file, the
entry and the field, and what a HAR file holds.

The kit's recorder writes placeholders in place of secrets (`GUID_PLACEHOLDER`,
`SET_GUID_PLACEHOLDER`, `PASSWORD_PLACEHOLDER`); a replay signs in with the sandbox's own
credentials wherever a recording holds a password or a Guid, placeholder or not.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

# The recorder's placeholders, defined beside the proxy's HAR writer that writes them.
from sendmessage_kit.har import GUID_PLACEHOLDER, PASSWORD_PLACEHOLDER, SET_GUID_PLACEHOLDER

__all__ = [
    "GATEWAY_PREFIXES",
    "GUID_PLACEHOLDER",
    "PASSWORD_PLACEHOLDER",
    "SET_GUID_PLACEHOLDER",
    "HarError",
    "Recorded",
    "read_har",
]


#: Paths of the interfaces a replay sends: the agent's gateway and the web channel's.
GATEWAY_PREFIXES = ("/agentgateway/", "/apiaccess/")
_SIGN_IN = re.compile(r"/agentgateway/resource/onlineagent/[^/]+(?:/forcelogin)?")
_SEND = re.compile(r"/agentgateway/resource/mediacall/[^/]+/sendmessage")
_WHAT_HAR_IS = (
    'a HAR 1.2 file is JSON: {"log": {"version": "1.2", "entries": [{"request": {...}, '
    '"response": {...}}, ...]}} (record one with `sendmessage-kit proxy --har FILE`, or save '
    "one from a browser's developer tools: Network, Save all as HAR)"
)


class HarError(ValueError):
    """The file is not a HAR recording the replay can use (the message says why and the fix)."""


@dataclass(frozen=True, slots=True)
class Recorded:
    """One recorded exchange with a gateway interface.

    Attributes:
        index: its position among the file's entries, from 1.
        method: the HTTP method.
        path: the path and query, as recorded (`/agentgateway/resource/...`).
        headers: request headers, names in lower case (the last value of a repeated one).
        body: the request body's text, or None.
        status: the recorded answer's HTTP status (0: none came, e.g. a refused connection).
        retcode: the recorded answer's `retcode`, or None when its body is not the gateway's JSON.
        set_guid: the answer carried `Set-GUID` (a Guid handed out; masked or not).
    """

    index: int
    method: str
    path: str
    headers: dict[str, str]
    body: str | None
    status: int
    retcode: str | None
    set_guid: bool = False

    @property
    def is_sign_in(self) -> bool:
        """True for sign-in and forced sign-in."""
        return self.method == "PUT" and _SIGN_IN.fullmatch(self.path) is not None

    @property
    def is_send(self) -> bool:
        """True for sendmessage."""
        return self.method == "POST" and _SEND.fullmatch(self.path) is not None

    def json_body(self) -> Any:
        """The body parsed as JSON, or None."""
        try:
            return json.loads(self.body) if self.body else None
        except (ValueError, RecursionError):
            return None


def read_har(path: str | Path) -> tuple[list[Recorded], int]:
    """The gateway exchanges of a HAR file, in order, and how many other entries it holds.

    Raises:
        HarError: unreadable, not JSON, not HAR, or no gateway exchange in it.
    """
    name = str(path)
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        raise HarError(f"{name}: cannot read it ({exc.strerror})") from None
    try:
        doc = json.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise HarError(f"{name} is not HAR: it is not UTF-8 text; {_WHAT_HAR_IS}") from None
    except ValueError as exc:
        raise HarError(f"{name} is not HAR: not JSON ({exc}); {_WHAT_HAR_IS}") from None
    except RecursionError:
        raise HarError(f"{name} is not HAR: JSON nested too deeply; {_WHAT_HAR_IS}") from None
    log = doc.get("log") if isinstance(doc, dict) else None
    entries = log.get("entries") if isinstance(log, dict) else None
    if not isinstance(entries, list):
        where = "log.entries is not a list" if isinstance(log, dict) else 'no "log" object'
        raise HarError(f"{name} is not HAR: {where}; {_WHAT_HAR_IS}")
    out: list[Recorded] = []
    for i, entry in enumerate(entries):
        recorded = _entry(name, i, entry)
        if recorded.path.startswith(GATEWAY_PREFIXES):
            out.append(recorded)
    if not out:
        raise HarError(
            f"{name}: none of its {len(entries)} entries is a request to a gateway interface "
            "(a path under /agentgateway/); record your application's traffic with "
            "`sendmessage-kit proxy --upstream URL --har FILE`"
        )
    return out, len(entries) - len(out)


def _entry(name: str, i: int, entry: Any) -> Recorded:
    where = f"{name}: log.entries[{i}]"
    request = entry.get("request") if isinstance(entry, dict) else None
    response = entry.get("response") if isinstance(entry, dict) else None
    if not isinstance(request, dict) or not isinstance(response, dict):
        raise HarError(f"{where} needs a request and a response object; {_WHAT_HAR_IS}")
    method, url, status = request.get("method"), request.get("url"), response.get("status")
    if not isinstance(method, str) or not method:
        raise HarError(f"{where}.request.method is missing or not text")
    if not isinstance(url, str) or not url.startswith(("http://", "https://")):
        raise HarError(f"{where}.request.url {url!r} is not an http(s) URL")
    if isinstance(status, bool) or not isinstance(status, int):
        raise HarError(f"{where}.response.status {status!r} is not a number")
    parts = urlsplit(url)
    post = request.get("postData")
    body = post.get("text") if isinstance(post, dict) else None
    headers = {}
    for h in request.get("headers") or []:
        if isinstance(h, dict) and isinstance(h.get("name"), str):
            headers[h["name"].lower()] = str(h.get("value", ""))
    return Recorded(
        index=i + 1,
        method=method.upper(),
        path=parts.path + (f"?{parts.query}" if parts.query else ""),
        headers=headers,
        body=body if isinstance(body, str) else None,
        status=max(status, 0),
        retcode=_retcode(response.get("content")),
        set_guid=any(
            isinstance(h, dict) and str(h.get("name", "")).lower() == "set-guid"
            for h in response.get("headers") or []
        ),
    )


def _retcode(content: Any) -> str | None:
    if not isinstance(content, dict) or not isinstance(content.get("text"), str):
        return None
    text: str = content["text"]
    if content.get("encoding") == "base64":
        try:
            text = base64.b64decode(text).decode("utf-8", "replace")
        except (binascii.Error, ValueError):
            return None
    try:
        obj = json.loads(text)
    except (ValueError, RecursionError):
        return None
    code = obj.get("retcode") if isinstance(obj, dict) else None
    return str(code) if isinstance(code, str | int) and not isinstance(code, bool) else None
