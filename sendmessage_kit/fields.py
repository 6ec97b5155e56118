"""The fields of `data`, read from `MessageData`: one list for check, forms, CLI and sandbox.

Nothing else in the kit writes the 13 field names out. Each `DataField` comes from one entry of
`MessageData.model_fields`: its wire name (the alias), whether the wire needs it, its
description, its enum's values, and the kit's `FieldUse` hints (start value, widget, CLI flags).
The model is looked up on every call (the result cached per model class), so a field added to,
or renamed in, `MessageData` reaches every user of this module with no other edit.

Example:
    >>> [f.wire for f in data_fields()][:3]
    ['from', 'to', 'channel']
    >>> field_by_key("media_type").flag, field_by_key("from_").flag
    ('--media-type', '--from')
"""

from __future__ import annotations

import functools
import keyword
import re
import types
import typing
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import Enum
from typing import Any, Literal

from pydantic import BaseModel
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

from sendmessage_kit import models

__all__ = [
    "DataField",
    "data_fields",
    "data_model",
    "field_by_key",
    "known_wire_names",
    "required_wire_names",
    "snake_name",
    "start_values",
]

_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")


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
    """

    attr: str
    wire: str
    key: str
    required: bool
    description: str
    choices: tuple[str, ...] = ()
    default: str | None = None
    start: str | Callable[[], str] | None = None
    copies: str | None = None
    widget: Literal["choice", "fixed", "textarea", "text"] = "text"
    extra_flags: tuple[str, ...] = ()
    renew: str = ""
    names: tuple[str, ...] = ()

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

    def start_value(self) -> str | None:
        """The value a new message takes for this field (a fresh one for factories)."""
        if callable(self.start):
            return self.start()
        return self.start if self.start is not None else self.default


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
    widget: Literal["choice", "fixed", "textarea", "text"] = use.widget
    if choices:
        widget = "fixed" if len(choices) == 1 and default_text in choices else "choice"
    wire = info.alias or attr
    return DataField(
        attr=attr,
        wire=wire,
        key=snake_name(wire),
        # A field with a non-None default is always serialized, so the wire always has it.
        required=info.is_required() or default is not None,
        description=info.description or "",
        choices=choices,
        default=default_text,
        start=use.start,
        copies=use.copies,
        widget=widget,
        extra_flags=use.flags,
        renew=use.renew,
        names=tuple(m.name for m in members),
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
    names = {f.wire: f.wire for f in fields} | {f.key: f.wire for f in fields}
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
