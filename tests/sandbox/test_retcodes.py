"""Each documented failure answers its retcode with HTTP 200, and stores nothing."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from sendmessage_kit.sandbox import Sandbox
from tests.sandbox.conftest import Agent, body_for

OVER_1_9_KB = "x" * 1900  # 1900 UTF-8 bytes: not under 1.9 KB (1900 bytes, 1000 per KB)


def _with_data(**changes: Any) -> dict[str, Any]:
    body = body_for("valid")
    data = json.loads(body["data"])
    data.update(changes)
    body["data"] = json.dumps(data)
    return body


CASES = [
    pytest.param({}, "000-003", id="missing-guid"),
    pytest.param(
        {"guid": "0b4e6f2a-0000-4000-8000-000000000000.AgentGateway0"}, "000-003", id="wrong-guid"
    ),
    pytest.param({"agent_id": "60000"}, "000-002", id="agent-60000"),
    pytest.param({"agent_id": "100"}, "000-002", id="agent-100"),
    pytest.param({"body": _with_data(channel="FAX")}, "000-002", id="invalid-data-channel"),
    pytest.param({"body": {"callid": "c1", "data": "{not json"}}, "000-002", id="data-not-json"),
    pytest.param({"body": b"{{{"}, "000-002", id="body-not-json"),
    pytest.param({"body": {"data": body_for()["data"]}}, "000-002", id="no-callid"),
    pytest.param({"body": _with_data(content="")}, "106-002", id="empty-content"),
    pytest.param({"body": _with_data(content="   ")}, "106-002", id="blank-content"),
    pytest.param({"body": _with_data(content=OVER_1_9_KB)}, "000-006", id="oversize-secmode-1"),
]


@pytest.mark.parametrize(("how", "retcode"), CASES)
def test_failure_answers_retcode_and_stores_nothing(
    agent: Agent, how: dict[str, Any], retcode: str
) -> None:
    store = agent.sb.app.store if agent.sb.app else None
    assert store is not None
    before = store.count()
    kw: dict[str, Any] = {}
    if "guid" in how or how == {}:
        kw["guid"] = how.get("guid", "")
    if "agent_id" in how:
        kw["agent_id"] = how["agent_id"]
    answer = agent.send(how.get("body", body_for("should not be stored")), **kw)
    assert answer["retcode"] == retcode, answer
    assert answer["message"]
    assert store.count() == before


def test_invalid_data_message_names_field_and_rule(agent: Agent) -> None:
    answer = agent.send(_with_data(channel="FAX"))
    assert "data.channel" in answer["message"] and "[data.channel.enum]" in answer["message"]


def test_content_just_under_the_budget_is_accepted(agent: Agent) -> None:
    assert agent.send(_with_data(content="x" * 1899, messageCode="under-1"))["retcode"] == "0"


def test_secmode_0_accepts_what_secmode_1_refuses(make_sandbox: Callable[..., Sandbox]) -> None:
    sb = make_sandbox(secmode=0, oversize_retcode="106-007")
    a = Agent(sb)
    try:
        a.sign_in()
        assert a.send(_with_data(content=OVER_1_9_KB))["retcode"] == "0"
        assert a.send(_with_data(content="x" * 3800))["retcode"] == "106-007"
    finally:
        a.close()


def test_other_agents_guid_is_refused(sandbox_http: Sandbox, agent: Agent) -> None:
    other = Agent(sandbox_http, agent_id="59999")
    try:
        other.sign_in(force=True)
        assert agent.send(body_for(), guid=other.guid)["retcode"] == "000-003"
        # the Guid of a signed-in agent, on the path of an agent that is not signed in
        assert agent.send(body_for(), guid=other.guid, agent_id="59998")["retcode"] == "100-006"
    finally:
        other.close()


def test_same_message_code_twice_is_stored_once_and_succeeds(agent: Agent) -> None:
    store = agent.sb.app.store if agent.sb.app else None
    assert store is not None
    body = body_for("twice", message_code=f"dup-{agent.agent_id}")
    assert agent.send(body)["retcode"] == "0"
    assert agent.send(body)["retcode"] == "0"
    assert store.count(message_code=f"dup-{agent.agent_id}") == 1


def test_superscript_digit_agent_id_is_000_002_not_500(agent: Agent) -> None:
    assert agent.send(body_for(), agent_id="10³")["retcode"] == "000-002"


def test_huge_cursor_is_refused_not_500(agent: Agent) -> None:
    r = agent.http.get("/sandbox/users/u/messages", params={"after": "9" * 25})
    assert r.status_code == 422
