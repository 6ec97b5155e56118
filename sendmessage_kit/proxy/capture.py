"""One exchange through the proxy, captured without its secrets, and what it means.

`capture()` builds an `Exchange` from what went by, and it never holds a secret: the `Guid`,
`Set-GUID` and answer `Guid` headers keep a masked tail (`****20f5.AgentGateway0`, enough to see
a Guid rotate), and a body's secret members (a sign-in body's `password`, an updateGuid answer's
`result.guid`) are replaced, in place, by the placeholders of `sendmessage_kit.har`; every other
byte of the body is kept. Masking is by header name and body member, never by searching text.

`Exchange.explain()` says what the exchange was: which interface, the retcode and its meaning
from the catalog, and for sendmessage the decoded `data` fields and every finding of `check()`.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from sendmessage_kit.har import GUID_PLACEHOLDER, PASSWORD_PLACEHOLDER

__all__ = ["Exchange", "Explanation", "capture", "mask_headers", "mask_members"]

_SECRET_HEADERS = frozenset(("guid", "set-guid"))
_GW = r"(?:/agentgateway)?/resource"
_KINDS: tuple[tuple[str, str, re.Pattern[str]], ...] = (
    ("sendmessage", "POST", re.compile(rf"{_GW}/mediacall/([^/]+)/sendmessage")),
    ("sign-in", "PUT", re.compile(rf"{_GW}/onlineagent/([^/]+)(?:/forcelogin)?")),
    ("sign-out", "DELETE", re.compile(rf"{_GW}/onlineagent/([^/]+)/logout")),
    ("updateGuid", "PUT", re.compile(rf"{_GW}/onlineagent/([^/]+)/updateGuid")),
    ("event poll", "GET", re.compile(rf"{_GW}/agentevent/([^/]+)")),
    ("web channel", "", re.compile(r"/apiaccess/ccmessaging/.*")),
)
# Body members that are secrets: (interface, request or answer) -> (JSON path, placeholder).
_SECRET_MEMBERS: dict[tuple[str, bool], tuple[tuple[str, ...], str]] = {
    ("sign-in", True): (("password",), PASSWORD_PLACEHOLDER),
    ("updateGuid", False): (("result", "guid"), GUID_PLACEHOLDER),
}
_WITHHELD = b'"<sign-in body that is not a JSON object: withheld by sendmessage-kit>"'
# Data fields shown on the log line of a sendmessage, in this order.
SHOWN_FIELDS = ("to", "channel", "mediaType", "messageCode", "content")


def kind_of(method: str, path: str) -> tuple[str, str | None]:
    """The interface of a request (`"other"` when none) and the agent ID in its path."""
    bare = path.split("?", 1)[0]
    for kind, verb, pattern in _KINDS:
        match = pattern.fullmatch(bare)
        if match is not None and (not verb or verb == method):
            return kind, match.group(1) if match.groups() else None
    return "other", None


def mask_headers(pairs: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The headers with each secret header's value masked (`Set-GUID` keeps `JSESSIONID=`)."""
    from sendmessage_kit.auth import mask

    out = []
    for name, value in pairs:
        if name.lower() in _SECRET_HEADERS:
            prefix, eq, rest = value.partition("=")
            value = (
                f"{prefix}={mask(rest)}" if eq and prefix.upper() == "JSESSIONID" else mask(value)
            )
        out.append((name, value))
    return out


def _skip_ws(text: str, i: int) -> int:
    while i < len(text) and text[i] in " \t\r\n":
        i += 1
    return i


def member_span(text: str, path: tuple[str, ...], start: int = 0) -> tuple[int, int] | None:
    """Where the value at `path` (object members) sits in the JSON `text`, or None."""
    decoder = json.JSONDecoder()
    i = _skip_ws(text, start)
    if i >= len(text) or text[i] != "{":
        return None
    i = _skip_ws(text, i + 1)
    found: tuple[int, int] | None = None
    while i < len(text) and text[i] == '"':
        key, i = json.decoder.scanstring(text, i + 1)  # type: ignore[attr-defined]
        i = _skip_ws(text, i)
        if text[i : i + 1] != ":":
            return None
        begin = _skip_ws(text, i + 1)
        _, end = decoder.raw_decode(text, begin)
        if key == path[0]:  # the last of duplicate members is the one parsers keep
            found = (begin, end) if len(path) == 1 else member_span(text[:end], path[1:], begin)
        i = _skip_ws(text, end)
        if text[i : i + 1] != ",":
            break
        i = _skip_ws(text, i + 1)
    return found


def mask_members(body: bytes, kind: str, *, request: bool) -> bytes:
    """`body` with the interface's secret member replaced by its placeholder, all else kept."""
    secret = _SECRET_MEMBERS.get((kind, request))
    if secret is None or not body:
        return body
    path, placeholder = secret
    try:
        text = body.decode("utf-8")
        span = member_span(text, path)
    except (UnicodeDecodeError, ValueError, IndexError):
        span, text = None, ""
    if span is None:
        # A sign-in body the scanner cannot read might still carry the password: not kept.
        return _WITHHELD if request else body
    begin, end = span
    return (text[:begin] + json.dumps(placeholder) + text[end:]).encode("utf-8")


@dataclass(frozen=True)
class Explanation:
    """What an exchange was, in words: the facts of its log line and `--json-log` object."""

    kind: str
    agent_id: str | None
    retcode: str | None
    meaning: str
    fields: dict[str, str] = field(default_factory=dict)
    findings: list[dict[str, str]] = field(default_factory=list)


