from __future__ import annotations

from pathlib import Path

import pytest

from sendmessage_kit.client import GatewayClient
from sendmessage_kit.errors import SettingsError
from sendmessage_kit.settings import KitSettings
from tests.conftest import CANARY_GUID, CANARY_PASSWORD


def test_nothing_configured_means_the_sandbox() -> None:
    assert KitSettings().uses_sandbox


def test_reads_prefixed_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SENDMESSAGE_KIT_BASE_URL", "https://gw:8043")
    monkeypatch.setenv("SENDMESSAGE_KIT_AGENT_ID", "1001")
    monkeypatch.setenv("SENDMESSAGE_KIT_GUID", CANARY_GUID)
    monkeypatch.setenv("SENDMESSAGE_KIT_SECMODE", "0")
    s = KitSettings()
    assert (s.base_url, s.agent_id, s.secmode, s.uses_sandbox) == (
        "https://gw:8043",
        "1001",
        0,
        False,
    )
    assert s.guid is not None and s.guid.get_secret_value() == CANARY_GUID


def test_reads_a_dotenv_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / ".env").write_text(
        f"SENDMESSAGE_KIT_BASE_URL=https://gw:8043\nSENDMESSAGE_KIT_PASSWORD={CANARY_PASSWORD}\n"
    )
    monkeypatch.chdir(tmp_path)
    s = KitSettings()
    assert s.base_url == "https://gw:8043"
    assert s.password is not None and s.password.get_secret_value() == CANARY_PASSWORD


def test_secrets_never_print() -> None:
    s = KitSettings(guid=CANARY_GUID, password=CANARY_PASSWORD)
    assert CANARY_GUID not in repr(s) and CANARY_GUID not in str(s)
    assert CANARY_PASSWORD not in repr(s)


def test_blank_base_url_is_the_sandbox(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SENDMESSAGE_KIT_BASE_URL", " ")
    assert KitSettings().uses_sandbox


def test_bad_secmode_is_refused() -> None:
    with pytest.raises(ValueError, match="secmode"):
        KitSettings(secmode=2)


def test_the_vendor_unknowns_are_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SENDMESSAGE_KIT_BYTES_PER_KB", "1024")
    monkeypatch.setenv("SENDMESSAGE_KIT_SIZE_COUNTS", "data")
    monkeypatch.setenv("SENDMESSAGE_KIT_AGENT_ID_RANGE", "101-999999")
    profile = KitSettings().profile()
    assert (profile.limits.bytes_per_kb, profile.limits.counts, profile.agent_id_range) == (
        1024,
        "data",
        (101, 999999),
    )
    assert profile.limits.limit_bytes(1) == 1946
    monkeypatch.setenv("SENDMESSAGE_KIT_AGENT_ID_RANGE", "59999-101")
    with pytest.raises(SettingsError, match="SENDMESSAGE_KIT_AGENT_ID_RANGE='59999-101'"):
        KitSettings()
    monkeypatch.setenv("SENDMESSAGE_KIT_AGENT_ID_RANGE", "101-59999")
    monkeypatch.setenv("SENDMESSAGE_KIT_BYTES_PER_KB", "1023")
    with pytest.raises(SettingsError, match=r"_BYTES_PER_KB=1023 .* should be 1000 or 1024"):
        KitSettings()


def test_a_bad_value_names_the_variable_and_the_fix(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SENDMESSAGE_KIT_TIMEOUT", "abc")
    with pytest.raises(SettingsError) as info:
        KitSettings()
    text = str(info.value)
    assert text.startswith("SENDMESSAGE_KIT_TIMEOUT='abc' (from the environment or .env)")
    assert "valid number" in text and "seconds to wait for an answer" in text
    assert "unset it for the default (10.0)" in text
    assert info.value.__cause__ is None and "pydantic" not in text.lower()
    with pytest.raises(SettingsError, match="SENDMESSAGE_KIT_TIMEOUT='abc'"):
        GatewayClient(base_url="https://gw.example:8043", agent_id="101")


def test_a_bad_argument_names_the_argument() -> None:
    with pytest.raises(SettingsError) as info:
        KitSettings(max_retries=-1)
    assert str(info.value).startswith("max_retries=-1 is not valid")
    assert "leave it out for the default (2)" in str(info.value)


def test_a_secret_that_is_not_valid_is_not_shown(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(SettingsError) as info:
        KitSettings(password=[CANARY_PASSWORD])  # type: ignore[arg-type]
    assert "password is not valid" in str(info.value) and CANARY_PASSWORD not in str(info.value)


def test_the_data_dir_comes_from_dotenv_everywhere(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sendmessage_kit.history import History
    from sendmessage_kit.sandbox.config import data_dir

    monkeypatch.delenv("SENDMESSAGE_KIT_DATA_DIR", raising=False)
    (tmp_path / ".env").write_text(f"SENDMESSAGE_KIT_DATA_DIR={tmp_path / 'from-dotenv'}\n")
    monkeypatch.chdir(tmp_path)
    assert data_dir() == tmp_path / "from-dotenv" and data_dir().is_dir()
    with History() as journal:
        assert Path(journal.path) == tmp_path / "from-dotenv" / "history.sqlite3"
    s = KitSettings(history_path=tmp_path / "elsewhere.sqlite3")
    assert s.journal_path == tmp_path / "elsewhere.sqlite3"
