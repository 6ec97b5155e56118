from __future__ import annotations

from pathlib import Path

import pytest

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
    from pydantic import ValidationError

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
    with pytest.raises(ValidationError, match="agent_id_range"):
        KitSettings()
    monkeypatch.setenv("SENDMESSAGE_KIT_AGENT_ID_RANGE", "101-59999")
    monkeypatch.setenv("SENDMESSAGE_KIT_BYTES_PER_KB", "1023")
    with pytest.raises(ValidationError, match="bytes_per_kb"):
        KitSettings()
