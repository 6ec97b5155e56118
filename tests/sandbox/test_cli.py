"""`sendmessage-kit sandbox` and `lab` as real processes: curl flow, kill -9, Lab start/stop."""

from __future__ import annotations

import json
import queue
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx2
import pytest

from sendmessage_kit.sandbox import Sandbox, SandboxConfig
from tests.conftest import ROOT
from tests.sandbox.conftest import SEED_USER, Agent
from tests.sandbox.test_load import make_bodies, send_all

EXE = Path(sys.executable).with_name("sendmessage-kit")
COMMAND = [str(EXE)] if EXE.exists() else [sys.executable, "-m", "sendmessage_kit.cli"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Proc:
    """A CLI subprocess whose output lines are collected by a thread."""

    def __init__(self, args: list[str], env: dict[str, str]) -> None:
        self.p = subprocess.Popen(
            COMMAND + args,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env=env,
            cwd=ROOT,
        )
        self.lines: queue.Queue[str] = queue.Queue()
        self.seen: list[str] = []
        self._t = threading.Thread(target=self._read, daemon=True)
        self._t.start()

    def _read(self) -> None:
        assert self.p.stdout is not None
        for line in self.p.stdout:
            self.lines.put(line)

    def wait_for(self, pattern: str, timeout: float = 30) -> re.Match[str]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=0.2)
            except queue.Empty:
                if self.p.poll() is not None:
                    break
                continue
            self.seen.append(line)
            m = re.search(pattern, line)
            if m:
                return m
        raise AssertionError(f"no {pattern!r} in output:\n{''.join(self.seen)}")

    def close(self) -> None:
        if self.p.poll() is None:
            self.p.kill()
        self.p.wait(10)
        self._t.join(5)
        assert self.p.stdout is not None
        self.p.stdout.close()


def start_cli(procs: list[Proc], args: list[str], env: dict[str, str]) -> tuple[Proc, str]:
    p = Proc(["sandbox", *args], env)
    procs.append(p)
    url = p.wait_for(r"on (https?://\S+)").group(1)
    return p, url


def curl(*args: str) -> str:
    done = subprocess.run(["curl", "-sS", *args], capture_output=True, text=True, timeout=30)
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed on this machine")
def test_curl_does_the_whole_flow(procs: list[Proc], env: dict[str, str]) -> None:
    port = free_port()
    _, url = start_cli(procs, ["--http", "--port", str(port)], env)
    assert url == f"http://127.0.0.1:{port}"
    head = curl(
        "-i",
        "-X",
        "PUT",
        "-H",
        "Content-Type: application/json",
        "-d",
        '{"password":"sandbox","phonenum":"88880001"}',
        f"{url}/agentgateway/resource/onlineagent/101",
    )
    guid = re.search(r"(?im)^Set-GUID: JSESSIONID=(\S+)\r?$", head)
    assert guid, head
    sent = curl(
        "-X",
        "POST",
        "-H",
        "Content-Type: application/json; charset=UTF-8",
        "-H",
        f"Guid: {guid.group(1)}",
        "-d",
        "@examples/seed_request.json",
        f"{url}/agentgateway/resource/mediacall/101/sendmessage",
    )
    assert json.loads(sent) == {"message": "success", "retcode": "0"}
    seen = json.loads(curl(f"{url}/sandbox/users/{SEED_USER}/messages"))
    assert [m["content"] for m in seen["messages"]] == ["<p>Message sent by the agent</p>"]


def test_https_cli_prints_ca_that_curl_like_clients_trust(
    procs: list[Proc], env: dict[str, str]
) -> None:
    p, url = start_cli(procs, ["--port", "0", "--db", ":memory:"], env)
    ca = p.wait_for(r"CA\s+(\S+\.pem)").group(1)
    assert Path(ca).parent.parent == Path(env["SENDMESSAGE_KIT_DATA_DIR"])
    assert url.startswith("https://127.0.0.1:")
    key = Path(ca).with_name("server.key")
    assert key.stat().st_mode & 0o777 == 0o600
    with httpx2.Client(verify=__import__("ssl").create_default_context(cafile=ca)) as c:
        assert c.get(url + "/sandbox/health").json()["status"] == "ok"


async def test_kill_9_and_restart_loses_nothing(
    procs: list[Proc], env: dict[str, str], tmp_path: Path
) -> None:
    db = tmp_path / "kill.db"
    p, url = start_cli(procs, ["--http", "--port", "0", "--db", str(db)], env)
    sb = Sandbox(SandboxConfig(http=True), url, None)  # a handle on the subprocess
    agent = Agent(sb)
    agent.sign_in()
    agent.close()
    bodies = make_bodies(1000, "kill-user")
    answers = await send_all(sb, agent.guid or "", bodies)
    assert answers.count("0") == 1000
    p.p.send_signal(signal.SIGKILL)
    p.p.wait(10)
    _, url2 = start_cli(procs, ["--http", "--port", "0", "--db", str(db)], env)
    with httpx2.Client(base_url=url2) as c:
        got = c.get("/sandbox/users/kill-user/messages", params={"limit": 1000}).json()
    assert sorted(m["messageCode"] for m in got["messages"]) == sorted(
        json.loads(str(b["data"]))["messageCode"] for b in bodies
    )


def test_bad_flags_exit_2(env: dict[str, str]) -> None:
    done = subprocess.run(
        [*COMMAND, "sandbox", "--http", "--port", "0", "--guid-interval", "200"],
        capture_output=True,
        text=True,
        env=env,
        timeout=30,
    )
    assert done.returncode == 2 and "guid_interval" in done.stderr


def test_db_in_a_folder_that_does_not_exist_yet_is_created(tmp_path: Path) -> None:
    from sendmessage_kit.sandbox.store import Store

    store = Store(str(tmp_path / "new" / "folder" / "sandbox.db"))
    try:
        assert (tmp_path / "new" / "folder" / "sandbox.db").exists()
    finally:
        store.close()
