"""The same behaviour tests over both clients, against the real sandbox over HTTPS."""

from __future__ import annotations

import logging
import uuid
import warnings
from typing import Any

import pytest
from pydantic import SecretStr

from sendmessage_kit.client import InsecureTransportWarning
from sendmessage_kit.encoding import encode_body
from sendmessage_kit.errors import (
    RETCODES,
    AgentStateError,
    AuthError,
    ConnectError,
    GatewayError,
    InvalidParameterError,
    PayloadError,
    RequestTimeout,
    ResponseError,
    SettingsError,
    SignedOutError,
    TLSError,
    TransportError,
    error_for_retcode,
)
from sendmessage_kit.history import History
from sendmessage_kit.models import SendMessageRequest, new_message
from tests.client.conftest import Faults, MakeTwin
from tests.conftest import CANARY_GUID, CANARY_PASSWORD


def _user() -> str:
    return "u" + uuid.uuid4().hex[:12]


async def test_sign_in_keeps_the_guid_from_set_guid(make_twin: MakeTwin) -> None:
    twin = await make_twin(sign_in=False)
    assert twin.guid is None
    answer = await twin.sign_in()
    assert answer["retcode"] == "0"
    assert isinstance(twin.guid, SecretStr)
    assert twin.guid.get_secret_value() not in repr(twin.client)


@pytest.mark.parametrize("phonenum", [None, "", "  "], ids=["unset", "empty", "spaces"])
@pytest.mark.parametrize("force", [False, True], ids=["sign_in", "force_sign_in"])
async def test_sign_in_without_phonenum_is_refused_before_sending(
    make_twin: MakeTwin,
    gw: Any,
    monkeypatch: pytest.MonkeyPatch,
    phonenum: str | None,
    force: bool,
) -> None:
    monkeypatch.delenv("SENDMESSAGE_KIT_PHONENUM", raising=False)
    twin = await make_twin(sign_in=False, phonenum=phonenum)
    with pytest.raises(SettingsError) as caught:
        await (twin.force_sign_in() if force else twin.sign_in())
    message = str(caught.value)
    assert "SENDMESSAGE_KIT_PHONENUM" in message and "phonenum=" in message
    assert "softphone number" in message
    assert twin.guid is None
    with gw.http_client() as http:  # nothing reached the gateway: the agent is not signed in
        assert twin.agent_id not in http.get("/sandbox/health").json()["signedIn"]
    # Given one, the same client signs in.
    answer = await twin.sign_in(phonenum=gw.phonenum)
    assert answer["retcode"] == "0"


async def test_send_delivers_to_the_customer(make_twin: MakeTwin, faults: Faults) -> None:
    twin = await make_twin()
    user = _user()
    message = new_message(to=user, content="Hello from the twin suite")
    result = await twin.send_message("call-1", message)
    assert (result.ok, result.retcode, result.attempts) == (True, "0", 1)
    assert result.request_body == encode_body(SendMessageRequest(callid="call-1", data=message))
    assert 0 < result.elapsed < 5
    delivered = faults.messages(user)
    assert [(m["messageCode"], m["content"]) for m in delivered] == [
        (message.messageCode, "Hello from the twin suite")
    ]


async def test_send_accepts_a_ready_data_string(make_twin: MakeTwin, faults: Faults) -> None:
    twin = await make_twin()
    user = _user()
    result = await twin.send_message("call-2", new_message(to=user, content="as text").to_wire())
    assert result.ok
    assert [m["content"] for m in faults.messages(user)] == ["as text"]


async def test_payload_failing_check_is_not_sent(make_twin: MakeTwin, faults: Faults) -> None:
    twin = await make_twin()
    user = _user()
    with pytest.raises(PayloadError, match="content") as info:
        await twin.send_message("call-3", new_message(to=user, content=""))
    assert info.value.findings
    assert faults.messages(user) == []


@pytest.mark.parametrize("field", ["content", "to", "messageCode", "senderNickname", "callid"])
async def test_text_that_is_not_unicode_is_refused_with_the_rule_of_check(
    make_twin: MakeTwin, faults: Faults, field: str
) -> None:
    import json

    from sendmessage_kit.constraints import check

    twin = await make_twin()
    user = _user()
    data = new_message(to=user, content="hi").model_dump(by_alias=True, exclude_none=True)
    callid = "call-5\ud800" if field == "callid" else "call-5"
    if field != "callid":
        data[field] = "x\ud800y"
    wire = json.dumps(data)  # the data string carries the escape \ud800
    path = "callid" if field == "callid" else f"data.{field}"
    found = check({"callid": callid, "data": wire})
    (expected,) = [f for f in found if f.field == path and f.rule_id == "text.unicode"]
    with pytest.raises(PayloadError) as info:
        await twin.send_message(callid, wire)
    assert [(f.rule_id, f.field) for f in info.value.findings if f.severity == "error"][:1] == [
        ("text.unicode", path)
    ]
    assert f"{path}: {expected.message} Fix: {expected.fix}" in str(info.value)
    if field != "callid":  # the model path: the encoder refuses with the same rule
        model = new_message(to=user, content="hi").model_copy(update={field: "x\ud800y"})
        with pytest.raises(PayloadError) as info:
            await twin.send_message("call-5", model)
        assert ("text.unicode", path) in [(f.rule_id, f.field) for f in info.value.findings]
        # Unchecked, it reaches the sandbox: a retcode, never a 500, and reads still work.
        with pytest.raises(GatewayError) as gw:
            await twin.send_message("call-5", wire, check=False)
        assert gw.value.retcode not in (None, "0")
    assert faults.messages(user) == []


