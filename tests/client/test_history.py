from __future__ import annotations

from pathlib import Path

import pytest

from sendmessage_kit.history import History, target_of
from sendmessage_kit.sandbox.config import data_dir


def test_default_path_follows_the_data_dir_env(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SENDMESSAGE_KIT_DATA_DIR", str(tmp_path / "kit"))
    assert data_dir() == tmp_path / "kit"
    with History() as h:
        assert Path(h.path) == tmp_path / "kit" / "history.sqlite3"
        h.append(base_url="https://gw", agent_id="101", body="{}", retcode="0")
    assert (tmp_path / "kit" / "history.sqlite3").is_file()


def test_list_is_newest_first_and_limited() -> None:
    with History(":memory:") as h:
        for i in range(5):
            h.append(
                base_url="b",
                agent_id="101",
                body=f'{{"n":{i}}}',
                retcode=str(i % 2),
                message_code=f"m{i}",
            )
        entries = h.list(limit=3)
        assert [e.message_code for e in entries] == ["m4", "m3", "m2"]
        assert [e.ok for e in entries] == [True, False, True]


def test_delivered_finds_only_successful_codes() -> None:
    with History(":memory:") as h:
        h.append(base_url="b", agent_id="1", body="{}", retcode="0", message_code="a")
        h.append(base_url="b", agent_id="1", body="{}", retcode="100-007", message_code="b")
        assert h.delivered(["a", "b", "c"], target=target_of("b", "1")) == {"a"}


def test_get_unknown_entry_is_a_key_error() -> None:
    with History(":memory:") as h, pytest.raises(KeyError, match="no history entry 7"):
        h.get(7)
