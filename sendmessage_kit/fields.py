"""The fields of `data`, read from `MessageData`: one list for check, forms, CLI and sandbox.

Each `DataField` comes from one entry of `MessageData.model_fields`: its wire name (the alias),
its JSON type (from the annotation), whether the wire needs it, its description, its enum's
values, and the kit's `FieldUse` hints (start value, widget, CLI flags). The model is looked up
on every call (the result cached per model class), so a field added to, or renamed in,
`MessageData` reaches every user of this module with no other edit.

No module of the kit lists the fields of `data`: every place that goes over all of them (check,
`new_message`, the builder's form, the send CLI, the CSV columns, the sandbox's customer view and
web poll) reads them here. A place that gives one field a behaviour of its own names that field:
a rule of the table (`content.empty` is about `content`; a test checks each such name is a field
of the model), the builder's channel -> mediaType -> mediaFileType cascade, the sandbox store's
routing columns.

Example:
    >>> [f.wire for f in data_fields()][:3]
    ['from', 'to', 'channel']
    >>> field_by_key("media_type").flag, field_by_key("from_").flag
    ('--media-type', '--from')
"""

from __future__ import annotations

import functools
import json
import keyword
import re
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum
from typing import Any, Literal

from pydantic import BaseModel, TypeAdapter, ValidationError
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

from sendmessage_kit import models

__all__ = [
    "DataField",
    "JsonKind",
    "data_fields",
    "data_model",
    "field_by_key",
    "field_by_wire",
    "json_kind",
    "known_wire_names",
    "required_wire_names",
    "snake_name",
    "start_values",
]

_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")

JsonKind = Literal["string", "integer", "number", "boolean", "object", "array", "null"]
_ALL_KINDS: frozenset[JsonKind] = frozenset(
    ("string", "integer", "number", "boolean", "object", "array")
)


def json_kind(value: Any) -> JsonKind:
    """The JSON type of a decoded JSON value (`True` is a boolean, not an integer)."""
    if isinstance(value, str):
        return "string"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, Mapping):
        return "object"
    if isinstance(value, list | tuple):
        return "array"
    return "null"


