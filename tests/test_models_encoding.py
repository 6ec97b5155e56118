"""Models, encoding and the byte budget."""

from __future__ import annotations

import json
import re

import pytest

from sendmessage_kit import (
    MessageData,
    PayloadError,
    SendMessageRequest,
    SendMessageResponse,
    byte_budget,
    decode_body,
    decode_data,
    encode_body,
    encode_data,
    new_message,
    seed,
)
from sendmessage_kit.encoding import SizeLimits


def test_seed_example_round_trips_byte_for_byte(seed_body: str) -> None:
    request = decode_body(seed_body)
    assert encode_body(request, indent=4) == seed_body
    seed_data = json.loads(seed_body)["data"]
    assert isinstance(request.data, MessageData)
    assert encode_data(request.data) == seed_data


def test_seed_quirks_are_read_leniently(seed_body: str) -> None:
    request = decode_body(seed_body)
    assert isinstance(request.data, MessageData)
    assert request.data.sendTime == seed.SEND_TIME  # a number, kept as given
    assert request.model_extra == {"content": "Message sent by the agent"}


def test_compact_body_round_trips(seed_body: str) -> None:
    compact = encode_body(decode_body(seed_body))
    assert encode_body(decode_body(compact)) == compact
    assert ": " not in compact.split('"data"')[0]


def test_new_message_defaults() -> None:
    m = new_message(to="u1", content="hi")
    assert m.userId == "u1" and m.controlType == "CHAT" and m.channel == "WEB"
    assert re.fullmatch(r"[0-9a-f-]{36}", m.messageCode)
    assert isinstance(m.sendTime, str) and len(m.sendTime) == 13
    assert new_message(to="u1", content="hi").messageCode != m.messageCode


def test_data_string_has_wire_names_and_no_nulls() -> None:
    wire = encode_data(new_message(to="u1", content="hi", message_code="m", send_time="1"))
    obj = json.loads(wire)
    assert "from" in obj and "from_" not in obj
    assert "mediaFileType" not in obj and "contentType" not in obj
    assert " " not in wire.replace("DefaultAvatar", "")


def test_non_ascii_is_sent_as_utf8_not_escaped() -> None:
    wire = encode_data(new_message(to="u1", content="你好"))
    assert "你好" in wire


def test_body_escapes_the_data_string() -> None:
    req = SendMessageRequest(callid="c1", data=new_message(to="u1", content='say "hi"'))
    outer = encode_body(req)
    assert '\\"content\\":\\"say \\\\\\"hi\\\\\\"\\"' in outer
    assert json.loads(json.loads(outer)["data"])["content"] == 'say "hi"'


def test_plain_text_data_is_kept() -> None:
    req = decode_body('{"callid": "c", "data": "just text"}')
    assert req.data == "just text"


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("{nope", r"^data: is not valid JSON"),
        ("[1, 2]", r"^data: must be a JSON object, got list"),
        ('{"to": "u"}', r"data\.from: Field required"),
        ('{"from":"f","to":"u","channel":"MYSPACE"}', r"data\.channel: Input should be"),
    ],
)
def test_decode_data_errors_name_the_field(text: str, match: str) -> None:
    with pytest.raises(PayloadError, match=match):
        decode_data(text)


def test_decode_body_errors_name_the_field() -> None:
    with pytest.raises(PayloadError, match=r"^callid: Field required"):
        decode_body('{"data": "x"}')
    with pytest.raises(PayloadError, match=r"^body: is not valid JSON"):
        decode_body("{")


def test_response_ok() -> None:
    assert SendMessageResponse.model_validate({"retcode": "0", "message": "success"}).ok
    assert not SendMessageResponse(retcode="000-003").ok


def test_budget_reports_chars_bytes_data_and_escaped_sizes() -> None:
    m = new_message(to="u1", content="你" * 700, message_code="m", send_time="1")
    b = byte_budget(m, secmode=1)
    assert (b.content_chars, b.content_bytes, b.limit_bytes, b.fits) == (700, 2100, 1900, False)
    wire = encode_data(m)
    assert b.data_bytes == len(wire.encode())
    assert b.escaped_bytes == len(json.dumps(wire, ensure_ascii=False).encode())
    assert b.escaped_bytes > b.data_bytes
    assert byte_budget(m, secmode=0).fits


def test_budget_can_count_the_whole_data_string() -> None:
    m = new_message(to="u1", content="a" * 1800)
    assert byte_budget(m).fits
    assert not byte_budget(m, limits=SizeLimits(counts="data")).fits


def test_budget_of_strings_and_dicts_agree() -> None:
    m = new_message(to="u1", content="héllo")
    assert byte_budget(encode_data(m)).content_bytes == byte_budget(m).content_bytes == 6
    assert byte_budget({"content": "héllo"}).content_bytes == 6


def test_secmode_must_be_0_or_1() -> None:
    with pytest.raises(ValueError, match="secmode must be 0 or 1"):
        byte_budget({"content": "x"}, secmode=2)
