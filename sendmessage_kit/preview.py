"""What the widgets show, as pure functions: preview, size meter, findings, choices, examples.

The widgets in `sendmessage_kit.widgets` are views: they read their controls into a `Form`, call
`preview(form)` and write what comes back (rendered by the `*_html` functions here) into HTML
controls. Everything here runs without a kernel or a browser, so tests and benchmarks call it
directly. (The HTML those controls show is made in `sendmessage_kit.widgets._html`.)

Example:
    >>> p = preview(Form(content="Hi"))
    >>> p.data_wire[:7], p.meter.level
    ('{"from"', 'ok')
"""

from __future__ import annotations

import difflib
import json
import time
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from pydantic import ValidationError

from sendmessage_kit.auth import mask
from sendmessage_kit.channels import DEFAULT_TABLE, MEDIA_FILE_TYPES, ChannelTable
from sendmessage_kit.constraints import DEFAULT_PROFILE, Finding, Profile, check, has_errors
from sendmessage_kit.encoding import Budget, byte_budget, encode_body, encode_data
from sendmessage_kit.models import Channel, MediaFileType, MediaType, MessageData
from sendmessage_kit.models import SendMessageRequest as Request

__all__ = [
    "AMBER_AT",
    "ESCAPING_EXPLAINED",
    "RED_AT",
    "Bubble",
    "Form",
    "Meter",
    "Preview",
    "Template",
    "bubbles",
    "channel_choices",
    "diff_bodies",
    "exchange_text",
    "excluded_media",
    "file_type_choices",
    "findings_rows",
    "history_rows",
    "mask_secret",
    "media_type_choices",
    "new_message_code",
    "now_ms",
    "preview",
    "readable_body",
    "size_meter",
    "template_for",
]

#: The meter turns amber at this share of the limit, red at RED_AT and when it does not fit.
AMBER_AT = 0.75
RED_AT = 0.95

ESCAPING_EXPLAINED = (
    "data is a JSON object sent as a string inside the JSON body: every quote of the inner "
    'object is written \\" and every backslash \\\\ on the wire. The pretty body above shows '
    "that string exactly as it is sent; the compact object is the same data unescaped."
)

Choice = tuple[str, str]


@dataclass(frozen=True, slots=True)
class Form:
    """Every field of the request and of `data`, as the builder's controls hold them (text).

    Empty `media_file_type`, `content_type` and `userid` mean "leave the field out".
    """

    callid: str = "1552524689-16797284"
    userid: str = ""
    agent_id: str = "1001"
    secmode: int = 1
    from_: str = "202301032048582419"
    to: str = "1672709693442874044"
    channel: str = "WEB"
    media_type: str = "TEXT"
    media_file_type: str = ""
    content: str = "Hello! This is an example message from the agent."
    content_type: str = ""
    sender_nickname: str = "Agent"
    sender_avatar: str = "DefaultAvatar"
    # Fresh for every form: a sandbox stores a messageCode once, so a fixed example code would
    # make every demo's first send a silent repeat.
    message_code: str = field(default_factory=lambda: new_message_code())
    send_time: str = field(default_factory=lambda: now_ms())
    user_id: str = "1672709693442874044"

    def data_dict(self) -> dict[str, str]:
        """The `data` object with wire names, in the order of Table 3 (empty optionals left out)."""
        d = {
            "from": self.from_,
            "to": self.to,
            "channel": self.channel,
            "controlType": "CHAT",
            "mediaType": self.media_type,
            "messageCode": self.message_code,
            "mediaFileType": self.media_file_type,
            "content": self.content,
            "contentType": self.content_type,
            "senderNickname": self.sender_nickname,
            "senderAvatar": self.sender_avatar,
            "sendTime": self.send_time,
            "userId": self.user_id,
        }
        return {k: v for k, v in d.items() if v or k not in ("mediaFileType", "contentType")}


@dataclass(frozen=True, slots=True)
class Meter:
    """The size meter's figures against the secmode budget.

    Attributes:
        chars: characters of `content`.
        content_bytes: UTF-8 bytes of `content`.
        data_bytes: UTF-8 bytes of the compact `data` string.
        escaped_bytes: UTF-8 bytes of `data` as escaped inside the body.
        counted_bytes: the figure compared with the limit.
        limit_bytes: the limit of the secmode (the size must be strictly below it).
        secmode: MULTIMEDIA_SECMODE of the limit.
        percent: counted over limit, in percent (may exceed 100).
        level: "ok", "amber" (from AMBER_AT) or "red" (from RED_AT, and when it does not fit).
    """

    chars: int
    content_bytes: int
    data_bytes: int
    escaped_bytes: int
    counted_bytes: int
    limit_bytes: int
    secmode: int
    percent: float
    level: Literal["ok", "amber", "red"]