def _kinds(annotation: Any) -> frozenset[JsonKind]:
    """The JSON types a model annotation takes (`str | int` -> string, integer)."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _kinds(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        return frozenset().union(*(_kinds(a) for a in typing.get_args(annotation)))
    if origin is Literal:
        return frozenset(json_kind(v) for v in typing.get_args(annotation))
    base = origin or annotation
    if annotation is type(None):
        return frozenset(("null",))
    if not isinstance(base, type):
        return _ALL_KINDS  # Any, a TypeVar: whatever JSON holds
    for py, kind in _PY_KINDS:
        if issubclass(base, py):
            return frozenset((kind,))
    return frozenset(("object",)) if issubclass(base, BaseModel) else _ALL_KINDS


_PY_KINDS: tuple[tuple[type, JsonKind], ...] = (
    (str, "string"),  # a str enum too
    (bool, "boolean"),  # before int: bool is an int in Python
    (int, "integer"),
    (float, "number"),
    (Mapping, "object"),
    (list, "array"),
    (tuple, "array"),
    (set, "array"),
    (frozenset, "array"),
)


def snake_name(wire: str) -> str:
    """The Python-style name of a wire name: `mediaType` -> `media_type`, `from` -> `from_`."""
    name = _CAMEL.sub("_", wire).lower()
    return f"{name}_" if keyword.iskeyword(name) else name


@dataclass(frozen=True, slots=True)
class DataField:
    """One field of `data` as the kit offers it.

    Attributes:
        attr: the model's attribute name (`from_`).
        wire: the name on the wire (`from`).
        key: the Python-style name forms, `new_message` and the CLI use (`media_type`).
        required: the wire must carry it (required by the model, or a fixed value always sent).
        description: the model's description.
        choices: the enum's values in declaration order; () for free text.
        default: the model's own default when it has one (`controlType` CHAT), else None.
        start: the value a new message starts from (text, or a function making it), or None.
        copies: the wire name of the field this one copies when not given (`userId` <- `to`).
        widget: "choice", "fixed" (one allowed value), "textarea" or "text".
        extra_flags: option strings of the `send` CLI besides `flag`.
        renew: the label of the builder's button making a fresh start value ("" for none).
        names: the enum's member names, beside `choices`.
        kinds: the JSON types the model takes for it (`sendTime`: string or integer).
        alias_flag: the `send` CLI option of the wire name when it differs from the attribute's
            (`--msg-priority` beside `--priority`), else "".
        annotation: the model's annotation of the field, for a deeper check of objects.
        text: a string is one of its types (form and CLI text is taken as it is).
        choice_set: `choices` as a set (check() asks "is it one?" on every send).
    """

    attr: str
    wire: str
    key: str
    required: bool
    description: str
    choices: tuple[str, ...] = ()
    default: Any = None
    start: Any = None
    copies: str | None = None
    widget: Literal["choice", "fixed", "textarea", "text"] = "text"
    extra_flags: tuple[str, ...] = ()
    renew: str = ""
    names: tuple[str, ...] = ()
    kinds: frozenset[JsonKind] = frozenset(("string",))
    alias_flag: str = ""
    annotation: Any = str
    text: bool = True
    choice_set: frozenset[str] = frozenset()

    def labelled_choices(self) -> list[tuple[str, str]]:
        """(label, value) of the choices: `0 — library` where the member name says more."""
        return [
            (v if n.lower() == v.lower() else f"{v} — {n.lower().replace('_', ' ')}", v)
            for n, v in zip(self.names, self.choices, strict=True)
        ]

    @property
    def flag(self) -> str:
        """The `send` CLI option: `--media-type`, `--from`."""
        return "--" + self.key.rstrip("_").replace("_", "-")

    @property
    def option_strings(self) -> tuple[str, ...]:
        """Every option of the `send` CLI for this field, the name people know first."""
        return (*self.extra_flags, self.flag, *((self.alias_flag,) if self.alias_flag else ()))

    @property
    def json_type(self) -> str:
        """The JSON types it takes, in words: "string", "string or integer"."""
        return " or ".join(k for k in _KIND_ORDER if k in self.kinds)

    def problem(self, value: Any) -> str:
        """Why `value` (decoded JSON, not None) is not of this field's type, or ""."""
        kind = json_kind(value)
        if kind not in self.kinds and not (kind == "integer" and "number" in self.kinds):
            return f"Expected {self.json_type}; got {kind}."
        if kind in ("object", "array"):  # the shape inside, as the model declares it
            try:
                _adapter(self.annotation).validate_python(value)
            except ValidationError as exc:
                first = exc.errors()[0]
                where = ".".join(str(p) for p in first["loc"])
                return f"{where + ': ' if where else ''}{first['msg']}."
        return ""

    def from_text(self, text: str) -> Any:
        """A value typed as text (a form, a CLI flag) as this field's value.

        Text is taken as it is for a field that takes strings; otherwise it is read as JSON
        (`5`, `true`, `{"a": 1}`). ValueError says what was expected.
        """
        if self.text:
            return text
        try:
            value = json.loads(text)
        except ValueError:
            raise ValueError(f"expected {self.json_type} (as JSON), got {text!r}") from None
        why = "" if value is None else self.problem(value)
        if why:
            raise ValueError(why)
        return value

    def to_text(self, value: Any) -> str:
        """A value as a form shows it: text as it is, other JSON written out; None is ""."""
        if value is None:
            return ""
        if isinstance(value, str):
            return str(getattr(value, "value", value))
        return json.dumps(value, ensure_ascii=False)

    def start_value(self) -> Any:
        """The value a new message takes for this field (a fresh one for factories)."""
        if callable(self.start):
            return self.start()
        return self.start if self.start is not None else self.default


_KIND_ORDER: tuple[JsonKind, ...] = ("string", "integer", "number", "boolean", "object", "array")


@functools.cache
def _adapter(annotation: Any) -> TypeAdapter[Any]:
    return TypeAdapter(annotation)


def _enum_of(annotation: Any) -> type[Enum] | None:
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        return annotation
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        for arg in typing.get_args(annotation):
            found = _enum_of(arg)
            if found is not None:
                return found
    return None


