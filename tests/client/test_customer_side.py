"""`GatewayClient.customer_side()`: the sandbox's customer side at the client's own address."""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator
from typing import Any

import pytest

from sendmessage_kit.client import GatewayClient
from sendmessage_kit.errors import ConnectError, SettingsError
from sendmessage_kit.models import new_message


def test_customer_side_is_the_sandbox_the_client_talks_to(gw: Any) -> None:
    with GatewayClient.for_sandbox(gw, agent_id="4170", history=False) as client:
        side = client.customer_side()
        chat = side.open_chat("WEB", "cust-4170", agent_id="4170")
        client.send_message(chat["callid"], new_message(to="cust-4170", content="hi there"))
        assert side.all_messages("cust-4170")[-1]["content"] == "hi there"
        side.close()
        client.sign_out()


@pytest.fixture
def not_a_sandbox() -> Iterator[str]:
    """A plain HTTP server on 127.0.0.1 that answers 404 to everything."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), http.server.BaseHTTPRequestHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()
    thread.join()


def test_customer_side_of_a_gateway_that_is_not_a_sandbox_says_so(not_a_sandbox: str) -> None:
    with GatewayClient(base_url=not_a_sandbox, agent_id="101", history=False) as client:
        with pytest.raises(SettingsError, match="is not a sendmessage-kit sandbox"):
            client.customer_side()


def test_customer_side_of_nothing_is_a_connect_error() -> None:
    with GatewayClient(base_url="http://127.0.0.1:9", agent_id="101", history=False) as client:
        with pytest.raises(ConnectError):
            client.customer_side()
