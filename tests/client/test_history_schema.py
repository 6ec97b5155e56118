"""The journal's schema is versioned (`PRAGMA user_version`) and older files are migrated."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from sendmessage_kit import SettingsError
from sendmessage_kit.encoding import encode_body
from sendmessage_kit.history import SCHEMA_VERSION, History
from sendmessage_kit.models import SendMessageRequest, new_message

# The journal as the kit wrote it before it had a version (user_version 0): columns in this
# order, and a row written the way that kit wrote it.
_UNVERSIONED = """
CREATE TABLE sends (
    id INTEGER PRIMARY KEY AUTOINCREMENT, at REAL NOT NULL, source TEXT NOT NULL,
    base_url TEXT NOT NULL, agent_id TEXT NOT NULL, callid TEXT, message_code TEXT,
    body TEXT NOT NULL, retcode TEXT, ok INTEGER NOT NULL, error TEXT, elapsed REAL,
    attempts INTEGER
);
CREATE INDEX sends_code ON sends (message_code, ok);
"""


def _old_file(path: Path) -> str:
    message = new_message(to="customer-42", content="written by the old kit")
    body = encode_body(SendMessageRequest(callid="call-1", data=message))
    with sqlite3.connect(path) as db:
        db.executescript(_UNVERSIONED)
        db.execute(
            "INSERT INTO sends (at, source, base_url, agent_id, callid, message_code, body,"
            " retcode, ok, error, elapsed, attempts) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
            (1.5, "client", "https://gw", "101", "call-1", message.messageCode, body, "0", 1,
             None, 0.02, 1),
        )  # fmt: skip
    db.close()
    return message.messageCode


def _version(path: Path) -> int:
    db = sqlite3.connect(path)
    try:
        return int(db.execute("PRAGMA user_version").fetchone()[0])
    finally:
        db.close()


def test_an_unversioned_file_is_migrated_and_keeps_its_entries(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    code = _old_file(path)
    assert _version(path) == 0
    with History(path) as journal:
        assert journal.schema_version == SCHEMA_VERSION == 4
        assert journal.list()[0].target is None  # delivered to no gateway the kit can name
        [old] = journal.list()
        assert (old.message_code, old.ok, old.attempts, old.at) == (code, True, 1, 1.5)
        assert old.user_id == "customer-42"  # the new column, filled from the stored body
        new_id = journal.append(
            base_url="b", agent_id="101", body=json.dumps({"data": "not json"}), retcode="0"
        )
        assert journal.get(new_id).user_id is None
    assert _version(path) == SCHEMA_VERSION
    with History(path) as again:  # opening a current file changes nothing
        assert [e.message_code for e in again.list()] == [None, code]


def test_a_new_file_starts_at_the_current_version(tmp_path: Path) -> None:
    with History(tmp_path / "new.sqlite3") as journal:
        assert journal.schema_version == SCHEMA_VERSION
    assert _version(tmp_path / "new.sqlite3") == SCHEMA_VERSION


def test_a_file_from_a_newer_kit_is_refused_with_the_fix(tmp_path: Path) -> None:
    path = tmp_path / "newer.sqlite3"
    with History(path):
        pass
    db = sqlite3.connect(path)
    db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    db.commit()
    db.close()
    with pytest.raises(SettingsError, match=r"newer sendmessage-kit.*SENDMESSAGE_KIT_HISTORY_PATH"):
        History(path)


def test_entries_are_read_by_column_name_not_position(tmp_path: Path) -> None:
    # A file whose columns were added in another order (as a migration may leave them) reads
    # the same: every field comes from its named column.
    path = tmp_path / "shuffled.sqlite3"
    with sqlite3.connect(path) as db:
        db.executescript(
            "CREATE TABLE sends (id INTEGER PRIMARY KEY AUTOINCREMENT, body TEXT NOT NULL,"
            " ok INTEGER NOT NULL, retcode TEXT, at REAL NOT NULL, attempts INTEGER,"
            " source TEXT NOT NULL, agent_id TEXT NOT NULL, base_url TEXT NOT NULL, callid TEXT,"
            " message_code TEXT, error TEXT, elapsed REAL);"
            "CREATE INDEX sends_code ON sends (message_code, ok);"
        )
    db.close()
    with History(path) as journal:
        entry = journal.get(
            journal.append(base_url="https://gw", agent_id="101", body="{}", retcode="0",
                           callid="c", message_code="m", attempts=3)
        )  # fmt: skip
    assert (entry.base_url, entry.agent_id, entry.callid, entry.message_code) == (
        "https://gw", "101", "c", "m"
    )  # fmt: skip
    assert (entry.retcode, entry.ok, entry.attempts, entry.body) == ("0", True, 3, "{}")
