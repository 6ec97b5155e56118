"""AUTHMODE 2: the client follows the rotated Guid; the event poller keeps the heartbeat."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from typing import Any

import pytest

from sendmessage_kit.client import AsyncEventPoller, AsyncGatewayClient, EventPoller, GatewayClient
from sendmessage_kit.models import new_message
from sendmessage_kit.sandbox import SandboxConfig, serve


@pytest.fixture(scope="module")
def dynamic(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """A sandbox in dynamic authentication that rotates the Guid every 0.3 s."""
    config = SandboxConfig(
        http=True,
        auth_mode=2,
        guid_interval=0.3,
        guid_timeout=1.0,
        poll_wait=0.2,
        data_dir=tmp_path_factory.mktemp("dyn"),
    )
    with serve(config) as sb:
        yield sb


def test_poll_follows_set_guid_and_sending_keeps_working(dynamic: Any) -> None:
    with GatewayClient.for_sandbox(dynamic, agent_id="301", history=False) as client:
        first = client.guid
        time.sleep(0.35)
        client.poll_event()
        assert client.guid is not None and first is not None
        assert client.guid.get_secret_value() != first.get_secret_value()
        time.sleep(0.75)  # the first Guid has expired by now; the new one has not
        assert client.send_message("c", new_message(to="dyn-user", content="x")).ok


def test_without_polling_the_old_guid_expires(dynamic: Any) -> None:
    from sendmessage_kit.errors import AuthError

    with GatewayClient.for_sandbox(dynamic, agent_id="302", history=False) as client:
        time.sleep(1.3)
        with pytest.raises(AuthError):
            client.send_message("c", new_message(to="dyn-user", content="x"))


def test_event_poller_thread_keeps_the_guid_fresh_and_sees_events(dynamic: Any) -> None:
    with GatewayClient.for_sandbox(dynamic, agent_id="303", history=False) as client:
        seen: list[dict[str, Any]] = []
        with EventPoller(client, on_event=seen.append, interval=0.05) as poller:
            with dynamic.http_client() as http:
                http.post(
                    "/sandbox/chats", json={"channel": "WEB", "userId": "p1", "agentId": "303"}
                )
            time.sleep(1.5)
            assert client.send_message("c", new_message(to="p1", content="x")).ok
        assert poller.polls > 3 and not poller.errors
        assert [e["eventType"] for e in seen] == ["AgentEvent_Talking"]
        assert client._guid.rotations >= 2


async def test_async_event_poller_keeps_the_guid_fresh(dynamic: Any) -> None:
    async with await AsyncGatewayClient.for_sandbox(dynamic, agent_id="304", history=False) as c:
        async with AsyncEventPoller(c, interval=0.05) as poller:
            await asyncio.sleep(1.5)
            assert (await c.send_message("c", new_message(to="p2", content="x"))).ok
        assert poller.polls > 3 and not poller.errors
        assert c._guid.rotations >= 2