@dataclass(frozen=True, slots=True)
class Preview:
    """Everything the builder shows for one state of the form.

    Attributes:
        request: the request as a model, or None when a field does not validate (see `error`).
        body_pretty: the outer body, indented; `data` is the escaped string as sent.
        data_wire: the compact `data` string (what the string holds, unescaped).
        data_escaped: the `data` string as it sits in the body: quoted, with escapes.
        meter: the size meter.
        findings: what `check()` says, errors first.
        error: a readable message when the form does not make a valid model, else "".
    """

    request: Request | None
    body_pretty: str
    data_wire: str
    data_escaped: str
    meter: Meter
    findings: list[Finding]
    error: str = ""

    @property
    def ok(self) -> bool:
        """True when the request validates and `check()` found no error."""
        return self.request is not None and not has_errors(self.findings)


def size_meter(budget: Budget) -> Meter:
    """Turn a `Budget` into the meter's figures and colour level."""
    ratio = budget.ratio
    level: Literal["ok", "amber", "red"] = "ok"
    if ratio >= RED_AT or not budget.fits:
        level = "red"
    elif ratio >= AMBER_AT:
        level = "amber"
    return Meter(
        chars=budget.content_chars,
        content_bytes=budget.content_bytes,
        data_bytes=budget.data_bytes,
        escaped_bytes=budget.escaped_bytes,
        counted_bytes=budget.counted_bytes,
        limit_bytes=budget.limit_bytes,
        secmode=budget.secmode,
        percent=round(ratio * 100, 1),
        level=level,
    )


def _readable(exc: ValidationError) -> str:
    parts = []
    for err in exc.errors():
        loc = ".".join(str(p) for p in err["loc"])
        parts.append(f"data.{loc}: {err['msg']}")
    return "; ".join(parts)


def preview(form: Form, profile: Profile = DEFAULT_PROFILE) -> Preview:
    """Compute the whole preview of a form: body, escaped `data`, meter and findings.

    A form whose values do not make a valid `MessageData` (say, a channel typed by hand) still
    previews: the body is built from the raw values and `error` says which field is wrong.
    """
    raw = form.data_dict()
    request: Request | None
    error = ""
    try:
        data = MessageData.model_validate(raw)
    except ValidationError as exc:
        error = _readable(exc)
        wire = json.dumps(raw, ensure_ascii=False, separators=(",", ":"))
        request = None
        body: dict[str, Any] = {"callid": form.callid}
        if form.userid:
            body["userid"] = form.userid
        body["data"] = wire
        body_pretty = json.dumps(body, ensure_ascii=False, indent=4)
        checked: Any = body
    else:
        wire = encode_data(data)
        request = Request(callid=form.callid, userid=form.userid or None, data=data)
        body_pretty = encode_body(request, indent=4)
        checked = request
    profile = profile if profile.secmode == form.secmode else replace(profile, secmode=form.secmode)
    meter = size_meter(byte_budget(wire, secmode=form.secmode, limits=profile.limits))
    findings = check(checked, profile, agent_id=form.agent_id or None)
    return Preview(
        request=request,
        body_pretty=body_pretty,
        data_wire=wire,
        data_escaped=json.dumps(wire, ensure_ascii=False),
        meter=meter,
        findings=findings,
        error=error,
    )


def findings_rows(findings: Sequence[Finding]) -> list[dict[str, str]]:
    """Findings as table rows: severity, field, sentence, fix, rule."""
    return [f.to_dict() for f in findings]


# --- choices -----------------------------------------------------------------------------------


def channel_choices(table: ChannelTable = DEFAULT_TABLE) -> list[Choice]:
    """(label, value) for every channel; channels absent from the published table say so."""
    out = []
    for ch in Channel:
        published = any(table.cell(ch, m).status == "yes" for m in MediaType)
        out.append((ch.value if published else f"{ch.value} (not in the published table)", ch))
    return [(label, str(value.value)) for label, value in out]


