"""One way to send: every call of either client goes to its httpx2 transport's public interface.

The async client's default transport is aiohttp's connections behind httpx2's transport
interface; any `transport=` given to either client is the one every call uses. Every answer is
one complete `httpx2.Response`, and every error that carries one exposes all of it.
"""

from __future__ import annotations

import asyncio
import json
import logging
import uuid
from collections.abc import Iterator
from typing import Any

import httpx2
import pytest

from sendmessage_kit import _http
from sendmessage_kit._aiohttp import AiohttpTransport
from sendmessage_kit.client import AsyncGatewayClient, GatewayClient
from sendmessage_kit.errors import GatewayError, ResponseError, TransportError
from sendmessage_kit.models import new_message
from tests.client.conftest import Faults, _agents
from tests.loopback import LoopbackServer, QuietHandler

pytestmark = pytest.mark.filterwarnings("ignore::sendmessage_kit.client.InsecureTransportWarning")


class Recording(httpx2.BaseTransport):
    """A transport that passes every request on to `inner` and notes its method and path."""

    def __init__(self, inner: httpx2.BaseTransport) -> None:
        self.inner, self.seen = inner, list[str]()

    def handle_request(self, request: httpx2.Request) -> httpx2.Response:
        self.seen.append(f"{request.method} {request.url.path.rsplit('/', 1)[-1]}")
        return self.inner.handle_request(request)

    def close(self) -> None:
        self.inner.close()


class AsyncRecording(httpx2.AsyncBaseTransport):
    """`Recording`'s async twin."""

    def __init__(self, inner: httpx2.AsyncBaseTransport) -> None:
        self.inner, self.seen = inner, list[str]()

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        self.seen.append(f"{request.method} {request.url.path.rsplit('/', 1)[-1]}")
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self.inner.aclose()


def gw_guid(client: Any) -> str:
    return str(client.guid.get_secret_value()) if client.guid is not None else "no guid"


async def _maybe(value: Any) -> Any:
    return await value if asyncio.iscoroutine(value) else value


@pytest.mark.parametrize("kind", ["sync", "async", "async-httpx2-pool"])
async def test_every_call_goes_through_the_transport_given(
    gw: Any, faults: Faults, kind: str, caplog: pytest.LogCaptureFixture
) -> None:
    recording: Recording | AsyncRecording
    if kind == "sync":
        recording = Recording(httpx2.HTTPTransport(verify=gw.verify()))
    elif kind == "async":
        recording = AsyncRecording(AiohttpTransport(gw.verify()))
    else:
        recording = AsyncRecording(httpx2.AsyncHTTPTransport(verify=gw.verify()))
    cls = GatewayClient if kind == "sync" else AsyncGatewayClient
    client = cls(
        base_url=gw.base_url, agent_id=str(next(_agents)), password=gw.password,
        phonenum=gw.phonenum, history=False, transport=recording,  # type: ignore[arg-type]
    )  # fmt: skip
    user = "u" + uuid.uuid4().hex[:12]
    message = new_message(to=user, content="through the transport given")
    with caplog.at_level(logging.DEBUG, logger="sendmessage_kit.client"):
        await _maybe(client.sign_in())
        assert (await _maybe(client.send_message("call-t", message))).ok
        await _maybe(client.poll_event(timeout=5))  # the sandbox answers a poll within 1 s
        await _maybe(client.sign_out())
    assert recording.seen == [
        f"PUT {client.agent_id}", "POST sendmessage", f"GET {client.agent_id}", "DELETE logout",
    ]  # fmt: skip
    # The kit's own log line for each exchange, without the Guid.
    lines = [r.getMessage() for r in caplog.records if " answered HTTP " in r.getMessage()]
    send_url = f"{gw.base_url}/agentgateway/resource/mediacall/{client.agent_id}/sendmessage"
    assert [x.split(" in ")[0] for x in lines if "sendmessage" in x] == [
        f"POST {send_url} answered HTTP 200"
    ]
    assert len(lines) == 4 and not [x for x in caplog.messages if gw_guid(client) in x]
    assert not client.closed
    await _maybe(client.close() if kind == "sync" else client.aclose())  # type: ignore[union-attr]
    assert client.closed
    # A closed client sends nothing: the kit's refusal, before the transport is reached.
    with pytest.raises(RuntimeError, match=f"{cls.__name__} for .* is closed, so nothing was sent"):
        await _maybe(client.send_message("call-t", new_message(to=user, content="after close")))
    assert len(recording.seen) == 4 and len(faults.messages(user)) == 1


