"""Faults on demand: each shape a client must handle; a faulted send stores nothing."""

from __future__ import annotations

import time

import httpx2
import pytest

from sendmessage_kit.sandbox import FaultSpec, Sandbox
from tests.sandbox.conftest import Agent, body_for


@pytest.fixture
def faulty(sandbox_http: Sandbox, agent: Agent) -> Agent:
    yield agent
    sandbox_http.faults.clear()


def _count(a: Agent) -> int:
    assert a.sb.app is not None
    return a.sb.app.store.count()


def test_retcode_for_next_n_sends_then_normal(faulty: Agent) -> None:
    faulty.sb.faults.set(retcode="100-007", count=2)
    before = _count(faulty)
    assert [faulty.send(body_for(f"f{i}"))["retcode"] for i in range(3)] == [
        "100-007",
        "100-007",
        "0",
    ]
    assert _count(faulty) == before + 1
    assert faulty.sb.faults.get()["active"] is False


def test_html_502(faulty: Agent) -> None:
    faulty.sb.faults.set(html_502=True, count=1)
    r = faulty.http.post(
        f"/agentgateway/resource/mediacall/{faulty.agent_id}/sendmessage",
        json=body_for(),
        headers={"Guid": faulty.guid or ""},
    )
    assert r.status_code == 502 and r.headers["content-type"].startswith("text/html")
    assert "502 Bad Gateway" in r.text


def test_garbage_body(faulty: Agent) -> None:
    faulty.sb.faults.set(garbage=True, count=1)
    r = faulty.http.post(
        f"/agentgateway/resource/mediacall/{faulty.agent_id}/sendmessage",
        json=body_for(),
        headers={"Guid": faulty.guid or ""},
    )
    assert r.status_code == 200
    with pytest.raises(ValueError):
        r.json()


def test_drop_connection_then_recovers(faulty: Agent) -> None:
    faulty.sb.faults.set(drop_connection=True, count=1)
    before = _count(faulty)
    with pytest.raises(httpx2.RemoteProtocolError):
        faulty.send(body_for("dropped"))
    assert _count(faulty) == before
    assert faulty.send(body_for("after the drop"))["retcode"] == "0"


def test_drop_connection_over_https(sandbox_https: Sandbox) -> None:
    a = Agent(sandbox_https, agent_id="7001")
    try:
        a.sign_in(force=True)
        sandbox_https.faults.set(drop_connection=True, count=1)
        with pytest.raises(httpx2.RemoteProtocolError):
            a.send(body_for("dropped"))
        assert a.send(body_for("after"))["retcode"] == "0"
    finally:
        sandbox_https.faults.clear()
        a.close()


def test_latency(faulty: Agent) -> None:
    faulty.sb.faults.set(latency_ms=300)
    r = faulty.http.post(
        f"/agentgateway/resource/mediacall/{faulty.agent_id}/sendmessage",
        json=body_for(),
        headers={"Guid": faulty.guid or ""},
    )
    assert r.json()["retcode"] == "0" and r.elapsed.total_seconds() >= 0.3


def test_fail_ratio_is_seeded_and_partial(faulty: Agent) -> None:
    faulty.sb.faults.set(fail_ratio=0.5, seed=7)
    codes = [faulty.send(body_for(f"r{i}"))["retcode"] for i in range(40)]
    assert 5 < codes.count("100-007") < 35 and codes.count("0") == 40 - codes.count("100-007")


def test_delete_clears_over_http(faulty: Agent) -> None:
    faulty.http.post("/sandbox/faults", json={"retcode": "000-004"}).raise_for_status()
    assert faulty.send(body_for())["retcode"] == "000-004"
    assert faulty.http.delete("/sandbox/faults").json()["active"] is False
    assert faulty.send(body_for())["retcode"] == "0"


@pytest.mark.parametrize(
    "spec",
    [
        {"retcode": "7"},
        {"html_502": True, "garbage": True},
        {"count": 2},
        {"fail_ratio": 2},
        {"latency": 5},
    ],
)
def test_bad_fault_specs_are_refused(sandbox_http: Sandbox, spec: dict[str, object]) -> None:
    with sandbox_http.http_client() as c:
        assert c.post("/sandbox/faults", json=spec).status_code == 422
    with pytest.raises(ValueError):
        FaultSpec.model_validate(spec)


def test_fault_scoped_to_a_callid_hits_only_that_chat(faulty: Agent) -> None:
    faulty.sb.faults.set(retcode="100-007", callid="chat-faulted", count=1)
    before = _count(faulty)
    # Another chat's send goes through and does not spend the count.
    assert faulty.send(body_for("other", callid="chat-other"))["retcode"] == "0"
    assert faulty.send(body_for("hit", callid="chat-faulted"))["retcode"] == "100-007"
    assert faulty.send(body_for("after", callid="chat-faulted"))["retcode"] == "0"
    assert _count(faulty) == before + 2  # the faulted send stored nothing, the others did
    assert faulty.sb.faults.get()["active"] is False


def test_fault_scoped_to_a_user_leaves_other_customers_alone(faulty: Agent) -> None:
    faulty.sb.faults.set(html_502=True, user="u-faulted")
    assert faulty.send(body_for("other", to="u-other", callid="c-1"))["retcode"] == "0"
    r = faulty.http.post(
        f"/agentgateway/resource/mediacall/{faulty.agent_id}/sendmessage",
        json=body_for("hit", to="u-faulted", callid="c-2"),
        headers={"Guid": faulty.guid or ""},
    )
    assert r.status_code == 502
    # The body read for the match reaches the app whole: a long message to another user stores.
    long = "x" * 1500
    sent = faulty.send(body_for(long, to="u-other", callid="c-3"))
    assert sent["retcode"] == "0"


def test_scoped_latency_delays_only_matching_sends(faulty: Agent) -> None:
    faulty.sb.faults.set(latency_ms=20_000, callid="slow-chat")
    t0 = time.perf_counter()
    assert faulty.send(body_for("fast", callid="fast-chat"))["retcode"] == "0"
    assert time.perf_counter() - t0 < 10.0  # a hit would wait 20 s


def test_a_drop_sends_no_byte(faulty: Agent) -> None:
    """Pins the uvicorn surface `faults._drop` relies on: the connection ends with no byte sent.

    (No public ASGI or uvicorn call closes a connection without an answer; see `_drop`.)
    """
    import json
    import socket
    from urllib.parse import urlsplit

    faulty.sb.faults.set(drop_connection=True, count=1)
    where = urlsplit(faulty.sb.base_url)
    body = json.dumps(body_for("dropped")).encode()
    head = (
        f"POST /agentgateway/resource/mediacall/{faulty.agent_id}/sendmessage HTTP/1.1\r\n"
        f"Host: {where.netloc}\r\nContent-Type: application/json\r\nGuid: {faulty.guid}\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    ).encode()
    with socket.create_connection((where.hostname, where.port), timeout=10) as sock:
        sock.sendall(head + body)
        assert sock.recv(65536) == b""  # end of stream: not a status line, not a 500
