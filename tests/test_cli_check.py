"""`sendmessage-kit check` as a user runs it: a real subprocess."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

SEED = ROOT / "examples" / "seed_request.json"


def kit(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "sendmessage_kit.cli", *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def mutated(tmp_path: Path, change: dict[str, object], data_change: dict[str, object]) -> str:
    body = json.loads(SEED.read_text())
    data = {**json.loads(body["data"]), **data_change}
    body = {**body, "data": json.dumps(data), **change}
    body = {k: v for k, v in body.items() if v is not None}
    path = tmp_path / "body.json"
    path.write_text(json.dumps(body))
    return str(path)


def test_seed_example_passes() -> None:
    r = kit("check", str(SEED))
    assert r.returncode == 0, r.stdout + r.stderr
    assert "OK: 0 error(s)" in r.stdout


def test_stdin_and_json_output() -> None:
    r = kit("check", "--json", "-", stdin=SEED.read_text())
    assert r.returncode == 0
    out = json.loads(r.stdout)
    assert out["ok"] is True
    assert {f["rule"] for f in out["findings"]} == {"body.extra", "data.sendTime.number"}


@pytest.mark.parametrize(
    ("change", "data_change", "field"),
    [
        ({}, {"mediaType": "IMAGE", "mediaFileType": "mp3"}, "data.mediaFileType"),
        ({}, {"channel": "MYSPACE"}, "data.channel"),
        ({}, {"content": "你" * 700}, "data.content"),
        ({"callid": None}, {}, "callid"),
    ],
    ids=["wrong-pair", "unknown-channel", "oversize-cjk", "missing-callid"],
)
def test_bad_requests_exit_1_naming_the_field(
    tmp_path: Path, change: dict[str, object], data_change: dict[str, object], field: str
) -> None:
    r = kit("check", mutated(tmp_path, change, data_change))
    assert r.returncode == 1, r.stdout
    assert f"ERROR   {field}:" in r.stdout


def test_data_that_is_not_json_exits_1(tmp_path: Path) -> None:
    path = tmp_path / "b.json"
    path.write_text(json.dumps({"callid": "c", "data": "{not json"}))
    r = kit("check", str(path))
    assert r.returncode == 1 and "ERROR   data: " in r.stdout and "not valid JSON" in r.stdout


def test_body_that_is_not_json_exits_1() -> None:
    r = kit("check", "-", stdin="{")
    assert r.returncode == 1 and "ERROR   body:" in r.stdout


def test_secmode_0_allows_3_8_kb(tmp_path: Path) -> None:
    path = mutated(tmp_path, {}, {"content": "你" * 700})
    assert kit("check", "--secmode", "0", path).returncode == 0


def test_missing_file_is_a_usage_error() -> None:
    r = kit("check", "/nonexistent/body.json")
    assert r.returncode == 2 and "cannot read" in r.stderr


def test_help_lists_commands() -> None:
    r = kit("--help")
    assert r.returncode == 0 and "check" in r.stdout
    assert kit("check").returncode == 2  # no FILE


def test_help_does_not_load_pydantic_or_httpx2() -> None:
    code = (
        "import sys, sendmessage_kit.cli as c; c.build_parser();"
        "print(sorted(m for m in ('pydantic', 'httpx2', 'fastapi') if m in sys.modules))"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert r.stdout.strip() == "[]"
