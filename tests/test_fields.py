"""One source for the fields of `data`: check, new_message, builder and CLI read MessageData."""

from __future__ import annotations

import json
from collections.abc import Iterator
from enum import StrEnum
from pathlib import Path
from typing import Any

import pytest
from pydantic import Field

from sendmessage_kit import check, models, new_message
from sendmessage_kit.fields import data_fields, field_by_key, snake_name, start_values


class WithPriority(models.MessageData):
    """MessageData as if a maintainer had added one required field to models.py."""

    priority: str = Field(description="How urgent the message is (a field the vendor lacks).")


@pytest.fixture
def priority_model(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> Iterator[type[models.MessageData]]:
    monkeypatch.setattr(models, "MessageData", WithPriority)
    # The sends below journal to a data folder of the test's own, not the developer's.
    monkeypatch.setenv("SENDMESSAGE_KIT_DATA_DIR", str(tmp_path / "data"))
    yield WithPriority


def _body(data: dict[str, Any]) -> str:
    return json.dumps({"callid": "c-1", "data": json.dumps(data)})


def _rules(findings: Any, field: str) -> set[str]:
    return {f.rule_id for f in findings if f.field == field}


def test_fields_follow_the_model_in_wire_order() -> None:
    wire = [f.wire for f in data_fields()]
    assert wire == list(new_message(to="u1", content="hi").model_dump(by_alias=True))
    optional = [
        info.alias or attr
        for attr, info in models.MessageData.model_fields.items()
        if not info.is_required() and info.default is None
    ]
    assert optional and [f.wire for f in data_fields() if not f.required] == optional
    assert field_by_key("control_type").widget == "fixed"
    assert field_by_key("content").widget == "textarea"
    assert field_by_key("channel").choices[0] == "WEB"
    with pytest.raises(KeyError, match="media_type"):
        field_by_key("mediatype")


@pytest.mark.parametrize(
    ("wire", "key"),
    [("from", "from_"), ("mediaFileType", "media_file_type"), ("userId", "user_id"), ("to", "to")],
)
def test_snake_names(wire: str, key: str) -> None:
    assert snake_name(wire) == key


def test_check_requires_exactly_the_fields_the_model_requires() -> None:
    full = json.loads(new_message(to="u1", content="hi").to_wire())
    for f in data_fields():
        data = {k: v for k, v in full.items() if k != f.wire}
        assert ("data.required" in _rules(check(_body(data)), f"data.{f.wire}")) is f.required


def test_start_values_copy_and_keep_extras() -> None:
    values = start_values({"to": "u9", "media_type": "IMAGE", "senderNickname": "Ann", "x": 1})
    assert values["userId"] == "u9" and values["mediaType"] == "IMAGE"
    assert values["senderNickname"] == "Ann" and values["x"] == 1
    assert "mediaFileType" not in values  # no start value: left out
    assert start_values({})["messageCode"] != start_values({})["messageCode"]


def test_a_field_added_to_the_model_reaches_check_and_new_message(
    priority_model: type[models.MessageData],
) -> None:
    msg = new_message(to="u1", content="hi", priority="high")
    assert type(msg) is priority_model
    wire = json.loads(msg.to_wire())
    assert list(wire)[-1] == "priority" and wire["priority"] == "high"
    assert check(_body(wire)) == []  # known: no data.extra finding
    missing = {k: v for k, v in wire.items() if k != "priority"}
    assert _rules(check(_body(missing)), "data.priority") == {"data.required"}
    typo = {**missing, "priorty": "high"}
    [extra] = [f for f in check(_body(typo)) if f.rule_id == "data.extra"]
    assert "'priority'" in extra.message


def _labels(widget: Any) -> list[str]:
    """Every HTML text in a widget tree (the builder's field labels among them)."""
    out = [widget.value] if type(widget).__name__ == "HTML" else []
    for child in getattr(widget, "children", ()):
        out.extend(_labels(child))
    return out


def test_a_field_added_to_the_model_reaches_the_builder(
    priority_model: type[models.MessageData],
) -> None:
    from sendmessage_kit.widgets import PayloadBuilder

    b = PayloadBuilder()
    assert b.priority is b.controls["priority"]
    assert any(">priority<" in label for label in _labels(b.widget))
    assert json.loads(b.preview.data_wire)["priority"] == ""  # required: sent even empty
    b.priority.value = "high"
    assert b.payload is not None and b.preview.findings == []
    assert json.loads(b.payload.data.to_wire())["priority"] == "high"
    assert json.loads(b.preview.data_wire)["priority"] == "high"


def test_a_field_added_to_the_model_reaches_the_send_cli(
    priority_model: type[models.MessageData], capsys: pytest.CaptureFixture[str]
) -> None:
    from sendmessage_kit.cli import main

    with pytest.raises(SystemExit):
        main(["send", "--help"])
    assert "--priority PRIORITY" in capsys.readouterr().out
    argv = ["send", "--to", "u-prio", "--text", "urgent", "--priority", "high", "--json"]
    assert main(argv) == 0
    sent = json.loads(json.loads(capsys.readouterr().out)["request"]["data"])
    assert sent["priority"] == "high" and sent["content"] == "urgent"


def test_the_example_ids_come_from_the_one_example_file() -> None:
    from sendmessage_kit import seed
    from sendmessage_kit.preview import Form
    from sendmessage_kit.sandbox.app import CHANNEL_ID
    from tests.conftest import ROOT

    shipped = (ROOT / "examples" / "seed_request.json").read_text(encoding="utf-8")
    assert shipped.rstrip("\n") == seed.SEED_BODY  # examples/ shows the file the package reads
    data = json.loads(json.loads(seed.SEED_BODY)["data"])
    assert (seed.CHANNEL_ID, seed.USER_ID, seed.SEND_TIME) == (
        data["from"],
        data["to"],
        data["sendTime"],
    )
    assert new_message(to="u1", content="hi").from_ == seed.CHANNEL_ID == CHANNEL_ID
    form = Form()
    assert (form.callid, form.to, form.user_id, form.from_) == (
        seed.CALLID,
        seed.USER_ID,
        seed.USER_ID,
        seed.CHANNEL_ID,
    )


RENAMED_PROBE = """
import json, sys
from sendmessage_kit import check, new_message
from sendmessage_kit.cli import main
from sendmessage_kit.widgets import PayloadBuilder

msg = json.loads(new_message(to="u1", content="hi").to_wire())
b = PayloadBuilder()
b.agent_avatar.value = "Ann.png"
try:
    main(["send", "--help"])
except SystemExit:
    pass
print(json.dumps({
    "wire": msg,
    "findings": [f.rule_id for f in check({"callid": "c", "data": json.dumps(msg)})],
    "builder": json.loads(b.preview.data_wire),
}))
"""


def test_a_field_renamed_in_models_py_alone_reaches_new_message_check_builder_and_cli(
    tmp_path: Any,
) -> None:
    """A copy of the package whose models.py alone renames senderAvatar to agentAvatar."""
    import shutil
    import subprocess
    import sys

    import sendmessage_kit

    package = tmp_path / "sendmessage_kit"
    shutil.copytree(
        sendmessage_kit.__path__[0], package, ignore=shutil.ignore_patterns("__pycache__")
    )
    models_py = package / "models.py"
    source = models_py.read_text(encoding="utf-8")
    assert source.count("senderAvatar:") == 1
    models_py.write_text(source.replace("senderAvatar:", "agentAvatar:"), encoding="utf-8")
    run = subprocess.run(
        [sys.executable, "-c", RENAMED_PROBE],
        cwd=tmp_path,
        env={"PYTHONPATH": str(tmp_path), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    help_text, _, last = run.stdout.rstrip().rpartition("\n")
    probe = json.loads(last)
    assert probe["wire"]["agentAvatar"] == "DefaultAvatar" and "senderAvatar" not in probe["wire"]
    assert probe["findings"] == []  # check knows the new name and no longer asks for the old
    assert probe["builder"]["agentAvatar"] == "Ann.png"
    assert "--agent-avatar" in help_text and "--sender-avatar" not in help_text


def test_a_field_added_to_the_model_reaches_the_sandboxs_customer_view(
    priority_model: type[models.MessageData],
) -> None:
    from sendmessage_kit import open_target

    with open_target() as target:
        assert target.sandbox is not None
        chat = target.sandbox.customer.open_chat("WEB", "u-prio")
        msg = new_message(to="u-prio", content="hi", priority="high")
        assert target.client.send_message(chat["callid"], msg).ok
        [message] = target.sandbox.customer.all_messages("u-prio")
    assert message.content == "hi" and message.model_extra is not None
    assert message.model_extra["priority"] == "high"
    assert message.userId == "u-prio"  # every data field is carried


class _Tone(StrEnum):
    CALM = "calm"
    BRISK = "brisk"


class WithTone(models.MessageData):
    """MessageData as if a maintainer had added an optional choice with no rule of its own."""

    tone: _Tone | None = Field(default=None, description="Tone (a field the vendor lacks).")


def test_a_choice_field_without_a_rule_of_its_own_is_checked_by_its_enum(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(models, "MessageData", WithTone)
    wire = json.loads(new_message(to="u1", content="hi").to_wire())
    assert check(_body({**wire, "tone": "brisk"})) == []
    [finding] = [f for f in check(_body({**wire, "tone": "loud"})) if f.field == "data.tone"]
    assert finding.rule_id == "data.type" and "calm, brisk" in finding.message
    assert field_by_key("tone").choices == ("calm", "brisk")
