"""Property tests: check() and the parsers never raise on arbitrary input, only report."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from sendmessage_kit import PayloadError, check, decode_body, decode_data
from sendmessage_kit.constraints import Finding
from sendmessage_kit.fields import data_fields

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=6)
    ),
    max_leaves=30,
)
FIELDS = [f.wire for f in data_fields()]
data_like = st.dictionaries(st.sampled_from(FIELDS) | st.text(max_size=8), json_values, max_size=14)
body_like = st.fixed_dictionaries(
    {},
    optional={
        "callid": json_values,
        "userid": json_values,
        "data": data_like.map(json.dumps) | json_values | data_like,
    },
)


@settings(max_examples=300, deadline=None)
@given(body_like)
def test_check_never_raises_on_body_shaped_input(body: dict[str, Any]) -> None:
    findings = check(body, agent_id="101")
    assert all(isinstance(f, Finding) for f in findings)


@settings(max_examples=200, deadline=None)
@given(json_values)
def test_check_never_raises_on_any_json(value: Any) -> None:
    assert all(isinstance(f, Finding) for f in check(json.dumps(value)))


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=200) | st.text(max_size=200))
def test_check_never_raises_on_garbage(raw: bytes | str) -> None:
    assert isinstance(check(raw), list)


def test_check_survives_deep_nesting_and_surrogates() -> None:
    deep = "[" * 100_000 + "]" * 100_000
    assert check(deep)[0].rule_id == "body.json"
    nested = json.dumps({"callid": "c", "data": "[" * 50_000 + "]" * 50_000})
    assert any(f.rule_id == "body.data.json" for f in check(nested))
    lone = '{"callid": "c", "data": "{\\"content\\": \\"\\\\ud800\\"}"}'
    assert isinstance(check(lone), list)


@settings(max_examples=200, deadline=None)
@given(body_like.map(json.dumps))
def test_decoders_raise_only_payload_errors(text: str) -> None:
    for decoder in (decode_body, decode_data):
        try:
            decoder(text)
        except PayloadError as exc:
            assert str(exc)


@settings(max_examples=200, deadline=None)
@given(st.text(), st.text(max_size=30))
def test_building_and_encoding_any_text_gives_a_body_or_a_payload_error(
    content: str, to: str
) -> None:
    from sendmessage_kit import SendMessageRequest, encode_body, new_message

    try:
        body = encode_body(SendMessageRequest(callid="c", data=new_message(to=to, content=content)))
    except PayloadError as exc:
        assert "not valid Unicode" in str(exc)
    else:
        assert json.loads(json.loads(body)["data"])["content"] == content


def test_lone_surrogate_is_a_payload_error_naming_the_fix() -> None:
    import pytest

    from sendmessage_kit import new_message
    from sendmessage_kit.encoding import encode_data

    with pytest.raises(PayloadError, match="lone surrogate"):
        encode_data(new_message(to="u", content="a\ud800b"))