async def test_the_default_async_transport_is_aiohttps_and_closes_with_the_client(
    gw: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    used: list[AiohttpTransport] = []
    real = AiohttpTransport.handle_async_request

    async def counted(self: AiohttpTransport, request: httpx2.Request) -> httpx2.Response:
        used.append(self)
        return await real(self, request)

    monkeypatch.setattr(AiohttpTransport, "handle_async_request", counted)
    client = await AsyncGatewayClient.for_sandbox(gw, agent_id=str(next(_agents)), history=False)
    assert (await client.send_message("call-d", new_message(to="u-d", content="hi"))).ok
    await client.aclose()
    assert len(used) == 2 and used[0] is used[1]  # the sign-in and the send, one transport
    transport = used[0]
    assert transport.is_closed
    with pytest.raises(RuntimeError, match="closed"):  # and it opens nothing behind its owner
        await transport.handle_async_request(httpx2.Request("POST", gw.base_url))


# --- Every answer is a whole httpx2.Response, the same through every transport ---------------
#
# A loopback server answers each send with the shape its callid names; the same sends go
# through the sync client, the async client on aiohttp and the async client on httpx2's pool.

HTML = "<html><body>502 Bad Gateway</body></html>"
GBK_ANSWER = json.dumps({"retcode": "0", "message": "发送成功"}, ensure_ascii=False)
SHAPES: dict[str, tuple[int, list[tuple[str, str]], bytes]] = {
    "ok": (200, [("Content-Type", "application/json")], b'{"retcode":"0","message":"success"}'),
    "sets-cookie": (
        200,
        [("Content-Type", "application/json"), ("Set-Cookie", "JSESSIONID=c00k1e; Path=/")],
        b'{"retcode":"0","message":"success"}',
    ),
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
WIRE_HEADERS = ("content-type", "accept", "guid", "content-length", "transfer-encoding", "cookie")


class CannedGateway(LoopbackServer):
    """A send on chat `<shape>` gets `SHAPES[shape]`; a sign-in gets retcode 0, no Set-GUID."""

    def __init__(self) -> None:
        self.requests: list[tuple[str, dict[str, str | None], bytes]] = []
        canned = self

        class Handler(QuietHandler):
            protocol_version = "HTTP/1.1"

            def _answer(self, status: int, headers: list[tuple[str, str]], payload: bytes) -> None:
                self.send_response(status)
                for name, value in headers:
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("content-length") or 0))
                sent = {k: self.headers.get(k) for k in WIRE_HEADERS}
                canned.requests.append((self.path, sent, body))
                self._answer(*SHAPES[json.loads(body)["callid"]])

            def do_PUT(self) -> None:
                self.rfile.read(int(self.headers.get("content-length") or 0))
                self._answer(*SHAPES["ok"])

        super().__init__(Handler)


@pytest.fixture
def canned() -> Iterator[CannedGateway]:
    server = CannedGateway()
    try:
        yield server
    finally:
        server.close()


def _whole(response: Any) -> tuple[Any, ...]:
    """What an error's response exposes: status, headers, text, JSON, elapsed and request."""
    assert isinstance(response, httpx2.Response)
    assert response.elapsed.total_seconds() > 0  # timed from the request to the whole answer
    try:
        body: Any = response.json()
    except ValueError:
        body = None
    request = response.request
    sent = (request.method, request.url.path.rsplit("/", 1)[-1], request.headers.get("guid"))
    return (response.status_code, response.headers.get("content-type"), response.text, body, sent)


