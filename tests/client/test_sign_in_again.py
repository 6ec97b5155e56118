"""A Guid that is no longer valid (000-003 / 100-006): sign in again once, resend the same body.

Against the real sandbox. The agent is signed out the way a gateway does it: a forced sign-in
elsewhere ends the client's session (its Guid then answers 100-006); idling is in
tests/client/test_events.py, with the sandbox's injectable clock.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from typing import Any

import pytest

from sendmessage_kit import AsyncGatewayClient, SignedOutError
from sendmessage_kit.models import new_message
from tests.client.conftest import Faults, MakeTwin

GW = "/agentgateway/resource/onlineagent"


def _user() -> str:
    return "again-" + uuid.uuid4().hex[:10]


class Elsewhere:
    """Another application signing the same agent in (forcelogin) and out, over HTTP."""

    def __init__(self, sb: Any, agent_id: str) -> None:
        self.http = sb.http_client()
        self.agent_id = agent_id
        self.body = {"password": sb.password.get_secret_value(), "phonenum": sb.phonenum}
        self.guid = ""

    def force_sign_in(self) -> None:
        r = self.http.put(f"{GW}/{self.agent_id}/forcelogin", json=self.body)
        assert r.json()["retcode"] == "0"
        self.guid = r.headers["set-guid"].removeprefix("JSESSIONID=")

    def sign_out(self) -> None:
        r = self.http.delete(f"{GW}/{self.agent_id}/logout", headers={"Guid": self.guid})
        assert r.json()["retcode"] == "0"
        self.http.close()


def _sign_ins(caplog: pytest.LogCaptureFixture) -> int:
    return sum(r.getMessage().startswith("signed in agent") for r in caplog.records)


async def test_signed_out_client_signs_in_again_and_resends_the_same_message(
    make_twin: MakeTwin, gw: Any, faults: Faults, caplog: pytest.LogCaptureFixture
) -> None:
    twin = await make_twin()
    old = twin.guid.get_secret_value()
    other = Elsewhere(gw, twin.agent_id)
    other.force_sign_in()  # the client's session ends: its Guid now answers 100-006
    other.sign_out()
    caplog.set_level(logging.INFO, logger="sendmessage_kit.client")
    user = _user()
    message = new_message(to=user, content="after the sign-out")
    result = await twin.send_message("call-again-1", message)
    assert (result.ok, result.attempts, _sign_ins(caplog)) == (True, 2, 1)
    assert twin.guid.get_secret_value() != old
    assert [(m["messageCode"], m["content"]) for m in faults.messages(user)] == [
        (message.messageCode, "after the sign-out")
    ]


async def test_session_held_elsewhere_is_not_taken_over(
    make_twin: MakeTwin, gw: Any, faults: Faults
) -> None:
    twin = await make_twin()
    other = Elsewhere(gw, twin.agent_id)
    other.force_sign_in()  # and keeps its session: a plain sign-in answers 100-002
    try:
        user = _user()
        with pytest.raises(SignedOutError) as info:
            await twin.send_message("call-again-2", new_message(to=user, content="x"))
        assert info.value.retcode == "100-006"
        assert "sign in again and got 100-002" in str(info.value)
        assert "force_sign_in" in str(info.value)
        assert faults.messages(user) == []
    finally:
        other.sign_out()


async def test_signs_in_again_only_once(
    make_twin: MakeTwin, gw: Any, faults: Faults, caplog: pytest.LogCaptureFixture
) -> None:
    twin = await make_twin(raise_on_error=False)
    other = Elsewhere(gw, twin.agent_id)
    other.force_sign_in()
    other.sign_out()
    faults.set(retcode="100-006", count=3)  # the first send's answer and the resend's
    caplog.set_level(logging.INFO, logger="sendmessage_kit.client")
    user = _user()
    result = await twin.send_message("call-again-3", new_message(to=user, content="x"))
    assert isinstance(result.error, SignedOutError) and result.retcode == "100-006"
    assert (result.attempts, _sign_ins(caplog)) == (2, 1)
    assert gw.faults.get()["left"] == 1  # exactly two sends reached the gateway
    assert faults.messages(user) == []


async def test_without_a_password_the_error_says_what_to_do(make_twin: MakeTwin, gw: Any) -> None:
    twin = await make_twin()
    guid = twin.guid
    other = Elsewhere(gw, twin.agent_id)
    other.force_sign_in()
    other.sign_out()
    bare = await make_twin(sign_in=False, agent_id=twin.agent_id, guid=guid, password=None)
    with pytest.raises(SignedOutError) as info:
        await bare.send_message("call-again-4", new_message(to=_user(), content="x"))
    text = str(info.value)
    assert "SENDMESSAGE_KIT_PASSWORD" in text and "password=" in text and "sign_in(" in text


async def test_concurrent_sends_share_one_sign_in(
    gw: Any, faults: Faults, caplog: pytest.LogCaptureFixture
) -> None:
    agent = str(50000 + uuid.uuid4().int % 9000)
    async with await AsyncGatewayClient.for_sandbox(gw, agent_id=agent, history=False) as client:
        other = Elsewhere(gw, agent)
        other.force_sign_in()
        other.sign_out()
        caplog.set_level(logging.INFO, logger="sendmessage_kit.client")
        user = _user()
        messages = [new_message(to=user, content=f"m{i}") for i in range(20)]
        results = await asyncio.gather(*(client.send_message("c", m) for m in messages))
    assert all(r.ok for r in results) and _sign_ins(caplog) == 1
    stored = sorted(m["messageCode"] for m in faults.messages(user))
    assert stored == sorted(m.messageCode for m in messages)
