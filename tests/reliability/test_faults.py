"""Faults: whatever the server does, the client answers with the kit's documented exceptions.

Two sources of faults: the sandbox's own (`POST /sandbox/faults`: retcodes, HTML 502, dropped
connections, garbage, latency), and a raw-socket server that resets, stalls, truncates or
answers anything at all (hypothesis writes the bytes). Each fault is tried on both clients.
"""

from __future__ import annotations

import gzip
import json
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sendmessage_kit import _http, new_message
from sendmessage_kit.client import AsyncGatewayClient, GatewayClient
from sendmessage_kit.errors import (
    AuthError,
    ConnectError,
    GatewayError,
    GatewayInternalError,
    MultimediaError,
    RequestTimeout,
    ResponseError,
    SendMessageKitError,
    TLSError,
    TransportError,
)
from tests.reliability._proc import free_port
from tests.reliability._rawserver import RawServer, http_response
from tests.reliability._tally import TALLY

TWINS = ["sync", "async"]


@pytest.fixture(autouse=True)
def _quick_backoff(monkeypatch: pytest.MonkeyPatch) -> None:
    # The outcome of a retry matters here, not its 0.5 s x 2^n wait (tested in tests/client).
    monkeypatch.setattr(_http, "INITIAL_RETRY_DELAY", 0.01)


async def _send(kind: str, *, data: Any = None, callid: str = "fault-call", **kw: Any) -> Any:
    """One send with a fresh client of either twin; returns the result or raises."""
    kw.setdefault("history", False)
    kw.setdefault("max_retries", 0)
    data = data or new_message(to="fault-user", content="hello", message_code=str(uuid.uuid4()))
    sign_in = kw.pop("sign_in", False)
    if kind == "sync":
        with GatewayClient(**kw) as client:
            if sign_in:
                client.force_sign_in()
            return client.send_message(callid, data)
    async with AsyncGatewayClient(**kw) as aclient:
        if sign_in:
            await aclient.force_sign_in()
        return await aclient.send_message(callid, data)


def _sandbox_kw(sb: Any) -> dict[str, Any]:
    return {
        "base_url": sb.base_url,
        "agent_id": sb.agent_id,
        "password": sb.password,
        "phonenum": sb.phonenum,
        "sign_in": True,
    }


@pytest.fixture
def faults(http_sandbox: Any) -> Iterator[Any]:
    try:
        yield http_sandbox.faults
    finally:
        http_sandbox.faults.clear()


SANDBOX_FAULTS = [
    pytest.param({"retcode": "100-007"}, GatewayInternalError, id="retcode-100-007"),
    pytest.param({"retcode": "000-003"}, AuthError, id="retcode-000-003"),
    pytest.param({"retcode": "106-011"}, MultimediaError, id="retcode-106-011"),
    pytest.param({"retcode": "999-999"}, GatewayError, id="retcode-unknown"),
    pytest.param({"html_502": True}, ResponseError, id="html-502"),
    pytest.param({"garbage": True}, ResponseError, id="garbage"),
    pytest.param({"drop_connection": True}, TransportError, id="drop-connection"),
    pytest.param({"latency_ms": 2000}, RequestTimeout, id="latency-over-timeout"),
]


@pytest.mark.parametrize("kind", TWINS)
@pytest.mark.parametrize(("spec", "expected"), SANDBOX_FAULTS)
async def test_sandbox_fault_raises_the_documented_type(
    http_sandbox: Any, faults: Any, kind: str, spec: dict[str, Any], expected: type[Exception]
) -> None:
    kw = _sandbox_kw(http_sandbox)
    faults.set(**spec)
    with pytest.raises(expected) as info:
        await _send(kind, timeout=0.4, **kw)
    assert isinstance(info.value, SendMessageKitError) and str(info.value)
    TALLY.add("faults")


RECOVERABLE = [
    pytest.param({"retcode": "100-007", "count": 2}, id="retcode-100-007-twice"),
    pytest.param({"html_502": True, "count": 1}, id="html-502-once"),
    pytest.param({"drop_connection": True, "count": 2}, id="drop-connection-twice"),
    pytest.param({"garbage": True, "count": 1}, id="garbage-once"),  # HTTP 200: not retried
]


@pytest.mark.parametrize("kind", TWINS)
@pytest.mark.parametrize("spec", RECOVERABLE)
async def test_resend_after_a_passing_fault_delivers_exactly_once(
    http_sandbox: Any, faults: Any, kind: str, spec: dict[str, Any]
) -> None:
    user = f"recover-{uuid.uuid4().hex[:8]}"
    data = new_message(to=user, content="once", message_code=str(uuid.uuid4()))
    faults.set(**spec)
    kw = {**_sandbox_kw(http_sandbox), "resend_on_failure": True, "max_retries": 3}
    try:
        result = await _send(kind, data=data, timeout=2, **kw)
    except ResponseError:
        assert spec.get("garbage"), "only an HTTP 200 with garbage is left to the caller"
        result = None
    with http_sandbox.customer() as customer:
        received, _ = customer.messages(user)
    if result is not None:
        assert result.ok and result.attempts == spec["count"] + 1
        assert len(received) == 1, received
    else:
        assert received == []  # the garbage fault answers before anything is stored
    TALLY.add("faults")
    TALLY.add("duplicated", max(0, len(received) - 1))


