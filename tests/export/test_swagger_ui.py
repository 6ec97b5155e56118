"""Swagger UI (npm `swagger-ui-dist`, served on 127.0.0.1) loads the exported OpenAPI and, with
"Try it out", signs in and sends to a sandbox started with `--cors` for its origin: retcode 0.
"""

from __future__ import annotations

import functools
import http.server
import json
import re
import shutil
import socket
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from sendmessage_kit.encoding import encode_body
from sendmessage_kit.models import SendMessageRequest, new_message
from tests.export.npm_tools import npm_tools
from tests.gateway_process import COMMAND, clean_env, gateway_process

pytestmark = pytest.mark.browser
SCREENSHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
INDEX = """<!doctype html>
<html><head><meta charset="utf-8"><title>sendmessage-kit in Swagger UI</title>
<link rel="stylesheet" href="swagger-ui.css"></head>
<body><div id="swagger-ui"></div>
<script src="swagger-ui-bundle.js"></script>
<script>window.ui = SwaggerUIBundle({url: "sendmessage-kit-openapi.json", dom_id: "#swagger-ui"});
</script></body></html>
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def _static(folder: Path, port: int) -> Iterator[str]:
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(folder))
    handler.log_message = lambda *a: None  # type: ignore[assignment]
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def _try_it_out(page: Any, op: str, agent: str, body: str) -> str:
    """Open an operation, fill agentid and the body, execute; the live response's text."""
    block = page.locator(f"#operations-default-{op}")
    block.locator(".opblock-summary").first.click()
    block.locator("button.try-out__btn").click()
    block.locator("input[placeholder='agentid']").fill(agent)
    block.locator("textarea.body-param__text").fill(body)
    block.locator("button.execute").click()
    live = block.locator(".live-responses-table")
    live.locator(".response-col_status").first.wait_for()
    page.wait_for_timeout(200)
    return str(live.inner_text())


def test_swagger_ui_signs_in_and_sends_with_try_it_out(chromium: Any, tmp_path: Path) -> None:
    dist = npm_tools() / "node_modules" / "swagger-ui-dist"
    site = tmp_path / "site"
    site.mkdir()
    for name in ("swagger-ui.css", "swagger-ui-bundle.js"):
        shutil.copy(dist / name, site / name)
    (site / "index.html").write_text(INDEX, encoding="utf-8")
    ui_port = _free_port()
    origin = f"http://127.0.0.1:{ui_port}"
    data = tmp_path / "data"
    with gateway_process(data, "--http", "--poll-wait", "0.2", "--cors", origin) as gw:
        done = subprocess.run(
            [*COMMAND, "export", "--format", "openapi", "--base-url", gw.url, "--out",
             str(site / "sendmessage-kit-openapi.json")],
            capture_output=True, text=True, env=clean_env(), timeout=60,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        doc = json.loads((site / "sendmessage-kit-openapi.json").read_text())
        assert doc["servers"][0]["url"] == gw.url + "/agentgateway"
        with _static(site, ui_port) as ui:
            page = chromium.new_page(viewport={"width": 1280, "height": 1600})
            try:
                page.goto(ui + "/index.html")
                page.locator("#operations-default-signIn").wait_for()
                signed = _try_it_out(
                    page, "signIn", "4401", '{"password": "sandbox", "phonenum": "88880001"}'
                )
                guid = re.search(r"JSESSIONID=(\S+)", signed)
                assert guid, signed  # Set-GUID, readable because the sandbox exposes it
                assert '"retcode": "0"' in signed
                page.locator("button.authorize").first.click()
                page.locator(".auth-container input").fill(guid[1])
                page.locator(".auth-btn-wrapper button.authorize").click()
                page.locator("button.btn-done").click()
                body = encode_body(
                    SendMessageRequest(
                        callid="swagger-1",
                        data=new_message(to="swagger-user", content="Sent from Swagger UI"),
                    )
                )
                sent = _try_it_out(page, "sendMessage", "4401", body)
                page.locator(
                    "#operations-default-sendMessage .live-responses-table"
                ).scroll_into_view_if_needed()
                SCREENSHOTS.mkdir(parents=True, exist_ok=True)
                page.screenshot(
                    path=str(SCREENSHOTS / "swagger-ui-try-it-out.png"), full_page=False
                )
            finally:
                page.close()
        assert '"retcode": "0"' in sent, sent
        import httpx2

        stored = httpx2.get(gw.url + "/sandbox/users/swagger-user/messages").json()
    messages = stored["messages"] if isinstance(stored, dict) else stored
    assert [m["content"] for m in messages] == ["Sent from Swagger UI"]
