"""`sendmessage-kit proxy` as a real process between curl and a real sandbox process."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from sendmessage_kit.encoding import encode_body
from sendmessage_kit.har import GUID_PLACEHOLDER, PASSWORD_PLACEHOLDER, SET_GUID_PLACEHOLDER
from sendmessage_kit.models import SendMessageRequest, new_message
from tests.proxy.har_validator import validate
from tests.sandbox.test_cli import COMMAND, Proc, free_port

pytestmark = pytest.mark.skipif(not Path("/usr/bin/curl").exists(), reason="needs curl")


@pytest.fixture
def sandbox_proc() -> Iterator[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SENDMESSAGE_KIT_")}
    proc = Proc(["sandbox", "--http", "--port", str(free_port())], env)
    try:
        yield proc.wait_for(r"on (http://127\.0\.0\.1:\d+)")[1]
    finally:
        proc.close()


def curl(url: str, *args: str) -> tuple[dict[str, str], str]:
    out = subprocess.run(
        ["curl", "-sS", "-i", *args, url], capture_output=True, text=True, check=True, timeout=30
    ).stdout
    head, _, body = out.partition("\n\n")  # text mode: \r\n reads as \n
    headers = dict(
        (k.lower(), v.strip()) for k, _, v in (h.partition(":") for h in head.splitlines()[1:])
    )
    return headers, body


def test_the_command_between_curl_and_a_sandbox(
    sandbox_proc: str, tmp_path: Path, har_validate: Path
) -> None:
    har, log = tmp_path / "traffic.har", tmp_path / "traffic.jsonl"
    env = {k: v for k, v in os.environ.items() if not k.startswith("SENDMESSAGE_KIT_")}
    args = ["proxy", "--upstream", sandbox_proc, "--port", "0", "--har", str(har)]
    p = Proc([*args, "--json-log", str(log)], env)
    try:
        url = p.wait_for(r"proxy on (http://127\.0\.0\.1:\d+) -> ")[1]
        gw = f"{url}/agentgateway/resource"
        headers, body = curl(
            f"{gw}/onlineagent/101", "-X", "PUT", "-H", "Content-Type: application/json",
            "--data-binary", '{"password": "sandbox", "phonenum": "88880001"}',
        )  # fmt: skip
        guid = headers["set-guid"].removeprefix("JSESSIONID=")
        assert json.loads(body)["retcode"] == "0"
        p.wait_for(r"PUT /agentgateway/resource/onlineagent/101 -> 200 retcode 0 success")
        assert validate(har_validate, har) == "valid"  # valid after the first exchange
        msg = new_message(to="har-user", content="Try our sandbox")
        sent = encode_body(SendMessageRequest(callid="har-call", data=msg))
        _, body = curl(
            f"{gw}/mediacall/101/sendmessage", "-H", f"Guid: {guid}",
            "-H", "Content-Type: application/json", "--data-binary", sent,
        )  # fmt: skip
        assert json.loads(body)["retcode"] == "0"
        p.wait_for(r"sendmessage -> 200 retcode 0 success")
        p.wait_for(r"data: callid=har-call to=har-user .*'Try our sandbox'")
        curl(f"{gw}/onlineagent/101/logout", "-X", "DELETE", "-H", f"Guid: {guid}")
        p.wait_for(r"DELETE /agentgateway/resource/onlineagent/101/logout -> 200 retcode 0")
        p.p.send_signal(signal.SIGINT)
        p.wait_for("proxy stopped")
        assert p.p.wait(10) == 0
    finally:
        p.close()
    assert "Traceback" not in "".join(p.seen)
    assert validate(har_validate, har) == "valid"
    text = har.read_text()
    assert guid not in text and guid[:-16] not in text
    entries = json.loads(text)["log"]["entries"]
    assert [e["request"]["method"] for e in entries] == ["PUT", "POST", "DELETE"]
    sign_in, send, _ = entries
    assert json.loads(sign_in["request"]["postData"]["text"])["password"] == PASSWORD_PLACEHOLDER
    answer_headers = {h["name"].lower(): h["value"] for h in sign_in["response"]["headers"]}
    assert answer_headers["set-guid"] == SET_GUID_PLACEHOLDER
    assert {"name": "Guid", "value": GUID_PLACEHOLDER} in send["request"]["headers"]  # as sent
    assert {"name": "Host", "value": sandbox_proc.removeprefix("http://")} in send["request"][
        "headers"
    ]
    assert send["request"]["postData"]["text"] == sent  # the body exactly as sent
    assert (
        send["request"]["url"] == f"{sandbox_proc}/agentgateway/resource/mediacall/101/sendmessage"
    )
    records = [json.loads(line) for line in log.read_text().splitlines()]
    assert [r["interface"] for r in records] == ["sign-in", "sendmessage", "sign-out"]
    assert records[1]["retcode"] == "0" and records[1]["data"]["content"] == "Try our sandbox"
    assert guid not in log.read_text()


def test_a_killed_proxy_leaves_a_valid_har(
    sandbox_proc: str, tmp_path: Path, har_validate: Path
) -> None:
    har = tmp_path / "killed.har"
    p = Proc(
        ["proxy", "--upstream", sandbox_proc, "--port", "0", "--har", str(har)], dict(os.environ)
    )
    try:
        url = p.wait_for(r"proxy on (http://127\.0\.0\.1:\d+) -> ")[1]
        for _ in range(5):
            curl(f"{url}/sandbox/health")
        p.wait_for(r"GET /sandbox/health -> 200")
        p.p.kill()
        p.p.wait(10)
    finally:
        p.close()
    assert validate(har_validate, har) == "valid"
    assert len(json.loads(har.read_text())["log"]["entries"]) >= 1


def test_the_validator_can_fail(tmp_path: Path, har_validate: Path) -> None:
    bad = tmp_path / "bad.har"
    bad.write_text(json.dumps({"log": {"version": "1.2", "entries": [{"request": {}}]}}))
    assert validate(har_validate, bad) != "valid"


@pytest.mark.parametrize(
    ("args", "code", "says"),
    [
        (["--upstream", "http://127.0.0.1:{dead}"], 1, "cannot connect to the upstream"),
        (["--upstream", "gateway.example:8043"], 2, "must start with https:// or http://"),
        (["--upstream", "http://127.0.0.1:1", "--cacert", "/no/such.pem"], 2, "--cacert"),
        (["--upstream", "http://127.0.0.1:1", "--har", "/no/such/dir/x.har"], 2, "does not exist"),
    ],
)
def test_bad_input_is_one_line_and_a_non_zero_exit(args: list[str], code: int, says: str) -> None:
    dead = free_port()
    argv = [a.format(dead=dead) for a in args]
    proc = subprocess.run([*COMMAND, "proxy", *argv], capture_output=True, text=True, timeout=60)
    assert proc.returncode == code
    assert proc.stdout == ""
    lines = proc.stderr.splitlines()
    assert len(lines) == 1 and says in lines[0] and "Traceback" not in proc.stderr


def test_a_busy_port_is_one_line(sandbox_proc: str) -> None:
    port = re.search(r":(\d+)$", sandbox_proc)[1]  # type: ignore[index]
    argv = ["proxy", "--upstream", sandbox_proc, "--port", port]
    proc = subprocess.run([*COMMAND, *argv], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 1
    assert proc.stderr.splitlines() == [
        f"sendmessage-kit proxy: cannot listen on 127.0.0.1:{port} (Address already in use); "
        "pick another --port"
    ]
