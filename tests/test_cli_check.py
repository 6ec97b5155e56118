"""`sendmessage-kit check` as a user runs it: a real subprocess."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

SEED = ROOT / "examples" / "seed_request.json"


def kit(
    *args: str, stdin: str | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "sendmessage_kit.cli", *args],
        input=stdin,
        env=env,
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


# -- the unknowns of the size rule and the agent-ID range (issue 13 §5, issue 12 §3) ----------
def _reading(out: str) -> str:
    (line,) = [line for line in out.splitlines() if line.endswith("<- this check")]
    return line


def test_kb_flag_moves_the_limit(tmp_path: Path) -> None:
    path = mutated(tmp_path, {}, {"content": "a" * 1945})  # under 1946 (1024), not under 1900
    default = kit("check", path)
    assert default.returncode == 1 and "1945 bytes, limit  1900 (1 KB = 1000): over" in (
        _reading(default.stdout)
    )
    r = kit("check", "--kb", "1024", path)
    assert r.returncode == 0, r.stdout
    assert "content   1945 bytes, limit  1946 (1 KB = 1024): fits" in _reading(r.stdout)
    # every reading is printed beside the verdict, the one used marked
    assert r.stdout.count("bytes, limit") == 4


def test_counts_flag_counts_the_whole_data_string(tmp_path: Path) -> None:
    path = mutated(tmp_path, {}, {"content": "a" * 1700})  # content fits; data (~2000) does not
    assert kit("check", path).returncode == 0
    r = kit("check", "--counts", "data", path)
    assert r.returncode == 1 and "ERROR   data.content:" in r.stdout
    assert _reading(r.stdout).lstrip().startswith("data")


def test_agent_id_range_flag_and_json_sizes() -> None:
    assert kit("check", "--agent-id", "600000", str(SEED)).returncode == 1
    r = kit("check", "--json", "--agent-id", "600000", "--agent-id-range", "101-999999", str(SEED))
    assert r.returncode == 0, r.stdout
    sizes = json.loads(r.stdout)["sizes"]
    assert {(s["counts"], s["bytesPerKb"]) for s in sizes} == {
        ("content", 1000),
        ("content", 1024),
        ("data", 1000),
        ("data", 1024),
    }
    assert [(s["counts"], s["bytesPerKb"]) for s in sizes if s["used"]] == [("content", 1000)]
    bad = kit("check", "--agent-id-range", "9-1", str(SEED))
    assert bad.returncode == 2 and "--agent-id-range" in bad.stderr


def test_settings_reach_check(tmp_path: Path) -> None:
    import os

    path = mutated(tmp_path, {}, {"content": "a" * 1945})
    env = {
        **os.environ,
        "SENDMESSAGE_KIT_BYTES_PER_KB": "1024",
        "SENDMESSAGE_KIT_AGENT_ID_RANGE": "101-999999",
    }
    r = kit("check", "--agent-id", "600000", path, env=env)
    assert r.returncode == 0, r.stdout
    assert "(1 KB = 1024): fits  <- this check" in r.stdout
    assert kit("check", "--kb", "1000", path, env=env).returncode == 1  # a flag wins
