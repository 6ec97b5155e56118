"""Scripted demo scenarios: who the customer is, what they say and when, and faults at steps.

A scenario is a YAML file (examples in `examples/scenarios/`)::

    customer:
      name: Maria Lopez          # the display name the audience sees
      channel: WHATSAPP          # a channel of the interface (Table 3)
      language: en               # the customer's language (a BCP 47 tag)
      user_id: maria-lopez       # optional: the customer's ID (under the hood)
    steps:
      - agent: Hi Maria, your order 1234 has shipped.    # the presenter sends (a hint)
      - customer: Great, when does it arrive?            # the customer answers ...
        when: shipped                                    # ... an agent message matching this
      - agent: Tomorrow before noon.
        fault: {retcode: "100-007"}                      # the gateway refuses this send
      - customer: Thanks!
        after: 2                                         # ... 2 s after the previous step

An agent step ends when its send is answered (or, with `expect: refused`, when the kit refuses
to send it); `fault: guid_expired` answers that send as the gateway answers an expired Guid
(retcode 000-003). `load_scenario()` validates a file before anything starts: a wrong key, a
missing field or an unknown retcode is a `ScenarioError` naming the file, the line and the fix.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    ValidationError,
    field_validator,
)

from sendmessage_kit.errors import RETCODES
from sendmessage_kit.models import Channel

__all__ = [
    "ENV_SCENARIO",
    "GUID_EXPIRED",
    "AgentStep",
    "CustomerStep",
    "Scenario",
    "ScenarioError",
    "load_scenario",
]

#: The scenario file `sendmessage-kit demo --scenario` hands its presenter.
ENV_SCENARIO = "SENDMESSAGE_KIT_SCENARIO"
#: The gateway's answer to a missing, unknown or expired Guid (the sandbox plays an expiry so).
GUID_EXPIRED = "000-003"


class ScenarioError(ValueError):
    """A scenario file that cannot be played: file, line, what is wrong and the fix."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Fault(_Strict):
    """The gateway answers this step's send with `retcode` (one send only)."""

    retcode: str

    @field_validator("retcode")
    @classmethod
    def _known(cls, value: str) -> str:
        if value not in RETCODES:
            raise ValueError(
                f"unknown retcode {value!r}; use one of the kit's retcode catalog "
                "(docs/errors.md), e.g. 100-007"
            )
        return value