@dataclass(eq=False)
class Exchange:
    """One request and its answer as the proxy forwarded them (secrets masked; see module).

    Attributes:
        id: 1, 2, ... in the order the requests arrived.
        started: when the request arrived (seconds since the epoch).
        method, path: the request line (`path` with its query string).
        request_headers, request_body: the request as forwarded.
        status, reason, response_headers, response_body: the answer as given back.
        duration: seconds from the request's arrival to the answer's end.
        failure: when the upstream could not be reached: what failed and the fix (status 502).
        refused: the proxy answered itself (`--refuse-invalid`), nothing was forwarded.
    """

    id: int
    started: float
    method: str
    path: str
    request_headers: list[tuple[str, str]]
    request_body: bytes
    status: int = 0
    reason: str = ""
    response_headers: list[tuple[str, str]] = field(default_factory=list)
    response_body: bytes = b""
    duration: float = 0.0
    failure: str | None = None
    refused: bool = False
    _explained: tuple[Any, Explanation] | None = field(default=None, repr=False)

    @cached_property
    def kind(self) -> str:
        """The interface: sendmessage, sign-in, sign-out, updateGuid, event poll, web channel."""
        return kind_of(self.method, self.path)[0]

    def explain(self, profile: Any = None) -> Explanation:
        """The exchange's meaning (sendmessage's findings against `profile`, default settings).

        Worked out once per profile: the terminal, the JSON log and the HAR file share it
        (`profile=None` takes the one already worked out, if any).
        """
        cached = self._explained
        if cached is not None and (profile is None or cached[0] is profile):
            return cached[1]
        explanation = self._explain(profile)
        self._explained = (profile, explanation)
        return explanation

    def _explain(self, profile: Any) -> Explanation:
        from sendmessage_kit.errors import describe_retcode

        kind, agent_id = kind_of(self.method, self.path)
        retcode = _retcode(self.response_body)
        if self.failure is not None:
            meaning = self.failure
        elif retcode is None:
            meaning = f"HTTP {self.status} {self.reason}".rstrip()
        elif retcode == "0":
            meaning = "success"
        else:
            meaning = describe_retcode(retcode).description
        if self.refused:
            meaning = f"refused by the proxy (--refuse-invalid), not forwarded: {meaning}"
        fields: dict[str, str] = {}
        findings: list[dict[str, str]] = []
        if kind == "sendmessage":
            fields, findings = _sendmessage(self.request_body, profile, agent_id)
        return Explanation(kind, agent_id, retcode, meaning, fields, findings)

    def summary(self) -> str:
        """The exchange in one line: method, path, status, retcode and meaning, duration."""
        e = self.explain()
        code = f" retcode {e.retcode}" if e.retcode is not None else ""
        return (
            f"{self.method} {self.path} -> {self.status}{code} ({e.meaning}) "
            f"{self.duration * 1000:.1f} ms"
        )

    def __repr__(self) -> str:
        return f"<Exchange {self.id}: {self.summary()}>"


def _retcode(body: bytes) -> str | None:
    if not body.startswith(b"{") and not body.lstrip().startswith(b"{"):
        return None
    try:
        answer = json.loads(body)
    except (ValueError, RecursionError):
        return None
    code = answer.get("retcode") if isinstance(answer, dict) else None
    return None if code is None else str(code)


def _printable(text: str) -> str:
    r"""`text` as it can be printed and written (a lone surrogate shown as its escape).

    A JSON escape such as `\udfff` decodes to a lone surrogate, which is not Unicode.
    """
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-8", "backslashreplace").decode("utf-8")
    return text


def _sendmessage(
    body: bytes, profile: Any, agent_id: str | None
) -> tuple[dict[str, str], list[dict[str, str]]]:
    from sendmessage_kit.constraints import check
    from sendmessage_kit.settings import KitSettings

    profile = profile if profile is not None else KitSettings().profile()
    findings = [
        {k: _printable(v) for k, v in f.to_dict().items()}
        for f in check(body, profile, agent_id=agent_id)
    ]
    fields: dict[str, str] = {}
    try:
        outer = json.loads(body)
        data = json.loads(outer["data"]) if isinstance(outer.get("data"), str) else {}
    except (ValueError, RecursionError, AttributeError, KeyError, TypeError):
        return fields, findings
    if isinstance(outer.get("callid"), str):
        fields["callid"] = _printable(outer["callid"])
    if isinstance(data, dict):
        for name in SHOWN_FIELDS:
            if name in data:
                fields[name] = _printable(str(data[name]))
    return fields, findings


def capture(
    *,
    id: int,
    started: float,
    method: str,
    path: str,
    request_headers: list[tuple[str, str]],
    request_body: bytes,
) -> Exchange:
    """An `Exchange` for a request that arrived, its secrets masked."""
    kind = kind_of(method, path)[0]
    return Exchange(
        id=id,
        started=started,
        method=method,
        path=path,
        request_headers=mask_headers(request_headers),
        request_body=mask_members(request_body, kind, request=True),
    )


def answered(
    exchange: Exchange,
    status: int,
    reason: str,
    headers: list[tuple[str, str]],
    body: bytes,
    duration: float,
) -> Exchange:
    """Record the answer on `exchange`, its secrets masked; returns it."""
    exchange.status, exchange.reason = status, reason
    exchange.response_headers = mask_headers(headers)
    exchange.response_body = mask_members(body, exchange.kind, request=False)
    exchange.duration = duration
    return exchange
