"""The customer's side: chats, agent events, the web channel's token and poll, strict calls."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from sendmessage_kit import seed
from sendmessage_kit.sandbox import Sandbox
from tests.sandbox.conftest import Agent, body_for


def test_customer_opens_a_chat_and_writes_agent_gets_events(sandbox_http: Sandbox) -> None:
    a = Agent(sandbox_http, agent_id="3001")
    try:
        a.sign_in(force=True)
        with sandbox_http.customer() as customer:
            chat = customer.open_chat("WEB", "cust-3001", agent_id="3001")
            assert chat["agentId"] == "3001" and chat["callid"]
            customer.send(chat["callid"], "Hello, I need help")
        talking = a.poll().json()
        assert talking["retcode"] == "0"
        assert talking["event"]["eventType"] == "AgentEvent_Talking"
        assert talking["event"]["content"]["callid"] == chat["callid"]
        data = a.poll().json()["event"]
        assert data["eventType"] == "AgentEvent_MessageData" and data["workNo"] == "3001"
        content = data["content"]
        assert set(content) >= {
            "callid",
            "caller",
            "called",
            "feature",
            "type",
            "message",
            "mediaAbility",
        }
        assert content["message"] == "Hello, I need help" and content["caller"] == "cust-3001"
        # the agent answers in that chat; the customer reads it
        assert a.send(body_for("How can I help?", to="cust-3001", callid=chat["callid"])) == {
            "message": "success",
            "retcode": "0",
        }
        with sandbox_http.customer() as customer:
            messages, cursor = customer.messages("cust-3001")
            assert [m.content for m in messages] == ["How can I help?"]
            assert customer.messages("cust-3001", after=cursor) == ([], cursor)
    finally:
        a.close()


def test_empty_poll_answers_no_event_after_the_wait(make_sandbox: Callable[..., Sandbox]) -> None:
    sb = make_sandbox(poll_wait=0.3)
    a = Agent(sb)
    try:
        a.sign_in()
        r = a.poll()
        assert r.json() == {"message": "", "retcode": "0", "event": None}
        assert r.elapsed.total_seconds() >= 0.25
    finally:
        a.close()


def test_stop_answers_a_held_poll_at_once(make_sandbox: Callable[..., Sandbox]) -> None:
    import threading
    import time

    sb = make_sandbox(poll_wait=30)
    a = Agent(sb)
    a.sign_in()
    got: list[int] = []
    t = threading.Thread(target=lambda: got.append(a.poll().status_code))
    t.start()
    time.sleep(0.3)
    started = time.monotonic()
    sb.stop()
    t.join(10)
    a.close()
    assert got == [200] and time.monotonic() - started < 5


def test_customer_errors_are_clear(sandbox_http: Sandbox) -> None:
    with sandbox_http.customer() as customer:
        with pytest.raises(ValueError, match="404"):
            customer.send("no-such-call", "hi")
        chat = customer.open_chat("WEB", "cust-long")
        with pytest.raises(ValueError, match="1 KB"):
            customer.send(chat["callid"], "x" * 1025)


def test_web_channel_token_and_poll(agent: Agent) -> None:
    http = agent.http
    user = f"web-{agent.agent_id}"
    denied = http.get("/apiaccess/ccmessaging/poll", params={"receiverId": user, "channel": "WEB"})
    assert denied.json()["resultCode"] == "160028"
    token = http.post(
        "/apiaccess/ccmessaging/applyToken",
        json={"userId": user, "userName": "Web user", "channelId": seed.CHANNEL_ID},
    ).json()
    assert token["resultCode"] == "0"
    headers = {"ccmessaging-token": token["token"]}
    params = {"receiverId": user, "channel": "WEB"}
    assert agent.send(body_for("x" * 600, to=user))["retcode"] == "0"
    assert agent.send(body_for("on SMS", to=user, channel="SMS"))["retcode"] == "0"
    polled = http.get("/apiaccess/ccmessaging/poll", params=params, headers=headers).json()
    assert polled["resultCode"] == "0"
    [msg] = polled["downlinkMessages"]
    assert msg["sourceType"] == "AGENT" and msg["controlType"] == "CHAT"
    assert len(msg["content"]) == 500  # the web poll's limit
    assert msg["from"] == seed.CHANNEL_ID and msg["to"] == user and msg["messageCode"]
    again = http.get("/apiaccess/ccmessaging/poll", params=params, headers=headers).json()
    assert again["downlinkMessages"] == []


def test_strict_calls_need_a_chat_opened_by_a_customer(
    make_sandbox: Callable[..., Sandbox],
) -> None:
    sb = make_sandbox(strict_calls=True)
    a = Agent(sb)
    try:
        a.sign_in()
        answer = a.send(body_for("to nobody", callid=seed.CALLID))
        assert answer["retcode"] == "000-002" and "callid" in answer["message"]
        assert sb.app is not None and sb.app.store.count() == 0
        with sb.customer() as customer:
            chat = customer.open_chat("WEB", "strict-user")
            other = customer.open_chat("WEB", "strict-user-2", agent_id="102")
        assert a.send(body_for("hi", to="strict-user", callid=chat["callid"]))["retcode"] == "0"
        assert a.send(body_for("no", callid=other["callid"]))["retcode"] == "000-002"
    finally:
        a.close()


def test_customer_is_shared_attribute_and_callable_for_an_own_client(
    make_sandbox: Callable[..., Sandbox],
) -> None:
    sb = make_sandbox()
    assert sb.customer is sb.customer
    chat = sb.customer.open_chat(channel="WEB", user_id="shared-user")
    with sb.customer() as own:
        assert own is not sb.customer
        assert own.send(chat["callid"], "hi")["callid"] == chat["callid"]


@pytest.mark.parametrize(
    ("path", "body", "status", "detail"),
    [
        ("/sandbox/chats", {"userId": "u", "agentId": "60000"}, 400, "agentId must be in"),
        ("/sandbox/chats/no-such-call/messages", {"content": "hi"}, 404, "no chat"),
    ],
    ids=["agent-out-of-range", "unknown-chat"],
)
def test_customer_side_refusals_say_why(
    sandbox_http: Sandbox, path: str, body: dict[str, str], status: int, detail: str
) -> None:
    with sandbox_http.http_client() as c:
        r = c.post(path, json=body)
    assert r.status_code == status and detail in r.json()["detail"]


def test_customer_text_over_1_kb_is_refused(sandbox_http: Sandbox) -> None:
    with sandbox_http.customer() as customer:
        chat = customer.open_chat("WEB", "cust-1kb")
        with pytest.raises(ValueError, match="400 a customer's text is at most 1 KB"):
            customer.send(chat["callid"], "é" * 501)  # 1,002 bytes (1 KB = 1000 by default)
        assert customer.send(chat["callid"], "é" * 500)["messageCode"]  # 1,000 bytes
