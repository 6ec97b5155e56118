"""Property tests: check() and the parsers never raise on arbitrary input, only report."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sendmessage_kit import PayloadError, check, decode_body, decode_data, seed, text
from sendmessage_kit.constraints import Finding
from sendmessage_kit.encoding import text_findings
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
        assert exc.findings and {f.rule_id for f in exc.findings} == {"text.unicode"}
        assert {f.field for f in exc.findings} <= {"data.to", "data.userId", "data.content"}
    else:
        assert json.loads(json.loads(body)["data"])["content"] == content


def test_lone_surrogate_is_a_payload_error_naming_the_field_and_fix() -> None:
    import pytest

    from sendmessage_kit import new_message
    from sendmessage_kit.encoding import encode_data

    with pytest.raises(PayloadError, match="lone surrogate") as caught:
        encode_data(new_message(to="u", content="a\ud800b"))
    (finding,) = caught.value.findings
    assert (finding.rule_id, finding.field) == ("text.unicode", "data.content")
    assert "data.content" in str(caught.value) and finding.fix in str(caught.value)


# -- bodies whose `data` string carries escaped text that is not valid Unicode (issue 13) -----
# The interface description's example with plain text and a string sendTime: every value text.
VALID: dict[str, str] = {
    **seed.seed_data(),
    "content": "hello",
    "sendTime": str(seed.SEND_TIME),
}
LONE = st.sampled_from(["\ud800", "\udbff", "\udc00", "\udfff", "\ud83d", "\ude00"])
CONTROL = st.sampled_from(["\x00", "\x01", "\x1b", "\x7f", "\x85", "\x9f"])


def _around(bad: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.tuples(st.text(max_size=6), bad, st.text(max_size=6)).map("".join)


@st.composite
def escaped_bodies(draw: st.DrawFn, bad: st.SearchStrategy[str]) -> tuple[str, str]:
    """(outer body text, field path holding the bad text): the bad text reaches `data` as a
    JSON escape (\\ud800) or raw inside the data string, or sits in `callid` or `userid`."""
    where = draw(st.sampled_from([*VALID, "callid", "userid"]))
    text = draw(_around(bad))
    data = dict(VALID)
    outer: dict[str, str] = {"callid": seed.CALLID}
    if where in VALID:
        data[where] = text
    else:
        outer[where] = text
    # ensure_ascii=True: the data string holds the escape text; False: the character itself.
    outer["data"] = json.dumps(data, ensure_ascii=draw(st.booleans()))
    path = f"data.{where}" if where in VALID else where
    return json.dumps(outer), path


@settings(max_examples=300, deadline=None)
@given(escaped_bodies(LONE))
def test_escaped_lone_surrogate_in_any_field_is_one_error_everywhere(case: tuple[str, str]) -> None:
    text, path = case
    errors = [f for f in check(text) if f.severity == "error"]
    assert [f.field for f in errors if f.rule_id == "text.unicode"] == [path]
    assert {f.field for f in errors} == {path}  # (an enum field is also not one of its values)
    assert "lone surrogate" in errors[0].message
    try:
        decode_body(text)
    except PayloadError as exc:  # the decoder the sandbox uses: same rule, same field
        assert [(f.rule_id, f.field) for f in exc.findings] == [("text.unicode", path)]
    else:
        raise AssertionError(f"decode_body accepted invalid text at {path}")


@settings(max_examples=200, deadline=None)
@given(escaped_bodies(CONTROL))
def test_escaped_control_character_in_any_field_is_a_warning_naming_it(
    case: tuple[str, str],
) -> None:
    text, path = case
    findings = check(text)
    assert ("text.control", "warning", path) in {(f.rule_id, f.severity, f.field) for f in findings}
    assert {f.field for f in findings if f.severity == "error"} <= {path}


def test_pair_split_across_fields_is_two_lone_surrogates() -> None:
    data = {**VALID, "content": "end \ud83d", "senderNickname": "\ude00 start"}
    text = json.dumps({"callid": "c", "data": json.dumps(data)})
    assert {(f.rule_id, f.field) for f in check(text) if f.severity == "error"} == {
        ("text.unicode", "data.content"),
        ("text.unicode", "data.senderNickname"),
    }
    whole = {**VALID, "content": "\ud83d\ude00"}  # escaped as a pair: one emoji, valid
    assert check(json.dumps({"callid": "c", "data": json.dumps(whole)})) == []


def test_invalid_escape_in_data_is_a_json_error_not_a_crash() -> None:
    text = '{"callid": "c", "data": "{\\"content\\": \\"\\\\x41\\"}"}'
    assert [f.rule_id for f in check(text) if f.severity == "error"] == ["body.data.json"]


def test_bytes_that_are_not_utf8_are_the_same_rule() -> None:
    raw = (
        json.dumps({"callid": "c", "data": json.dumps(VALID)}).encode().replace(b"hello", b"h\xff")
    )
    assert [(f.rule_id, f.field) for f in check(raw)] == [("text.unicode", "body")]
    try:
        decode_body(raw)
    except PayloadError as exc:
        assert [f.rule_id for f in exc.findings] == ["text.unicode"]
    else:
        raise AssertionError("decode_body accepted bytes that are not UTF-8")


@settings(max_examples=200, deadline=None)
@given(escaped_bodies(LONE | CONTROL) | body_like.map(json.dumps))
def test_findings_are_always_printable_text(text: str) -> None:
    for f in check(text):
        for part in (f.field, f.message, f.fix):
            part.encode("utf-8")  # a finding is shown and sent back: never a lone surrogate


@settings(max_examples=400, deadline=None)
@given(data_like | json_values, st.booleans(), st.sampled_from(["", "data"]))
def test_text_findings_from_the_source_text_are_the_same(
    value: Any, ascii_only: bool, path: str
) -> None:
    # The fast path: a printable source without escapes holds no finding. Whatever the value
    # holds (lone surrogates, control characters, JSON inside `data`), both ways agree.
    source = json.dumps(value, ensure_ascii=ascii_only)
    parsed = json.loads(source)
    assert text_findings(parsed, path, source=source) == text_findings(parsed, path)


def test_text_findings_fast_path_is_taken_only_for_plain_text(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    clean = json.dumps({"content": "你好 hello", "to": "u-1"}, ensure_ascii=False)
    with monkeypatch.context() as m:  # the walk over the value is not needed, so not run
        m.setattr(text, "_flat_and_clean", None)
        assert text_findings(json.loads(clean), "data", source=clean) == []
    for bad in ("\ud800", "\x07", "esc \x1b[0m"):
        source = json.dumps({"content": bad})
        found = text_findings(json.loads(source), "data", source=source)
        assert [f.field for f in found] == ["data.content"]
