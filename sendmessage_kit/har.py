"""HAR 1.2 recordings of the proxy's exchanges, with the secrets as placeholders.

`sendmessage-kit proxy --har FILE` writes every exchange it forwards as one HAR entry, the
format browsers' developer tools, Postman and Insomnia import. The file is rewritten whole
after every exchange (to a temporary file, then renamed over it), so it is a valid HAR at any
moment, even after the proxy is killed.

The Guid (the `Guid` request header, and a `Guid` answer header), `Set-GUID` and the password
(a sign-in body's `password` member) are never written: in their place stand the placeholders
below, which say what they stand for (an updateGuid answer's `result.guid` gets the Guid's).
The proxy's exchanges never hold those secrets in the first place: the bodies carry the
placeholders already (`sendmessage_kit.proxy.capture`), and the headers' masked tails are
swapped for the placeholders here, by header name. Nothing else in a body is altered.

Bodies are kept as text when they are UTF-8, else base64 with `"encoding": "base64"` (HAR's
`content.encoding`; the same key on `postData`, which validators accept). Each entry's
`comment` is the proxy's one-line summary of the exchange. `sendmessage-kit diff FILE.har`
reads these files; it imports the placeholders from here.
"""

from __future__ import annotations

import json
import os
import tempfile
import threading
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sendmessage_kit.proxy.capture import Exchange

__all__ = [
    "GUID_PLACEHOLDER",
    "PASSWORD_PLACEHOLDER",
    "SET_GUID_PLACEHOLDER",
    "HarWriter",
    "har_document",
    "har_entry",
]

#: Stands for the `Guid` header's value (request, or an answer handing a Guid out).
GUID_PLACEHOLDER = "<Guid: masked by sendmessage-kit>"
#: Stands for the `Set-GUID` answer header's value (`JSESSIONID=<guid>`).
SET_GUID_PLACEHOLDER = "<Set-GUID: masked by sendmessage-kit>"
#: Stands for the value of a sign-in body's `password` member (a JSON string).
PASSWORD_PLACEHOLDER = "<password: masked by sendmessage-kit>"
_HEADER_PLACEHOLDERS = {"guid": GUID_PLACEHOLDER, "set-guid": SET_GUID_PLACEHOLDER}


def _headers(pairs: Iterable[tuple[str, str]]) -> list[dict[str, str]]:
    return [
        {"name": name, "value": _HEADER_PLACEHOLDERS.get(name.lower(), value)}
        for name, value in pairs
    ]


def _query(path: str) -> list[dict[str, str]]:
    from urllib.parse import parse_qsl, urlsplit

    query = urlsplit(path).query
    return [{"name": k, "value": v} for k, v in parse_qsl(query, keep_blank_values=True)]


def _mime(pairs: Iterable[tuple[str, str]]) -> str:
    for name, value in pairs:
        if name.lower() == "content-type":
            return value
    return ""


def _text(body: bytes) -> dict[str, str]:
    """HAR's text of a body: the text itself when it is UTF-8, else base64 (HAR's `encoding`)."""
    try:
        return {"text": body.decode("utf-8")}
    except UnicodeDecodeError:
        import base64

        return {"text": base64.b64encode(body).decode("ascii"), "encoding": "base64"}


def _iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def har_entry(exchange: Exchange, upstream: str) -> dict[str, Any]:
    """One exchange as a HAR 1.2 entry (the request as the upstream received it)."""
    request: dict[str, Any] = {
        "method": exchange.method,
        "url": upstream.rstrip("/") + exchange.path,
        "httpVersion": "HTTP/1.1",
        "cookies": [],
        "headers": _headers(exchange.request_headers),
        "queryString": _query(exchange.path),
        "headersSize": -1,
        "bodySize": len(exchange.request_body),
    }
    if exchange.request_body:
        request["postData"] = {
            "mimeType": _mime(exchange.request_headers),
            **_text(exchange.request_body),
        }
    content = {
        "size": len(exchange.response_body),
        "mimeType": _mime(exchange.response_headers),
        **_text(exchange.response_body),
    }
    ms = round(exchange.duration * 1000, 3)
    entry: dict[str, Any] = {
        "startedDateTime": _iso(exchange.started),
        "time": ms,
        "request": request,
        "response": {
            "status": exchange.status,
            "statusText": exchange.reason,
            "httpVersion": "HTTP/1.1",
            "cookies": [],
            "headers": _headers(exchange.response_headers),
            "content": content,
            "redirectURL": "",
            "headersSize": -1,
            "bodySize": len(exchange.response_body),
        },
        "cache": {},
        "timings": {"send": 0, "wait": ms, "receive": 0},
        "comment": exchange.summary(),
    }
    return entry


def har_document(entries: list[dict[str, Any]]) -> dict[str, Any]:
    """A whole HAR 1.2 document around `entries`."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        kit_version = version("sendmessage-kit")
    except PackageNotFoundError:  # pragma: no cover - running from a source tree
        kit_version = "0"
    return {
        "log": {
            "version": "1.2",
            "creator": {"name": "sendmessage-kit proxy", "version": kit_version},
            "entries": entries,
        }
    }


class HarWriter:
    """Keeps a HAR file valid after every exchange: the whole file rewritten, then renamed."""

    def __init__(self, path: str | Path, upstream: str) -> None:
        self.path = Path(path)
        self.upstream = upstream
        self._entries: list[dict[str, Any]] = []
        self._lock = threading.Lock()
        self._write()  # an empty but valid HAR from the start

    def add(self, exchange: Exchange) -> None:
        """Append one exchange and rewrite the file."""
        entry = har_entry(exchange, self.upstream)
        with self._lock:
            self._entries.append(entry)
            self._write()

    def _write(self) -> None:
        text = json.dumps(har_document(self._entries), ensure_ascii=False, indent=1)
        folder = self.path.parent
        fd, tmp = tempfile.mkstemp(prefix=f".{self.path.name}.", suffix=".tmp", dir=folder)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(text)
            os.replace(tmp, self.path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
