"""The preview: a `Form` of the builder's values in; body, escaped `data`, meter, findings out.

Example:
    >>> p = preview(Form(content="Hi"))
    >>> p.data_wire[:7], p.meter.level
    ('{"from"', 'ok')
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, replace
from types import MappingProxyType
from typing import Any, Literal

from pydantic import ValidationError

from sendmessage_kit import seed
from sendmessage_kit.constraints import DEFAULT_PROFILE, Finding, Profile, check, has_errors
from sendmessage_kit.encoding import Budget, byte_budget, encode_body, encode_data
from sendmessage_kit.fields import (
    DataField,
    data_fields,
    data_model,
    field_by_key,
    start_values,
)
from sendmessage_kit.models import SendMessageRequest as Request
from sendmessage_kit.preview.choices import EXAMPLE_TEXT

__all__ = [
    "AMBER_AT",
    "ESCAPING_EXPLAINED",
    "RED_AT",
    "Form",
    "Meter",
    "Preview",
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


def _text(value: Any) -> str:
    return "" if value is None else str(getattr(value, "value", value))


class Form:
    """Every field of the request and of `data`, as the builder's controls hold them (text).

    The body's and the URL's values are attributes (`callid`, `userid`, `agent_id`, `secmode`).
    The fields of `data` are the model's (`sendmessage_kit.fields`): give them by Python-style
    name (`Form(content="Hi", media_type="IMAGE", from_="...")`), read them back the same way
    (`form.media_type`) or by wire name from `values`. A field not given starts from its start
    value (a fresh messageCode and sendTime for every form), with the example's recipient and
    text. An empty optional field (and an empty `userid`) means "leave it out".
    """

    __slots__ = ("agent_id", "callid", "secmode", "userid", "values")
    callid: str
    userid: str
    agent_id: str
    secmode: int
    values: Mapping[str, str]

    def __init__(
        self,
        *,
        callid: str = seed.CALLID,
        userid: str = "",
        agent_id: str = "1001",
        secmode: int = 1,
        **data: str,
    ) -> None:
        keys = {f.key for f in data_fields()}
        unknown = [k for k in data if k not in keys]
        if unknown:
            raise TypeError(
                f"Form() got no data field {unknown[0]!r}; the fields are: {', '.join(keys)}"
            )
        start = start_values({"to": seed.USER_ID, "content": EXAMPLE_TEXT, **data})
        values = {f.wire: f.to_text(start.get(f.wire)) for f in data_fields()}
        for name, value in (("callid", callid), ("userid", userid), ("agent_id", agent_id)):
            object.__setattr__(self, name, value)
        object.__setattr__(self, "secmode", secmode)
        object.__setattr__(self, "values", MappingProxyType(values))

    def __getattr__(self, name: str) -> str:
        try:
            return self.values[field_by_key(name).wire]
        except KeyError:
            raise AttributeError(f"Form has no field {name!r}") from None

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("a Form is frozen: make a new one with form.replace(...)")

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Form) and self._state() == other._state()

    def __hash__(self) -> int:
        return hash((self._state()[:4], tuple(self.values.items())))

    def __repr__(self) -> str:
        inner = ", ".join(f"{k}={v!r}" for k, v in self.as_kwargs().items())
        return f"Form({inner})"

    def _state(self) -> tuple[Any, ...]:
        return (self.callid, self.userid, self.agent_id, self.secmode, dict(self.values))

    def as_kwargs(self) -> dict[str, Any]:
        """The arguments that make this form again: `Form(**form.as_kwargs()) == form`."""
        body = {"callid": self.callid, "userid": self.userid, "agent_id": self.agent_id}
        data = {f.key: self.values[f.wire] for f in data_fields() if f.wire in self.values}
        return {**body, "secmode": self.secmode, **data}

    def replace(self, **changes: Any) -> Form:
        """A copy with some values changed (same names as the constructor)."""
        return Form(**{**self.as_kwargs(), **changes})

    def data_dict(self) -> dict[str, Any]:
        """The `data` object with wire names, in the model's order (empty optionals left out).

        Each value is of its field's type: text for a text field, else the text read as JSON
        (`5`, `true`, `{"a": 1}`); text that does not read stays text, for `check()` to name.
        """
        out: dict[str, Any] = {}
        for f in data_fields():
            text = self.values.get(f.wire, "")
            if text or f.required:
                out[f.wire] = text if f.text else _typed(f, text)
        return out


@dataclass(frozen=True, slots=True)
class Meter:
    """The size meter: the `Budget` it shows and its colour.

    Attributes:
        budget: the figures (`encoding.Budget`: characters, bytes, the limit, the secmode).
        level: "ok", "amber" (from AMBER_AT) or "red" (from RED_AT, and when it does not fit).
    """

    budget: Budget
    level: Literal["ok", "amber", "red"]

    @property
    def percent(self) -> float:
        """Counted over limit, in percent, one decimal (may exceed 100)."""
        return round(self.budget.ratio * 100, 1)


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
    return Meter(budget, level)


def _typed(f: DataField, text: str) -> Any:
    try:
        return f.from_text(text)
    except ValueError:
        return text


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
        data = data_model().model_validate(raw)
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
