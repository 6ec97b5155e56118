"""Hardened edges (issue 23), the files a user gives the CLI: CSV sheets, exports, flag values.

- `send --csv`: a file whose structure is broken is refused whole, with its line and the fix,
  and nothing from it is sent; BOM and UTF-16 files are read, other encodings refused.
- Exports: a message mentioning `{{password}}` is sent as written by each tool: newman, bru
  and httpyac from npm run the printed command (tests/export/npm_tools.py); the long part also
  runs eleven texts through the runners of tests/export/tools.py, which substitute `{{name}}`
  as the tools do.
- Control characters in --base-url / --agent-id / SENDMESSAGE_KIT_BASE_URL: exit 2.
"""

from __future__ import annotations

import codecs
import json
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sendmessage_kit.cli import main
from sendmessage_kit.constraints import Profile
from sendmessage_kit.export import files, write
from sendmessage_kit.models import SendMessageRequest, new_message
from sendmessage_kit.sandbox import SandboxConfig, serve
from sendmessage_kit.send_csv import read_csv
from tests.export import tools
from tests.reliability._edges import tried
from tests.reliability._tally import TALLY


@pytest.fixture(scope="module")
def sb(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    config = SandboxConfig(http=True, poll_wait=0.1, data_dir=tmp_path_factory.mktemp("files"))
    with serve(config) as sandbox:
        yield sandbox


@pytest.fixture
def cli_env(sb: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Any:
    monkeypatch.setenv("SENDMESSAGE_KIT_BASE_URL", sb.base_url)
    monkeypatch.setenv("SENDMESSAGE_KIT_AGENT_ID", "171")
    monkeypatch.setenv("SENDMESSAGE_KIT_PASSWORD", "sandbox")
    monkeypatch.setenv("SENDMESSAGE_KIT_PHONENUM", "88880001")
    monkeypatch.setenv("SENDMESSAGE_KIT_HISTORY_PATH", str(tmp_path / "journal.db"))
    return sb


# -- send --csv -------------------------------------------------------------------------------
def _broken(user: str) -> list[tuple[str, bytes, str]]:
    """(what, file bytes, what the refusal says) for each broken structure."""
    ok = f"{user},fine\n"
    return [
        ("huge cell", f"to,content\n{ok}{user},{'x' * 140_000}\n".encode(),
         r"line 3: a cell is longer than 131,072"),
        ("unclosed quote", f'to,content\n{ok}{user},"never closed\n{ok}{ok}'.encode(),
         r"line 3: a quoted cell starting on this row is never closed"),
        ("extra cells", f"to,content\n{ok}{user},hello, world\n".encode(),
         r"line 3: 3 cells, but the header has 2 columns"),
        ("duplicate header", f"to,content,content\n{user},a,b\n".encode(),
         r"line 1: the header names 'content' more than once"),
        ("Latin-1", f"to,content\n{ok}{user},café\n".encode("latin-1"),
         r"line 3: the file is not UTF-8"),
        ("stray quote", f'to,content\n{ok}{user},"he"llo\n'.encode(),
         r"line 3: .*double quotes"),
    ]  # fmt: skip


def test_a_csv_file_with_a_broken_structure_is_refused_whole_and_nothing_is_sent(
    cli_env: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import re

    for what, raw, said in _broken(user := "csv-" + uuid.uuid4().hex[:10]):
        tried("CSV files")
        sheet = tmp_path / "sheet.csv"
        sheet.write_bytes(raw)
        assert main(["send", "--csv", str(sheet)]) == 2, what
        err = capsys.readouterr().err
        assert re.search(said, err) and "fix" in err, (what, err)
        sent = cli_env.customer.all_messages(user)
        TALLY.add("leaked", 0)
        assert sent == [], (what, "a refused file sent", len(sent))


@pytest.mark.parametrize(
    ("encoding", "prefix", "note"),
    [
        ("utf-8", codecs.BOM_UTF8, ""),
        ("utf-16-le", codecs.BOM_UTF16_LE, "UTF-16"),
        ("utf-16-be", codecs.BOM_UTF16_BE, "UTF-16"),
    ],
)
def test_bom_and_utf16_files_are_read_and_say_how(
    encoding: str,
    prefix: bytes,
    note: str,
    cli_env: Any,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    tried("CSV files")
    user = "csv-" + uuid.uuid4().hex[:10]
    sheet = tmp_path / "sheet.csv"
    sheet.write_bytes(prefix + f"to,content\n{user},ünï ✓\n".encode(encoding))
    assert main(["send", "--csv", str(sheet)]) == 0
    assert note in capsys.readouterr().err
    got = [m.content for m in cli_env.customer.all_messages(user)]
    TALLY.add("lost", int(got != ["ünï ✓"]))
    assert got == ["ünï ✓"]


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(raw=st.binary(max_size=300) | st.text(alphabet='to,cntet\n\r"x \x00é', max_size=200)
       .map(lambda t: ("to,content\n" + t).encode()))  # fmt: skip
def test_any_csv_bytes_give_rows_or_a_refusal_naming_the_line(raw: bytes) -> None:
    from sendmessage_kit.send_csv import decode_csv  # new in issue 23 (imported here: the

    tried("CSV files")  # tests also run against the code before it, where each must fail)
    try:
        text, _ = decode_csv(raw)
        read_csv(text, Profile())
    except ValueError as exc:
        assert str(exc).startswith("--csv"), exc


# -- exports: {{variables}} inside the message are sent as written -----------------------------
TRICKY = ["{{password}}", "{{guid}}", "{{ password }}", "{{{guid}}}", "{{$randomInt}}",
          "a {{password}} b {{agentId}} c", "{{baseUrl}}/x", "{{}}", "{{process.exit()}}",
          '{"x": "{{password}}"}', "{{"]  # fmt: skip


@pytest.mark.slow  # the real tools run in the fast part (below); these runners try more texts
@pytest.mark.skipif(not tools.HAS_NODE, reason="the runners run the tools' scripts in Node")
@pytest.mark.parametrize("tool", ["postman", "bruno", "http"])
def test_a_message_mentioning_a_variable_is_sent_as_written_by_each_tool(
    tool: str, sb: Any, tmp_path: Path
) -> None:
    for i, content in enumerate(TRICKY):
        tried("export variables")
        user = f"exp-{tool}-{i}-{uuid.uuid4().hex[:6]}"
        request = SendMessageRequest(callid="c-" + user, data=new_message(to=user, content=content))
        target = {"base_url": sb.base_url, "agent_id": "172"}
        if tool == "postman":
            collection, environment = map(json.loads, files("postman", request, **target).values())
            done = tools.run_postman(collection, environment, False, {"password": "sandbox"})
        elif tool == "bruno":
            folder = tmp_path / f"bruno-{i}"
            write("bruno", folder, request, **target)
            done = tools.run_bruno(folder, False, {"password": "sandbox"})
        else:
            [text] = files("http", request, **target).values()
            done = tools.run_http_file(text, False, {"password": "sandbox"})
        assert done[1].answer["retcode"] == "0", (content, done[1].answer)
        got = [m.content for m in sb.customer.all_messages(user)]
        TALLY.add("leaked", sum("sandbox" in g or "JSESSIONID" in g for g in got))
        assert got == [content], (tool, content, got)


# -- control characters in the values the exports write on their own lines ----------------------
BAD_VALUES = ["http://127.0.0.1:8043\n### evil", "http://x\r\nGET http://evil", "http://x\x00",
              "http://x\u2028y", "http://x\tvars:pre-request {"]  # fmt: skip
BAD_AGENTS = ["101\n### evil", "101\r\nGET http://evil", "101\x00", "101\u2028", "101\t"]


@pytest.mark.parametrize("fmt", ["http", "bruno", "postman"])
def test_control_characters_in_the_target_are_refused_with_exit_2(
    fmt: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    out = ["--out", str(tmp_path / f"out-{fmt}")]
    for value, agent in zip(BAD_VALUES, BAD_AGENTS, strict=True):
        tried("control characters in flags", 3)
        assert main(["export", "--format", fmt, *out, "--base-url", value]) == 2
        assert "control character" in capsys.readouterr().err
        assert main(["export", "--format", fmt, *out, "--agent-id", agent]) == 2
        assert "--agent-id" in capsys.readouterr().err
        if "\x00" in value:
            continue  # an environment variable cannot hold NUL
        monkeypatch.setenv("SENDMESSAGE_KIT_BASE_URL", value)
        assert main(["export", "--format", fmt, *out]) == 2
        assert "SENDMESSAGE_KIT_BASE_URL" in capsys.readouterr().err
        monkeypatch.delenv("SENDMESSAGE_KIT_BASE_URL")
    assert not (tmp_path / f"out-{fmt}").exists()  # nothing written


REAL = "{{password}} {{guid}} {{ agentId }} {{$randomInt}} {{{x}}} {{process.env.HOME}} {{"


@pytest.mark.parametrize("fmt", ["postman", "bruno", "http"])
def test_the_real_tools_send_a_message_mentioning_variables_as_written(
    fmt: str, tmp_path: Path
) -> None:
    """newman, bru and httpyac (from npm, tests/export/npm_tools.py) run the export as printed."""
    import re
    import subprocess

    import httpx2

    from tests.export.npm_tools import tools_path
    from tests.gateway_process import COMMAND, clean_env, gateway_process

    user = f"real-{fmt}-{uuid.uuid4().hex[:6]}"
    body = tmp_path / "body.json"
    request = SendMessageRequest(callid="c-" + user, data=new_message(to=user, content=REAL))
    body.write_text(request.model_dump_json(by_alias=True))
    out = {"postman": "pm", "bruno": "bru", "http": "sendmessage-kit.http"}[fmt]
    data = tmp_path / "data"
    with gateway_process(data, "--poll-wait", "0.2", "--http") as gw:
        env = clean_env(SENDMESSAGE_KIT_DATA_DIR=str(data))
        done = subprocess.run(
            [*COMMAND, "export", "--format", fmt, "--out", out, "--base-url", gw.url,
             "--file", str(body)],
            capture_output=True, text=True, env=env, cwd=tmp_path, timeout=60,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        [command] = re.findall(r"^  (.+)$", done.stderr, flags=re.MULTILINE)
        run_env = {**env, "PATH": tools_path(), "SENDMESSAGE_KIT_PASSWORD": "sandbox"}
        ran = subprocess.run(
            ["sh", "-c", command], capture_output=True, text=True, env=run_env, cwd=tmp_path,
            timeout=180,
        )  # fmt: skip
        assert ran.returncode == 0, (ran.stdout[-2000:], ran.stderr[-2000:])
        tried("export variables")
        with httpx2.Client(base_url=gw.url, trust_env=False) as http:
            got = [
                m["content"] for m in http.get(f"/sandbox/users/{user}/messages").json()["messages"]
            ]
    TALLY.add("leaked", sum("sandbox" in g for g in got))
    assert got == [REAL], (fmt, got)
