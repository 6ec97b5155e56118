"""The whole flow over real sockets, HTTP and HTTPS: sign in, send, see the message arrive."""

from __future__ import annotations

import ssl

import httpx2
import pytest

from sendmessage_kit import seed
from sendmessage_kit.sandbox import Sandbox
from tests.conftest import SEED_BODY
from tests.sandbox.conftest import SEED_USER, Agent, body_for


@pytest.fixture(params=["http", "https"])
def any_sandbox(request: pytest.FixtureRequest) -> Sandbox:
    sb: Sandbox = request.getfixturevalue(f"sandbox_{request.param}")
    return sb


def test_seed_body_is_sent_and_reaches_the_customer(any_sandbox: Sandbox) -> None:
    agent = Agent(any_sandbox, agent_id="4711")
    try:
        signed = agent.sign_in(force=True)
        assert signed["retcode"] == "0" and signed["result"]["workno"] == "4711"
        assert agent.guid and agent.guid.endswith(".AgentGateway0")
        assert agent.send(SEED_BODY) == {"message": "success", "retcode": "0"}
        seen = all_messages(agent)
        sent = [m for m in seen if m["messageCode"] == seed.MESSAGE_CODE]
        assert [m["content"] for m in sent] == ["<p>Message sent by the agent</p>"]
        new = body_for("flow " + any_sandbox.base_url)
        assert agent.send(new)["retcode"] == "0"
        last = agent.messages(after=str(seen[-1]["seq"]))["messages"]
        assert [m["content"] for m in last] == ["flow " + any_sandbox.base_url]
        assert last[0]["channel"] == "WEB" and last[0]["mediaType"] == "TEXT"
        assert last[0]["time"].endswith("+00:00")
    finally:
        agent.close()


def all_messages(agent: Agent, user: str = SEED_USER) -> list[dict[str, object]]:
    out: list[dict[str, object]] = []
    cursor = None
    while True:
        page = agent.messages(user, after=cursor)
        if not page["messages"]:
            return out
        out += page["messages"]
        cursor = page["cursor"]


def test_https_is_refused_without_the_sandbox_ca(sandbox_https: Sandbox) -> None:
    with httpx2.Client(verify=ssl.create_default_context()) as client:
        with pytest.raises(httpx2.ConnectError):
            client.get(sandbox_https.base_url + "/sandbox/health")
    assert sandbox_https.ca_path is not None
    with httpx2.Client(verify=sandbox_https.ssl_context()) as client:
        assert client.get(sandbox_https.base_url + "/sandbox/health").json()["status"] == "ok"


def test_messages_cursor_pages_oldest_first(agent: Agent) -> None:
    user = f"cursor-{agent.agent_id}"
    for i in range(3):
        assert agent.send(body_for(f"m{i}", to=user))["retcode"] == "0"
    first = agent.messages(user)
    assert [m["content"] for m in first["messages"]] == ["m0", "m1", "m2"]
    assert agent.messages(user, after=first["cursor"]) == {
        "userId": user,
        "messages": [],
        "cursor": first["cursor"],
    }


def test_health_reports_the_settings(sandbox_http: Sandbox) -> None:
    with sandbox_http.http_client() as c:
        health = c.get("/sandbox/health").json()
    assert health["status"] == "ok"
    assert health["config"]["secmode"] == 1 and health["config"]["http"] is True
    assert health["demoAgent"] == {"agentId": "101", "phonenum": "88880001"}
    assert SEED_USER not in str(health)