def media_type_choices(channel: str, table: ChannelTable = DEFAULT_TABLE) -> list[Choice]:
    """(label, value) of the media types a channel may take; forbidden ones are not offered.

    Documented cells show the bare name; cells no public source covers are marked
    "(unpublished)". See `excluded_media` for what is left out and why.
    """
    ch = Channel(channel)
    out = []
    for m in MediaType:
        cell = table.cell(ch, m)
        if cell.status == "yes":
            out.append((m.value, m.value))
        elif cell.status == "unpublished":
            out.append((f"{m.value} (unpublished)", m.value))
    return out


def excluded_media(channel: str, table: ChannelTable = DEFAULT_TABLE) -> list[tuple[str, str]]:
    """(media type, why) for the media types a channel does not take, per the table."""
    ch = Channel(channel)
    out = []
    for m in MediaType:
        cell = table.cell(ch, m)
        if cell.status == "no":
            out.append((m.value, f"{cell.note or 'excluded'} (source: {cell.source})"))
    return out


def file_type_choices(
    media_type: str, channel: str | None = None, table: ChannelTable = DEFAULT_TABLE
) -> list[Choice]:
    """(label, value) of the `mediaFileType` values a media type allows ("(none)" for none).

    For voice, formats the channel is not documented to play are marked with the ones it plays.
    """
    allowed = MEDIA_FILE_TYPES.get(MediaType(media_type))
    if not allowed:
        return [("(none)", "")]
    formats: tuple[str, ...] = ()
    if channel is not None:
        formats = table.cell(Channel(channel), MediaType(media_type)).formats
    out = []
    for f in MediaFileType:  # Table 3's order
        if f in allowed:
            label = f.value
            if formats and f.value.lower() not in formats:
                label = f"{f.value} ({channel} plays {', '.join(formats)})"
            out.append((label, f.value))
    return out


# --- example templates -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Template:
    """Example starting values for a channel and media type. Examples, not vendor data."""

    content: str
    media_file_type: str = ""
    content_type: str = ""
    note: str = ""

    @property
    def label(self) -> str:
        """The banner shown above the form: the values are an example to replace."""
        return (
            f"Example values: {self.note} Replace them with yours."
            if self.note
            else ("Example values. Replace them with yours.")
        )


_MEDIA_ID = "Media-library file ID (example); contentType 1 for an uploaded file's key."
_TEMPLATES: dict[MediaType, Template] = {
    MediaType.TEXT: Template(
        "Hello! This is an example message from the agent.", note="plain text."
    ),
    MediaType.IMAGE: Template("1234567890abcdef-image", "jpg", "0", _MEDIA_ID),
    MediaType.AUDIO: Template("1234567890abcdef-audio", "mp3", "0", _MEDIA_ID),
    MediaType.VIDEO: Template("1234567890abcdef-video", "", "0", _MEDIA_ID),
    MediaType.EMOTICONS: Template("1234567890abcdef-gif", "gif", "0", _MEDIA_ID),
    MediaType.DOCUMENT: Template("1234567890abcdef-doc", "pdf", "0", _MEDIA_ID),
    MediaType.LOCATE: Template(
        "22.54/114.06/Huawei Base, Shenzhen", note="latitude/longitude/description."
    ),
    MediaType.LOCATION: Template(
        "22.54/114.06/Huawei Base, Shenzhen", note="format unpublished; LOCATE's is assumed."
    ),
    MediaType.WEBCARD: Template(
        '{"title": "Your order", "description": "Shipped today", "mediaType": "IMAGE"}',
        note="a JSON object as a string, starting with title and description.",
    ),
    MediaType.WHATSAPPTEMPLATE: Template(
        '{"templateName": "order_update", "language": "en", "templateData": ["42"]}',
        note="format unpublished; the template must exist at the provider (assumed shape).",
    ),
    MediaType.SMSTEMPLATE: Template(
        '{"templateId": "example-template", "params": ["42"]}', note="format unpublished."
    ),
    MediaType.EMAIL: Template("<p>Hello,</p><p>your order has shipped.</p>", note="unpublished."),
    MediaType.RICHTEXT: Template("<p><b>Hello</b> from the agent</p>", note="unpublished."),
}


def template_for(channel: str, media_type: str) -> Template:
    """The example values for a channel and media type (content, file type, note)."""
    tpl = _TEMPLATES.get(MediaType(media_type))
    if tpl is None:
        return Template("Example content", note=f"{media_type}'s content format is unpublished.")
    if channel == "WEB" and media_type == "TEXT":
        return replace(tpl, content="<p>Hello! This is an example message from the agent.</p>")
    return tpl


