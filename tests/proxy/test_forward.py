"""The proxy in a thread between a plain http.client and a real upstream, over real sockets."""

from __future__ import annotations

import base64
import http.client
import io
import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

import pytest

from sendmessage_kit import proxy
from sendmessage_kit.encoding import encode_body
from sendmessage_kit.har import PASSWORD_PLACEHOLDER
from sendmessage_kit.models import SendMessageRequest, new_message
from sendmessage_kit.proxy.capture import mask_members, member_span
from sendmessage_kit.proxy.log import exchange_record, terminal_lines
from sendmessage_kit.sandbox import Sandbox
from tests.conftest import CANARY_GUID, CANARY_PASSWORD
from tests.fixtures_sandbox import sign_in
from tests.loopback import LoopbackServer, QuietHandler
from tests.proxy.har_validator import validate

ODD_BODY = b'\xff\xfe not UTF-8 \x00 {"password": "x"}'
ANSWER = b'{"retcode":"0","note":"\xe2\x82\xac as sent"}  '


class Recorder(QuietHandler):
    """Records each request as it arrived and answers with fixed, odd bytes."""

    seen: ClassVar[list[dict[str, Any]]] = []

    def _any(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length)
        Recorder.seen.append(
            {"line": self.requestline, "headers": list(self.headers.items()), "body": body}
        )
        self.send_response(201, "Made Up")
        self.send_header("Content-Type", "application/x-odd")
        self.send_header("Set-GUID", f"JSESSIONID={CANARY_GUID}")
        self.send_header("X-Twice", "a")
        self.send_header("X-Twice", "b")
        self.send_header("Content-Length", str(len(ANSWER)))
        self.end_headers()
        self.wfile.write(ANSWER)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _any


@pytest.fixture
def recorder() -> Iterator[LoopbackServer]:
    Recorder.seen.clear()
    server = LoopbackServer(Recorder)
    yield server
    server.close()


def _request(url: str, method: str, path: str, body: bytes | None, headers: dict[str, str]) -> Any:
    host_port = url.removeprefix("http://")
    conn = http.client.HTTPConnection(host_port, timeout=30)
    try:
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        return response.status, response.reason, response.getheaders(), response.read()
    finally:
        conn.close()


def test_bytes_pass_unchanged_both_ways(recorder: LoopbackServer) -> None:
    with proxy.start(upstream=recorder.base_url) as p:
        status, reason, headers, body = _request(
            p.url,
            "PATCH",
            "/any/path%20x?b=2&a=1",
            ODD_BODY,
            {"Guid": CANARY_GUID, "X-Custom": "Keep  this, as is", "Content-Type": "text/odd"},
        )
    (seen,) = Recorder.seen
    assert seen["line"] == "PATCH /any/path%20x?b=2&a=1 HTTP/1.1"
    assert seen["body"] == ODD_BODY
    sent = {k.lower(): v for k, v in seen["headers"]}
    assert sent["guid"] == CANARY_GUID
    assert sent["x-custom"] == "Keep  this, as is"
    assert sent["content-type"] == "text/odd"
    assert sent["host"] == recorder.base_url.removeprefix("http://")
    assert (status, body) == (201, ANSWER)
    assert reason == "Made Up"
    got = [(k.lower(), v) for k, v in headers]
    assert ("set-guid", f"JSESSIONID={CANARY_GUID}") in got
    assert [v for k, v in got if k == "x-twice"] == ["a", "b"]
    assert ("content-type", "application/x-odd") in got


def test_an_exchange_keeps_no_secret_but_every_other_byte(recorder: LoopbackServer) -> None:
    sign_in_body = json.dumps(
        {"password": CANARY_PASSWORD, "phonenum": "1", "note": CANARY_PASSWORD[:6]}
    ).encode()
    with proxy.start(upstream=recorder.base_url) as p:
        _request(p.url, "PUT", "/agentgateway/resource/onlineagent/101", sign_in_body, {})
        _request(p.url, "POST", "/x", b"{}", {"Guid": CANARY_GUID})
        exchanges = p.exchanges
    assert Recorder.seen[0]["body"] == sign_in_body  # the upstream got the password
    first, second = exchanges
    assert first.request_body == sign_in_body.replace(
        json.dumps(CANARY_PASSWORD).encode(), json.dumps(PASSWORD_PLACEHOLDER).encode()
    )
    everything = repr(exchanges) + repr([vars(e) for e in exchanges])
    everything += "".join("\n".join(terminal_lines(e)) for e in exchanges)
    everything += json.dumps([exchange_record(e) for e in exchanges])
    assert CANARY_GUID not in everything and CANARY_GUID[:-16] not in everything
    assert CANARY_PASSWORD not in everything
    assert ("Guid", "****0001.AgentGateway9") in second.request_headers


