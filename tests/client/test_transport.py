"""The async client's HTTP: aiohttp's connections by default, httpx2's pool without aiohttp.

The twin behaviour tests (timeouts, refused connections, untrusted certificates, dropped
connections) run the async client on its direct aiohttp exchange; these pin the choice itself
and that the exchange answers as httpx2's path does.
"""

from __future__ import annotations

import asyncio
import json
import sys
import uuid
from collections.abc import Iterator
from typing import Any

import httpx2
import pytest

from sendmessage_kit import _http
from sendmessage_kit._aiohttp import AiohttpTransport
from sendmessage_kit.client import AsyncGatewayClient
from sendmessage_kit.errors import ResponseError
from sendmessage_kit.models import new_message
from tests.client.conftest import Faults, _agents
from tests.loopback import LoopbackServer, QuietHandler


async def _send_one(gw: Any) -> AsyncGatewayClient:
    # An agent of its own (the twins' counter): no earlier sign-in to take over.
    client = await AsyncGatewayClient.for_sandbox(gw, agent_id=str(next(_agents)), history=False)
    result = await client.send_message("call-t", new_message(to="u-t", content="hi"))
    assert result.ok and result.attempts == 1
    return client


async def test_default_transport_is_aiohttp_and_delivers(gw: Any) -> None:
    client = await _send_one(gw)
    try:
        assert isinstance(client._httpx._transport, AiohttpTransport)
    finally:
        await client.aclose()
    transport = client._httpx._transport
    assert transport._session is None  # closed with the client
    with pytest.raises(RuntimeError, match="closed"):  # and not reopened behind its owner
        await transport.exchange("POST", gw.base_url, {}, b"{}", 5.0)
    assert transport._session is None


async def test_without_aiohttp_the_client_uses_httpx2s_pool(
    gw: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "sendmessage_kit._aiohttp", None)  # import fails
    client = await _send_one(gw)
    try:
        assert isinstance(client._httpx._transport, httpx2.AsyncHTTPTransport)
    finally:
        await client.aclose()


async def test_html_answer_through_aiohttp_is_response_error(gw: Any) -> None:
    client = AsyncGatewayClient(
        base_url=gw.base_url + "/not-the-gateway/x", agent_id=str(next(_agents)),
        ca_bundle=gw.ca_path, password=gw.password, phonenum=gw.phonenum, history=False,
    )  # fmt: skip
    try:
        with pytest.raises(ResponseError):
            await client.sign_in()
    finally:
        await client.aclose()


# --- The direct exchange and httpx2's path give the same results -----------------------------
#
# The async client calls its aiohttp transport's `exchange` itself (no httpx2.Request or
# Response on the way). A loopback server answers each send with the shape its callid names,
# and the same sends go through the direct exchange, through httpx2.AsyncClient on the same
# aiohttp transport, and through httpx2's own pool: what reaches the server and what the
# caller gets back must not differ.

HTML = "<html><body>502 Bad Gateway</body></html>"
GBK_ANSWER = json.dumps({"retcode": "0", "message": "发送成功"}, ensure_ascii=False)
SHAPES: dict[str, tuple[int, list[tuple[str, str]], bytes]] = {
    "ok": (200, [("Content-Type", "application/json")], b'{"retcode":"0","message":"success"}'),
    "rotates": (
        200,
        [("Content-Type", "application/json"), ("Set-GUID", "JSESSIONID=rotated-guid-0002")],
        b'{"retcode":"0","message":"success"}',
    ),
    "gbk": (200, [("Content-Type", "application/json;charset=GBK")], GBK_ANSWER.encode("gbk")),
    "refused": (200, [("Content-Type", "application/json")], b'{"retcode":"100-007"}'),
    "html": (502, [("Content-Type", "text/html")], HTML.encode()),
    "busy": (503, [("Retry-After", "7"), ("Content-Type", "text/plain")], b"busy"),
    "no-retcode": (200, [("Content-Type", "application/json")], b'{"result":"0"}'),
    "message-object": (200, [], b'{"retcode":0,"message":{"detail":"x"}}'),
}


WIRE_HEADERS = ("content-type", "accept", "guid", "content-length", "transfer-encoding")


class CannedGateway(LoopbackServer):
    """A loopback HTTP server: a send on chat `<shape>` gets `SHAPES[shape]`; keeps requests."""

    def __init__(self) -> None:
        self.requests: list[tuple[str, dict[str, str | None], bytes]] = []
        canned = self

        class Handler(QuietHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("content-length") or 0))
                sent = {k: self.headers.get(k) for k in WIRE_HEADERS}
                canned.requests.append((self.path, sent, body))
                status, headers, payload = SHAPES[json.loads(body)["callid"]]
                self.send_response(status)
                for name, value in headers:
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

        super().__init__(Handler)


@pytest.fixture
def canned() -> Iterator[CannedGateway]:
    server = CannedGateway()
    try:
        yield server
    finally:
        server.close()


def _outcome(result: Any) -> tuple[Any, ...]:
    error = result.error
    response = getattr(error, "response", None)
    answer = None
    if response is not None and not isinstance(response, dict):
        assert isinstance(response, httpx2.Response)  # what ResponseError.response holds
        answer = (response.status_code, response.text, response.headers.get("content-type"))
    return (
        result.retcode,
        result.response.message if result.response is not None else None,
        type(error).__name__,
        str(error),
        getattr(error, "status_code", None),
        getattr(error, "body", None),
        answer,
    )