@pytest.fixture(scope="module")
def raw() -> Iterator[RawServer]:
    server = RawServer()
    yield server
    server.close()


def _raw_kw(raw: RawServer, **kw: Any) -> dict[str, Any]:
    # A static Guid: no sign-in, so the only request is sendmessage.
    return {"base_url": raw.base_url, "agent_id": "101", "guid": "raw-guid", "timeout": 0.5, **kw}


OK_BODY = b'{"message":"success","retcode":"0"}'
RAW_FAULTS = [
    pytest.param("reset", b"", TransportError, id="reset-after-request"),
    pytest.param("close_at_once", b"", TransportError, id="close-before-reading"),
    pytest.param("stall", b"", RequestTimeout, id="stall-no-answer"),
    pytest.param("stall_mid_body", b"", RequestTimeout, id="stall-mid-body"),
    pytest.param("truncated", b"", TransportError, id="truncated-body"),
    pytest.param("respond", b"\x00\xffgarbage\r\n\r\n", TransportError, id="garbage-not-http"),
    pytest.param("respond", b"SSH-2.0-OpenSSH_9.2\r\n", TransportError, id="ssh-banner"),
    pytest.param(
        "respond",
        b"HTTP/1.1 200 OK\r\nX-Big: " + b"a" * 300_000 + b"\r\n\r\n",
        TransportError,
        id="huge-header",
    ),
    pytest.param(
        "respond",
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nZZZ\r\nxx\r\n",
        TransportError,
        id="bad-chunked",
    ),
    pytest.param(
        "respond",
        http_response(b"not gzip at all", headers=(("Content-Encoding", "gzip"),)),
        TransportError,
        id="bad-gzip",
    ),
    pytest.param(
        "respond",
        http_response(b"<html><body>Service Unavailable</body></html>", "503 Unavailable"),
        ResponseError,
        id="html-503",
    ),
    pytest.param("respond", http_response(b"", "500 Oops"), ResponseError, id="empty-500"),
    pytest.param("respond", http_response(b'{"foo": 1}'), ResponseError, id="json-no-retcode"),
    pytest.param("respond", http_response(b"[1, 2]"), ResponseError, id="json-array"),
    pytest.param("respond", http_response(b"[" * 100_000), ResponseError, id="deep-json"),
    pytest.param(
        "respond",
        http_response(b'{"retcode": "000-003", "message": "\xff\xfe"}'),
        AuthError,
        id="retcode-with-invalid-utf8",
    ),
    pytest.param(
        "respond",
        http_response(gzip.compress(OK_BODY), headers=(("Content-Encoding", "gzip"),)),
        None,
        id="gzip-ok",
    ),
    pytest.param(
        "respond",
        http_response(OK_BODY, headers=(("Content-Type", "application/json; charset=bogus"),)),
        None,
        id="unknown-charset",
    ),
]


@pytest.mark.parametrize("kind", TWINS)
@pytest.mark.parametrize(("mode", "payload", "expected"), RAW_FAULTS)
async def test_raw_server_fault_gives_only_kit_errors(
    raw: RawServer, kind: str, mode: str, payload: bytes, expected: type[Exception] | None
) -> None:
    raw.set(mode, payload)
    if expected is None:
        assert (await _send(kind, **_raw_kw(raw))).ok
    else:
        with pytest.raises(expected) as info:
            await _send(kind, **_raw_kw(raw))
        assert "raw-guid" not in str(info.value)
    TALLY.add("faults")


@pytest.mark.parametrize("kind", TWINS)
async def test_nothing_listening_is_a_connect_error(kind: str) -> None:
    url = f"http://127.0.0.1:{free_port()}"  # bound once, then released: nothing listens
    with pytest.raises(ConnectError):
        await _send(kind, base_url=url, agent_id="101", guid="g", timeout=0.5)
    TALLY.add("faults")


@pytest.mark.parametrize("kind", TWINS)
async def test_https_to_a_server_that_is_not_tls_is_a_tls_or_connect_error(
    raw: RawServer, kind: str
) -> None:
    raw.set("respond", http_response(OK_BODY))
    url = raw.base_url.replace("http://", "https://")
    with pytest.raises(ConnectError):  # TLSError is a ConnectError
        await _send(kind, base_url=url, agent_id="101", guid="g", timeout=0.5)
    TALLY.add("faults")


