"""`sendmessage-kit send` guides: credentials, hints as its flags, the throwaway sandbox, csv."""

from __future__ import annotations

import io
import os
import re
import signal
import ssl
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import httpx2
import pytest

from sendmessage_kit.cli import main
from tests.client.conftest import Faults
from tests.conftest import ROOT
from tests.fixtures_sandbox import sign_in

EXE = Path(sys.executable).with_name("sendmessage-kit")


@pytest.fixture
def gateway_only(gw: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    """A configured gateway (the test sandbox) with no credentials at all."""
    monkeypatch.setenv("SENDMESSAGE_KIT_BASE_URL", gw.base_url)
    monkeypatch.setenv("SENDMESSAGE_KIT_AGENT_ID", "171")
    monkeypatch.setenv("SENDMESSAGE_KIT_CA_BUNDLE", str(gw.ca_path))
    return gw


def _user() -> str:
    return "guide-" + uuid.uuid4().hex[:8]


def test_a_base_url_without_credentials_stops_before_sending(
    gateway_only: Any, faults: Faults, capsys: pytest.CaptureFixture[str]
) -> None:
    user = _user()
    assert main(["send", "--to", user, "--text", "never sent"]) == 2
    err = capsys.readouterr().err
    for name in ("SENDMESSAGE_KIT_PASSWORD", "SENDMESSAGE_KIT_GUID", "--password-stdin"):
        assert name in err
    assert "Nothing was sent" in err
    assert faults.messages(user) == []


def test_a_password_without_phonenum_stops_before_signing_in(
    gateway_only: Any,
    faults: Faults,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("SENDMESSAGE_KIT_PASSWORD", gateway_only.password.get_secret_value())
    user = _user()
    assert main(["send", "--to", user, "--text", "never sent"]) == 2
    err = capsys.readouterr().err
    assert "SENDMESSAGE_KIT_PHONENUM" in err and "softphone number" in err
    assert faults.messages(user) == []
    with gateway_only.http_client() as http:  # the sign-in never reached the gateway
        assert "171" not in http.get("/sandbox/health").json()["signedIn"]


def test_password_stdin_signs_in_without_the_password_on_the_command_line(
    gateway_only: Any,
    faults: Faults,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("SENDMESSAGE_KIT_PHONENUM", "88880001")
    user = _user()
    password = gateway_only.password.get_secret_value()
    monkeypatch.setattr(sys, "stdin", io.StringIO(password + "\n"))
    assert main(["send", "--password-stdin", "--to", user, "--text", "via stdin"]) == 0
    out = capsys.readouterr().out
    assert password not in out
    assert [m["content"] for m in faults.messages(user)] == ["via stdin"]


def test_hints_name_the_commands_own_flags(
    gw: Any, faults: Faults, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SENDMESSAGE_KIT_BASE_URL", gw.base_url)
    monkeypatch.setenv("SENDMESSAGE_KIT_PASSWORD", gw.password.get_secret_value())
    monkeypatch.setenv("SENDMESSAGE_KIT_PHONENUM", "88880001")
    monkeypatch.setenv("SENDMESSAGE_KIT_CA_BUNDLE", str(gw.ca_path))
    # No agent ID: the hint is --agent-id, not the Python keyword agent_id=.
    assert main(["send", "--to", _user(), "--text", "x"]) == 2
    err = capsys.readouterr().err
    assert "--agent-id" in err and "agent_id" not in err
    # The agent is signed in elsewhere (100-002): the hint is --force-sign-in.
    monkeypatch.setenv("SENDMESSAGE_KIT_AGENT_ID", "172")
    sign_in(gw, "172")
    assert main(["send", "--to", _user(), "--text", "x"]) == 1
    err = capsys.readouterr().err
    assert "--force-sign-in" in err and "force_sign_in" not in err
    assert main(["send", "--force-sign-in", "--to", _user(), "--text", "x"]) == 0


def test_the_throwaway_sandbox_is_said_on_the_first_line(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["send", "--to", _user(), "--text", "hello sandbox"]) == 0
    first = capsys.readouterr().out.splitlines()[0]
    assert "No gateway configured" in first and "stops when it ends" in first
    assert "--keep" in first and "sendmessage-kit sandbox" in first


@pytest.mark.timeout(60)
def test_keep_leaves_the_sandbox_running_until_ctrl_c(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SENDMESSAGE_KIT_")}
    env["SENDMESSAGE_KIT_DATA_DIR"] = str(tmp_path / "data")
    user = _user()
    cmd = [str(EXE)] if EXE.exists() else [sys.executable, "-m", "sendmessage_kit.cli"]
    p = subprocess.Popen(
        [*cmd, "send", "--keep", "--to", user, "--text", "kept"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
        cwd=ROOT,
    )
    try:
        assert p.stdout is not None
        seen = []
        for line in p.stdout:
            seen.append(line)
            if "Ctrl-C stops it" in line:
                break
        out = "".join(seen)
        assert "keeps running" in out, out
        url = re.search(r"customer's messages: (\S+)", out).group(1)  # type: ignore[union-attr]
        ca = re.search(r"CA (\S+)\)", out).group(1)  # type: ignore[union-attr]
        verify = ssl.create_default_context(cafile=ca) if ca != "none:" else True
        with httpx2.Client(verify=verify, timeout=10) as c:
            assert [m["content"] for m in c.get(url).json()["messages"]] == ["kept"]
            p.send_signal(signal.SIGINT)
            assert p.wait(30) == 0
            with pytest.raises(httpx2.TransportError):
                c.get(url)
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()
        if p.stdout is not None:
            p.stdout.close()


def test_csv_sends_each_valid_row_lists_the_rest_and_a_rerun_skips_what_was_delivered(
    gw: Any,
    faults: Faults,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("SENDMESSAGE_KIT_BASE_URL", gw.base_url)
    monkeypatch.setenv("SENDMESSAGE_KIT_AGENT_ID", "173")
    monkeypatch.setenv("SENDMESSAGE_KIT_PASSWORD", gw.password.get_secret_value())
    monkeypatch.setenv("SENDMESSAGE_KIT_PHONENUM", "88880001")
    monkeypatch.setenv("SENDMESSAGE_KIT_CA_BUNDLE", str(gw.ca_path))
    monkeypatch.setenv("SENDMESSAGE_KIT_HISTORY_PATH", str(tmp_path / "journal.db"))
    a, b = _user(), _user()
    sheet = tmp_path / "messages.csv"
    sheet.write_text(
        "to,content,channel,messageCode\n"
        f"{a},first for a,WEB,\n"
        f"{b},for b on WhatsApp,WHATSAPP,\n"
        f"{a},,WEB,\n"  # line 4: no content
        f"{a},bad channel,PIGEON,\n"  # line 5: not a channel
        f"{a},second for a,WEB,fixed-code-{a}\n",
        encoding="utf-8",
    )
    assert main(["send", "--csv", str(sheet)]) == 1  # two rows break a rule
    captured = capsys.readouterr()
    assert re.search(r"line 4: not sent: content: required", captured.err)
    assert re.search(r"line 5: not sent: channel", captured.err)
    assert "3 delivered" in captured.out
    # Rows are sent concurrently: the order of arrival is not the file's.
    assert sorted(m["content"] for m in faults.messages(a)) == ["first for a", "second for a"]
    assert [m["content"] for m in faults.messages(b)] == ["for b on WhatsApp"]
    # The same file again: the journal knows all three were delivered; nothing is resent.
    assert main(["send", "--csv", str(sheet)]) == 1
    assert "0 delivered, 3 skipped" in capsys.readouterr().out
    assert len(faults.messages(a)) == 2 and len(faults.messages(b)) == 1


def test_csv_with_an_unknown_column_names_the_known_ones(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sheet = tmp_path / "bad.csv"
    sheet.write_text("to,text\nu1,hello\n", encoding="utf-8")
    assert main(["send", "--csv", str(sheet)]) == 2
    err = capsys.readouterr().err
    assert "unknown column(s) 'text'" in err and "content" in err and "callid" in err
