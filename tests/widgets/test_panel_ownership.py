"""SendPanel closes exactly what it opened: never a sandbox the user started or still holds."""

from __future__ import annotations

from typing import Any

import httpx2
import pytest

from sendmessage_kit import sandbox
from sendmessage_kit.widgets.builder import PayloadBuilder
from sendmessage_kit.widgets.send_panel import SendPanel


def _answers(sb: Any) -> bool:
    with sb.http_client() as c:
        return bool(c.get("/sandbox/health").status_code == 200)


def test_connect_does_not_stop_a_sandbox_the_user_started() -> None:
    with sandbox.start(http=True) as mine:
        panel = SendPanel(PayloadBuilder(), client_options={"history": False})
        client = panel.connect()  # a sandbox of the panel's own
        assert panel.sandbox is not None and panel.sandbox is not mine
        assert client.base_url != mine.base_url
        assert mine.running and _answers(mine)
        started = panel.sandbox
        panel.close()  # stops the panel's sandbox, and only that one
        assert not started.running and panel.client is None
        assert mine.running and _answers(mine)


def test_close_leaves_a_sandbox_the_user_still_holds() -> None:
    with sandbox.start(http=True) as mine:
        panel = SendPanel(PayloadBuilder(), sandbox=mine, client_options={"history": False})
        assert panel.connect().base_url == mine.base_url
        panel.builder.content.value = "still mine"
        panel.send.click()
        assert panel.result is not None and panel.result.ok, panel.status.value
        panel.close()
        assert panel.sandbox is mine and mine.running and _answers(mine)
        panel.connect()  # connects again to the same sandbox
        panel.close()
        assert mine.running


def test_switching_target_closes_only_the_panels_own(monkeypatch: pytest.MonkeyPatch) -> None:
    with sandbox.start(http=True) as gateway:
        monkeypatch.setenv("SENDMESSAGE_KIT_BASE_URL", gateway.base_url)
        monkeypatch.setenv("SENDMESSAGE_KIT_AGENT_ID", "4180")
        monkeypatch.setenv("SENDMESSAGE_KIT_PASSWORD", "sandbox")
        monkeypatch.setenv("SENDMESSAGE_KIT_PHONENUM", "88880001")
        panel = SendPanel(PayloadBuilder(), client_options={"history": False})
        panel.connect()
        own = panel.sandbox
        assert own is not None and own is not gateway
        panel.target.value = "configured"  # closes the panel's client and its sandbox
        assert not own.running and panel.client is None
        client = panel.connect()
        assert panel.sandbox is None and client.base_url == gateway.base_url
        panel.close()
        assert gateway.running and _answers(gateway)
        with pytest.raises(httpx2.TransportError):
            httpx2.get(own.base_url + "/sandbox/health", timeout=2)