def _outcome(result: Any) -> tuple[Any, ...]:
    error = result.error
    response = getattr(error, "response", None)
    return (
        result.retcode,
        result.response.message if result.response is not None else None,
        type(error).__name__,
        str(error),
        getattr(error, "status_code", None),
        getattr(error, "body", None),
        _whole(response) if response is not None else None,
    )


async def _through(canned: CannedGateway, kind: str) -> tuple[Any, ...]:
    canned.requests.clear()
    kw: dict[str, Any] = {"base_url": canned.base_url, "agent_id": "101", "history": False,
                          "max_retries": 0, "verify": False}  # fmt: skip
    if kind == "sync":
        client: Any = GatewayClient(guid="first-guid-0001", **kw)
    else:
        pool = httpx2.AsyncHTTPTransport(verify=False) if kind == "async-httpx2-pool" else None
        client = AsyncGatewayClient(guid="first-guid-0001", transport=pool, **kw)
    outcomes, guids = [], []
    try:
        for i, shape in enumerate(SHAPES):
            code, when = str(uuid.UUID(int=i)), "1700000000000"
            message = new_message(to="u-1", content="hi", message_code=code, send_time=when)
            result = await _maybe(client.send_message(shape, message, raise_on_error=False))
            outcomes.append(_outcome(result))
            guids.append(client.guid.get_secret_value() if client.guid else None)
        client._guid.set(None)  # a sign-in answered without Set-GUID: an error with its response
        with pytest.raises(ResponseError, match="Set-GUID") as caught:
            await _maybe(client.sign_in(password="pw", phonenum="1"))
        no_guid = _whole(caught.value.response)
    finally:
        await _maybe(client.close() if kind == "sync" else client.aclose())
    return outcomes, list(canned.requests), guids, no_guid