class Customer(_Strict):
    """Who the customer is."""

    name: str = Field(min_length=1, max_length=60)
    channel: Channel
    language: str = Field(default="en", pattern=r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$")
    user_id: str | None = Field(default=None, min_length=1, max_length=32)


class AgentStep(_Strict):
    """The presenter sends this (shown as the hint, put in the message box)."""

    agent: str = Field(min_length=1)
    expect: Literal["sent", "refused"] = "sent"
    fault: Fault | Literal["guid_expired"] | None = None
    note: str = ""

    @field_validator("fault", mode="before")
    @classmethod
    def _fault_word(cls, value: Any) -> Any:
        if isinstance(value, str) and value != "guid_expired":
            raise ValueError(f"{value!r} is not a fault")
        return value

    @property
    def retcode(self) -> str | None:
        """The retcode this step's fault answers, None without a fault."""
        if self.fault is None:
            return None
        return GUID_EXPIRED if self.fault == "guid_expired" else self.fault.retcode


class CustomerStep(_Strict):
    """The customer writes this, `after` seconds after the previous step or its `when` match."""

    customer: str = Field(min_length=1, max_length=1000)
    after: float = Field(default=1.5, ge=0, le=600)
    when: str | None = Field(default=None, description="A regular expression on the agent's text.")

    @field_validator("when")
    @classmethod
    def _pattern(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                re.compile(value)
            except re.error as exc:
                raise ValueError(f"not a regular expression ({exc}); e.g. when: shipped") from None
        return value


class Scenario(_Strict):
    """A whole scenario (see the module's docstring)."""

    title: str = ""
    customer: Customer
    steps: list[
        Annotated[
            Annotated[AgentStep, Tag("Agent")] | Annotated[CustomerStep, Tag("Customer")],
            Discriminator(lambda step: "Agent" if "agent" in step else "Customer"),
        ]
    ] = Field(min_length=1)


def _bad_step(data: Any) -> int | None:
    """The index of the first step that is not exactly one of agent: or customer:."""
    steps = data.get("steps")
    if isinstance(steps, list):
        for i, step in enumerate(steps):
            if not isinstance(step, dict) or ("agent" in step) == ("customer" in step):
                return i
    return None


def load_scenario(path: str | Path) -> Scenario:
    """Read and validate a scenario file; a `ScenarioError` names the file, line and fix."""
    import yaml  # here, where a file is read: importing the kit stays light

    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except OSError as exc:
        raise ScenarioError(f"{file}: cannot read it ({exc.strerror})") from None
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f":{mark.line + 1}" if mark is not None else ""
        raise ScenarioError(
            f"{file}{line}: not valid YAML ({getattr(exc, 'problem', exc)})"
        ) from None
    if not isinstance(data, dict):
        raise ScenarioError(f"{file}:1: a scenario is a mapping with customer: and steps:")
    bad = _bad_step(data)
    if bad is not None:
        raise ScenarioError(
            f"{file}:{_line(node, ('steps', bad))}: step {bad + 1} needs exactly one of agent: "
            "(what the presenter sends) or customer: (what the customer writes)"
        )
    try:
        return Scenario.model_validate(data)
    except ValidationError as exc:
        raise ScenarioError(_explain(file, node, exc)) from None


def _explain(file: Path, node: Any, exc: ValidationError) -> str:
    error = exc.errors()[0]
    loc = _data_loc(error["loc"])
    line = _line(node, loc)
    where = _where(loc)
    if error["type"] == "extra_forbidden":
        return f"{file}:{line}: {where}: unknown key; {_fix(loc)}"
    if error["type"] == "missing":
        return f"{file}:{line}: {where} is missing; {_fix(loc)}"
    message = str(error["msg"]).removeprefix("Value error, ")
    return f"{file}:{line}: {where}: {message}; {_fix(loc)}"


def _where(loc: tuple[Any, ...]) -> str:
    """`('steps', 1, 'after')` as "step 2: after" (steps counted from 1, as people count)."""
    if len(loc) >= 2 and loc[0] == "steps" and isinstance(loc[1], int):
        rest = ".".join(str(p) for p in loc[2:])
        return f"step {loc[1] + 1}" + (f": {rest}" if rest else "")
    return ".".join(str(p) for p in loc) or "(top)"


def _data_loc(loc: tuple[Any, ...]) -> tuple[Any, ...]:
    """Pydantic's location without the union member names it adds (`AgentStep`, `Fault`, ...)."""
    return tuple(
        p
        for p in loc
        if not (isinstance(p, str) and (p[:1].isupper() or p.startswith(("literal[", "function"))))
    )


_KEYS = {
    "customer": "customer: takes name, channel, language, user_id",
    "steps": "a step is agent: TEXT (expect, fault, note) or customer: TEXT (after, when)",
    "fault": 'fault: is guid_expired or {retcode: "100-007"}',
}


def _fix(loc: tuple[Any, ...]) -> str:
    for part in reversed(loc):
        if part in _KEYS:
            return _KEYS[part]
    return "a scenario has title, customer: and steps: (see examples/scenarios/)"


def _line(node: Any, loc: tuple[Any, ...]) -> int:
    """The 1-based line of the deepest YAML node on `loc` that exists."""
    import yaml  # here, where a file is read: importing the kit stays light

    line = node.start_mark.line + 1 if node is not None else 1
    for part in loc:
        child = None
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                if key.value == part:
                    child, line = value, key.start_mark.line + 1
                    break
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
            if part < len(node.value):
                child = node.value[part]
                line = child.start_mark.line + 1
        if child is None:
            break
        node = child
    return line
