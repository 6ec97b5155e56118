"""`sendmessage-kit diff`: recordings of a sandbox process set like a gateway, replayed, explained.

The "gateway" is a real `sendmessage-kit sandbox` process started with the settings under test;
the recording is HAR 1.2 with the kit's placeholders (tests/diff/har_writer.py); the diff runs
as the command does and must name the setting and print the command line that agrees.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from sendmessage_kit.cli import main
from tests.diff import har_writer as hw
from tests.gateway_process import COMMAND, clean_env, gateway_process

AGENT = "4242"
INVALID = '{"callid":"call-diff-1","data":"{\\"to\\":5}"}'


def _steps(empty_phonenum_first: bool = False) -> list[hw.Step]:
    first = [hw.sign_in(AGENT, "sandbox", phonenum="")] if empty_phonenum_first else []
    return [
        *first,
        hw.sign_in(AGENT, "sandbox"),
        hw.send(AGENT, "Hello"),
        hw.send(AGENT, "x" * 1920),  # fits 1.9 KB only when 1 KB = 1024 bytes
        hw.send(AGENT, "y" * 1800),  # fits when content counts, not the whole data string
        hw.send(AGENT, "z" * 2000),  # over 1.9 KB in every reading
        hw.raw_send(AGENT, INVALID),
        hw.poll(AGENT),
        hw.sign_out(AGENT),
    ]


@pytest.mark.parametrize(
    ("gateway_flags", "expected"),
    [
        ([], None),
        (["--kb", "1024"], "--kb 1024"),
        (["--counts", "data"], "--counts data"),
        (["--invalid-retcode", "000-006"], "--invalid-retcode 000-006"),
        (["--oversize-retcode", "106-014"], "--oversize-retcode 106-014"),
        (["--kb", "1024", "--invalid-retcode", "100-007"], "--kb 1024 --invalid-retcode 100-007"),
    ],
)
def test_diff_names_the_setting_and_prints_the_command_that_agrees(
    gateway_flags: list[str],
    expected: str | None,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    har = tmp_path / "app.har"
    with gateway_process(tmp_path, "--http", "--poll-wait", "0.2", *gateway_flags) as gw:
        hw.record(gw.url, _steps(), har)
    assert "<password: masked by sendmessage-kit>" in har.read_text()
    code = main(["diff", str(har)])
    out = capsys.readouterr().out
    if expected is None:
        assert code == 0, out
        assert "all 8 exchanges agree" in out
        return
    assert code == 1, out
    assert f"  sendmessage-kit sandbox {expected}\n" in out
    # ... and that command line's settings, passed to diff, agree with every exchange
    assert main(["diff", str(har), *expected.split()]) == 0
    assert "all 8 exchanges agree" in capsys.readouterr().out


def test_each_difference_is_explained_by_its_own_setting(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    har = tmp_path / "app.har"
    with gateway_process(
        tmp_path, "--http", "--poll-wait", "0.2", "--kb", "1024", "--invalid-retcode", "000-006"
    ) as gw:
        hw.record(gw.url, _steps(), har)
    assert main(["diff", str(har), "--json"]) == 1
    report = json.loads(capsys.readouterr().out)
    differing = {x["index"]: x for x in report["exchanges"] if not x["agrees"]}
    assert sorted(differing) == [3, 6]
    size, invalid = differing[3], differing[6]
    assert size["recorded"] == {"status": 200, "retcode": "0"}
    assert size["sandbox"]["retcode"] == "000-006"
    assert size["explainedBy"] == ["kb"]
    assert "1,920 bytes" in size["why"][0] and "--kb 1024" in size["why"][0]
    assert invalid["explainedBy"] == ["invalid_retcode"]
    assert invalid["recorded"]["retcode"] == "000-006"
    assert invalid["sandbox"]["retcode"] == "000-002"
    assert report["command"] == "sendmessage-kit sandbox --kb 1024 --invalid-retcode 000-006"
    assert "SENDMESSAGE_KIT_BYTES_PER_KB=1024" in report["settings"]


def test_an_empty_phonenum_accepted_by_the_gateway_is_its_setting(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    har = tmp_path / "app.har"
    with gateway_process(tmp_path, "--http", "--poll-wait", "0.2", "--allow-empty-phonenum") as gw:
        hw.record(gw.url, _steps(empty_phonenum_first=True), har)
    assert main(["diff", str(har)]) == 1
    out = capsys.readouterr().out
    assert "  sendmessage-kit sandbox --allow-empty-phonenum\n" in out
    assert "a sign-in with an empty phonenum: the recording 0, the sandbox 100-001" in out


def test_a_difference_no_setting_explains_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    har = tmp_path / "app.har"
    with gateway_process(tmp_path, "--http", "--poll-wait", "0.2") as gw:
        doc = hw.record(gw.url, _steps(), har)
    poll = doc["log"]["entries"][6]["response"]["content"]
    poll["text"] = json.dumps({"retcode": "100-007", "message": "internal error"})
    har.write_text(json.dumps(doc))
    assert main(["diff", str(har)]) == 1
    out = capsys.readouterr().out
    assert "✗   7  GET /agentgateway/resource/agentevent/4242" in out
    assert "No combination of the sandbox's settings" in out
    assert "sendmessage-kit sandbox --" not in out


def test_a_browser_har_with_other_pages_and_base64_bodies_is_read(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import base64

    har = tmp_path / "devtools.har"
    with gateway_process(tmp_path, "--http", "--poll-wait", "0.2") as gw:
        doc = hw.record(gw.url, _steps(), har)
    entries = doc["log"]["entries"]
    for entry in entries:  # a browser stores some answers base64-encoded
        content = entry["response"]["content"]
        content["text"] = base64.b64encode(content["text"].encode()).decode()
        content["encoding"] = "base64"
    page = json.loads(json.dumps(entries[0]))
    page["request"].update(method="GET", url=gw.url + "/index.html")
    page["request"].pop("postData")
    har.write_text(json.dumps({"log": {**doc["log"], "entries": [page, *entries]}}))
    assert main(["diff", str(har)]) == 0
    out = capsys.readouterr().out
    assert "8 gateway exchanges; 1 other entries not replayed" in out


@pytest.mark.parametrize(
    ("content", "says"),
    [
        ("this is not json", "is not HAR: not JSON"),
        ('{"log": {"entries": {}}}', "is not HAR: log.entries is not a list"),
        (
            '{"log": {"entries": [{"request": {"method": "GET"}, "response": {"status": 200}}]}}',
            "log.entries[0].request.url None is not an http(s) URL",
        ),
        (
            '{"log": {"entries": [{"request": {"method": "GET", "url": "http://h/x"}, '
            '"response": {"status": 200}}]}}',
            "none of its 1 entries is a request to a gateway",
        ),
    ],
)
def test_a_file_that_is_not_a_usable_har_is_one_line(
    content: str, says: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "x.har"
    path.write_text(content)
    assert main(["diff", str(path)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    [line] = captured.err.splitlines()
    assert line.startswith(f"sendmessage-kit diff: {path}") and says in line


def test_the_command_gives_no_traceback_for_a_missing_file(tmp_path: Path) -> None:
    done = subprocess.run(
        [*COMMAND, "diff", str(tmp_path / "none.har")],
        capture_output=True,
        text=True,
        env=clean_env(),
        timeout=60,
    )
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        f"sendmessage-kit diff: {tmp_path / 'none.har'}: cannot read it (No such file or directory)"
    ]


def test_a_gateway_that_rotates_guids_is_noted(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    har = tmp_path / "app.har"
    flags = ["--http", "--poll-wait", "1.1", "--auth-mode", "2", "--guid-interval", "1"]
    with gateway_process(tmp_path, *flags, "--guid-timeout", "30") as gw:
        doc = hw.record(gw.url, [hw.sign_in(AGENT, "sandbox"), hw.poll(AGENT)], har)
    poll_headers = {
        h["name"].lower(): h["value"] for h in doc["log"]["entries"][1]["response"]["headers"]
    }
    assert poll_headers["set-guid"] == "<Set-GUID: masked by sendmessage-kit>"
    assert main(["diff", str(har)]) == 0
    out = capsys.readouterr().out
    assert "note: the gateway handed out new Guids after sign-in (Set-GUID on #2)" in out
    assert "--auth-mode 2" in out