def test_member_span_finds_only_the_member() -> None:
    text = '{"note": "password", "password" : "p\\"w", "x": {"password": 1}}'
    begin, end = member_span(text, ("password",)) or (0, 0)
    assert text[begin:end] == '"p\\"w"'
    assert member_span('{"result": {"guid": "g"}}', ("result", "guid")) == (20, 23)
    assert member_span("[1]", ("password",)) is None
    # A body the scanner cannot read keeps nothing of a sign-in.
    assert b"secret" not in mask_members(b'{"password": "secret"', "sign-in", request=True)
    # An answer's members are untouched unless they are the interface's secret.
    assert mask_members(b'{"password": "x"}', "sign-in", request=False) == b'{"password": "x"}'


def _valid_body(agent_callid: str) -> bytes:
    msg = new_message(to="proxy-user", content="Try our sandbox")
    return encode_body(SendMessageRequest(callid=agent_callid, data=msg)).encode("utf-8")


def test_between_http_client_and_the_sandbox(sandbox_http: Sandbox) -> None:
    guid = sign_in(sandbox_http)
    agent = sandbox_http.agent_id
    out = io.StringIO()
    with proxy.start(upstream=sandbox_http.base_url, log=out) as p:
        ok = _request(
            p.url,
            "POST",
            f"/agentgateway/resource/mediacall/{agent}/sendmessage",
            _valid_body("proxy-call-1"),
            {"Guid": guid, "Content-Type": "application/json"},
        )
        bad = _request(
            p.url,
            "POST",
            f"/agentgateway/resource/mediacall/{agent}/sendmessage",
            b'{"callid":"c","data":"{\\"content\\":\\"\\"}"}',
            {"Guid": guid},
        )
        poll = _request(
            p.url, "GET", f"/agentgateway/resource/agentevent/{agent}", None, {"Guid": guid}
        )
        deadline = time.monotonic() + 5
        while "/agentevent/" not in out.getvalue() and time.monotonic() < deadline:
            time.sleep(0.01)  # the log is written just after each answer goes back
    assert json.loads(ok[3])["retcode"] == "0"
    assert json.loads(bad[3])["retcode"] != "0"
    assert poll[0] == 200
    text = out.getvalue()
    assert guid not in text
    lines = text.splitlines()
    assert lines[0].endswith(" ms)") and "sendmessage -> 200 retcode 0 success" in lines[0]
    assert "data: callid=proxy-call-1 to=proxy-user" in lines[1] and "'Try our sandbox'" in lines[1]
    assert any(
        "sendmessage -> 200 retcode 106-002 the message to send is empty" in x for x in lines
    )
    assert any("ERROR data.content" in line for line in lines) and any("fix:" in x for x in lines)
    assert any(f"GET /agentgateway/resource/agentevent/{agent} -> 200" in x for x in lines)


def test_refuse_invalid_answers_like_the_sandbox_and_forwards_nothing(
    recorder: LoopbackServer,
) -> None:
    body = b'{"callid":"c","data":"{\\"content\\":\\"\\"}"}'
    with proxy.start(upstream=recorder.base_url, refuse_invalid=True) as p:
        status, _, _, answer = _request(
            p.url, "POST", "/agentgateway/resource/mediacall/101/sendmessage", body, {}
        )
        (exchange,) = p.exchanges
    assert Recorder.seen == []
    assert status == 200 and json.loads(answer)["retcode"] == "106-002"  # the sandbox's choice
    assert exchange.refused
    assert "refused by the proxy (--refuse-invalid), not forwarded" in exchange.explain().meaning


def test_refuse_invalid_forwards_a_valid_body(recorder: LoopbackServer) -> None:
    with proxy.start(upstream=recorder.base_url, refuse_invalid=True) as p:
        _request(p.url, "POST", "/agentgateway/resource/mediacall/101/sendmessage",
                 _valid_body("c"), {})  # fmt: skip
    assert len(Recorder.seen) == 1


def _failure(url: str) -> tuple[int, dict[str, Any]]:
    status, _, _, body = _request(url, "GET", "/sandbox/health", None, {})
    return status, json.loads(body)