async def test_unchecked_empty_message_gets_106_002(make_twin: MakeTwin) -> None:
    twin = await make_twin()
    with pytest.raises(InvalidParameterError) as info:
        await twin.send_message("call-4", new_message(to=_user(), content=""), check=False)
    assert info.value.retcode == "106-002"
    assert "Put the message text in data.content" in str(info.value)


@pytest.mark.parametrize("code", sorted(RETCODES))
async def test_every_documented_retcode_raises_its_type(
    make_twin: MakeTwin, faults: Faults, code: str
) -> None:
    twin = await make_twin(max_retries=0)
    faults.set(retcode=code, count=1)
    with pytest.raises(GatewayError) as info:
        await twin.send_message("call-5", new_message(to=_user(), content="x"))
    expected = type(error_for_retcode(code))
    assert type(info.value) is expected
    assert info.value.retcode == code
    assert RETCODES[code].description in str(info.value)
    assert RETCODES[code].remedy in str(info.value)


async def test_result_mode_returns_instead_of_raising(make_twin: MakeTwin, faults: Faults) -> None:
    twin = await make_twin(raise_on_error=False, max_retries=0)
    faults.set(retcode="000-004", count=1)
    result = await twin.send_message("call-6", new_message(to=_user(), content="x"))
    assert (result.ok, result.retcode) == (False, "000-004")
    assert isinstance(result.error, AgentStateError)
    assert "switched over" in result.explanation


async def test_wrong_password_is_100_004(make_twin: MakeTwin) -> None:
    twin = await make_twin(sign_in=False, password=CANARY_PASSWORD)
    with pytest.raises(AuthError) as info:
        await twin.sign_in()
    assert info.value.retcode == "100-004"
    assert CANARY_PASSWORD not in str(info.value) and CANARY_PASSWORD not in repr(twin.client)


async def test_second_sign_in_is_100_002_and_force_takes_over(make_twin: MakeTwin) -> None:
    twin = await make_twin()
    first = twin.guid.get_secret_value()
    with pytest.raises(AgentStateError) as info:
        await twin.sign_in()
    assert info.value.retcode == "100-002"
    assert "force_sign_in" in str(info.value)
    await twin.force_sign_in()
    assert twin.guid.get_secret_value() != first
    assert (await twin.send_message("call-7", new_message(to=_user(), content="x"))).ok


async def test_after_sign_out_a_send_is_refused(make_twin: MakeTwin) -> None:
    twin = await make_twin()
    agent = twin.agent_id
    old = twin.guid
    await twin.sign_out()
    assert twin.guid is None
    stale = await make_twin(sign_in=False, agent_id=agent, guid=old, password=None)
    with pytest.raises(SignedOutError, match="SENDMESSAGE_KIT_PASSWORD") as info:
        await stale.send_message("call-8", new_message(to=_user(), content="x"))
    assert info.value.retcode == "100-006"


