"""The rule table and `check()`: every rule a sendmessage request must follow, in one place.

Each rule has an id, the field it is about, a severity, a sentence a person understands, a fix,
and its source: the interface description (the seed), a section of `docs/facts.md`, or
"assumed"; the table is `rules.RULES`. `check()` runs them all over a request body in any form
(text, dict, model) and returns findings. It never raises on bad input: bad input is what it
reports.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeGuard

from sendmessage_kit import rules as r
from sendmessage_kit.agent_ids import agent_id_ok
from sendmessage_kit.channels import (
    DEFAULT_TABLE,
    LOCATE_FORMAT_CHANNELS,
    MEDIA_FILE_TYPES,
    ChannelTable,
)
from sendmessage_kit.encoding import (
    DEFAULT_LIMITS,
    SizeLimits,
    body_dict,
    byte_budget,
    shown,
    text_findings,
    utf8_len,
    wire_text,
)
from sendmessage_kit.errors import PayloadError
from sendmessage_kit.fields import data_fields, field_by_wire, json_kind, known_wire_names
from sendmessage_kit.models import (
    Channel,
    MediaFileType,
    MediaType,
    MessageData,
    SendMessageRequest,
)
from sendmessage_kit.rules import RULES, Finding, Rule

__all__ = ["RULES", "Finding", "Profile", "Rule", "check", "has_errors", "rules_in_force"]


@dataclass(frozen=True)
class Profile:
    """What `check()` checks against: the gateway's secmode, limits and tables.

    Attributes:
        secmode: MULTIMEDIA_SECMODE of the gateway (1 platform encryption: 1.9 KB; 0: 3.8 KB).
        agent_id_range: allowed agent IDs; the seed's edition says 101-59999 (newer: 999999).
        limits: the size budget's settings.
        channel_table: which media each channel accepts (load a tenant's own with
            `channels.load_channel_table`).
        plain_text_data: accept a plain-text `data` (on-premises); public cloud needs JSON.
        web_poll_chars: the web channel's poll delivers this many characters of content (the
            sandbox's setting of the same name; 0: no cut, no warning).
    """

    secmode: int = 1
    agent_id_range: tuple[int, int] = (101, 59999)
    limits: SizeLimits = DEFAULT_LIMITS
    channel_table: ChannelTable = DEFAULT_TABLE
    plain_text_data: bool = False
    web_poll_chars: int = 500

    def values(self) -> dict[str, object]:
        """The limits in force, by the names rule sentences use (`{web_poll_chars}`)."""
        low, high = self.agent_id_range
        return {
            "web_poll_chars": self.web_poll_chars,
            "agent_id_low": low,
            "agent_id_high": high,
            "secmode": self.secmode,
        }


DEFAULT_PROFILE = Profile()


def rules_in_force(profile: Profile = DEFAULT_PROFILE) -> list[Rule]:
    """The rule table as a profile words it: each limit a sentence names is the profile's."""
    values = profile.values()
    return [rule.worded(values) for rule in RULES]


_KNOWN_BODY = frozenset(("callid", "userid", "data"))
_UUID = re.compile(
    r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\Z"
)
_EPOCH_MS = re.compile(r"^[0-9]{12,14}\Z")
_LOCATE = re.compile(r"^(-?\d{1,3}(?:\.\d+)?)/(-?\d{1,3}(?:\.\d+)?)/(.*)$", re.DOTALL)
# Value -> member: one dict lookup answers "is it one?" and gives the member (check() runs on
# every send; calling the enum costs more).
_CHANNELS = {c.value: c for c in Channel}
_MEDIA = {m.value: m for m in MediaType}
_FILE_TYPES = frozenset(m.value for m in MediaFileType)
# The rule of a field whose value must be one of its enum's (the model's choices); a field with
# choices and no rule of its own breaks `data.type`, unless another rule is about its value.
_CHOICE_RULES = {
    rule.wire: rule
    for rule in (r.CHANNEL_ENUM, r.MEDIA_TYPE_ENUM, r.CONTROL_TYPE_FIXED, r.CONTENT_TYPE_ENUM)
}
_VALUE_RULED = frozenset(rule.wire for rule in RULES)
# The fields the value rules read, by the wire names their rules give (read once).
_CONTENT, _CHANNEL, _MEDIA_TYPE = r.CONTENT_EMPTY.wire, r.CHANNEL_ENUM.wire, r.MEDIA_TYPE_ENUM.wire
_SEND_TIME, _CODE, _USER_ID = r.SEND_TIME_FORMAT.wire, r.MESSAGE_CODE_UUID.wire, r.USER_ID_TO.wire
_FILE_TYPE = r.FILE_TYPE_ALLOWED.wire
_ORDER = {"error": 0, "warning": 1, "info": 2}


