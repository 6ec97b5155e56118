"""Each export runs, as exported, in its real tool: the command `export` prints and the one in
the README beside the files, run by a shell with the password in SENDMESSAGE_KIT_PASSWORD,
against a sandbox process over HTTP and HTTPS (newman, bru and httpyac from npm: npm_tools.py).
"""

from __future__ import annotations

import re
import ssl
import subprocess
from pathlib import Path

import httpx2
import pytest

from sendmessage_kit.seed import USER_ID
from tests.export.npm_tools import tools_path
from tests.gateway_process import COMMAND, clean_env, gateway_process

OUT = {"postman": "pm", "bruno": "bru", "http": "sendmessage-kit.http"}  # .http: its default
PASSED = {
    "postman": re.compile(r"assertions │\s+4 │\s+0 │"),
    "bruno": re.compile(r"Requests\s+│ 4 \(4 Passed\)"),
    "http": re.compile(r"4 requests processed \(4 succeeded\)"),
}


def _messages(url: str, ca: Path | None, user: str) -> list[object]:
    verify = ssl.create_default_context(cafile=str(ca)) if ca else True
    with httpx2.Client(base_url=url, verify=verify) as http:
        body = http.get(f"/sandbox/users/{user}/messages").json()
    return list(body["messages"] if isinstance(body, dict) else body)


@pytest.mark.parametrize("fmt", ["postman", "bruno", "http"])
@pytest.mark.parametrize("scheme", ["http", "https"])
def test_the_printed_command_and_the_readme_run_the_export(
    fmt: str, scheme: str, tmp_path: Path
) -> None:
    data = tmp_path / "data"
    flags = ["--poll-wait", "0.2", *(["--http"] if scheme == "http" else [])]
    work = tmp_path / "work"
    work.mkdir()
    with gateway_process(data, *flags) as gw:
        env = clean_env(SENDMESSAGE_KIT_DATA_DIR=str(data))  # the sandbox's CA lives there
        done = subprocess.run(
            [*COMMAND, "export", "--format", fmt, "--out", OUT[fmt], "--base-url", gw.url],
            capture_output=True, text=True, env=env, cwd=work, timeout=60,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        [command] = re.findall(r"^  (.+)$", done.stderr, flags=re.MULTILINE)
        readme = (
            (work / OUT[fmt]).with_name(f"{OUT[fmt]}.README.md")
            if fmt == "http"
            else (work / OUT[fmt] / "README.md")
        )
        assert readme.name in done.stderr and readme.exists()
        if fmt == "http" and scheme == "http":  # the file's own comment gives the same recipe
            assert f"#   {command}\n" in (work / OUT[fmt]).read_text()
        blocks = re.findall(r"```sh\n(.+?)\n```", readme.read_text(), flags=re.DOTALL)
        from_readme = blocks[-1]
        run_env = {**env, "PATH": tools_path(), "SENDMESSAGE_KIT_PASSWORD": "sandbox"}
        # Each run takes seconds (bru about 10): the printed command runs over HTTP, the
        # README's over HTTPS, so both are shown to work, each scheme with each tool.
        runs = [(command, work)] if scheme == "http" else [(from_readme, readme.parent)]
        for line, cwd in runs:
            ran = subprocess.run(
                ["sh", "-c", line], capture_output=True, text=True, env=run_env, cwd=cwd,
                timeout=180,
            )  # fmt: skip
            assert ran.returncode == 0, (line, ran.stdout[-3000:], ran.stderr[-3000:])
            assert PASSED[fmt].search(ran.stdout), ran.stdout[-3000:]
        assert len(_messages(gw.url, gw.ca_path, USER_ID)) == 1
    for line in (command, from_readme):
        assert '="$SENDMESSAGE_KIT_PASSWORD"' in line and "=sandbox" not in line
