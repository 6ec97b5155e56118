"""AUTHMODE 2: the client follows the rotated Guid; the event poller keeps the heartbeat.

The sandbox's timers run on a `ManualClock`: the tests move time instead of sleeping.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from typing import Any

import pytest

from sendmessage_kit.client import AsyncEventPoller, AsyncGatewayClient, EventPoller, GatewayClient
from sendmessage_kit.errors import SignedOutError
from sendmessage_kit.models import new_message
from sendmessage_kit.sandbox import ManualClock, Sandbox, SandboxConfig, serve


@pytest.fixture
def dynamic(tmp_path: Any) -> Iterator[tuple[Sandbox, ManualClock]]:
    """Dynamic authentication: a new Guid every 60 s, each valid 120 s; 120 s idle signs out."""
    clock = ManualClock()
    config = SandboxConfig(
        http=True,
        auth_mode=2,
        guid_interval=60,
        guid_timeout=120,
        idle_timeout=120,
        poll_wait=0.2,
        data_dir=tmp_path,
        clock=clock,
    )
    with serve(config) as sb:
        yield sb, clock


def _open_chat(sb: Sandbox, agent_id: str, user: str) -> None:
    with sb.http_client() as http:
        r = http.post(
            "/sandbox/chats", json={"channel": "WEB", "userId": user, "agentId": agent_id}
        )
        r.raise_for_status()


def test_poll_follows_set_guid_and_sending_keeps_working(
    dynamic: tuple[Sandbox, ManualClock],
) -> None:
    sb, clock = dynamic
    with GatewayClient.for_sandbox(sb, agent_id="301", history=False) as client:
        first = client.guid
        clock.advance(60)
        client.poll_event()
        assert client.guid is not None and first is not None
        assert client.guid.get_secret_value() != first.get_secret_value()
        clock.advance(60)  # the first Guid has expired by now; the new one has not
        result = client.send_message("c", new_message(to="dyn-user", content="x"))
        assert (result.ok, result.attempts) == (True, 1)


def test_without_polling_the_agent_is_signed_out_and_signs_in_again(
    dynamic: tuple[Sandbox, ManualClock],
) -> None:
    # A notebook left idle for three minutes: no heartbeat, so the gateway signed the agent out.
    sb, clock = dynamic
    with GatewayClient.for_sandbox(sb, agent_id="302", history=False) as client:
        guid = client.guid
        clock.advance(180)
        kw: dict[str, Any] = {"base_url": sb.base_url, "agent_id": "302", "history": False}
        with GatewayClient(guid=guid, **kw) as bare, pytest.raises(SignedOutError) as info:
            bare.send_message("c", new_message(to="dyn-user", content="x"))
        assert info.value.retcode == "100-006" and "SENDMESSAGE_KIT_PASSWORD" in str(info.value)
        message = new_message(to="dyn-user", content="after three idle minutes")
        result = client.send_message("c", message)  # holds the password: signs in again
        assert (result.ok, result.attempts) == (True, 2)
        assert client.guid is not None and guid is not None
        assert client.guid.get_secret_value() != guid.get_secret_value()
        stored = [(m.messageCode, m.content) for m in sb.customer.all_messages("dyn-user")]
        assert stored.count((message.messageCode, "after three idle minutes")) == 1


def test_event_poller_thread_keeps_the_guid_fresh_and_sees_events(
    dynamic: tuple[Sandbox, ManualClock],
) -> None:
    sb, clock = dynamic
    with GatewayClient.for_sandbox(sb, agent_id="303", history=False) as client:
        first = client.guid.get_secret_value() if client.guid else ""
        seen: list[dict[str, Any]] = []
        arrived = threading.Event()

        def on_event(event: dict[str, Any]) -> None:
            seen.append(event)
            arrived.set()

        with EventPoller(client, on_event=on_event, interval=0.05) as poller:
            clock.advance(60)
            _open_chat(sb, "303", "p1")  # the poll that brings the event also brings Set-GUID
            assert arrived.wait(10)
            assert client.guid is not None and client.guid.get_secret_value() != first
            clock.advance(60)  # the sign-in Guid has expired; the poller's has not
            result = client.send_message("c", new_message(to="p1", content="x"))
            assert (result.ok, result.attempts) == (True, 1)
        assert poller.polls >= 1 and not poller.errors
        assert [e["eventType"] for e in seen] == ["AgentEvent_Talking"]
        assert client._guid.rotations >= 1


async def test_async_event_poller_keeps_the_guid_fresh(
    dynamic: tuple[Sandbox, ManualClock],
) -> None:
    sb, clock = dynamic
    async with await AsyncGatewayClient.for_sandbox(sb, agent_id="304", history=False) as c:
        first = c.guid.get_secret_value() if c.guid else ""
        arrived = asyncio.Event()
        async with AsyncEventPoller(c, on_event=lambda e: arrived.set(), interval=0.05) as poller:
            clock.advance(60)
            await asyncio.to_thread(_open_chat, sb, "304", "p2")
            await asyncio.wait_for(arrived.wait(), 10)
            assert c.guid is not None and c.guid.get_secret_value() != first
            clock.advance(60)
            result = await c.send_message("c", new_message(to="p2", content="x"))
            assert (result.ok, result.attempts) == (True, 1)
        assert poller.polls >= 1 and not poller.errors
        assert c._guid.rotations >= 1
