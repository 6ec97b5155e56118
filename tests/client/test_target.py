"""`open_target()` / `connect()`: each returns what its caller owns, and closes only that."""

from __future__ import annotations

from typing import Any

import httpx2
import pytest

from sendmessage_kit import GatewayClient, connect, open_target, sandbox
from sendmessage_kit.cli import main
from sendmessage_kit.errors import AuthError, SettingsError
from sendmessage_kit.models import new_message
from sendmessage_kit.settings import KitSettings


def _up(base_url: str) -> bool:
    try:
        httpx2.get(base_url + "/sandbox/health", verify=False, timeout=3)
    except httpx2.TransportError:
        return False
    return True


def _hello(client: Any) -> bool:
    return bool(client.send_message("call-target", new_message(to="u-t", content="hi")).ok)


def _in_lab(monkeypatch: pytest.MonkeyPatch, lab: Any) -> None:
    for key, value in sandbox.lab_environ(lab).items():
        monkeypatch.setenv(key, value)


def test_a_second_connect_leaves_the_first_working() -> None:
    c1 = connect(history=False)
    c2 = connect(KitSettings(secmode=0), history=False)
    try:
        assert c1.base_url != c2.base_url and c2.secmode == 0
        assert _hello(c1) and _hello(c2)
        c2.close()  # stops c2's sandbox, and only that one
        assert not _up(c2.base_url)
        assert _hello(c1)
    finally:
        c1.close()
        c2.close()
    assert not _up(c1.base_url)  # the client owned the sandbox connect() started for it


def test_connect_never_stops_a_sandbox_it_did_not_start() -> None:
    with sandbox.start(http=True) as mine:
        connect(history=False).close()  # a sandbox of its own, not mine
        assert mine.running and _up(mine.base_url)
        settings = KitSettings(
            base_url=mine.base_url, agent_id="4171", password="sandbox", phonenum=mine.phonenum
        )
        with open_target(settings, history=False) as target:  # a configured gateway
            assert target.sandbox is None and target.signed_in
            assert target.client.agent_id == "4171" and _hello(target.client)
        assert mine.running and _up(mine.base_url)


def test_a_sandbox_given_is_used_and_left_running(gw: Any) -> None:
    target = open_target(sandbox=gw, agent_id="4173", history=False)
    assert target.sandbox is gw and not target.owns_sandbox
    assert _hello(target.client)
    target.close()
    assert gw.running and _up(gw.base_url)


def test_under_lab_it_uses_labs_sandbox_and_leaves_it_running(
    gw: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    _in_lab(monkeypatch, gw)
    monkeypatch.setenv("SENDMESSAGE_KIT_AGENT_ID", "4172")  # the settings' agent wins
    with open_target(history=False) as target:
        assert target.sandbox is not None and not target.owns_sandbox
        assert target.client.base_url == gw.base_url and target.client.agent_id == "4172"
        assert _hello(target.client)
    assert gw.running and _up(gw.base_url)
    # lab's sandbox has secmode 1: asking for 0 starts one of its own, stopped on close
    with open_target(KitSettings(secmode=0), history=False) as other:
        assert other.owns_sandbox and other.client.base_url != gw.base_url
    assert other.sandbox is not None and not other.sandbox.running
    assert gw.running


def test_use_chooses_the_target() -> None:
    with pytest.raises(SettingsError, match="no gateway configured"):
        open_target(use="configured")
    settings = KitSettings(base_url="https://gw.invalid:8043", agent_id="101")
    with open_target(settings, use="sandbox", history=False) as target:
        assert target.owns_sandbox and target.client.base_url.startswith("https://127.0.0.1:")


def test_the_product_client_has_no_sandbox_api() -> None:
    with open_target(history=False) as target:
        assert target.sandbox is not None
        assert target.sandbox.customer.health()["status"] == "ok"  # the customer side lives here
        assert not hasattr(target.client, "sandbox")
        assert not hasattr(target.client, "customer_side")


def test_send_cli_starts_its_own_sandbox_even_under_lab(
    gw: Any, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _in_lab(monkeypatch, gw)
    assert main(["send", "--to", "u1", "--text", "hello"]) == 0
    out = capsys.readouterr().out
    assert "embedded sandbox, started for this command" in out and gw.base_url not in out


def test_a_gateway_password_without_an_agent_id_is_not_tried_on_a_sandbox(gw: Any) -> None:
    # A password (and Guid) left in the environment for a real gateway, no base URL: the sandbox's
    # demo agent signs in (the docs build runs the guides this way, with canary secrets).
    settings = KitSettings(password="meant-for-a-real-gateway", guid="stale-guid.AgentGateway1")
    with open_target(settings, sandbox=gw, history=False) as target:
        assert target.client.agent_id == gw.agent_id
        assert _hello(target.client)
    # With an agent ID of its own, that agent's credentials are the ones used (and refused here).
    mine = KitSettings(agent_id="4174", password="not-the-sandbox-password")
    with pytest.raises(AuthError, match="100-004"):
        open_target(mine, sandbox=gw, history=False)


def test_a_sandbox_client_uses_the_demo_phonenum_unless_the_settings_give_one(gw: Any) -> None:
    with GatewayClient.for_sandbox(gw, agent_id="4175", history=False) as demo:
        assert demo.phonenum == gw.phonenum == "88880001"
    mine = KitSettings(phonenum="77770001")
    with GatewayClient.for_sandbox(gw, agent_id="4176", settings=mine, history=False) as client:
        assert client.phonenum == "77770001" and client.guid is not None


@pytest.mark.parametrize("kind", ["sync", "async"])
async def test_on_close_makes_the_client_own_what_it_is_given(gw: Any, kind: str) -> None:
    done: list[str] = []
    options = {"base_url": gw.base_url, "agent_id": "171", "history": False}
    if kind == "sync":
        client: Any = GatewayClient(**options)
    else:
        from sendmessage_kit import AsyncGatewayClient

        client = AsyncGatewayClient(**options)
    client.on_close(lambda: done.append("first"))
    client.on_close(lambda: done.append("second"))
    assert done == []
    if kind == "sync":
        client.close()
        client.close()
    else:
        await client.aclose()
        await client.aclose()
    assert done == ["second", "first"]  # the last given first, each once
