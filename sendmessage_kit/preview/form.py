"""The preview: a `Form` of the builder's values in; body, escaped `data`, meter, findings out.

Example:
    >>> p = preview(Form(content="Hi"))
    >>> p.data_wire[:7], p.meter.level
    ('{"from"', 'ok')
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from pydantic import ValidationError

from sendmessage_kit.constraints import DEFAULT_PROFILE, Finding, Profile, check, has_errors
from sendmessage_kit.encoding import Budget, byte_budget, encode_body, encode_data
from sendmessage_kit.models import MessageData, new_message_code, now_ms
from sendmessage_kit.models import SendMessageRequest as Request

__all__ = [
    "AMBER_AT",
    "ESCAPING_EXPLAINED",
    "RED_AT",
    "Form",
    "Meter",
    "Preview",
    "findings_rows",
    "preview",
    "size_meter",
]

AMBER_AT = 0.75
RED_AT = 0.95

ESCAPING_EXPLAINED = (
    "data is a JSON object sent as a string inside the JSON body: every quote of the inner "
    'object is written \\" and every backslash \\\\ on the wire. The pretty body above shows '
    "that string exactly as it is sent; the compact object is the same data unescaped."
)


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
