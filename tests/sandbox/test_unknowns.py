"""The vendor's unknowns (KB = 1000 or 1024 bytes, what the size counts, the agent-ID range) are
settings of the sandbox (flags, `start()` arguments, `/sandbox/health`) read the same way as by
`check` and the client (issue 13 §5)."""

from __future__ import annotations

import uuid
from typing import Any

import httpx2
import pytest

from sendmessage_kit import sandbox
from sendmessage_kit.client import GatewayClient
from sendmessage_kit.errors import GatewayError, PayloadError
from sendmessage_kit.models import new_message
from sendmessage_kit.sandbox import Sandbox
from sendmessage_kit.settings import KitSettings
from tests.sandbox.test_cli import Proc, start_cli


def _health(base_url: str) -> dict[str, Any]:
    with httpx2.Client(base_url=base_url, trust_env=False) as http:
        return dict(http.get("/sandbox/health").json()["config"])


def test_start_arguments_are_shown_by_health(tmp_path: Any) -> None:
    with sandbox.start(
        http=True,
        data_dir=tmp_path,
        bytes_per_kb=1024,
        size_counts="data",
        agent_id_range=(101, 999999),
    ) as sb:
        config = _health(sb.base_url)
    assert (config["bytesPerKb"], config["sizeCounts"], config["agentIdRange"]) == (
        1024,
        "data",
        [101, 999999],
    )


def test_bad_settings_are_refused_naming_them() -> None:
    with pytest.raises(ValueError, match="bytes_per_kb must be 1000 or 1024"):
        sandbox.SandboxConfig(bytes_per_kb=1023)
    with pytest.raises(ValueError, match="size_counts must be content or data"):
        sandbox.SandboxConfig(size_counts="body")


def test_cli_flags_are_shown_by_health(procs: list[Proc], env: dict[str, str]) -> None:
    args = ["--http", "--port", "0", "--db", ":memory:"]
    args += ["--kb", "1024", "--counts", "data", "--agent-id-range", "101-999999"]
    _, url = start_cli(procs, args, env)
    config = _health(url)
    assert (config["bytesPerKb"], config["sizeCounts"], config["agentIdRange"]) == (
        1024,
        "data",
        [101, 999999],
    )


def _client(sb: Sandbox, **settings: Any) -> GatewayClient:
    s = KitSettings(base_url=sb.base_url, password="sandbox", phonenum="88880001", **settings)
    return GatewayClient(settings=s, history=False)


@pytest.mark.parametrize(("kb", "fits"), [(1000, False), (1024, True)])
def test_client_and_sandbox_read_the_kb_alike(make_sandbox: Any, kb: int, fits: bool) -> None:
    sb = make_sandbox(bytes_per_kb=kb)
    user = "u" + uuid.uuid4().hex[:10]
    message = new_message(to=user, content="a" * 1945)  # under 1946 (1024), not under 1900
    with _client(sb, agent_id="101", bytes_per_kb=kb) as client:
        client.sign_in()
        if fits:
            assert client.send_message("call-kb", message).retcode == "0"
        else:
            with pytest.raises(PayloadError, match=r"1 KB = 1000 bytes"):
                client.send_message("call-kb", message)
            with pytest.raises(GatewayError) as refused:  # unchecked: the sandbox says the same
                client.send_message("call-kb", message, check=False)
            assert refused.value.retcode == sb.config.oversize_retcode


def test_client_and_sandbox_share_a_wider_agent_id_range(make_sandbox: Any) -> None:
    sb = make_sandbox(agent_id_range=(101, 999999))
    with _client(sb, agent_id="600000", agent_id_range="101-999999") as client:
        client.sign_in()
        sent = client.send_message("call-range", new_message(to="u-range", content="hi"))
        assert sent.retcode == "0"
    with _client(sb, agent_id="600000") as narrow:  # default 101-59999: refused before sending
        with pytest.raises(PayloadError, match="agent"):
            narrow.send_message("call-range", new_message(to="u-range", content="hi"))


@pytest.mark.parametrize(("kb", "status"), [(1000, 400), (1024, 200)])
def test_customer_text_limit_uses_the_same_kb(make_sandbox: Any, kb: int, status: int) -> None:
    sb = make_sandbox(bytes_per_kb=kb)
    with httpx2.Client(base_url=sb.base_url, trust_env=False) as http:
        chat = http.post("/sandbox/chats", json={"channel": "WEB", "userId": "u-kb"}).json()
        wrote = http.post(f"/sandbox/chats/{chat['callid']}/messages", json={"content": "a" * 1024})
    assert wrote.status_code == status, wrote.text
    if status == 400:
        assert "1000 UTF-8 bytes" in wrote.text