def _describe(attr: str, info: FieldInfo) -> DataField:
    use = next((m for m in info.metadata if isinstance(m, models.FieldUse)), models.FieldUse())
    enum = _enum_of(info.annotation)
    members = list(enum) if enum is not None else []
    choices = tuple(str(m.value) for m in members)
    has_default = info.default is not PydanticUndefined and info.default_factory is None
    default = info.default if has_default else None
    default_text = None if default is None else str(getattr(default, "value", default))
    kinds = _kinds(info.annotation) - {"null"}
    widget: Literal["choice", "fixed", "textarea", "text"] = use.widget
    if choices:
        widget = "fixed" if len(choices) == 1 and default_text in choices else "choice"
    elif kinds & {"object", "array"} and "string" not in kinds:
        widget = "textarea"  # JSON written out
    wire = info.alias or attr
    key = snake_name(attr)
    alias = "--" + snake_name(wire).rstrip("_").replace("_", "-")
    return DataField(
        attr=attr,
        wire=wire,
        key=key,
        # A field with a non-None default is always serialized, so the wire always has it.
        required=info.is_required() or default is not None,
        description=info.description or "",
        choices=choices,
        default=default_text if isinstance(default, str) else default,
        start=use.start,
        copies=use.copies,
        widget=widget,
        extra_flags=use.flags,
        renew=use.renew,
        names=tuple(m.name for m in members),
        kinds=kinds or _ALL_KINDS,
        alias_flag="" if snake_name(wire) == key else alias,
        annotation=info.annotation,
        text="string" in (kinds or _ALL_KINDS),
        choice_set=frozenset(choices),
    )


@functools.cache
def _fields_of(model: type[BaseModel]) -> tuple[DataField, ...]:
    return tuple(_describe(attr, info) for attr, info in model.model_fields.items())


@functools.cache
def _index(model: type[BaseModel]) -> Mapping[str, DataField]:
    return {f.key: f for f in _fields_of(model)}


@functools.cache
def _known(model: type[BaseModel]) -> frozenset[str]:
    return frozenset(f.wire for f in _fields_of(model))


@functools.cache
def _required(model: type[BaseModel]) -> tuple[str, ...]:
    return tuple(f.wire for f in _fields_of(model) if f.required)


@functools.cache
def _plan(
    model: type[BaseModel],
) -> tuple[dict[str, str], tuple[tuple[str, str | None, Any], ...]]:
    # start_values() runs for every new_message: its lookups are made once per model.
    fields = _fields_of(model)
    names = {n: f.wire for f in fields for n in (f.wire, snake_name(f.wire), f.attr, f.key)}
    steps = tuple((f.wire, f.copies, f.start if f.start is not None else f.default) for f in fields)
    return names, steps


def data_model() -> type[models.MessageData]:
    """The model of `data` (`models.MessageData`, looked up now)."""
    return models.MessageData


def data_fields() -> tuple[DataField, ...]:
    """Every field of `data`, in the model's (and the wire's) order."""
    return _fields_of(models.MessageData)


def field_by_key(key: str) -> DataField:
    """The field with this Python-style name (`media_type`); KeyError naming the known ones."""
    try:
        return _index(models.MessageData)[key]
    except KeyError:
        known = ", ".join(_index(models.MessageData))
        raise KeyError(f"no data field {key!r}; the fields are: {known}") from None


@functools.cache
def _by_wire(model: type[BaseModel]) -> Mapping[str, DataField]:
    return {f.wire: f for f in _fields_of(model)}


def field_by_wire(wire: str) -> DataField:
    """The field with this wire name (`mediaType`); KeyError naming the known ones."""
    try:
        return _by_wire(models.MessageData)[wire]
    except KeyError:
        known = ", ".join(_by_wire(models.MessageData))
        raise KeyError(f"no data field {wire!r}; the fields are: {known}") from None


def known_wire_names() -> frozenset[str]:
    """The wire names `data` may carry."""
    return _known(models.MessageData)


def required_wire_names() -> tuple[str, ...]:
    """The wire names `data` must carry, in the wire's order."""
    return _required(models.MessageData)


def start_values(given: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The `data` object (wire names) of a new message: `given` over each field's start value.

    `given` is keyed by Python-style or wire name; None values count as not given. A field
    that `copies` another takes that one's value when not given. Names that are no field go
    through unchanged (the model keeps them as extra fields; `check` reports them).
    """
    names, steps = _plan(models.MessageData)
    values: dict[str, Any] = {}
    extra: dict[str, Any] = {}
    for name, value in (given or {}).items():
        if value is not None:
            wire = names.get(name)
            if wire is None:
                extra[name] = value
            else:
                values[wire] = value
    out: dict[str, Any] = {}
    for wire, copies, start in steps:
        value = values.get(wire)
        if value is None and copies is not None:
            value = out.get(copies)
        if value is None:
            value = start() if callable(start) else start
        if value is not None:
            out[wire] = value
    if extra:
        out.update(extra)
    return out
