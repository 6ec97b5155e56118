"""Bad input: the models, check(), the parsers and byte_budget give findings or typed errors only.

Extends tests/test_properties.py (check and the decoders on body-shaped JSON) with: the models
fed arbitrary JSON and wrong types, bytes that are not UTF-8, huge strings, lone surrogates in
every position, deep nesting in every parser, and byte_budget on anything. Fast runs use a few
hundred examples per property; `-m slow` runs the same properties at 20x.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from sendmessage_kit import (
    MessageData,
    PayloadError,
    SendMessageRequest,
    byte_budget,
    check,
    decode_body,
    decode_data,
    encode_body,
    encode_data,
)
from sendmessage_kit.constraints import Finding, Profile
from sendmessage_kit.encoding import Budget, SizeLimits
from tests.reliability._tally import TALLY
from tests.test_properties import CONTROL, FIELDS, LONE, escaped_bodies, json_values

FAST = 150
SLOW = 3000
# Strings a real integration gets wrong: lone surrogates, NULs, RTL marks, emoji, CJK, escapes.
nasty_text = st.text(
    alphabet=st.characters(codec=None, categories=None, exclude_categories=()), max_size=64
) | st.sampled_from(
    ["\ud800", "a\udfffb", "\x00", "\u202e", "😀" * 10, "你" * 700, '\\"', "\\u0000", "{", "}"]
)
# Values of the wrong type for any field.
wrong_types = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats()
    | st.lists(st.integers(), max_size=3)
    | st.dictionaries(st.text(max_size=4), st.integers(), max_size=3)
    | nasty_text
)
data_dicts = st.dictionaries(
    st.sampled_from(FIELDS) | nasty_text, json_values | wrong_types, max_size=16
)
bodies = st.dictionaries(
    st.sampled_from(["callid", "userid", "data", "content"]) | st.text(max_size=6),
    json_values | wrong_types | data_dicts | data_dicts.map(lambda d: json.dumps(d, default=str)),
    max_size=6,
)
raw_inputs = (
    escaped_bodies(LONE | CONTROL).map(lambda case: case[0])  # escapes inside the data string
    | escaped_bodies(LONE).map(lambda case: case[0].encode())
    | st.binary(max_size=300)
    | nasty_text
    | bodies.map(lambda b: json.dumps(b, default=str))
    | bodies.map(lambda b: json.dumps(b, default=str).encode("utf-8", "surrogatepass"))
)
agents = st.one_of(
    st.none(),
    st.integers(),
    nasty_text,
    st.text(st.characters(categories=["Nd", "No"]), min_size=1, max_size=6),
)
profiles = st.builds(
    Profile,
    secmode=st.sampled_from([0, 1]),
    limits=st.builds(
        SizeLimits,
        bytes_per_kb=st.sampled_from([1000, 1024]),
        counts=st.sampled_from(["content", "data"]),
    ),
)


def _counted(n: int) -> None:
    TALLY.add("inputs", n)


def _model_or_validation_error(factory: Any, value: Any) -> Any:
    try:
        return factory(value)
    except ValidationError as exc:
        assert exc.errors(), "a ValidationError names at least one field"
        return None


def _decode_all(raw: str | bytes) -> None:
    # decode_body takes text or bytes (a body off the wire); decode_data takes the `data` text.
    decoders: list[Any] = [decode_body] + ([decode_data] if isinstance(raw, str) else [])
    for decoder in decoders:
        try:
            decoder(raw)
        except PayloadError as exc:
            assert str(exc)


def _prop(examples: int) -> Any:
    return settings(
        max_examples=examples,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )


def _all_properties(examples: int) -> list[Any]:
    @_prop(examples)
    @given(data_dicts)
    def models_take_any_dict(value: dict[str, Any]) -> None:
        _counted(1)
        data = _model_or_validation_error(MessageData.model_validate, value)
        if data is not None:
            # A valid model encodes, or refuses text that is not Unicode with a PayloadError.
            try:
                wire = encode_data(data)
            except PayloadError as exc:
                assert {f.rule_id for f in exc.findings} == {"text.unicode"}, exc
            else:
                assert decode_data(wire).model_dump(by_alias=True) == data.model_dump(by_alias=True)
            assert all(isinstance(f, Finding) for f in check({"callid": "c", "data": data}))

    @_prop(examples)
    @given(bodies)
    def requests_take_any_dict(value: dict[str, Any]) -> None:
        _counted(1)
        request = _model_or_validation_error(SendMessageRequest.model_validate, value)
        if request is not None:
            try:
                body = encode_body(request)
            except PayloadError as exc:
                assert {f.rule_id for f in exc.findings} == {"text.unicode"}, exc
            else:
                assert isinstance(json.loads(body), dict)
            assert all(isinstance(f, Finding) for f in check(request))

    @_prop(examples)
    @given(raw_inputs, profiles, agents)
    def check_takes_any_bytes_profile_and_agent(raw: Any, profile: Profile, agent: Any) -> None:
        _counted(1)
        findings = check(raw, profile, agent_id=agent)
        assert all(isinstance(f, Finding) and f.rule_id and f.field for f in findings)
        for f in findings:  # shown and sent back (the sandbox's answer): always valid text
            (f.field + f.message).encode("utf-8")

    @_prop(examples)
    @given(raw_inputs)
    def decoders_raise_only_payload_errors(raw: Any) -> None:
        _counted(1)
        _decode_all(raw)

    @_prop(examples)
    @given(st.one_of(data_dicts, raw_inputs.filter(lambda r: isinstance(r, str))), profiles)
    def byte_budget_measures_anything(data: Any, profile: Profile) -> None:
        _counted(1)
        budget = byte_budget(data, secmode=profile.secmode, limits=profile.limits)
        assert isinstance(budget, Budget) and budget.counted_bytes >= 0

    return [
        models_take_any_dict,
        requests_take_any_dict,
        check_takes_any_bytes_profile_and_agent,
        decoders_raise_only_payload_errors,
        byte_budget_measures_anything,
    ]


PROPERTY_NAMES = [
    "models_take_any_dict",
    "requests_take_any_dict",
    "check_takes_any_bytes_profile_and_agent",
    "decoders_raise_only_payload_errors",
    "byte_budget_measures_anything",
]


@pytest.mark.parametrize("index", range(len(PROPERTY_NAMES)), ids=PROPERTY_NAMES)
def test_property_holds(index: int) -> None:
    _all_properties(FAST)[index]()


@pytest.mark.slow
@pytest.mark.parametrize("index", range(len(PROPERTY_NAMES)), ids=PROPERTY_NAMES)
def test_property_holds_at_length(index: int) -> None:
    _all_properties(SLOW)[index]()


DEEP = 200_000
EXTREMES = [
    pytest.param("[" * DEEP + "]" * DEEP, id="deep-array"),
    pytest.param('{"a":' * DEEP + "1" + "}" * DEEP, id="deep-object"),
    pytest.param(json.dumps({"callid": "c", "data": "[" * DEEP}), id="deep-data-unclosed"),
    pytest.param(
        json.dumps({"callid": "c", "data": '{"content":' * DEEP + '""' + "}" * DEEP}),
        id="deep-data-object",
    ),
    pytest.param(
        json.dumps({"callid": "c" * 5_000_000, "data": {"content": "x" * 5_000_000}}),
        id="huge-strings-10MB",
    ),
    pytest.param(
        json.dumps({"callid": "c", "data": json.dumps({"content": "你" * 2_000_000})}),
        id="huge-cjk-content",
    ),
    pytest.param('{"callid": "\\ud800", "data": "\\udc00\\ud800"}', id="lone-surrogate-escapes"),
    pytest.param(b'{"callid": "\xed\xa0\x80"}', id="surrogate-as-utf8-bytes"),
    pytest.param(b"\xff\xfe{\x00}\x00", id="utf16-bom"),
    pytest.param(b"\xef\xbb\xbf{}", id="utf8-bom"),
    pytest.param('{"callid": 1e999999, "data": NaN}', id="infinity-and-nan"),
    pytest.param('{"callid": "c", "callid": "d", "data": "x"}', id="duplicate-keys"),
    pytest.param("", id="empty"),
    pytest.param("\x00" * 1000, id="nuls"),
]


@pytest.mark.parametrize("raw", EXTREMES)
def test_extreme_input_gives_findings_or_payload_errors(raw: str | bytes) -> None:
    _counted(1)
    assert all(isinstance(f, Finding) for f in check(raw, agent_id="101"))
    _decode_all(raw)
    if isinstance(raw, str):
        assert isinstance(byte_budget(raw), Budget)


@pytest.mark.parametrize(
    "value",
    [
        pytest.param({"content": ["x"] * 100_000}, id="huge-list"),
        pytest.param({"content": {"k": {"k": {"k": 1}}}}, id="nested-dict"),
        pytest.param({"content": object()}, id="not-json-at-all"),
        pytest.param({"content": "\ud800" * 10_000}, id="surrogates"),
        pytest.param({"content": 2**10_000}, id="big-int"),
    ],
)
def test_byte_budget_and_check_take_non_json_mappings(value: dict[str, Any]) -> None:
    _counted(1)
    assert isinstance(byte_budget(value), Budget)
    assert all(isinstance(f, Finding) for f in check({"callid": "c", "data": value}))


HUGE_INT = "1" * 5000  # over CPython's 4300-digit int limit: json.loads raises a bare ValueError


def test_huge_integer_literal_is_a_finding_for_check() -> None:
    _counted(1)
    assert [f.rule_id for f in check(HUGE_INT)] == ["body.json"]


# Found by this suite (issue 7): a bare ValueError escaped the parsers.
@pytest.mark.parametrize("parser", ["decode_body", "decode_data", "byte_budget"])
def test_huge_integer_literal_is_a_payload_error_or_plain_text(parser: str) -> None:
    _counted(1)
    fn = {"decode_body": decode_body, "decode_data": decode_data, "byte_budget": byte_budget}
    try:
        fn[parser](HUGE_INT)
    except PayloadError:
        pass


# Found by this suite (issue 7), fixed in 7d674ef: a digit int() refuses is a finding.
def test_superscript_agent_id_is_a_finding() -> None:
    _counted(1)
    assert [f.rule_id for f in check("{}", agent_id="³") if f.field == "agentid"] == ["agent.range"]