async def test_every_transport_gives_the_same_whole_answers(
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
    sync = await _through(canned, "sync")
    on_aiohttp = await _through(canned, "async")
    on_pool = await _through(canned, "async-httpx2-pool")
    assert sync == on_aiohttp == on_pool
    outcomes, requests, guids, no_guid = sync
    by_shape = dict(zip(SHAPES, outcomes, strict=True))
    # The shapes really differ, so the equality above compares something.
    assert by_shape["ok"][:3] == ("0", "success", "NoneType")
    assert by_shape["gbk"][:2] == ("0", "发送成功")  # decoded with the charset it declares
    refused = by_shape["refused"]
    assert refused[:3] == ("100-007", "", "GatewayInternalError")
    sent = ("POST", "sendmessage", "rotated-guid-0002")
    assert refused[6] == (
        200, "application/json", '{"retcode":"100-007"}', {"retcode": "100-007"}, sent
    )  # fmt: skip
    assert by_shape["html"][2] == "ResponseError" and "an HTML page" in by_shape["html"][3]
    assert by_shape["html"][4:] == (502, HTML, (502, "text/html", HTML, None, sent))
    assert by_shape["busy"][4] == 503 and by_shape["no-retcode"][2] == "ResponseError"
    assert by_shape["no-retcode"][6][3] == {"result": "0"}
    assert no_guid == (200, "application/json", '{"retcode":"0","message":"success"}',
                       {"retcode": "0", "message": "success"}, ("PUT", "101", None))  # fmt: skip
    assert waits == [7.0] * 3  # the busy answer's Retry-After reached the retry decision
    assert by_shape["message-object"][:2] == ("0", '{"detail": "x"}')
    assert guids[:2] == ["first-guid-0001"] * 2 and guids[2:] == ["rotated-guid-0002"] * (
        len(SHAPES) - 2
    )
    # On the wire: the same path, body and gateway headers every way.
    path, headers, body = requests[0]
    assert path == "/agentgateway/resource/mediacall/101/sendmessage"
    assert headers["content-type"] == "application/json; charset=UTF-8"
    assert headers["accept"] == "application/json" and headers["guid"] == "first-guid-0001"
    assert headers["content-length"] == str(len(body)) and json.loads(body)["callid"] == "ok"
    assert (
        requests[2][1]["guid"] == "first-guid-0001"
        and requests[3][1]["guid"] == "rotated-guid-0002"
    )
    assert [h["cookie"] for _, h, _ in requests] == [None] * len(SHAPES)  # no cookie sent back


@pytest.mark.parametrize("cls", [GatewayClient, AsyncGatewayClient])
async def test_gateway_and_transport_errors_carry_what_was_sent(gw: Any, cls: type) -> None:
    client = cls(
        base_url=gw.base_url, agent_id=str(next(_agents)), ca_bundle=gw.ca_path,
        password="not-the-password", phonenum=gw.phonenum, history=False,
    )  # fmt: skip
    try:
        with pytest.raises(GatewayError) as refused:
            await _maybe(client.sign_in())
        response = refused.value.response
        assert response.json()["retcode"] == refused.value.retcode == "100-004"
        assert response.elapsed.total_seconds() > 0 and response.request.method == "PUT"
        assert response.headers["content-type"].startswith("application/json")
    finally:
        await _maybe(client.close() if cls is GatewayClient else client.aclose())
    nobody = cls(base_url="http://127.0.0.1:9", agent_id="101", history=False, max_retries=0)
    try:
        with pytest.raises(TransportError) as failed:
            await _maybe(nobody.poll_event(timeout=2))
        assert isinstance(failed.value.request, httpx2.Request)
        assert failed.value.request.url.path.endswith("/agentevent/101")
    finally:
        await _maybe(nobody.close() if cls is GatewayClient else nobody.aclose())


async def test_html_answer_through_aiohttp_is_response_error(gw: Any) -> None:
    client = AsyncGatewayClient(
        base_url=gw.base_url + "/not-the-gateway/x", agent_id=str(next(_agents)),
        ca_bundle=gw.ca_path, password=gw.password, phonenum=gw.phonenum, history=False,
    )  # fmt: skip
    try:
        with pytest.raises(ResponseError) as caught:
            await client.sign_in()
        assert caught.value.response.status_code == 404
    finally:
        await client.aclose()


async def test_a_request_waiting_for_a_connection_waits_its_turn(gw: Any, faults: Faults) -> None:
    # One connection, three requests, each answered after 0.25 s: the third waits 0.5 s for the
    # connection, longer than its 0.4 s timeout, which bounds the connect and each read only.
    faults.set(latency_ms=250, callid="waits-its-turn")
    transport = AiohttpTransport(gw.verify(), max_connections=1)
    content = json.dumps({"callid": "waits-its-turn", "data": "{}"})
    url = f"{gw.base_url}/agentgateway/resource/mediacall/101/sendmessage"
    requests = [
        _http.build_request("POST", url, guid_headers={}, content=content, timeout=0.4)
        for _ in range(3)
    ]
    async with httpx2.AsyncClient(transport=transport) as http:  # closes the transport
        answers = await asyncio.gather(*map(http.send, requests))
    assert [a.status_code for a in answers] == [200, 200, 200]
    assert all(a.json()["retcode"] == "000-003" for a in answers)  # no Guid sent


async def test_the_async_client_talks_to_an_app_in_process_over_asgi(tmp_path: Any) -> None:
    # The path a browser build takes: no sockets, the sandbox app called through httpx2's
    # ASGITransport given as `transport=`.
    from sendmessage_kit.sandbox import SandboxConfig
    from sendmessage_kit.sandbox.app import create_app

    # The app's own name is the one the client uses (its Host check refuses any other).
    app = create_app(SandboxConfig(http=True, host="sandbox.local", data_dir=tmp_path))
    client = AsyncGatewayClient(
        base_url="http://sandbox.local", agent_id="101", password="sandbox",
        phonenum="88880001", history=False, transport=httpx2.ASGITransport(app=app),
    )  # fmt: skip
    try:
        await client.sign_in()
        result = await client.send_message("call-a", new_message(to="u-asgi", content="hi"))
    finally:
        await client.aclose()
    assert (result.ok, result.attempts) == (True, 1)
    assert client.guid is not None
