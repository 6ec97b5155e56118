"""TrafficView over a proxy in a real browser: JupyterLab on 127.0.0.1, headless Chromium.

Run with `uv run pytest -m browser`. Saves a screenshot to artifacts/screenshots/.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.widgets import lab

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not lab.chromium_available() and not os.environ.get("SENDMESSAGE_KIT_REQUIRE_BROWSER"),
        reason="needs /usr/bin/chromium (apt-get install -y chromium)",
    ),
]

SCREENSHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
CELLS = [
    "from sendmessage_kit import proxy, sandbox\n"
    "from sendmessage_kit.widgets import TrafficView\n"
    "sb = sandbox.start(http=True)\n"
    "p = proxy.start(upstream=sb.base_url)\n"
    "view = TrafficView(p)\n"
    "view",
    "import httpx2\n"
    "from sendmessage_kit import new_message\n"
    "from sendmessage_kit.encoding import encode_body\n"
    "from sendmessage_kit.models import SendMessageRequest\n"
    "app = httpx2.Client(base_url=p.url)  # the integrator's application, pointed at the proxy\n"
    "gw = f'/agentgateway/resource'\n"
    "r = app.put(f'{gw}/onlineagent/101', json={'password': 'sandbox', 'phonenum': '88880001'})\n"
    "guid = r.headers['Set-GUID'].removeprefix('JSESSIONID=')\n"
    "good = SendMessageRequest(callid='c-1', data=new_message(to='u-1', content='Hello'))\n"
    "send = f'{gw}/mediacall/101/sendmessage'\n"
    "app.post(send, content=encode_body(good), headers={'Guid': guid})\n"
    "import json\n"
    "bad = json.dumps({'callid': 'c-1', 'data': json.dumps({'to': 'u-1', 'content': ''})})\n"
    "app.post(send, content=bad, headers={'Guid': guid})\n"
    "'sent'",
]


@pytest.fixture(scope="module")
def running_lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[lab.Lab]:
    root = tmp_path_factory.mktemp("lab")
    lab.write_notebook(root / "traffic.ipynb", CELLS)
    with lab.running_lab(root) as server:
        yield server


def test_traffic_view_shows_the_exchanges_newest_first_and_opens_one(
    running_lab: lab.Lab, chromium: Any
) -> None:
    page = chromium.new_page(viewport={"width": 1440, "height": 1100})
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        lab.open_and_run_all(page, running_lab, "traffic.ipynb")
        entries = page.locator(".smk-traffic .smk-exchange")
        page.wait_for_function(
            "() => document.querySelectorAll('.smk-traffic .smk-exchange').length === 3",
            timeout=60_000,
        )
        # Newest first on screen: the refused send above the delivered one, above the sign-in.
        tops = [e.bounding_box()["y"] for e in entries.all()]  # type: ignore[index]
        refused = page.locator('.smk-exchange[data-retcode="106-002"]')
        delivered = page.locator('.smk-exchange[data-interface="sendmessage"][data-retcode="0"]')
        signin = page.locator('.smk-exchange[data-interface="sign-in"]')
        y = [x.bounding_box()["y"] for x in (refused, delivered, signin)]  # type: ignore[index]
        assert y == sorted(y), (y, tops)
        refused.locator("summary").click()
        fix = refused.locator(".smk-fix").first
        fix.wait_for(timeout=5_000)
        assert fix.is_visible()
        text = refused.inner_text()
        assert "content.empty" in text and "Put the message text in data.content." in text
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.locator(".smk-traffic").screenshot(path=str(SCREENSHOTS / "traffic_view_lab.png"))
        assert not errors, errors
    finally:
        page.close()
