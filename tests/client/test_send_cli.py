"""`sendmessage-kit send`: exit 0 ok, 1 gateway error, 2 usage error; the Guid is masked."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

import pytest

from sendmessage_kit import seed
from sendmessage_kit.cli import main
from tests.client.conftest import Faults


@pytest.fixture
def configured(gw: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setenv("SENDMESSAGE_KIT_BASE_URL", gw.base_url)
    monkeypatch.setenv("SENDMESSAGE_KIT_AGENT_ID", "170")
    monkeypatch.setenv("SENDMESSAGE_KIT_PASSWORD", gw.password.get_secret_value())
    monkeypatch.setenv("SENDMESSAGE_KIT_PHONENUM", "88880001")
    monkeypatch.setenv("SENDMESSAGE_KIT_CA_BUNDLE", str(gw.ca_path))
    return gw


def test_send_text_prints_request_response_and_explanation(
    configured: Any, faults: Faults, capsys: pytest.CaptureFixture[str]
) -> None:
    user = "cli-" + uuid.uuid4().hex[:8]
    code = main(["send", "--channel", "WEB", "--to", user, "--text", "Hi from the CLI"])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "/agentgateway/resource/mediacall/170/sendmessage" in out
    assert "Guid: ****" in out
    assert '"retcode": "0"' in out and "success" in out
    assert [m["content"] for m in faults.messages(user)] == ["Hi from the CLI"]


def test_send_file_sends_the_seed_body(
    configured: Any,
    faults: Faults,
    seed_body: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    body = tmp_path / "body.json"
    body.write_text(seed_body)
    assert main(["send", "--file", str(body), "--json"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["ok"] is True and printed["guid"].startswith("****")
    assert [m["content"] for m in faults.messages(seed.USER_ID)][-1] == (
        "<p>Message sent by the agent</p>"
    )


def test_gateway_error_exits_1_with_the_remedy(
    configured: Any, faults: Faults, capsys: pytest.CaptureFixture[str]
) -> None:
    faults.set(retcode="106-001", count=1)
    assert main(["send", "--to", "u1", "--text", "x"]) == 1
    assert "checkInWebm" in capsys.readouterr().out


@pytest.mark.parametrize(
    "argv",
    [
        pytest.param(["send", "--text", "no recipient"], id="missing-to"),
        pytest.param(["send", "--file", "/nonexistent/body.json"], id="unreadable-file"),
        pytest.param(["send", "--to", "u1", "--text", ""], id="fails-checks"),
        pytest.param(["send", "--to", "u1", "--text", "x", "--media-type", "NOPE"], id="bad-enum"),
    ],
)
def test_usage_errors_exit_2(
    configured: Any, argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(argv) == 2
    assert "sendmessage-kit send:" in capsys.readouterr().err


def test_nothing_configured_uses_an_embedded_sandbox(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["send", "--to", "u1", "--text", "hello sandbox"]) == 0
    assert "embedded sandbox" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("value", "fix"),
    [("FAX", "(e.g. --channel WEB)"), ("whatsapp", "(did you mean --channel WHATSAPP?)")],
)
def test_a_channel_not_offered_is_one_line_naming_the_flag_the_choices_and_the_fix(
    value: str, fix: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["send", "--channel", value, "--to", "u1", "--text", "x"]) == 2
    err = capsys.readouterr().err
    from sendmessage_kit.models import Channel

    allowed = ", ".join(c.value for c in Channel)
    assert err == (
        f"sendmessage-kit send: --channel {value!r} is not allowed; use one of {allowed} {fix}\n"
    )
    assert "validation error" not in err and "pydantic" not in err
