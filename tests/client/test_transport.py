"""The async client's HTTP: aiohttp's connections by default, httpx2's pool without aiohttp.

The twin behaviour tests (timeouts, refused connections, untrusted certificates, dropped
connections) run the async client on the aiohttp transport; these pin the choice itself.
"""

from __future__ import annotations

import sys
from typing import Any

import httpx2
import pytest

from sendmessage_kit._aiohttp import AiohttpTransport
from sendmessage_kit.client import AsyncGatewayClient
from sendmessage_kit.errors import ResponseError
from sendmessage_kit.models import new_message


async def _send_one(gw: Any, agent: str) -> AsyncGatewayClient:
    client = await AsyncGatewayClient.for_sandbox(gw, agent_id=agent, history=False)
    result = await client.send_message("call-t", new_message(to="u-t", content="hi"))
    assert result.ok and result.attempts == 1
    return client


async def test_default_transport_is_aiohttp_and_delivers(gw: Any) -> None:
    client = await _send_one(gw, "301")
    try:
        assert isinstance(client._httpx._transport, AiohttpTransport)
    finally:
        await client.aclose()
    assert client._httpx._transport._session is None  # closed with the client


async def test_without_aiohttp_the_client_uses_httpx2s_pool(
    gw: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "sendmessage_kit._aiohttp", None)  # import fails
    client = await _send_one(gw, "302")
    try:
        assert isinstance(client._httpx._transport, httpx2.AsyncHTTPTransport)
    finally:
        await client.aclose()


async def test_html_answer_through_aiohttp_is_response_error(gw: Any) -> None:
    client = AsyncGatewayClient(
        base_url=gw.base_url + "/not-the-gateway/x", agent_id="303", ca_bundle=gw.ca_path,
        password=gw.password, phonenum=gw.phonenum, history=False,
    )  # fmt: skip
    try:
        with pytest.raises(ResponseError):
            await client.sign_in()
    finally:
        await client.aclose()
