"""`GET /sandbox/requests`: the sandbox's own request log, secrets masked, loopback only."""

from __future__ import annotations

import uuid

import httpx2

from sendmessage_kit.encoding import encode_body
from sendmessage_kit.models import SendMessageRequest, new_message
from sendmessage_kit.sandbox import Sandbox, SandboxConfig
from sendmessage_kit.sandbox.app import create_app
from tests.fixtures_sandbox import sign_in


def _mine(sb: Sandbox, marker: str) -> list[dict[str, object]]:
    with sb.http_client() as c:
        records = c.get("/sandbox/requests", params={"limit": 500}).json()["requests"]
    return [r for r in records if marker in str(r["request"]) or marker in str(r["path"])]


def test_each_request_is_logged_with_the_deciding_rule_and_retcode(sandbox_http: Sandbox) -> None:
    guid = sign_in(sandbox_http)
    agent, marker = sandbox_http.agent_id, uuid.uuid4().hex
    path = f"/agentgateway/resource/mediacall/{agent}/sendmessage"
    good = encode_body(SendMessageRequest(
        callid=f"log-{marker}", data=new_message(to="log-user", content="Try our sandbox")
    ))  # fmt: skip
    with sandbox_http.http_client() as c:
        assert c.post(path, headers={"Guid": guid}, content=good).json()["retcode"] == "0"
        empty = f'{{"callid":"log-{marker}","data":"{{\\"content\\":\\"\\"}}"}}'
        c.post(path, headers={"Guid": guid}, content=empty)
        c.post(path, headers={"Guid": "not-a-guid"}, content=f'{{"callid":"log-{marker}"}}')
        c.get("/sandbox/health")  # its own controls are not logged
    auth, refused, ok = _mine(sandbox_http, marker)  # newest first
    assert (ok["retcode"], ok["decidedBy"], ok["interface"]) == (
        "0", "accepted: every rule passed", "sendmessage"
    )  # fmt: skip
    assert ok["data"]["content"] == "Try our sandbox" and ok["request"] == good
    assert refused["retcode"] == "106-002" and "content.empty" in str(refused["decidedBy"])
    assert refused["meaning"] == "the message to send is empty (Chinese edition)"
    assert refused["remedy"] == "Put the message text in data.content."
    assert auth["retcode"] == "000-003" and str(auth["decidedBy"]).startswith("auth:")
    with sandbox_http.http_client() as c:
        whole = c.get("/sandbox/requests", params={"limit": 500}).text
    assert guid not in whole and "/sandbox/health" not in whole


def test_sign_in_is_logged_without_the_password(sandbox_http: Sandbox) -> None:
    agent = f"{1000 + uuid.uuid4().int % 50000}"
    sign_in(sandbox_http, agent)
    with sandbox_http.http_client() as c:
        records = c.get("/sandbox/requests").json()["requests"]
    mine = next(r for r in records if r["path"].endswith(f"/onlineagent/{agent}/forcelogin"))
    assert mine["request"] == (
        '{"password":"<password: masked by sendmessage-kit>","phonenum":"88880001"}'
    )
    assert mine["retcode"] == "0"


def test_a_faulted_send_says_the_fault_decided(sandbox_http: Sandbox) -> None:
    marker = uuid.uuid4().hex
    with sandbox_http.http_client() as c:
        c.post("/sandbox/faults", json={"retcode": "100-007", "callid": f"f-{marker}"})
        try:
            body = f'{{"callid":"f-{marker}","data":"{{}}"}}'
            c.post(f"/agentgateway/resource/mediacall/{sandbox_http.agent_id}/sendmessage",
                   content=body)  # fmt: skip
        finally:
            c.delete("/sandbox/faults")
    [entry] = _mine(sandbox_http, marker)
    assert entry["retcode"] == "100-007" and str(entry["decidedBy"]).startswith("fault:")


async def test_the_log_is_for_this_machine_only() -> None:
    app = create_app(SandboxConfig(http=True))
    try:
        transport = httpx2.ASGITransport(app=app, client=("192.0.2.7", 5555))  # not loopback
        async with httpx2.AsyncClient(transport=transport, base_url="http://127.0.0.1") as c:
            response = await c.get("/sandbox/requests")
    finally:
        app.store.close()
    assert response.status_code == 403
    assert "loopback" in response.json()["error"]


def test_the_log_is_bounded() -> None:
    from sendmessage_kit.sandbox.requests_log import KEEP

    app = create_app(SandboxConfig(http=True))
    try:
        assert app.state.requests_log.entries.maxlen == KEEP
    finally:
        app.store.close()


def test_a_body_that_is_not_unicode_is_logged_and_the_log_still_reads(
    sandbox_http: Sandbox,
) -> None:
    marker = uuid.uuid4().hex
    body = f'{{"callid":"s-{marker}","data":"{{\\"to\\":\\"\\\\udfff\\",\\"content\\":\\"x\\"}}"}}'
    with sandbox_http.http_client() as c:
        c.post(f"/agentgateway/resource/mediacall/{sandbox_http.agent_id}/sendmessage",
               content=body.encode())  # fmt: skip
        response = c.get("/sandbox/requests")
    assert response.status_code == 200
    [entry] = _mine(sandbox_http, marker)
    assert entry["data"]["to"] == "\\udfff"  # shown as its escape
