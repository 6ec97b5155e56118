"""One chat, both directions, pushed as it happens: `/sandbox/chats/{callid}/stream` (SSE)."""

from __future__ import annotations

import queue
import threading
import time
import uuid
from collections.abc import Callable, Iterator

import pytest

from sendmessage_kit.customer_message import CustomerMessage
from sendmessage_kit.sandbox import Sandbox
from tests.sandbox.conftest import Agent, body_for


def _user() -> str:
    return f"live-{uuid.uuid4().hex[:8]}"


class Reader:
    """Reads a chat's stream in a thread; what arrives goes on a queue (None: the stream ended)."""

    def __init__(self, sb: Sandbox, callid: str, after: str | None = None) -> None:
        self.client = sb.customer()
        self.got: queue.Queue[CustomerMessage | None] = queue.Queue()
        self.thread = threading.Thread(target=self._read, args=(callid, after), daemon=True)
        self.thread.start()

    def _read(self, callid: str, after: str | None) -> None:
        try:
            for m in self.client.stream(callid, after):
                self.got.put(m)
        except Exception:  # the connection closed under it: the test sees the end
            pass
        self.got.put(None)

    def next(self, timeout: float = 5.0) -> CustomerMessage | None:
        return self.got.get(timeout=timeout)

    def close(self) -> None:
        self.client.close()


@pytest.fixture
def reader(sandbox_http: Sandbox) -> Iterator[Callable[..., Reader]]:
    made: list[Reader] = []

    def make(callid: str, after: str | None = None) -> Reader:
        r = Reader(sandbox_http, callid, after)
        made.append(r)
        return r

    yield make
    for r in made:
        r.close()


def test_stream_gives_history_then_both_directions_live(
    sandbox_http: Sandbox, agent: Agent, reader: Callable[..., Reader]
) -> None:
    user = _user()
    customer = sandbox_http.customer
    chat = customer.open_chat("WHATSAPP", user, agent_id=agent.agent_id)
    callid = chat["callid"]
    customer.send(callid, "first, before the stream")
    r = reader(callid)
    first = r.next()
    assert first is not None and first.content == "first, before the stream"
    assert first.direction == "customer"
    t0 = time.perf_counter()
    assert (
        agent.send(body_for("Your order shipped", to=user, callid=callid, channel="WHATSAPP"))[
            "retcode"
        ]
        == "0"
    )
    pushed = r.next()
    assert pushed is not None and pushed.direction == "agent"
    assert pushed.content == "Your order shipped" and pushed.seq > first.seq
    assert time.perf_counter() - t0 < 2.0
    customer.send(callid, "thanks", message_code="page-code-0001")
    mine = r.next()
    assert mine is not None and mine.messageCode == "page-code-0001"
    # the same code again (a retry after a lost answer) is stored and shown once
    customer.send(callid, "thanks", message_code="page-code-0001")
    listed, _ = customer.chat_messages(callid)
    assert [m.content for m in listed] == [
        "first, before the stream",
        "Your order shipped",
        "thanks",
    ]
    # another chat's message does not reach this stream
    other = customer.open_chat("WHATSAPP", _user(), agent_id=agent.agent_id)
    customer.send(other["callid"], "someone else")
    with pytest.raises(queue.Empty):
        r.next(timeout=0.3)


def test_web_channel_cut_is_marked(
    sandbox_http: Sandbox, agent: Agent, reader: Callable[..., Reader]
) -> None:
    user = _user()
    chat = sandbox_http.customer.open_chat("WEB", user, agent_id=agent.agent_id)
    long = "word " * 134  # 670 characters
    agent.send(body_for(long, to=user, callid=chat["callid"], channel="WEB"))
    got = reader(chat["callid"]).next()
    cut = sandbox_http.config.web_poll_chars
    assert got is not None and got.truncated and got.content == long[:cut]
    short, _ = sandbox_http.customer.chat_messages(chat["callid"])
    assert short[0].truncated


