"""The chat page in Chromium for a user ID with reserved characters, on a channel other than WEB.

The page reads the customer side (`/sandbox/users/{userId}/messages?channel=`): the ID travels
percent-encoded, `/` included, and the server answers that channel's messages only (issue 23).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from sendmessage_kit.client import GatewayClient
from sendmessage_kit.models import new_message
from sendmessage_kit.sandbox import Sandbox, SandboxConfig, serve

pytestmark = pytest.mark.browser

SCREENSHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"


@pytest.fixture
def sandbox(tmp_path: Path) -> Iterator[Sandbox]:
    config = SandboxConfig(http=True, idle_timeout=0, poll_wait=1.0, data_dir=tmp_path)
    with serve(config) as sb:
        yield sb


@pytest.mark.parametrize("user", ["a/b", "q?x#1 %41"])
def test_the_page_reads_a_user_id_with_reserved_characters(
    chromium: Any, sandbox: Sandbox, user: str
) -> None:
    with GatewayClient.for_sandbox(sandbox, history=False) as agent:
        context = chromium.new_context(viewport={"width": 390, "height": 640})
        page = context.new_page()
        try:
            page.goto(sandbox.customer.page_url(user, "SMS"))
            page.wait_for_selector("body[data-state=ready]", timeout=10_000)
            callid = page.get_attribute("body", "data-callid") or ""
            agent.send_message(callid, new_message(to=user, channel="WEB", content="on WEB"))
            agent.send_message(callid, new_message(to=user, channel="SMS", content="on SMS"))
            bubble = page.wait_for_selector(".msg.in .text", timeout=5_000)
            assert bubble.text_content() == "on SMS"
            page.wait_for_timeout(1500)  # two more polls: the WEB message never shows
            assert page.locator(".msg.in").count() == 1
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            name = "webchat-reserved-id-" + str(len(user)) + ".png"
            page.screenshot(path=str(SCREENSHOTS / name))
        finally:
            context.close()
