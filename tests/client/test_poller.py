"""The event poller: the back-off starts over after an answer; a failing `on_event` is recorded
and polling goes on (the heartbeat must not die with a bug in a callback)."""

from __future__ import annotations

import logging
import threading
import uuid
from typing import Any

import pytest

from sendmessage_kit import ConnectError
from sendmessage_kit.client import EventPoller, GatewayClient


class _Scripted:
    """A client whose polls answer from a script: an exception is raised, anything else returned."""

    def __init__(self, script: list[Any]) -> None:
        self.script = script

    def poll_event(self) -> Any:
        step = self.script.pop(0)
        if isinstance(step, Exception):
            raise step
        return step


class _Waits:
    """The poller's stop event, stood in for: records each wait, returns at once, ends the run."""

    def __init__(self, client: _Scripted) -> None:
        self.client = client
        self.waits: list[float] = []
        self.done = False

    def wait(self, seconds: float) -> bool:
        self.waits.append(seconds)
        self.done = not self.client.script
        return self.done

    def is_set(self) -> bool:
        return self.done

    def set(self) -> None:
        self.done = True


def test_back_off_doubles_and_starts_over_after_an_answer() -> None:
    down = ConnectError("gateway down")
    client = _Scripted([down, down, down, None, down, {"eventType": "X"}, down])
    poller = EventPoller(client, interval=0.1)  # type: ignore[arg-type]
    poller._stop = waits = _Waits(client)  # type: ignore[assignment]
    poller._run()
    assert waits.waits == pytest.approx([0.2, 0.4, 0.8, 0.1, 0.2, 0.1, 0.2])
    assert (poller.polls, len(poller.errors), poller.failures_in_a_row) == (2, 5, 1)


def test_back_off_is_capped() -> None:
    client = _Scripted([ConnectError("down")] * 10)
    poller = EventPoller(client, interval=0.3)  # type: ignore[arg-type]
    poller._stop = waits = _Waits(client)  # type: ignore[assignment]
    poller._run()
    assert max(waits.waits) == 5.0


def test_an_unexpected_exception_is_recorded_and_polling_goes_on() -> None:
    client = _Scripted([KeyError("retcode"), None])
    poller = EventPoller(client, interval=0.1)  # type: ignore[arg-type]
    poller._stop = _Waits(client)  # type: ignore[assignment]
    poller._run()
    assert isinstance(poller.errors[0], KeyError) and poller.polls == 1


def test_a_failing_on_event_is_recorded_and_the_thread_keeps_polling(
    gw: Any, caplog: pytest.LogCaptureFixture
) -> None:
    agent = str(40000 + uuid.uuid4().int % 9000)
    calls: list[str] = []
    second = threading.Event()

    def on_event(event: dict[str, Any]) -> None:
        calls.append(event["eventType"])
        if len(calls) == 1:
            raise ValueError("a bug in the notebook's callback")
        second.set()

    with GatewayClient.for_sandbox(gw, agent_id=agent, history=False) as client:
        with EventPoller(client, on_event=on_event, interval=0.05) as poller:
            for user in ("poller-a", "poller-b"):
                gw.customer.open_chat("WEB", f"{user}-{agent}", agent_id=agent)
            assert second.wait(15), "the poller died with the callback"
            assert poller._thread is not None and poller._thread.is_alive()
        assert calls == ["AgentEvent_Talking", "AgentEvent_Talking"]
        assert [str(e) for e in poller.callback_errors] == ["a bug in the notebook's callback"]
        assert not poller.errors
    [record] = [r for r in caplog.records if r.name == "sendmessage_kit.events"]
    assert record.levelno == logging.ERROR and "on_event raised" in record.getMessage()