def test_join_gives_the_open_chat_of_the_channel(sandbox_http: Sandbox, agent: Agent) -> None:
    user = _user()
    customer = sandbox_http.customer
    web = customer.open_chat("WEB", user, agent_id=agent.agent_id)
    assert customer.open_chat("WEB", user, join=True)["callid"] == web["callid"]
    wa = customer.open_chat("WHATSAPP", user, join=True)  # none open on WhatsApp: a new one
    assert wa["callid"] != web["callid"]
    assert customer.open_chat("WHATSAPP", user, join=True)["callid"] == wa["callid"]


def test_stream_of_unknown_chat_is_404(sandbox_http: Sandbox) -> None:
    with pytest.raises(ValueError, match="404"):
        next(iter(sandbox_http.customer.stream("no-such-chat")))


def test_stopping_the_sandbox_ends_its_streams(make_sandbox: Callable[..., Sandbox]) -> None:
    sb = make_sandbox()
    chat = sb.customer.open_chat("WEB", _user())
    r = Reader(sb, chat["callid"])
    try:
        deadline = time.monotonic() + 5
        while sb.app is not None and not sb.app.sandbox.feed.subscribers(chat["callid"]):
            assert time.monotonic() < deadline
            time.sleep(0.02)
        t0 = time.perf_counter()
        sb.stop()
        assert time.perf_counter() - t0 < 2.0
        assert r.next() is None
    finally:
        r.close()


def test_lan_mode_lets_a_page_stream_its_own_chat_only() -> None:
    from tests.sandbox.test_lan import Room

    room = Room()
    try:
        token = room.link("u1", "WEB")
        headers = {"X-Webchat-Token": token}
        mine = room.call(
            "phone",
            "POST",
            "/sandbox/chats",
            json={"userId": "u1", "channel": "WEB"},
            headers=headers,
        ).json()["callid"]
        theirs = room.call(
            "here", "POST", "/sandbox/chats", json={"userId": "u2", "channel": "WEB"}
        ).json()["callid"]
        room.call(
            "phone",
            "POST",
            f"/sandbox/chats/{mine}/messages",
            json={"content": "hi"},
            headers=headers,
        )
        for callid, params in ((mine, {}), (theirs, {"token": token}), (mine, {"token": "guess"})):
            r = room.call("phone", "GET", f"/sandbox/chats/{callid}/stream", params=params)
            assert r.status_code == 403, (callid, params)
        room.app.sandbox.feed.close()  # held streams end: this one answers its history, then ends
        ok = room.call("phone", "GET", f"/sandbox/chats/{mine}/stream", params={"token": token})
        assert ok.status_code == 200 and "text/event-stream" in ok.headers["content-type"]
        assert '"content":"hi"' in ok.text.replace(" ", "")
    finally:
        room.close()


def test_a_reconnect_resumes_after_its_last_event_id_and_ignores_an_id_not_issued(
    sandbox_http: Sandbox, agent: Agent
) -> None:
    import httpx2

    customer = sandbox_http.customer
    chat = customer.open_chat("WHATSAPP", _user(), agent_id=agent.agent_id)
    callid = chat["callid"]
    customer.send(callid, "one")
    customer.send(callid, "two")
    first, _ = customer.chat_messages(callid)

    def first_content(last_event_id: str) -> tuple[int, str]:
        url = f"{sandbox_http.base_url}/sandbox/chats/{callid}/stream"
        headers = {"Last-Event-ID": last_event_id.encode()}
        with httpx2.stream("GET", url, headers=headers, timeout=5.0) as response:
            for line in response.iter_lines():
                if line.startswith("data:"):
                    return response.status_code, CustomerMessage.model_validate_json(
                        line[5:].strip()
                    ).content
        raise AssertionError("the stream ended without an event")

    assert first_content(str(first[0].seq)) == (200, "two")  # a browser's reconnect
    for not_ours in ("null", "-1", "1e3", "9" * 19, "١"):  # none of them an id it sent
        assert first_content(not_ours) == (200, "one")
