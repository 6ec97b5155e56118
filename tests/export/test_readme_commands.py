"""The README's snippet and export commands run as written (in a scratch folder)."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from sendmessage_kit.cli import main
from tests.conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")
SECTION = README.split("## Into your own tools", 1)[1].split("\n## ", 1)[0]
RUNNERS = {"sh": ["sh"], "uv": [sys.executable], "node": ["node"]}


def _commands() -> list[str]:
    blocks = re.findall(r"```sh\n(.*?)```", SECTION, re.DOTALL)
    return [line.split("  #")[0].strip() for block in blocks for line in block.splitlines()]


def test_the_section_shows_every_format_and_language() -> None:
    text = "\n".join(_commands())
    for word in ("--format postman", "--format bruno", "--format http", "--format openapi"):
        assert word in text
    for lang in ("curl", "python", "javascript"):
        assert f"snippet --lang {lang}" in text


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
def test_the_commands_run_as_written_against_the_sandbox(
    sandbox_http: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "examples").mkdir()
    shutil.copy(ROOT / "examples" / "seed_request.json", tmp_path / "examples")
    env = dict(os.environ)
    for line in _commands():
        words = shlex.split(line)
        if words[0] == "export":
            for pair in words[1:]:
                key, _, value = pair.partition("=")
                env[key] = value
            # The README's sandbox is on port 8043; this test's sandbox is on a free port.
            env["SENDMESSAGE_KIT_BASE_URL"] = sandbox_http.base_url
            env["SENDMESSAGE_KIT_AGENT_ID"] = "59998"
        elif words[:3] == ["uv", "run", "sendmessage-kit"]:
            args, _, target = " ".join(words[3:]).partition(" > ")
            assert main(shlex.split(args)) == 0, line
            out = capsys.readouterr().out
            if target:
                (tmp_path / target).write_text(out, encoding="utf-8")
        else:
            runner = RUNNERS["uv" if words[0] == "uv" else words[0]]
            program = words[-1]
            proc = subprocess.run(
                [*runner, program], env=env, capture_output=True, text=True, timeout=60
            )
            assert proc.returncode == 0, (line, proc.stdout, proc.stderr)
            assert '"retcode":"0"' in proc.stdout.replace(" ", "")
    assert (tmp_path / "postman" / "sendmessage-kit.postman_collection.json").is_file()
    assert (tmp_path / "bruno" / "bruno.json").is_file()
    assert (tmp_path / "gateway.http").is_file()
    assert (tmp_path / "gateway-openapi.json").is_file()
