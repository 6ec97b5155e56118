"""The journal knows where each message went; content is kept exactly; bad files stop cleanly."""

from __future__ import annotations

import re
import sqlite3
import uuid
from pathlib import Path
from typing import Any

import pytest

from sendmessage_kit import GatewayClient, SettingsError, new_message, sandbox
from sendmessage_kit.cli import main
from sendmessage_kit.history import History, target_of
from tests.client.conftest import Faults
from tests.client.test_history_schema import _old_file
from tests.conftest import CANARY_PASSWORD


def test_delivered_counts_only_the_same_target() -> None:
    here, there = target_of("https://gw-a:8043", "101"), target_of("https://gw-b:8043", "101")
    with History(":memory:") as h:
        h.append(base_url="https://gw-a:8043", agent_id="101", body="{}", retcode="0",
                 message_code="m1")  # fmt: skip
        assert h.delivered(["m1"], target=here) == {"m1"}
        assert h.delivered(["m1"], target=there) == set()
        assert h.delivered(["m1"], target=target_of("https://gw-a:8043", "102")) == set()
        sb = target_of("https://gw-a:8043", "101", sandbox=True)
        assert sb.startswith("sandbox ") and h.delivered(["m1"], target=sb) == set()


def test_migrated_rows_count_as_delivered_to_no_gateway(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    code = _old_file(path)  # base_url https://gw, agent 101, delivered
    with History(path) as h:
        assert h.delivered([code], target=target_of("https://gw", "101")) == set()


def test_content_is_kept_exactly_and_no_secret_is_stored(tmp_path: Path) -> None:
    path = tmp_path / "journal.sqlite3"
    with (
        sandbox.start(http=True, agents={"120": CANARY_PASSWORD}) as sb,
        History(path) as journal,
        GatewayClient.for_sandbox(
            sb, agent_id="120", password=CANARY_PASSWORD, history=journal
        ) as client,  # fmt: skip
    ):
        guid = client.guid.get_secret_value() if client.guid else ""
        text = f"Try our sandbox; the word {CANARY_PASSWORD[:6]} and {guid[:8]} stay"
        client.send_message("c-1", new_message(to="u-1", content=text))
        [entry] = journal.list()
        assert text.replace('"', '\\"') in entry.body
        assert entry.target == target_of(sb.base_url, "120", sandbox=True)
    raw = b"".join(p.read_bytes() for p in tmp_path.glob("journal.sqlite3*"))
    assert b"Try our sandbox" in raw
    assert CANARY_PASSWORD.encode() not in raw and guid.encode() not in raw


def _configure(monkeypatch: pytest.MonkeyPatch, gw: Any, agent: str) -> None:
    monkeypatch.setenv("SENDMESSAGE_KIT_BASE_URL", gw.base_url)
    monkeypatch.setenv("SENDMESSAGE_KIT_AGENT_ID", agent)
    monkeypatch.setenv("SENDMESSAGE_KIT_PASSWORD", gw.password.get_secret_value())
    monkeypatch.setenv("SENDMESSAGE_KIT_PHONENUM", "88880001")
    monkeypatch.setenv("SENDMESSAGE_KIT_CA_BUNDLE", str(gw.ca_path))


def test_a_rehearsal_on_the_sandbox_does_not_skip_the_real_run(
    gw: Any,
    faults: Faults,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("SENDMESSAGE_KIT_HISTORY_PATH", str(tmp_path / "journal.db"))
    user = "rehearsal-" + uuid.uuid4().hex[:8]
    sheet = tmp_path / "messages.csv"
    sheet.write_text(f"to,content\n{user},one\n{user},two\n{user},three\n", encoding="utf-8")
    # Rehearsal: nothing configured, a sandbox of the command's own.
    assert main(["send", "--csv", str(sheet)]) == 0
    out = capsys.readouterr().out
    assert re.search(r"^Sending 3 row\(s\) to the sandbox at http\S+ \(not a real gateway\), "
                     r"agent \d+\.$", out, re.M)  # fmt: skip
    assert "3 delivered" in out
    # The real run ("the gateway": the test's sandbox, configured as one): all three go.
    _configure(monkeypatch, gw, "174")
    assert main(["send", "--csv", str(sheet)]) == 0
    out = capsys.readouterr().out
    first = out.splitlines()[0]
    assert first == f"Sending 3 row(s) to the gateway {gw.base_url}, agent 174."
    assert f"To the gateway {gw.base_url}, agent 174: 3 row(s)" in out
    assert "3 delivered, 0 skipped" in out
    assert sorted(m["content"] for m in faults.messages(user)) == ["one", "three", "two"]
    # Again to the same gateway and agent: skipped; to another agent: sent.
    assert main(["send", "--csv", str(sheet)]) == 0
    assert "0 delivered, 3 skipped" in capsys.readouterr().out
    monkeypatch.setenv("SENDMESSAGE_KIT_AGENT_ID", "175")
    assert main(["send", "--csv", str(sheet)]) == 0
    assert "3 delivered, 0 skipped" in capsys.readouterr().out


@pytest.mark.parametrize("damage", ["not sqlite", "truncated"])
def test_an_unreadable_journal_stops_with_one_line_and_sends_nothing(
    gw: Any,
    faults: Faults,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    damage: str,
) -> None:
    path = tmp_path / "journal.db"
    if damage == "not sqlite":
        path.write_text("this is not a database\n" * 100)
    else:
        with History(path) as h:
            for i in range(2000):
                h.append(base_url="b", agent_id="1", body="x" * 300, retcode="0",
                         message_code=str(i))  # fmt: skip
        db = sqlite3.connect(path)
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        db.close()
        path.write_bytes(path.read_bytes()[:200_000])
    with pytest.raises(SettingsError, match=r"cannot be read.*move it aside"):
        History(path)
    _configure(monkeypatch, gw, "176")
    monkeypatch.setenv("SENDMESSAGE_KIT_HISTORY_PATH", str(path))
    user = "unreadable-" + uuid.uuid4().hex[:8]
    sheet = tmp_path / "m.csv"
    sheet.write_text(f"to,content\n{user},hello\n", encoding="utf-8")
    assert main(["send", "--csv", str(sheet)]) == 1
    captured = capsys.readouterr()
    [line] = captured.err.splitlines()
    assert line.startswith(f"sendmessage-kit send: the send journal {path} cannot be read")
    assert "mv " in line and "Nothing was sent." in line and "Traceback" not in line
    assert captured.out == ""
    assert faults.messages(user) == []