@dataclass
class _Run:
    profile: Profile
    findings: list[Finding] = field(default_factory=list)

    def add(self, rule: Rule, field_path: str | None = None, detail: str = "") -> None:
        # Only a sentence naming a limit needs the profile's values.
        values = self.profile.values() if rule.names_limits else {}
        self.findings.append(rule.finding(field_path, detail, values))


def _lenient_wire(data: MessageData) -> str:
    # The wire string, or (text that is not Unicode) the same JSON with the bad text kept, so
    # check() reports it under its field instead of raising.
    try:
        return data.to_wire()
    except (PayloadError, ValueError):
        dump = data.model_dump(by_alias=True, exclude_none=True)
        return json.dumps(dump, ensure_ascii=False, separators=(",", ":"), default=str)


def _as_body(request: Any) -> Any:
    if isinstance(request, SendMessageRequest):
        body = body_dict(request.model_copy(update={"data": "-"}))
        data = request.data
        body["data"] = data if isinstance(data, str) else _lenient_wire(data)
        return body
    if isinstance(request, MessageData):
        return {"callid": "(not given)", "data": _lenient_wire(request)}
    if isinstance(request, str | bytes | bytearray):
        try:
            return json.loads(wire_text(request))
        except PayloadError as exc:
            return exc
        except (ValueError, RecursionError) as exc:
            return _BadJson(str(exc))
    return request


@dataclass
class _BadJson:
    why: str


def check(
    request: Any, profile: Profile = DEFAULT_PROFILE, *, agent_id: str | int | None = None
) -> list[Finding]:
    """Check a request body against every rule; never raises on bad input.

    Args:
        request: the outer body as text, bytes, a dict or a `SendMessageRequest` (a bare
            `MessageData` is checked as the `data` of a body).
        profile: the gateway's secmode, limits and channel table.
        agent_id: the agent ID of the URL, checked against the profile's range when given.

    Returns:
        Findings, errors first.

    Example:
        >>> [f.rule_id for f in check('{"data": "{}"}') if f.field == "callid"]
        ['body.callid.required']
    """
    run = _Run(profile)
    if agent_id is not None:
        _check_agent(run, agent_id)
    body = _as_body(request)
    if isinstance(body, PayloadError):  # bytes that are not UTF-8
        run.findings.extend(body.findings)
    elif isinstance(body, _BadJson):
        run.add(r.BODY_JSON, detail=f"It is not valid JSON: {body.why}.")
    elif not isinstance(body, Mapping):
        run.add(r.BODY_JSON, detail=f"Got {type(body).__name__}.")
    else:
        _check_body(run, body)
    if len(run.findings) < 2:  # the usual send: nothing to order
        return run.findings
    return sorted(run.findings, key=lambda f: _ORDER[f.severity])


def has_errors(findings: list[Finding]) -> bool:
    """True when any finding is an error."""
    return any(f.severity == "error" for f in findings)


def _check_agent(run: _Run, agent_id: str | int) -> None:
    low, high = run.profile.agent_id_range
    text = str(agent_id)
    if not agent_id_ok(text, (low, high)):
        plain = "; write it without leading zeros" if re.match(r"0[0-9]", text) else ""
        run.add(r.AGENT_RANGE, detail=f"Got {shown(text, 40)!r}; allowed {low}-{high}{plain}.")


