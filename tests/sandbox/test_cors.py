"""`sandbox --cors ORIGIN`: off by default, loopback origins only, preflight and headers on
every path (the sendmessage hot path included) over real sockets.
"""

from __future__ import annotations

import subprocess

import httpx2
import pytest

from sendmessage_kit.sandbox import SandboxConfig, start
from tests.gateway_process import COMMAND, clean_env

ORIGIN = "http://127.0.0.1:18080"
SEND = "/agentgateway/resource/mediacall/101/sendmessage"
PREFLIGHT = {
    "Origin": ORIGIN,
    "Access-Control-Request-Method": "POST",
    "Access-Control-Request-Headers": "content-type,guid",
}


def test_a_loopback_origin_gets_preflight_and_headers_on_every_interface() -> None:
    with start(http=True, cors_origins=(ORIGIN,)) as sb, httpx2.Client(base_url=sb.base_url) as c:
        pre = c.options(SEND, headers=PREFLIGHT)
        assert pre.status_code == 200
        assert pre.headers["access-control-allow-origin"] == ORIGIN
        assert "POST" in pre.headers["access-control-allow-methods"]
        assert "Guid" in pre.headers["access-control-allow-headers"]
        signed = c.put(
            "/agentgateway/resource/onlineagent/101",
            json={"password": "sandbox", "phonenum": "88880001"},
            headers={"Origin": ORIGIN},
        )
        assert signed.headers["access-control-allow-origin"] == ORIGIN
        assert signed.headers["access-control-expose-headers"] == "Set-GUID"
        guid = signed.headers["set-guid"].removeprefix("JSESSIONID=")
        sent = c.post(SEND, content=b"{}", headers={"Origin": ORIGIN, "Guid": guid})
        assert sent.headers["access-control-allow-origin"] == ORIGIN  # the hot path too
        other = c.options(SEND, headers={**PREFLIGHT, "Origin": "http://127.0.0.1:9"})
        assert other.status_code == 400 and "access-control-allow-origin" not in other.headers


def test_off_by_default() -> None:
    with start(http=True) as sb, httpx2.Client(base_url=sb.base_url) as c:
        assert "access-control-allow-origin" not in c.options(SEND, headers=PREFLIGHT).headers
        health = c.get("/sandbox/health", headers={"Origin": ORIGIN})
        assert "access-control-allow-origin" not in health.headers
        assert health.json()["config"]["corsOrigins"] == []


@pytest.mark.parametrize(
    "origin", ["http://evil.example", "http://192.168.1.5:8080", "http://127.0.0.1:80/path", "*"]
)
def test_only_loopback_origins_are_accepted(origin: str) -> None:
    with pytest.raises(ValueError, match="loopback origins only"):
        SandboxConfig(cors_origins=(origin,))


def test_the_command_refuses_another_origin_in_one_line() -> None:
    done = subprocess.run(
        [*COMMAND, "sandbox", "--http", "--port", "0", "--cors", "http://evil.example"],
        capture_output=True,
        text=True,
        env=clean_env(),
        timeout=60,
    )
    assert done.returncode == 2
    [line] = done.stderr.strip().splitlines()
    assert line.startswith("sendmessage-kit sandbox: --cors 'http://evil.example': give a web")