async def test_canary_guid_never_shows(
    make_twin: MakeTwin, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    twin = await make_twin(sign_in=False, guid=CANARY_GUID, password=None, raise_on_error=False)
    result = await twin.send_message("call-9", new_message(to=_user(), content="x"))
    assert isinstance(result.error, AuthError) and result.retcode == "000-003"
    shown = [repr(twin.client), str(result.error), repr(result.error), repr(result), caplog.text]
    assert all(CANARY_GUID not in s for s in shown)
    assert "****0001.AgentGateway9" in caplog.text  # the masked tail is what logs show
    twin.client.raise_on_error = True
    with pytest.raises(AuthError) as info:
        await twin.send_message("call-9", new_message(to=_user(), content="x"))
    assert CANARY_GUID not in str(info.value) and CANARY_GUID not in repr(info.value.__dict__)


async def test_latency_beyond_timeout_is_request_timeout(
    make_twin: MakeTwin, faults: Faults
) -> None:
    twin = await make_twin(timeout=0.3, resend_on_failure=False)
    faults.set(latency_ms=1500)
    with pytest.raises(RequestTimeout, match="same messageCode"):
        await twin.send_message("call-10", new_message(to=_user(), content="x"))


async def test_timed_out_resends_never_duplicate(make_twin: MakeTwin, faults: Faults) -> None:
    twin = await make_twin(timeout=0.3, max_retries=2, resend_on_failure=True, raise_on_error=False)
    user = _user()
    message = new_message(to=user, content="once")
    faults.set(latency_ms=500)
    result = await twin.send_message("call-11", message)
    assert isinstance(result.error, RequestTimeout) and result.attempts == 3
    faults.clear()
    again = await twin.send_message("call-11", message)  # the same messageCode, as advised
    assert again.ok
    await _sleep(0.5)  # let any abandoned attempt finish on the server
    assert [m["messageCode"] for m in faults.messages(user)] == [message.messageCode]


async def _sleep(seconds: float) -> None:
    import asyncio

    await asyncio.sleep(seconds)


@pytest.mark.parametrize(
    ("fault", "error"),
    [
        pytest.param({"drop_connection": True}, TransportError, id="dropped"),
        pytest.param({"html_502": True}, ResponseError, id="html-502"),
        pytest.param({"garbage": True}, ResponseError, id="not-json"),
    ],
)
async def test_fault_raises_its_type(
    make_twin: MakeTwin, faults: Faults, fault: dict[str, Any], error: type[Exception]
) -> None:
    twin = await make_twin(resend_on_failure=False)
    faults.set(**fault)
    with pytest.raises(error) as info:
        await twin.send_message("call-12", new_message(to=_user(), content="x"))
    assert type(info.value) is error
    assert not isinstance(info.value.__cause__, type(None)) or error is ResponseError


@pytest.mark.parametrize(
    "fault",
    [
        pytest.param({"drop_connection": True, "count": 1}, id="dropped"),
        pytest.param({"html_502": True, "count": 1}, id="html-502"),
        pytest.param({"retcode": "100-007", "count": 1}, id="internal-error"),
    ],
)
async def test_resend_after_a_fault_delivers_once(
    make_twin: MakeTwin, faults: Faults, fault: dict[str, Any]
) -> None:
    twin = await make_twin(resend_on_failure=True)
    user = _user()
    message = new_message(to=user, content="retried")
    faults.set(**fault)
    result = await twin.send_message("call-13", message)
    assert result.ok and result.attempts == 2
    assert [m["messageCode"] for m in faults.messages(user)] == [message.messageCode]


async def test_real_gateway_default_does_not_resend(make_twin: MakeTwin, faults: Faults) -> None:
    twin = await make_twin(sign_in=False)  # a plain client: not marked as a sandbox
    assert twin.client.policy.resend is False
    await twin.sign_in()
    faults.set(html_502=True, count=1)
    with pytest.raises(ResponseError):
        await twin.send_message("call-14", new_message(to=_user(), content="x"))


async def test_connect_error_is_retried_then_raised(make_twin: MakeTwin) -> None:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    twin = await make_twin(sign_in=False, base_url=f"https://127.0.0.1:{port}", max_retries=1)
    with pytest.raises(ConnectError, match="Nothing was sent"):
        await twin.sign_in()


async def test_untrusted_certificate_is_tls_error(make_twin: MakeTwin) -> None:
    twin = await make_twin(sign_in=False, ca_bundle=None)
    with pytest.raises(TLSError, match="ca_bundle"):
        await twin.sign_in()


async def test_verify_false_warns_every_time(make_twin: MakeTwin) -> None:
    for _ in range(2):
        with pytest.warns(InsecureTransportWarning, match="verify=False"):
            twin = await make_twin(sign_in=False, ca_bundle=None, verify=False)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert (await twin.sign_in())["retcode"] == "0"


async def test_history_journals_and_replays_without_duplicates(
    make_twin: MakeTwin, faults: Faults, tmp_path: Any
) -> None:
    history = History(tmp_path / "h.sqlite3")
    twin = await make_twin(history=history)
    user = _user()
    message = new_message(to=user, content="journaled")
    await twin.send_message("call-15", message)
    [entry] = history.list()
    assert (entry.message_code, entry.retcode, entry.ok) == (message.messageCode, "0", True)
    assert twin.guid.get_secret_value() not in entry.body
    replay = history.areplay if twin.is_async else history.replay
    result = replay(entry.id, twin.client)
    result = await result if twin.is_async else result
    assert result.ok
    assert len(faults.messages(user)) == 1
    fresh = history.areplay if twin.is_async else history.replay
    result = fresh(entry.id, twin.client, new_message_code=True)
    result = await result if twin.is_async else result
    assert len(faults.messages(user)) == 2
    history.close()


async def test_poll_event_sees_a_customer_opening_a_chat(
    make_twin: MakeTwin, faults: Faults
) -> None:
    twin = await make_twin()
    r = faults._http.post(
        f"{faults.sb.base_url}/sandbox/chats",
        json={"channel": "WEB", "userId": _user(), "agentId": twin.agent_id},
    )
    callid = r.json()["callid"]
    event = await twin.poll_event()
    assert event is not None and event["content"]["callid"] == callid