def _check_body(run: _Run, body: Mapping[Any, Any]) -> None:
    callid = body.get("callid")
    if not isinstance(callid, str) or not callid.strip():
        run.add(r.CALLID_REQUIRED, detail="It is missing." if callid is None else "")
    if "userid" in body and body["userid"] is not None and not isinstance(body["userid"], str):
        run.add(r.USERID_TYPE, detail=f"Got {type(body['userid']).__name__}.")
    outer = {k: v for k, v in body.items() if k != "data"}  # data: below, once parsed
    run.findings.extend(text_findings(outer))
    for key in body:
        if key not in _KNOWN_BODY:
            run.add(r.BODY_EXTRA, shown(str(key)))
    data = body.get("data")
    if data is None:
        run.add(r.DATA_MISSING)
        return
    if isinstance(data, Mapping):
        run.add(r.DATA_NOT_STRING)
        run.findings.extend(text_findings(data, "data"))
        _check_data(run, data)
        return
    if not isinstance(data, str):
        run.add(r.DATA_NOT_JSON, detail=f"Got {type(data).__name__}.")
        return
    try:
        parsed = json.loads(data)
    except (ValueError, RecursionError) as exc:
        run.findings.extend(text_findings(data, "data"))
        if data.lstrip().startswith("{") or not run.profile.plain_text_data:
            run.add(r.DATA_NOT_JSON, detail=f"It is not valid JSON: {exc}.")
        elif not data.strip():
            run.add(r.CONTENT_EMPTY, "data")
        return
    run.findings.extend(text_findings(parsed, "data", source=data))
    if not isinstance(parsed, Mapping):
        run.add(r.DATA_NOT_JSON, detail=f"It holds a JSON {type(parsed).__name__}.")
        return
    _check_data(run, parsed, wire=data)


def _is_text(v: Any) -> TypeGuard[str]:
    return isinstance(v, str)


def _check_data(run: _Run, data: Mapping[Any, Any], wire: str | None = None) -> None:
    for f in data_fields():  # the fields of MessageData, in wire order, each by its type
        value = data.get(f.wire)
        if type(value) is str and f.text:  # the usual case first: check() runs on every send
            if f.choice_set and value not in f.choice_set:
                _not_a_choice(run, f.wire, value, f.choices)
            continue
        path = f"data.{f.wire}"
        if value is None:
            if f.required:
                run.add(r.FIELD_REQUIRED, path, f"{path} is missing.")
            continue
        why = f.problem(value)
        if why:
            run.add(r.FIELD_TYPE, path, why)
        elif path == r.SEND_TIME_NUMBER.field and json_kind(value) == "integer":
            run.add(r.SEND_TIME_NUMBER)
    known = known_wire_names()
    unknown = () if known.issuperset(data) else [k for k in data if k not in known]
    for n, key in enumerate(unknown):  # none in the usual data: one set operation tells
        # difflib costs far more than the rest of check(): suggestions for the first few only,
        # so check() stays linear in the number of unknown keys.
        close = difflib.get_close_matches(str(key), known, n=1, cutoff=0.6) if n < 5 else ()
        hint = f"Did you mean {close[0]!r}?" if close else ""
        run.add(r.FIELD_EXTRA, f"data.{shown(str(key))}", hint)
    _check_values(run, data)
    for check_ in _CONTENT_CHECKS:
        check_(run, data, wire)


def _not_a_choice(run: _Run, wire: str, value: str, choices: tuple[str, ...]) -> None:
    rule = _CHOICE_RULES.get(wire)
    if rule is not None:
        run.add(rule, detail=f"Got {value!r}.")
    elif wire not in _VALUE_RULED:  # mediaFileType: its rules depend on the media type
        run.add(r.FIELD_TYPE, f"data.{wire}", f"Got {value!r}; one of {', '.join(choices)}.")


def _check_values(run: _Run, data: Mapping[Any, Any]) -> None:
    send_time = data.get(_SEND_TIME)
    if isinstance(send_time, str | int) and not isinstance(send_time, bool):
        if not _EPOCH_MS.match(str(send_time)):
            run.add(r.SEND_TIME_FORMAT, detail=f"Got {send_time!r}.")
    code = data.get(_CODE)
    if _is_text(code) and code and not _UUID.match(code):
        run.add(r.MESSAGE_CODE_UUID, detail=f"Got {code!r}.")
    user_id = data.get(_USER_ID)
    copies = field_by_wire(_USER_ID).copies  # userId copies `to`
    to = data.get(copies) if copies else None
    if _is_text(user_id) and _is_text(to) and user_id != to:
        run.add(r.USER_ID_TO, detail=f"{_USER_ID} {user_id!r}, {copies} {to!r}.")
    channel, media = data.get(_CHANNEL), data.get(_MEDIA_TYPE)
    media_type = _MEDIA.get(media) if _is_text(media) else None
    if media_type is not None:
        ch = _CHANNELS.get(channel) if _is_text(channel) else None
        _check_media(run, media_type, ch, data.get(_FILE_TYPE))


