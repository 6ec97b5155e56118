"""Sign-in, 100-002 and forcelogin, sign-out, idle sign-out, and Guid rotation (auth mode 2)."""

from __future__ import annotations

import json
from collections.abc import Callable

from sendmessage_kit.sandbox import ManualClock, Sandbox
from tests.sandbox.conftest import Agent, body_for


def test_wrong_password_is_100_004(sandbox_http: Sandbox) -> None:
    a = Agent(sandbox_http, agent_id="555")
    try:
        answer = a.sign_in(password="not-the-password")
        assert answer["retcode"] == "100-004" and a.guid is None
    finally:
        a.close()


def test_second_sign_in_is_100_002_and_forcelogin_takes_over(sandbox_http: Sandbox) -> None:
    a = Agent(sandbox_http, agent_id="556")
    try:
        a.sign_in(force=True)
        first = a.guid
        assert a.sign_in()["retcode"] == "100-002"
        assert a.guid == first  # no Set-GUID on the refusal
        assert a.sign_in(force=True)["retcode"] == "0"
        assert a.guid != first
        assert a.send(body_for(), guid=first)["retcode"] == "100-006"
        assert a.send(body_for("after forcelogin"))["retcode"] == "0"
    finally:
        a.close()


def test_logout_then_the_guid_answers_100_006(sandbox_http: Sandbox) -> None:
    a = Agent(sandbox_http, agent_id="557")
    try:
        a.sign_in(force=True)
        path = f"/agentgateway/resource/onlineagent/{a.agent_id}/logout"
        r = a.http.delete(path, headers={"Guid": a.guid or ""})
        assert r.json()["retcode"] == "0"
        assert a.send(body_for())["retcode"] == "100-006"
        assert a.sign_in()["retcode"] == "0"  # no 100-002 after a sign-out
    finally:
        a.close()


def test_agents_file_restricts_who_signs_in(
    make_sandbox: Callable[..., Sandbox], tmp_path: object
) -> None:
    from pathlib import Path

    path = Path(str(tmp_path)) / "agents.json"
    path.write_text(json.dumps([{"agentId": "2001", "password": "pw-2001"}]))
    from sendmessage_kit.sandbox import load_agents

    sb = make_sandbox(agents=load_agents(path))
    assert sb.agent_id == "2001" and sb.password.get_secret_value() == "pw-2001"
    a, b = Agent(sb, agent_id="2001"), Agent(sb, agent_id="101")
    try:
        assert a.sign_in(password="sandbox")["retcode"] == "100-004"
        assert a.sign_in(password="pw-2001")["retcode"] == "0"
        assert b.sign_in(password="sandbox")["retcode"] == "100-004"
    finally:
        a.close()
        b.close()


def test_idle_agent_is_signed_out(make_sandbox: Callable[..., Sandbox]) -> None:
    clock = ManualClock()
    sb = make_sandbox(idle_timeout=120, poll_wait=0.05, clock=clock)
    a = Agent(sb)
    try:
        a.sign_in()
        for _ in range(4):  # polling keeps it signed in past the idle time
            clock.advance(100)
            assert a.poll().json()["retcode"] == "0"
        assert a.send(body_for("still here"))["retcode"] == "0"
        clock.advance(119)  # sending is no heartbeat, but 119 s is not yet idle
        assert a.send(body_for("just in time"))["retcode"] == "0"
        clock.advance(2)
        assert a.send(body_for("gone"))["retcode"] == "100-006"
        assert a.poll().json()["retcode"] == "100-006"
        assert a.sign_in()["retcode"] == "0"  # not 100-002: the idle session is gone
    finally:
        a.close()


def test_health_lists_signed_in_agents_after_some_idled_out(
    make_sandbox: Callable[..., Sandbox],
) -> None:
    # /sandbox/health signs out idle agents while listing them (attach_lab() reads it): found
    # when the suite first ran in random order, with the session sandbox's agents long idle.
    clock = ManualClock()
    sb = make_sandbox(idle_timeout=120, poll_wait=0.05, clock=clock)
    agents = [Agent(sb, agent_id=str(n)) for n in (2101, 2102, 2103)]
    try:
        for a in agents:
            a.sign_in()
        clock.advance(121)
        agents[0].sign_in()  # signed in again: the only live one
        with sb.http_client() as c:
            r = c.get("/sandbox/health")
        assert r.status_code == 200, r.text
        assert r.json()["signedIn"] == ["2101"]
    finally:
        for a in agents:
            a.close()


def test_auth_mode_1_keeps_the_sign_in_guid(make_sandbox: Callable[..., Sandbox]) -> None:
    clock = ManualClock()
    sb = make_sandbox(
        auth_mode=1, guid_interval=60, guid_timeout=120, idle_timeout=0, poll_wait=0.05, clock=clock
    )
    a = Agent(sb)
    try:
        a.sign_in()
        clock.advance(600)
        r = a.poll()
        assert "set-guid" not in r.headers
        assert a.send(body_for())["retcode"] == "0"
    finally:
        a.close()


def test_auth_mode_2_rotates_and_old_guid_expires(make_sandbox: Callable[..., Sandbox]) -> None:
    clock = ManualClock()
    sb = make_sandbox(auth_mode=2, guid_interval=60, guid_timeout=120, poll_wait=0.05, clock=clock)
    a = Agent(sb)
    try:
        a.sign_in()
        g1 = a.guid
        clock.advance(59)
        assert "set-guid" not in a.poll().headers  # before the interval: unchanged
        clock.advance(1)
        r = a.poll(g1)
        assert r.json()["retcode"] == "0"
        g2 = r.headers["set-guid"].removeprefix("JSESSIONID=")
        assert g2 != g1 and g2.endswith(".AgentGateway0")
        assert a.send(body_for("old guid, in time"), guid=g1)["retcode"] == "0"
        assert a.send(body_for("new guid"), guid=g2)["retcode"] == "0"
        clock.advance(59)  # g1 is 119 s old: still valid
        assert a.send(body_for("old guid, last second"), guid=g1)["retcode"] == "0"
        clock.advance(1)  # g1 is 120 s old: expired; g2 is 60 s old
        assert a.send(body_for("old guid, too late"), guid=g1)["retcode"] == "000-003"
        assert a.send(body_for("new guid, still in time"), guid=g2)["retcode"] == "0"
        r = a.poll(g2)  # g2 is due for rotation too
        assert r.headers["set-guid"] != f"JSESSIONID={g2}"
    finally:
        a.close()


def test_update_guid_returns_a_new_working_guid(agent: Agent) -> None:
    r = agent.http.put(
        f"/agentgateway/resource/onlineagent/{agent.agent_id}/updateGuid",
        headers={"Guid": agent.guid or ""},
    )
    new = r.json()["result"]["guid"]
    assert r.json()["retcode"] == "0" and new != agent.guid
    assert agent.send(body_for(), guid=new)["retcode"] == "0"