async def _through(
    canned: CannedGateway, transport: httpx2.AsyncBaseTransport | None
) -> tuple[list[tuple[Any, ...]], list[tuple[str, dict[str, str | None], bytes]], list[Any]]:
    canned.requests.clear()
    client = AsyncGatewayClient(
        base_url=canned.base_url, agent_id="101", guid="first-guid-0001", history=False,
        max_retries=0, verify=False, transport=transport,
    )  # fmt: skip
    outcomes, guids = [], []
    try:
        assert (client._direct is not None) == (transport is None)
        for i, shape in enumerate(SHAPES):
            code, when = str(uuid.UUID(int=i)), "1700000000000"
            message = new_message(to="u-1", content="hi", message_code=code, send_time=when)
            result = await client.send_message(shape, message, raise_on_error=False)
            outcomes.append(_outcome(result))
            guids.append(client.guid.get_secret_value() if client.guid else None)
    finally:
        await client.aclose()
    return outcomes, list(canned.requests), guids


@pytest.mark.filterwarnings("ignore::sendmessage_kit.client.InsecureTransportWarning")
async def test_direct_exchange_matches_httpx2s_path(
    canned: CannedGateway, monkeypatch: pytest.MonkeyPatch
) -> None:
    waits: list[float] = []
    read = _http.retry_after

    def recorded(response: Any) -> float | None:
        seconds = read(response)
        if seconds is not None:
            waits.append(seconds)
        return seconds

    monkeypatch.setattr(_http, "retry_after", recorded)
    direct = await _through(canned, None)
    via_httpx2 = await _through(canned, AiohttpTransport(verify=False))
    via_pool = await _through(canned, httpx2.AsyncHTTPTransport(verify=False))
    assert direct == via_httpx2 == via_pool
    outcomes, requests, guids = direct
    by_shape = dict(zip(SHAPES, outcomes, strict=True))
    # The shapes really differ, so the equality above compares something.
    assert by_shape["ok"][:3] == ("0", "success", "NoneType")
    assert by_shape["gbk"][:2] == ("0", "发送成功")  # decoded with the charset it declares
    assert by_shape["refused"][:3] == ("100-007", "", "GatewayInternalError")
    assert by_shape["html"][2] == "ResponseError" and "an HTML page" in by_shape["html"][3]
    assert by_shape["html"][4:] == (502, HTML, (502, HTML, "text/html"))
    assert by_shape["busy"][4] == 503 and by_shape["no-retcode"][2] == "ResponseError"
    assert waits == [7.0] * 3  # the busy answer's Retry-After reached the retry decision
    assert by_shape["message-object"][:2] == ("0", '{"detail": "x"}')
    assert guids[0] == "first-guid-0001" and guids[1:] == ["rotated-guid-0002"] * (len(SHAPES) - 1)
    # On the wire: the same path, body and gateway headers every way.
    path, headers, body = requests[0]
    assert path == "/agentgateway/resource/mediacall/101/sendmessage"
    assert headers["content-type"] == "application/json; charset=UTF-8"
    assert headers["accept"] == "application/json" and headers["guid"] == "first-guid-0001"
    assert headers["content-length"] == str(len(body)) and json.loads(body)["callid"] == "ok"
    assert (
        requests[1][1]["guid"] == "first-guid-0001"
        and requests[2][1]["guid"] == "rotated-guid-0002"
    )


async def test_the_default_client_sends_through_the_exchange_not_httpx2(
    gw: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[str] = []
    real = AiohttpTransport.exchange

    async def counted(self: AiohttpTransport, *args: Any, **kwargs: Any) -> Any:
        calls.append(args[0])
        return await real(self, *args, **kwargs)

    async def refuse(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("httpx2.AsyncClient.send used")

    monkeypatch.setattr(AiohttpTransport, "exchange", counted)
    monkeypatch.setattr(httpx2.AsyncClient, "send", refuse)
    client = await _send_one(gw)
    await client.aclose()
    assert calls == ["PUT", "POST"]  # the sign-in and the send


def test_an_answers_retry_after_is_read_as_from_httpx2() -> None:
    from multidict import CIMultiDict, CIMultiDictProxy

    for value, seconds in (("2", 2.0), ("soon", None)):
        headers = CIMultiDictProxy(CIMultiDict([("Retry-After", value)]))
        raw = ((b"Retry-After", value.encode()),)
        answer = _http.Answer(503, headers, b"", raw)
        assert _http.retry_after(answer) == seconds
        assert _http.retry_after(answer.to_httpx()) == seconds


async def test_a_request_waiting_for_a_connection_waits_its_turn(gw: Any, faults: Faults) -> None:
    # One connection, three requests, each answered after 0.25 s: the third waits 0.5 s for the
    # connection, longer than its 0.4 s timeout, which bounds the connect and each read only.

    faults.set(latency_ms=250, callid="waits-its-turn")
    transport = AiohttpTransport(gw.verify(), max_connections=1)
    body = json.dumps({"callid": "waits-its-turn", "data": "{}"}).encode()
    url = f"{gw.base_url}/agentgateway/resource/mediacall/101/sendmessage"
    try:
        answers = await asyncio.gather(
            *(
                transport.exchange("POST", url, dict(_http.JSON_HEADERS), body, 0.4)
                for _ in range(3)
            )
        )
    finally:
        await transport.aclose()
    assert [a.status_code for a in answers] == [200, 200, 200]
    assert all(json.loads(a.content)["retcode"] == "000-003" for a in answers)  # no Guid sent
