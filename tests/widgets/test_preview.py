"""The pure functions behind the widgets: preview, meter, choices, templates, HTML."""

from __future__ import annotations

import json

import pytest

from sendmessage_kit import preview as pv
from sendmessage_kit.channels import load_channel_table
from sendmessage_kit.encoding import decode_body
from sendmessage_kit.widgets import _html as hx


def test_preview_body_round_trips_and_data_is_escaped_string() -> None:
    p = pv.preview(pv.Form(content='say "hi"'))
    assert p.request is not None and p.error == ""
    assert decode_body(p.body_pretty) == p.request
    assert json.loads(p.data_escaped) == p.data_wire
    assert '\\"content\\":\\"say \\\\\\"hi\\\\\\"\\"' in p.data_escaped
    assert p.data_escaped in p.body_pretty


def test_empty_userid_and_optionals_are_left_out() -> None:
    p = pv.preview(pv.Form(userid="", media_file_type="", content_type=""))
    body = json.loads(p.body_pretty)
    assert "userid" not in body
    assert "mediaFileType" not in p.data_wire and "contentType" not in p.data_wire


def test_invalid_value_still_previews_and_names_the_field() -> None:
    p = pv.preview(pv.Form(channel="PIGEON"))
    assert p.request is None and not p.ok
    assert "data.channel" in p.error
    assert '\\"channel\\":\\"PIGEON\\"' in p.body_pretty
    assert any(f.rule_id == "data.channel.enum" for f in p.findings)


@pytest.mark.parametrize(
    ("chars", "level"),
    [
        pytest.param(1000, "ok", id="53pct-ok"),
        pytest.param(1500, "amber", id="79pct-amber"),
        pytest.param(1850, "red", id="97pct-red"),
        pytest.param(1900, "red", id="at-limit-red"),
    ],
)
def test_meter_level_follows_the_fill(chars: int, level: str) -> None:
    m = pv.preview(pv.Form(content="a" * chars)).meter
    assert m.level == level
    assert m.budget.counted_bytes == chars and m.budget.limit_bytes == 1900


def test_meter_counts_utf8_bytes_and_secmode_0_doubles_the_limit() -> None:
    m1 = pv.preview(pv.Form(content="你" * 600)).meter
    assert (m1.budget.content_chars, m1.budget.content_bytes, m1.level) == (600, 1800, "amber")
    m0 = pv.preview(pv.Form(content="你" * 600, secmode=0)).meter
    assert (m0.budget.limit_bytes, m0.level, m0.budget.secmode) == (3800, "ok", 0)
    assert m0.budget.escaped_bytes > m0.budget.data_bytes > m0.budget.content_bytes


def test_oversize_content_gives_the_budget_finding() -> None:
    p = pv.preview(pv.Form(content="a" * 1900))
    assert [f.rule_id for f in p.findings if f.severity == "error"] == ["content.budget"]
    assert not p.ok
    html = hx.findings_html(p.findings)
    assert 'data-rule="content.budget"' in html and "data.content" in html


def test_agent_id_out_of_range_is_a_finding() -> None:
    p = pv.preview(pv.Form(agent_id="7"))
    assert any(f.rule_id == "agent.range" for f in p.findings)


def test_image_offers_only_jpg_png_jpeg() -> None:
    assert [v for _, v in pv.file_type_choices("IMAGE", "WEB")] == ["jpg", "png", "jpeg"]


def test_text_offers_no_file_type() -> None:
    assert pv.file_type_choices("TEXT") == [("(none)", "")]


def test_audio_marks_formats_the_channel_does_not_play() -> None:
    labels = dict((v, label) for label, v in pv.file_type_choices("AUDIO", "WHATSAPP"))
    assert labels["aac"] == "aac"
    assert "WHATSAPP plays aac" in labels["mp3"]