@pytest.mark.parametrize("kind", TWINS)
async def test_retries_through_resets_end_in_a_kit_error(raw: RawServer, kind: str) -> None:
    raw.set("reset")
    before = raw.requests
    with pytest.raises(TransportError):
        await _send(kind, **_raw_kw(raw, resend_on_failure=True, max_retries=1))
    assert raw.requests - before == 2, "one resend, same body"
    TALLY.add("faults")


statuses = st.sampled_from(
    [
        "200 OK",
        "201 Created",
        "204 No Content",
        "301 Moved",
        "400 Bad",
        "401 No",
        "404 Nope",
        "429 Slow",
        "500 Err",
        "502 Bad",
        "999 What",
    ]
)
header_sets = st.lists(
    st.sampled_from(
        [
            ("Content-Type", "application/json"),
            ("Content-Type", "text/html"),
            ("Content-Type", "application/json; charset=latin-1"),
            ("Content-Type", "application/json; charset=nonsense"),
            ("Set-GUID", "JSESSIONID="),
            ("Set-GUID", "JSESSIONID=new-guid.AgentGateway0"),
            ("Guid", "   "),
            ("Retry-After", "-1"),
            ("Retry-After", "1e308"),
            ("Content-Encoding", "identity"),
        ]
    ),
    max_size=4,
    unique=True,
)
json_bodies = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=20),
    lambda c: st.lists(c, max_size=3) | st.dictionaries(st.text(max_size=8), c, max_size=4),
    max_leaves=12,
)
answer_like = st.fixed_dictionaries(
    {},
    optional={
        "retcode": json_bodies | st.sampled_from(["0", "000-003", "100-007", "x"]),
        "message": json_bodies,
        "result": json_bodies,
    },
)
bodies = (
    st.binary(max_size=200)
    | answer_like.map(lambda d: json.dumps(d).encode())
    | json_bodies.map(lambda d: json.dumps(d).encode())
)


def _allowed(result_or_exc: Any) -> bool:
    return isinstance(result_or_exc, SendMessageKitError) or hasattr(result_or_exc, "ok")


@pytest.fixture(scope="module")
def raw_client(raw: RawServer) -> Iterator[GatewayClient]:
    with GatewayClient(**_raw_kw(raw, history=False, max_retries=0)) as client:
        yield client


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(status=statuses, headers=header_sets, body=bodies)
def test_any_http_answer_gives_a_result_or_a_kit_error(
    raw: RawServer,
    raw_client: GatewayClient,
    status: str,
    headers: tuple[tuple[str, str], ...],
    body: bytes,
) -> None:
    raw.set("respond", http_response(body, status, tuple(headers)))
    TALLY.add("faults")
    TALLY.add("inputs")
    try:
        outcome: Any = raw_client.send_message(
            "c", new_message(to="u", content="x"), raise_on_error=False
        )
    except SendMessageKitError as exc:
        outcome = exc
    assert _allowed(outcome), outcome
    if hasattr(outcome, "ok") and not outcome.ok:
        assert isinstance(outcome.error, SendMessageKitError)


# Found by this suite (issue 7): a `message` that is not text raised pydantic's ValidationError.
@pytest.mark.parametrize("message", [None, 3, {"zh": "x"}], ids=["null", "number", "object"])
def test_answer_whose_message_is_not_text_is_read_as_text(
    raw: RawServer, raw_client: GatewayClient, message: Any
) -> None:
    TALLY.add("faults")
    raw.set("respond", http_response(json.dumps({"retcode": "0", "message": message}).encode()))
    result = raw_client.send_message("c", new_message(to="u", content="x"))
    assert result.ok and isinstance(result.response.message, str)


def test_untrusted_certificate_is_refused_with_tls_error(tmp_path: Any) -> None:
    from sendmessage_kit.sandbox import SandboxConfig, serve

    with serve(SandboxConfig(http=False, data_dir=tmp_path / "tls")) as sb:
        client = GatewayClient(
            base_url=sb.base_url,
            agent_id="101",
            password="sandbox",
            phonenum=sb.phonenum,
            history=False,
            max_retries=2,
        )
        with client, pytest.raises(TLSError) as info:
            client.sign_in()
        assert "ca_bundle" in str(info.value)
        with GatewayClient(
            base_url=sb.base_url,
            agent_id="101",
            password="sandbox",
            phonenum=sb.phonenum,
            ca_bundle=sb.ca_path,
            history=False,
        ) as trusted:
            assert trusted.sign_in()["retcode"] == "0"
        key = sb.ca_path.parent / "server.key"
        ca_key = sb.ca_path.parent / "ca.key"
        modes = {p.name: p.stat().st_mode & 0o777 for p in (key, ca_key)}
    assert modes == {"server.key": 0o600, "ca.key": 0o600}
    TALLY.add("faults")
