"""PayloadBuilder driven from plain pytest: set control values, read the previews."""

from __future__ import annotations

import json

from sendmessage_kit.preview import Form
from sendmessage_kit.widgets.builder import PayloadBuilder
from sendmessage_kit.widgets.matrix import ChannelMatrix


def test_typing_content_updates_payload_and_escaped_preview() -> None:
    b = PayloadBuilder()
    b.content.value = 'He said "hi"'
    assert b.payload is not None and b.payload.data.content == 'He said "hi"'  # type: ignore[union-attr]
    assert '\\"content\\":\\"He said \\\\\\"hi\\\\\\"\\"' in b.escaped_html.value.replace(
        "&quot;", '"'
    )
    assert json.loads(b.preview.body_pretty)["callid"] == b.callid.value


def test_meter_turns_amber_then_red_as_content_fills() -> None:
    b = PayloadBuilder()
    assert 'data-level="ok"' in b.meter_html.value
    b.content.value = "a" * 1500
    assert 'data-level="amber"' in b.meter_html.value
    b.content.value = "a" * 1900
    assert 'data-level="red"' in b.meter_html.value
    assert 'data-rule="content.budget"' in b.findings_html.value
    b.secmode.value = 0
    assert 'data-level="ok"' in b.meter_html.value
    assert "content.budget" not in b.findings_html.value


def test_findings_follow_the_fields() -> None:
    b = PayloadBuilder()
    assert "No findings" in b.findings_html.value
    b.callid.value = ""
    assert 'data-rule="body.callid.required"' in b.findings_html.value
    b.callid.value = "c-1"
    b.user_id.value = "someone-else"
    assert 'data-rule="userId.to"' in b.findings_html.value


def test_choosing_image_offers_only_jpg_png_jpeg_and_loads_the_example() -> None:
    b = PayloadBuilder()
    b.media_type.value = "IMAGE"
    assert [v for _, v in b.media_file_type.options] == ["jpg", "png", "jpeg"]
    assert b.media_file_type.value == "jpg"
    assert b.content.value == "1234567890abcdef-image"
    assert "Example values" in b.banner.value
    assert b.payload is not None and b.payload.data.mediaFileType == "jpg"  # type: ignore[union-attr]


def test_channel_change_drops_media_types_the_table_forbids() -> None:
    b = PayloadBuilder()
    b.channel.value = "WHATSAPP"
    b.media_type.value = "WHATSAPPTEMPLATE"
    b.channel.value = "WEB"
    offered = [v for _, v in b.media_type.options]
    assert "WHATSAPPTEMPLATE" not in offered
    assert b.media_type.value == "TEXT"
    assert "WHATSAPPTEMPLATE" in b.excluded.value and "belongs to WHATSAPP" in b.excluded.value


def test_typed_content_survives_a_media_type_change() -> None:
    b = PayloadBuilder()
    b.content.value = "my own words"
    b.media_type.value = "LOCATE"
    assert b.content.value == "my own words"
    assert 'data-rule="content.locate.format"' in b.findings_html.value


def test_buttons_fill_message_code_and_send_time() -> None:
    b = PayloadBuilder(Form(message_code="x", send_time="y"))
    b.new_code.click()
    b.now.click()
    assert len(b.message_code.value) == 36 and b.send_time.value.isdigit()
    assert "No findings" in b.findings_html.value


def test_listener_sees_every_update_and_a_failing_callback_is_shown() -> None:
    b = PayloadBuilder()
    seen: list[str] = []
    b.on_change(lambda builder: seen.append(builder.content.value))
    b.content.value = "one"
    assert seen == ["one"]

    def boom(builder: PayloadBuilder) -> None:
        raise RuntimeError("listener broke")

    b.on_change(boom)
    b.content.value = "two"
    assert "listener broke" in b.status.value and "Error" in b.status.value


def test_emptied_recipient_is_flagged() -> None:
    b = PayloadBuilder()
    b.to.value = ""
    assert b.payload is not None
    assert 'data-rule="userId.to"' in b.findings_html.value


def test_matrix_shows_sources_and_loads_a_tenant_table(tmp_path) -> None:
    m = ChannelMatrix()
    assert 'data-cell="WEB/WHATSAPPTEMPLATE" data-status="no"' in m.matrix.value
    assert 'data-cell="EMAIL/TEXT" data-status="unpublished"' in m.matrix.value
    path = tmp_path / "tenant.json"
    path.write_text('{"EMAIL": {"TEXT": "yes"}}', encoding="utf-8")
    m.path.value = str(path)
    m.load.click()
    assert 'data-cell="EMAIL/TEXT" data-status="yes"' in m.matrix.value
    assert "1 cells overridden" in m.status.value


def test_matrix_bad_file_is_a_readable_error(tmp_path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("PIGEON: {TEXT: yes}\n", encoding="utf-8")
    m = ChannelMatrix()
    m.path.value = str(path)
    m.load.click()
    assert "unknown channel 'PIGEON'" in m.status.value.replace("&#x27;", "'")