def new_message_code() -> str:
    """A fresh messageCode (a UUID, the documented example)."""
    return str(uuid.uuid4())


def now_ms() -> str:
    """Now in epoch milliseconds, as a string (Table 3 says string)."""
    return str(time.time_ns() // 1_000_000)


def mask_secret(value: str | None) -> str:
    """Mask a secret to a short tail (see `auth.mask`); empty stays empty."""
    return mask(value) if value else ""


# --- sends: raw exchange, history, diff --------------------------------------------------------


def readable_body(body: str) -> str:
    """A body pretty-printed with its `data` string decoded, so two sends diff field by field."""
    try:
        obj = json.loads(body)
    except (ValueError, RecursionError):
        return body
    if isinstance(obj, dict) and isinstance(obj.get("data"), str):
        try:
            obj["data"] = json.loads(obj["data"])
        except (ValueError, RecursionError):
            pass
    return json.dumps(obj, ensure_ascii=False, indent=2)


def diff_bodies(a: str, b: str, *, names: tuple[str, str] = ("a", "b")) -> str:
    """A unified diff of two request bodies (data decoded); "" when they are the same."""
    lines = difflib.unified_diff(
        readable_body(a).splitlines(),
        readable_body(b).splitlines(),
        fromfile=names[0],
        tofile=names[1],
        lineterm="",
    )
    return "\n".join(lines)


def exchange_text(result: Any, *, url: str, guid: Any = None) -> str:
    """The raw exchange of a send (request line, headers, body, answer) with the Guid masked.

    `result` is a client `SendResult`; `guid` a `SecretStr`, a string or None.
    """
    secret = guid.get_secret_value() if hasattr(guid, "get_secret_value") else guid
    lines = [
        f"POST {url}",
        "Content-Type: application/json",
        f"Guid: {mask_secret(secret) or '(none)'}",
        "",
        str(result.request_body),
        "",
    ]
    if result.response is not None:
        lines.append("→ " + result.response.model_dump_json())
    elif result.error is not None:
        lines.append(f"→ no usable answer: {type(result.error).__name__}: {result.error}")
    text = "\n".join(lines)
    return text.replace(secret, mask_secret(secret)) if secret else text


def history_rows(results: Sequence[Any]) -> list[dict[str, str]]:
    """One row per send of a `SendResult` list: #, callid, messageCode, retcode, ms, content."""
    rows = []
    for i, r in enumerate(results, 1):
        try:
            data = json.loads(json.loads(r.request_body)["data"])
            content = str(data.get("content", ""))
        except (ValueError, KeyError, TypeError, AttributeError):
            content = ""
        rows.append(
            {
                "#": str(i),
                "callid": str(r.callid),
                "messageCode": str(r.message_code or ""),
                "retcode": str(r.retcode) if r.retcode is not None else "no answer",
                "ms": f"{r.elapsed * 1000:.0f}",
                "content": content if len(content) <= 40 else content[:39] + "…",
            }
        )
    return rows


# --- the customer's conversation ---------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Bubble:
    """One chat message as the conversation view shows it."""

    seq: int
    who: Literal["agent", "customer"]
    content: str
    media_type: str = "TEXT"
    sender: str = ""
    at_ms: int = 0
    message_code: str = ""


def _get(item: Any, *names: str, default: Any = None) -> Any:
    for name in names:
        value = item.get(name) if isinstance(item, Mapping) else getattr(item, name, None)
        if value is not None:
            return value
    return default


def bubbles(messages: Sequence[Any]) -> list[Bubble]:
    """Normalise the sandbox's customer-side messages (dicts or objects) into `Bubble`s.

    Reads the downlink names (`sourceType` "AGENT"/"CUSTOMER", `timestamp`, `senderNickname`)
    and the store's (`direction`, `created_ms`, `seq`), whichever are present.
    """
    out = []
    for i, m in enumerate(messages):
        source = str(_get(m, "direction", "sourceType", "source", default="agent")).lower()
        out.append(
            Bubble(
                seq=int(_get(m, "seq", "id", default=i)),
                who="customer" if source.startswith("customer") else "agent",
                content=str(_get(m, "content", default="")),
                media_type=str(_get(m, "mediaType", "media_type", default="TEXT")),
                sender=str(_get(m, "senderNickname", "sender", default="")),
                at_ms=int(_get(m, "created_ms", "timestamp", "createdMs", default=0) or 0),
                message_code=str(_get(m, "messageCode", "message_code", default="")),
            )
        )
    return out
