"""Every rule of the table has a failing and a passing case."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from sendmessage_kit import RULES, Profile, check, load_channel_table, seed
from sendmessage_kit.encoding import SizeLimits

# The interface description's example, with a string sendTime (the table's type) and plain text.
VALID_DATA: dict[str, Any] = {
    **seed.seed_data(),
    "content": "hello",
    "sendTime": str(seed.SEND_TIME),
}


def body(**data_changes: Any) -> dict[str, Any]:
    data = {**VALID_DATA, **data_changes}
    data = {k: v for k, v in data.items() if v is not _DROP}
    return {"callid": seed.CALLID, "data": json.dumps(data)}


_DROP = object()


def outer(**changes: Any) -> dict[str, Any]:
    b = body()
    b.update(changes)
    return {k: v for k, v in b.items() if v is not _DROP}


# rule id -> (failing request, passing request[, extra check kwargs])
CASES: dict[str, tuple[Any, Any, dict[str, Any]]] = {
    "body.json": ("not json", body(), {}),
    "body.callid.required": (outer(callid=_DROP), body(), {}),
    "body.userid.type": (outer(userid=int(seed.BODY_USERID)), outer(userid=seed.BODY_USERID), {}),
    "body.data.required": (outer(data=_DROP), body(), {}),
    "body.data.string": (outer(data=VALID_DATA), body(), {}),
    "body.data.json": (outer(data='{"from": '), body(), {}),
    "body.extra": (outer(content="x"), body(), {}),
    # json.dumps escapes: the data string carries the text \ud800, which decodes to a lone one.
    "text.unicode": (body(content="a\ud800b"), body(content="a\U0001f600b"), {}),
    "text.control": (body(content="a\x00b"), body(content="a\nb\tc"), {}),
    "agent.range": (body(), body(), {"agent_id": "60000"}),
    "data.required": (body(senderAvatar=_DROP), body(), {}),
    "data.type": (body(to=int(seed.USER_ID)), body(), {}),
    "data.sendTime.number": (body(sendTime=seed.SEND_TIME), body(), {}),
    "data.sendTime.format": (body(sendTime="yesterday"), body(), {}),
    "data.channel.enum": (body(channel="MYSPACE"), body(), {}),
    "data.mediaType.enum": (body(mediaType="HOLOGRAM"), body(), {}),
    "data.controlType.fixed": (body(controlType="CONNECT"), body(), {}),
    "data.mediaFileType.allowed": (
        body(mediaType="IMAGE", mediaFileType="gif"),
        body(mediaType="IMAGE", mediaFileType="png"),
        {},
    ),
    "data.mediaFileType.unexpected": (body(mediaFileType="png"), body(), {}),
    "data.contentType.enum": (body(contentType="2"), body(contentType="1"), {}),
    "data.extra": (body(mediatype="TEXT"), body(), {}),
    "channel.media": (
        body(channel="SMS", mediaType="IMAGE"),
        body(channel="WHATSAPP", mediaType="IMAGE"),
        {},
    ),
    "channel.media.assumed": (
        body(channel="TELEGRAM", mediaType="SMSTEMPLATE"),
        body(channel="SMS", mediaType="SMSTEMPLATE"),
        {},
    ),
    "channel.media.unpublished": (body(channel="EMAIL"), body(), {}),
    "channel.audio.format": (
        body(channel="WECHAT", mediaType="AUDIO", mediaFileType="aac"),
        body(channel="WECHAT", mediaType="AUDIO", mediaFileType="mp3"),
        {},
    ),
    "content.empty": (body(content="  "), body(), {}),
    "content.budget": (body(content="你" * 700), body(content="你" * 600), {}),
    "content.locate.format": (
        body(mediaType="LOCATE", content="somewhere"),
        body(mediaType="LOCATE", content="22.54/114.06/Huawei Base"),
        {},
    ),
    "content.locate.format.other": (
        body(channel="WHATSAPP", mediaType="LOCATE", content="somewhere"),
        body(channel="WHATSAPP", mediaType="LOCATE", content="22.54/114.06/Huawei Base"),
        {},
    ),
    "content.locate.range": (
        body(mediaType="LOCATE", content="114.06/22.54/Huawei Base"),  # longitude first
        body(mediaType="LOCATE", content="22.54/114.06/Huawei Base"),
        {},
    ),
    "content.webcard.format": (
        body(mediaType="WEBCARD", content="card"),
        body(mediaType="WEBCARD", content='{"title": "t", "description": "d"}'),
        {},
    ),
    "content.web.downlink": (body(content="a" * 501), body(content="a" * 500), {}),
    "messageCode.uuid": (body(messageCode="msg-1"), body(), {}),
    "userId.to": (body(userId="someone-else"), body(), {}),
}


def ids(findings: list[Any]) -> set[str]:
    return {f.rule_id for f in findings}


def test_every_rule_has_cases() -> None:
    assert {r.id for r in RULES} == set(CASES)


def test_every_rule_has_a_sentence_fix_and_source() -> None:
    for rule in RULES:
        assert rule.sentence.endswith(".") and rule.fix and rule.source
        assert rule.severity in ("error", "warning", "info")


@pytest.mark.parametrize("rule_id", sorted(CASES))
def test_rule_fails_on_its_failing_case(rule_id: str) -> None:
    failing, _, kwargs = CASES[rule_id]
    assert rule_id in ids(check(failing, **kwargs))


@pytest.mark.parametrize("rule_id", sorted(CASES))
def test_rule_passes_on_its_passing_case(rule_id: str) -> None:
    _, passing, kwargs = CASES[rule_id]
    kwargs = {**kwargs, "agent_id": "59999"} if "agent_id" in kwargs else kwargs
    assert rule_id not in ids(check(passing, **kwargs))


def test_valid_body_has_no_findings() -> None:
    assert check(body(), agent_id=101) == []


def test_seed_example_passes_with_only_notes(seed_body: str) -> None:
    findings = check(seed_body, agent_id="101")
    assert {f.severity for f in findings} == {"info"}
    assert ids(findings) == {"body.extra", "data.sendTime.number"}


@pytest.mark.parametrize(
    ("agent_id", "ok"),
    [("100", False), ("101", True), ("59999", True), ("60000", False), ("abc", False)],
)
def test_agent_id_range_edges(agent_id: str, ok: bool) -> None:
    assert ("agent.range" not in ids(check(body(), agent_id=agent_id))) is ok


def test_agent_range_is_configurable() -> None:
    assert check(body(), Profile(agent_id_range=(101, 999999)), agent_id="600000") == []


@pytest.mark.parametrize(
    ("secmode", "content", "fits"),
    [
        (1, "a" * 1899, True),
        (1, "a" * 1900, False),
        (1, "你" * 633, True),  # 1899 bytes
        (1, "你" * 634, False),  # 1902 bytes, only 634 characters
        (0, "a" * 3799, True),
        (0, "a" * 3800, False),
    ],
)
def test_budget_counts_utf8_bytes_strictly_below_the_limit(
    secmode: int, content: str, fits: bool
) -> None:
    findings = check(body(content=content, channel="WHATSAPP"), Profile(secmode=secmode))
    assert ("content.budget" not in ids(findings)) is fits


def test_budget_with_1024_bytes_per_kb() -> None:
    profile = Profile(limits=SizeLimits(bytes_per_kb=1024))  # 1.9 KB -> 1946 bytes
    assert "content.budget" not in ids(check(body(content="a" * 1945, channel="SMS"), profile))
    assert "content.budget" in ids(check(body(content="a" * 1946, channel="SMS"), profile))


def test_findings_name_field_and_fix() -> None:
    (finding,) = [
        f
        for f in check(body(mediaType="IMAGE", mediaFileType="gif"))
        if f.rule_id == "data.mediaFileType.allowed"
    ]
    assert finding.field == "data.mediaFileType"
    assert "jpeg, jpg, png" in finding.message
    assert finding.fix


def test_tied_media_names_its_channel() -> None:
    msgs = [f.message for f in check(body(mediaType="WHATSAPPTEMPLATE"))]
    assert any("belongs to WHATSAPP" in m for m in msgs)


def test_errors_sort_first() -> None:
    findings = check(body(messageCode="x", content=""))
    assert [f.severity for f in findings] == sorted(
        (f.severity for f in findings), key=["error", "warning", "info"].index
    )


LOADERS: dict[str, Callable[[dict[str, Any]], str]] = {
    "json": json.dumps,
    "yaml": lambda d: "\n".join(f"{k}: {json.dumps(v)}" for k, v in d.items()),
}


@pytest.mark.parametrize("fmt", sorted(LOADERS))
def test_tenant_table_overrides_a_cell(tmp_path: Path, fmt: str) -> None:
    path = tmp_path / f"tenant.{fmt}"
    path.write_text(LOADERS[fmt]({"SMS": {"IMAGE": "yes"}, "EMAIL": {"TEXT": "yes"}}))
    table = load_channel_table(path)
    profile = Profile(channel_table=table)
    assert "channel.media" not in ids(check(body(channel="SMS", mediaType="IMAGE"), profile))
    assert "channel.media.unpublished" not in ids(check(body(channel="EMAIL"), profile))
    assert table.cell(*_sms_image()).source == f"tenant table {path.name}"


def _sms_image() -> tuple[Any, Any]:
    from sendmessage_kit import Channel, MediaType

    return Channel.SMS, MediaType.IMAGE


def test_tenant_table_yaml_booleans_and_bad_values(tmp_path: Path) -> None:
    path = tmp_path / "t.yaml"
    path.write_text("SMS:\n  IMAGE: yes\n  VIDEO: no\n")
    assert load_channel_table(path).cell(*_sms_image()).status == "yes"
    path.write_text("SMS:\n  HOLOGRAM: yes\n")
    with pytest.raises(ValueError, match="HOLOGRAM: unknown media type"):
        load_channel_table(path)
    path.write_text("MYSPACE:\n  TEXT: yes\n")
    with pytest.raises(ValueError, match="unknown channel 'MYSPACE'"):
        load_channel_table(path)
    path.write_text("SMS:\n  TEXT: maybe\n")
    with pytest.raises(ValueError, match="expected yes, no, unpublished"):
        load_channel_table(path)


@pytest.mark.parametrize("agent_id", ["10³", "١٠١", "1" * 40, " 101", "+101", "101\n"])
def test_agent_id_must_be_plain_ascii_digits(agent_id: str) -> None:
    assert "agent.range" in ids(check(body(), agent_id=agent_id))


# -- the channel × media table: every cell decides its own finding (issue 13 §3) ---------------
def _cells() -> list[Any]:
    from sendmessage_kit.channels import DEFAULT_TABLE

    return [
        pytest.param(ch, m, cell, id=f"{ch.value}-{m.value}")
        for (ch, m), cell in DEFAULT_TABLE.cells.items()
    ]


# The content each media type's own format rule accepts, so only the cell decides.
_GOOD_CONTENT = {
    "LOCATE": "22.54/114.06/Huawei Base",
    "WEBCARD": '{"title": "t", "description": "d"}',
}
_EXPECTED = {
    ("yes", "documented"): (set(), None),
    ("yes", "assumed"): (set(), None),
    ("no", "documented"): ({"channel.media"}, "error"),
    ("no", "assumed"): ({"channel.media.assumed"}, "warning"),
    ("unpublished", "unpublished"): ({"channel.media.unpublished"}, "warning"),
}


@pytest.mark.parametrize(("channel", "media", "cell"), _cells())
def test_every_cell_gives_the_finding_its_basis_says(channel: Any, media: Any, cell: Any) -> None:
    assert cell.basis in ("documented", "assumed", "unpublished") and cell.source
    content = _GOOD_CONTENT.get(media.value, "hello")
    found = check(body(channel=channel.value, mediaType=media.value, content=content))
    channel_findings = [f for f in found if f.rule_id.startswith("channel.media")]
    ids_, severity = _EXPECTED[(cell.status, cell.basis)]
    assert {f.rule_id for f in channel_findings} == ids_
    for f in channel_findings:
        assert f.severity == severity
        assert f"{channel.value} + {media.value}" in f.message
        assert cell.status == "unpublished" or cell.source in f.message


@pytest.mark.parametrize("channel", ["5G", "EMAIL", "VOICE"])
def test_channels_outside_the_vendor_table_are_unpublished_for_every_media(channel: str) -> None:
    from sendmessage_kit import MediaType

    for media in MediaType:
        content = _GOOD_CONTENT.get(media.value, "hello")
        found = check(body(channel=channel, mediaType=media.value, content=content))
        assert [f.severity for f in found if f.rule_id.startswith("channel.")] == ["warning"]
        assert not [f for f in found if f.severity == "error"], (media, found)


@pytest.mark.parametrize(
    ("channel", "media", "rule"),
    [
        ("EMAIL", "WEBCARD", "channel.media.unpublished"),  # was an error (tie checked first)
        ("5G", "RICHTEXT", "channel.media.unpublished"),
        ("VOICE", "SMSTEMPLATE", "channel.media.unpublished"),
        ("WEB", "LOCATION", "channel.media"),  # Table 3: location (Telegram)
        ("SMS", "IMAGE", "channel.media"),  # the manual lists no image for SMS
        ("TELEGRAM", "SMSTEMPLATE", "channel.media.assumed"),  # the kit's reading of the name
        ("WEB", "DOCUMENT", "channel.media.unpublished"),  # the manual has no document row
    ],
)
def test_cells_named_by_the_sources(channel: str, media: str, rule: str) -> None:
    assert rule in ids(check(body(channel=channel, mediaType=media)))


@pytest.mark.parametrize(
    ("channel", "severity"),
    [("WEB", "error"), ("WHATSAPP", "warning"), ("TELEGRAM", "warning"), ("EMAIL", "warning")],
)
def test_locate_format_is_an_error_only_where_documented(channel: str, severity: str) -> None:
    found = check(body(channel=channel, mediaType="LOCATE", content="the station"))
    (f,) = [f for f in found if f.rule_id.startswith("content.locate")]
    assert f.severity == severity


def test_tenant_cell_basis(tmp_path: Path) -> None:
    path = tmp_path / "t.json"
    path.write_text(json.dumps({"SMS": {"IMAGE": {"status": "no", "basis": "assumed"}}}))
    assert "channel.media.assumed" in ids(
        check(
            body(channel="SMS", mediaType="IMAGE"), Profile(channel_table=load_channel_table(path))
        )
    )
    path.write_text(json.dumps({"SMS": {"IMAGE": {"status": "no", "basis": "unpublished"}}}))
    with pytest.raises(ValueError, match=r"SMS\.IMAGE: a cell is unpublished"):
        load_channel_table(path)


def test_numbers_the_vendor_never_published_are_labelled_assumed() -> None:
    (f,) = [
        f
        for f in check(body(mediaType="LOCATE", content="95/10/x"))
        if f.rule_id.startswith("content.locate")
    ]
    assert (f.rule_id, f.severity, f.source) == ("content.locate.range", "warning", "assumed")
    assert "assumption" in f.message