def test_media_choices_leave_out_what_the_table_forbids_and_say_why() -> None:
    web = [v for _, v in pv.media_type_choices("WEB")]
    assert "WHATSAPPTEMPLATE" not in web and "TEXT" in web and "WEBCARD" in web
    why = dict(pv.excluded_media("WEB"))
    assert "belongs to WHATSAPP" in why["WHATSAPPTEMPLATE"]
    assert "WHATSAPPTEMPLATE" in [v for _, v in pv.media_type_choices("WHATSAPP")]
    labels = dict((v, label) for label, v in pv.media_type_choices("WEB"))
    assert labels["DOCUMENT"] == "DOCUMENT (unpublished)"


def test_channels_outside_the_published_table_are_marked() -> None:
    labels = dict((v, label) for label, v in pv.channel_choices())
    assert labels["WEB"] == "WEB"
    assert "not in the published table" in labels["EMAIL"]


def test_every_offered_media_type_has_an_example_that_is_marked() -> None:
    for ch, _ in pv.channel_choices():
        channel = ch.split()[0]
        for _, media in pv.media_type_choices(channel):
            tpl = pv.template_for(channel, media)
            assert tpl.content and tpl.label.startswith("Example values")
            allowed = [v for _, v in pv.file_type_choices(media, channel)]
            assert tpl.media_file_type in allowed


def test_example_templates_pass_their_own_format_rules() -> None:
    for media in ("LOCATE", "WEBCARD", "IMAGE", "TEXT"):
        tpl = pv.template_for("WEB", media)
        form = pv.Form(media_type=media, content=tpl.content, media_file_type=tpl.media_file_type)
        p = pv.preview(form)
        assert p.ok, [str(f) for f in p.findings]


def test_tenant_table_changes_the_choices(tmp_path) -> None:
    path = tmp_path / "tenant.yaml"
    path.write_text("WEB: {DOCUMENT: no}\nEMAIL: {EMAIL: yes}\n", encoding="utf-8")
    table = load_channel_table(path)
    assert "DOCUMENT" not in [v for _, v in pv.media_type_choices("WEB", table)]
    assert 'data-status="yes"' in hx.matrix_html(table)
    assert "outline" in hx.matrix_html(table)


def test_html_escapes_what_the_user_typed() -> None:
    p = pv.preview(pv.Form(content="<script>alert(1)</script>"))
    body, escaped = hx.preview_html(p)
    assert "<script>" not in body and "<script>" not in escaped
    assert "&lt;script&gt;" in escaped


def test_mask_secret_keeps_only_the_tail() -> None:
    assert pv.mask_secret("c4a7a7e5-0000-4000-8000-canary000001.AgentGateway9") == (
        "****0001.AgentGateway9"
    )
    assert pv.mask_secret("short") == "****"
    assert pv.mask_secret(None) == ""


def test_new_message_code_and_now_are_valid() -> None:
    p = pv.preview(pv.Form(message_code=pv.new_message_code(), send_time=pv.now_ms()))
    assert p.ok and p.findings == []


def test_every_new_form_has_its_own_message_code_and_current_time() -> None:
    # A fixed example code made every demo's first send a silent repeat in a persistent sandbox.
    a, b = pv.Form(), pv.Form()
    assert a.message_code != b.message_code
    assert abs(int(a.send_time) - int(pv.now_ms())) < 60_000
    assert pv.preview(a).ok


def test_event_sentence_keeps_this_customers_events_from_another_chat() -> None:
    from sendmessage_kit.preview import event_sentence

    def reply(callid: str, caller: str) -> dict[str, object]:
        content = {"callid": callid, "caller": caller, "message": "hi"}
        return {"eventType": "AgentEvent_MessageData", "content": content}

    assert event_sentence(reply("c1", "alice"), "c1", "alice") == "Customer replied: hi"
    # Alice's chat page opened chat c2: still her conversation.
    assert event_sentence(reply("c2", "alice"), "c1", "alice") == "Customer replied: hi"
    # Bob (another guide's customer) on another chat: not shown.
    assert event_sentence(reply("c3", "bob"), "c1", "alice") is None
    assert event_sentence(reply("c3", "bob"), "c1") is None
