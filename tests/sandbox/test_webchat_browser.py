"""The customer's chat page in Chromium, both directions over the real paths.

The agent is a `GatewayClient` (sign-in, event poll, sendmessage over a socket); the customer is
the page. WEB reads with applyToken + poll, the other channels with the customer side; in LAN
mode the page is opened on this machine's LAN address, so its calls pass the page-token rules.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from sendmessage_kit.client import GatewayClient
from sendmessage_kit.models import new_message
from sendmessage_kit.sandbox import Sandbox, SandboxConfig, serve
from sendmessage_kit.sandbox.lan import lan_address

pytestmark = pytest.mark.browser

SCREENSHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
AGENT_TEXT = "Hello! 你好 こんにちは 안녕하세요 مرحبا 👋🏽 How can I help?"
LONG_WORD = "Supercalifragilisticexpialidocious" * 3


@pytest.fixture
def sandbox(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Sandbox]:
    lan = bool(getattr(request, "param", False))
    if lan:
        try:
            lan_address()
        except OSError as exc:
            pytest.skip(str(exc))
    config = SandboxConfig(http=True, idle_timeout=0, poll_wait=1.0, data_dir=tmp_path, lan=lan)
    with serve(config) as sb:
        yield sb


def _events(agent: GatewayClient, wanted: str) -> dict[str, Any]:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        event = agent.poll_event(timeout=5)
        if event is not None and event["eventType"] == wanted:
            return event
    raise AssertionError(f"no {wanted} within 10 s")


@pytest.mark.parametrize(
    ("channel", "sandbox"),
    [("WEB", False), ("WHATSAPP", False), ("WECHAT", True)],
    indirect=["sandbox"],
    ids=["web-poll", "whatsapp-customer-side", "wechat-over-the-lan"],
)
def test_customer_page_receives_and_replies(chromium: Any, sandbox: Sandbox, channel: str) -> None:
    user = f"page-{channel.lower()}"
    with GatewayClient.for_sandbox(sandbox, history=False) as agent:
        # sent before the page opens: not part of its chat, so not shown
        agent.send_message("1552524689-1", new_message(to=user, channel=channel, content="old"))
        url = sandbox.customer.page_url(user, channel)
        origin = "{0.scheme}://{0.netloc}".format(urlsplit(url))
        if sandbox.lan_url:
            assert origin == sandbox.lan_url  # the page and its calls come from the LAN side
        context = chromium.new_context(viewport={"width": 390, "height": 760})
        page = context.new_page()
        requests: list[str] = []
        page.on("request", lambda r: requests.append(r.url))
        try:
            page.goto(url)
            page.wait_for_selector("body[data-state=ready]", timeout=10_000)
            callid = page.get_attribute("body", "data-callid")
            talking = _events(agent, "AgentEvent_Talking")
            assert talking["content"]["callid"] == callid
            assert talking["content"]["caller"] == user

            # agent → customer: a bubble within one poll interval (0.5 s) plus slack
            message = new_message(to=user, channel=channel, content=AGENT_TEXT)
            started = time.perf_counter()
            agent.send_message(callid or "", message)
            bubble = page.wait_for_selector(".msg.in .text", timeout=5_000)
            seconds = time.perf_counter() - started
            assert bubble.text_content() == AGENT_TEXT
            assert page.locator(".msg.in").count() == 1  # "old" was not shown
            assert seconds < 3.0, seconds

            # customer → agent: type, Enter sends
            page.fill("#text", f"Thanks! {LONG_WORD}")
            page.keyboard.press("Enter")
            data = _events(agent, "AgentEvent_MessageData")
            assert data["content"]["callid"] == callid
            assert data["content"]["message"] == f"Thanks! {LONG_WORD}"
            page.wait_for_selector(".msg.out[data-code]")
            assert page.input_value("#text") == ""
            # and the Send button does the same
            page.fill("#text", "One more")
            page.click("#send")
            assert _events(agent, "AgentEvent_MessageData")["content"]["message"] == "One more"

            # a phone's width: the long word wraps, nothing scrolls sideways
            overflow = page.evaluate(
                "document.scrollingElement.scrollWidth - document.documentElement.clientWidth"
            )
            assert overflow <= 0
            assert page.get_attribute("body", "data-channel") == channel
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SCREENSHOTS / f"webchat-{channel.lower()}.png"))
        finally:
            context.close()
        assert requests and all(r.startswith((origin + "/", "data:")) for r in requests)


def test_a_message_too_long_stays_in_the_box_with_a_reason(chromium: Any, sandbox: Sandbox) -> None:
    url = sandbox.customer.page_url("page-long", "SMS")
    page = chromium.new_page()
    try:
        page.goto(url)
        page.wait_for_selector("body[data-state=ready]")
        text = "长" * 400  # 1,200 UTF-8 bytes: over the customer's 1 KB
        page.fill("#text", text)
        page.keyboard.press("Enter")
        notice = page.wait_for_selector("#notice:not([hidden])")
        assert f"at most {sandbox.config.bytes_per_kb} bytes" in (notice.text_content() or "")
        assert page.input_value("#text") == text  # nothing the customer typed is lost
        assert page.query_selector(".msg.out") is None
    finally:
        page.close()


def test_without_a_user_the_page_says_what_to_add(chromium: Any, sandbox: Sandbox) -> None:
    page = chromium.new_page()
    try:
        page.goto(f"{sandbox.base_url}/sandbox/webchat?channel=TELEGRAM")
        page.wait_for_selector("body[data-state=error]")
        assert "?user=" in (page.text_content("#notice") or "")
    finally:
        page.close()


def test_a_failed_send_stays_marked_and_a_tap_sends_it_again(
    chromium: Any, sandbox: Sandbox
) -> None:
    with GatewayClient.for_sandbox(sandbox, history=False) as agent:
        page = chromium.new_page()
        try:
            page.goto(sandbox.customer.page_url("page-retry", "TELEGRAM"))
            page.wait_for_selector("body[data-state=ready]")
            _events(agent, "AgentEvent_Talking")
            # the network drops the first send (the sandbox never sees it)
            page.route("**/sandbox/chats/*/messages", lambda route: route.abort())
            page.fill("#text", "Are you there?")
            page.keyboard.press("Enter")
            failed = page.wait_for_selector(".msg.out.failed")
            assert "try again" in (failed.text_content() or "")
            assert "not sent" in (page.text_content("#notice") or "")
            page.unroute("**/sandbox/chats/*/messages")
            failed.click()
            page.wait_for_selector(".msg.out[data-code]:not(.failed)")
            message = _events(agent, "AgentEvent_MessageData")["content"]["message"]
            assert message == "Are you there?"
            assert page.is_hidden("#notice")
        finally:
            page.close()