def _check_media(run: _Run, media: MediaType, ch: Channel | None, file_type: Any) -> None:
    allowed = MEDIA_FILE_TYPES.get(media)
    if _is_text(file_type):
        if allowed is None:
            run.add(r.FILE_TYPE_UNEXPECTED, detail=f"mediaType {media.value}.")
        elif file_type not in allowed:
            names = ", ".join(sorted(f.value for f in allowed))
            run.add(
                r.FILE_TYPE_ALLOWED,
                detail=f"Got {file_type!r} for {media.value}; allowed: {names}.",
            )
    if ch is None:
        return
    cell = run.profile.channel_table.cell(ch, media)
    if cell.status == "yes" and not cell.formats:  # the usual send: nothing to say
        return
    pair = f"{ch.value} + {media.value}"
    if cell.status == "no":
        rule = r.CHANNEL_MEDIA if cell.basis == "documented" else r.CHANNEL_MEDIA_ASSUMED
        why = f"{cell.note} " if cell.note else ""
        run.add(rule, detail=f"{pair}: {why}({cell.basis}; source: {cell.source})")
    elif cell.status == "unpublished":
        run.add(r.CHANNEL_MEDIA_UNPUBLISHED, detail=f"{pair}: {cell.note}.")
    elif media is MediaType.AUDIO and cell.formats and _is_text(file_type):
        if file_type.lower() not in cell.formats and file_type in _FILE_TYPES:
            run.add(
                r.AUDIO_FORMAT,
                detail=f"{ch.value} plays {', '.join(cell.formats)}; got {file_type!r}.",
            )


def _content_empty(run: _Run, data: Mapping[Any, Any], wire: str | None) -> None:
    content = data.get(_CONTENT)
    if _is_text(content) and not content.strip():
        run.add(r.CONTENT_EMPTY)


def _content_budget(run: _Run, data: Mapping[Any, Any], wire: str | None) -> None:
    content = data.get(_CONTENT)
    if not _is_text(content):
        return
    p = run.profile
    limit = p.limits.limit_bytes(p.secmode)
    if p.limits.counts == "content":
        counted = utf8_len(content)
    else:
        counted = byte_budget(wire if wire is not None else data, limits=p.limits).data_bytes
    if counted >= limit:
        run.add(
            r.CONTENT_BUDGET,
            detail=(
                f"{counted} bytes ({p.limits.counts}, {len(content)} characters) is not under "
                f"{limit} bytes (MULTIMEDIA_SECMODE={p.secmode}, 1 KB = {p.limits.bytes_per_kb} "
                "bytes)."
            ),
        )


def _content_format(run: _Run, data: Mapping[Any, Any], wire: str | None) -> None:
    content, media = data.get(_CONTENT), data.get(_MEDIA_TYPE)
    if not _is_text(content) or not content:
        return
    if media == MediaType.LOCATE:
        m = _LOCATE.match(content)
        if not m:
            channel = data.get(_CHANNEL)
            documented = _is_text(channel) and channel in {c.value for c in LOCATE_FORMAT_CHANNELS}
            rule = r.LOCATE_FORMAT if documented else r.LOCATE_FORMAT_OTHER
            run.add(rule, detail=f"Got {content[:60]!r} (channel {channel!r}).")
        elif abs(float(m[1])) > r.LATITUDE_MAX or abs(float(m[2])) > r.LONGITUDE_MAX:
            run.add(r.LOCATE_RANGE, detail=f"Got {m[1]}/{m[2]}.")
    elif media == MediaType.WEBCARD:
        try:
            card = json.loads(content)
        except (ValueError, RecursionError):
            card = None
        if not isinstance(card, dict) or list(card)[:2] != ["title", "description"]:
            run.add(r.WEBCARD_FORMAT)
    limit = run.profile.web_poll_chars
    channel = data.get(_CHANNEL)
    if limit and channel == Channel.WEB and len(content) > limit:  # an unhashable is never WEB
        run.add(r.WEB_DOWNLINK, detail=f"{len(content)} characters.")


_CONTENT_CHECKS: tuple[Callable[[_Run, Mapping[Any, Any], str | None], None], ...] = (
    _content_empty,
    _content_budget,
    _content_format,
)