def test_upstream_down_is_a_502_that_says_what_failed_and_the_fix() -> None:
    server = LoopbackServer(Recorder)
    upstream = server.base_url
    server.close()  # nothing listens there any more
    with proxy.start(upstream=upstream) as p:
        status, answer = _failure(p.url)
        (exchange,) = p.exchanges
    assert status == 502
    assert answer["error"].startswith(f"could not connect to the upstream {upstream}")
    assert "--upstream" in answer["fix"]
    assert "could not connect" in terminal_lines(exchange)[0]


class Slow(QuietHandler):
    release = threading.Event()

    def do_GET(self) -> None:
        Slow.release.wait(10)


def test_upstream_timeout_is_a_502() -> None:
    server = LoopbackServer(Slow)
    try:
        with proxy.start(upstream=server.base_url, timeout=0.3) as p:
            status, answer = _failure(p.url)
    finally:
        Slow.release.set()
        server.close()
    assert status == 502
    assert "did not answer within the timeout" in answer["error"]
    assert "--timeout" in answer["fix"]


def test_upstream_tls_failure_is_a_502_naming_cacert(sandbox_https: Sandbox) -> None:
    with proxy.start(upstream=sandbox_https.base_url) as p:  # the system CAs: not the sandbox's
        status, answer = _failure(p.url)
    assert status == 502
    assert answer["error"].startswith("TLS handshake with the upstream")
    assert "--cacert" in answer["fix"]
    with proxy.start(upstream=sandbox_https.base_url, cacert=sandbox_https.ca_path) as p:
        status, answer = _failure(p.url)
    assert status == 200


def test_the_handle_is_the_callers() -> None:
    server = LoopbackServer(Recorder)
    try:
        p = proxy.start(upstream=server.base_url)
        assert p.running and p.url.startswith("http://127.0.0.1:")
        p.stop()
        p.stop()  # idempotent
        assert not p.running
        with pytest.raises(ConnectionRefusedError):
            _request(p.url, "GET", "/", None, {})
    finally:
        server.close()


def test_the_har_keeps_every_other_byte_and_validates(
    recorder: LoopbackServer, tmp_path: Path, har_validate: Path
) -> None:
    har = tmp_path / "odd.har"
    with proxy.start(upstream=recorder.base_url, har=har) as p:
        _request(p.url, "PATCH", "/odd?q=1", ODD_BODY, {"Guid": CANARY_GUID})
        deadline = time.monotonic() + 5
        while '"entries": []' in har.read_text() and time.monotonic() < deadline:
            time.sleep(0.01)  # written just after the answer goes back
    assert validate(har_validate, har) == "valid"
    text = har.read_text()
    assert CANARY_GUID not in text and CANARY_GUID[:-16] not in text
    [entry] = json.loads(text)["log"]["entries"]
    post = entry["request"]["postData"]
    assert post["encoding"] == "base64" and base64.b64decode(post["text"]) == ODD_BODY
    assert entry["response"]["content"]["text"].encode("utf-8") == ANSWER
    assert entry["request"]["queryString"] == [{"name": "q", "value": "1"}]
    assert entry["response"]["statusText"] == "Made Up"


class Bare(QuietHandler):
    """An answer with no Server, Date or Content-Type header (http.server adds the first two)."""

    def do_GET(self) -> None:
        self.wfile.write(b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX-Only: 1\r\n\r\nhello")


def test_nothing_is_added_to_an_answer_but_date() -> None:
    server = LoopbackServer(Bare)
    try:
        with proxy.start(upstream=server.base_url) as p:
            status, _, headers, body = _request(p.url, "GET", "/", None, {})
    finally:
        server.close()
    assert (status, body) == (200, b"hello")
    names = sorted(k.lower() for k, _ in headers)
    assert names == ["content-length", "date", "x-only"]


def test_a_har_that_cannot_be_written_stops_nothing(
    recorder: LoopbackServer, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    folder = tmp_path / "gone"
    folder.mkdir()
    with proxy.start(upstream=recorder.base_url, har=folder / "t.har") as p:
        (folder / "t.har").unlink()
        folder.rmdir()  # the recording's folder disappears under the running proxy
        first = _request(p.url, "GET", "/one", None, {})
        second = _request(p.url, "GET", "/two", None, {})
        deadline = time.monotonic() + 5
        while len(caplog.records) < 2 and time.monotonic() < deadline:
            time.sleep(0.01)
    assert first[0] == second[0] == 201 and len(Recorder.seen) == 2
    assert [r.getMessage().split(" not recorded")[0] for r in caplog.records] == [
        "sendmessage-kit proxy: exchange 1",
        "sendmessage-kit proxy: exchange 2",
    ]
