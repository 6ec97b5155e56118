"""Browser mode: the sandbox served in-process, clients without sockets, polling as tasks.

The tests run on CPython with `sys.platform` reading "emscripten" (what Pyodide reports), inside
a running event loop as a notebook cell is; the Try-it browser test (tests/docs) runs the same
code in Pyodide.
"""

from __future__ import annotations

import asyncio
import socket
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from sendmessage_kit import new_message, open_target, sandbox
from sendmessage_kit._browser import BASE_URL, in_browser
from sendmessage_kit.events import EventPoller
from sendmessage_kit.sandbox.page import PageSandbox
from sendmessage_kit.widgets import ConversationView


@pytest.fixture
def page(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    """Browser mode; any name resolved or connection opened fails the test."""
    monkeypatch.setenv("SENDMESSAGE_KIT_HISTORY_PATH", str(tmp_path / "history.sqlite3"))

    def no_network(*args: object, **kwargs: object) -> None:
        raise AssertionError("the network was used in browser mode")

    monkeypatch.setattr(sys, "platform", "emscripten")
    monkeypatch.setattr(socket, "getaddrinfo", no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)
    assert in_browser()
    yield


async def test_start_serves_in_page_and_open_target_sends_without_sockets(page: None) -> None:
    sb = sandbox.start()
    assert isinstance(sb, PageSandbox)
    assert sb.base_url == BASE_URL and sb.running
    with open_target(sandbox=sb) as target:
        chat = sb.customer.open_chat("WEB", "c-1")
        result = target.client.send_message(chat["callid"], new_message(to="c-1", content="hi"))
        assert result.retcode == "0"
        messages, _ = sb.customer.messages("c-1")
        assert [m.content for m in messages] == ["hi"]
        assert sb.faults.get()["active"] is False
    sb.stop()
    assert not sb.running
    sb.stop()  # idempotent


async def test_open_target_starts_and_stops_its_page_sandbox(page: None) -> None:
    target = open_target()
    assert isinstance(target.sandbox, PageSandbox) and target.owns_sandbox
    target.close()
    assert not target.sandbox.running


async def test_the_callers_running_loop_is_restored_after_each_request(page: None) -> None:
    outer = asyncio.get_running_loop()
    with open_target() as target:
        target.client.poll_event()
        assert asyncio.get_running_loop() is outer
        await asyncio.sleep(0)  # the outer loop still runs its tasks


async def test_conversation_polls_as_tasks_in_a_page(page: None) -> None:
    with open_target() as target:
        assert target.sandbox is not None
        view = ConversationView(target.sandbox, channel="WEB", user_id="c-2", agent=target.client)
        view.start(interval=0.01)
        assert view._tasks and not view._threads
        target.client.send_message(view.callid, new_message(to="c-2", content="polled"))
        for _ in range(200):
            await asyncio.sleep(0.01)
            if view.messages and view.event_sentences():
                break
        assert [b.content for b in view.messages] == ["polled"]
        assert view.event_sentences()  # the agent's event of the chat opened, by the task
        tasks = list(view._tasks)
        view.stop()
        await asyncio.sleep(0)
        assert all(t.cancelled() or t.done() for t in tasks)


async def test_clients_made_for_a_page_sandbox_talk_in_process(page: None) -> None:
    from sendmessage_kit import AsyncGatewayClient, GatewayClient

    sb = sandbox.start()
    chat = sb.customer.open_chat("WEB", "c-5")
    with GatewayClient.for_sandbox(sb) as client:
        assert client.send_message(chat["callid"], new_message(to="c-5", content="a")).ok
    async with await AsyncGatewayClient.for_sandbox(sb) as aclient:
        sent = await aclient.send_message(chat["callid"], new_message(to="c-5", content="b"))
        assert sent.ok
    messages, _ = sb.customer.messages("c-5")
    assert [m.content for m in messages] == ["a", "b"]
    sb.stop()


async def test_event_poller_runs_as_a_task_in_a_page(page: None) -> None:
    with open_target() as target:
        assert target.sandbox is not None
        target.sandbox.customer.open_chat("WEB", "c-3")
        poller = EventPoller(target.client, interval=0.01).start()
        assert poller._task is not None and poller._thread is None
        for _ in range(200):
            await asyncio.sleep(0.01)
            if poller.events:
                break
        poller.stop()
        assert poller.events[0]["eventType"] == "AgentEvent_Talking"


def test_a_stopped_page_sandbox_refuses_requests() -> None:
    from sendmessage_kit.sandbox import SandboxConfig
    from sendmessage_kit.sandbox.page import serve_in_page

    sb = serve_in_page(SandboxConfig())
    customer = sb.customer()
    sb.stop()
    with pytest.raises(Exception, match="in-page sandbox is stopped"):
        customer.open_chat("WEB", "c-4")


async def test_a_scenario_plays_as_a_task_in_a_page(page: None) -> None:
    from sendmessage_kit.widgets import presenter

    scenario = Path(__file__).resolve().parents[2] / "examples/scenarios/order-shipped.yaml"
    view = presenter(scenario=scenario, auto=True, history=False)
    run = view.scenario_run
    ticks = iter(range(10_000))
    run.clock = lambda: float(next(ticks))  # each look is a second later: no real waiting
    try:
        assert run._task is not None and run._thread is None
        assert await run.until_done(20)
        assert [line.split(":")[0] for line in run.log] == [
            "agent",
            "customer",
            "agent",
            "customer",
            "agent",
        ]
        await asyncio.sleep(0.3)
        assert run._task.done()  # the player's task ends with the scenario
    finally:
        view.close()
