"""`sendmessage-kit demo` in a real browser: the presenter app served by Voilà on 127.0.0.1.

Run with `uv run pytest -m browser`. Saves screenshots at 1280 and 1920 px to
artifacts/screenshots/ (git-ignored).
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

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
NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"


class Demo:
    def __init__(self, process: subprocess.Popen[str], lines: list[str]) -> None:
        self.process, self.lines = process, lines

    def url(self, label: str) -> str:
        for line in self.lines:
            parts = line.split()
            if parts[:1] == [label] and len(parts) > 1:
                return parts[1]
        raise AssertionError(f"no {label} URL in {self.lines}")


@pytest.fixture(scope="module")
def demo() -> Iterator[Demo]:
    pytest.importorskip("voila")
    cmd = [
        sys.executable,
        "-c",
        "import sys; from sendmessage_kit.cli import main; sys.exit(main(sys.argv[1:]))",
        "demo",
        "--port",
        "0",
        "--notebooks",
        str(NOTEBOOKS),
    ]
    process = subprocess.Popen(
        cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, bufsize=1
    )
    lines: list[str] = []
    ready = threading.Event()

    def read() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            lines.append(line.strip())
            if line.startswith("Ctrl-C"):
                ready.set()
        ready.set()

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    assert ready.wait(120), lines
    assert process.poll() is None, lines
    yield Demo(process, lines)
    process.terminate()  # what Ctrl-C / a service manager does: the app and the sandbox stop
    code = process.wait(30)
    reader.join(10)
    assert process.stdout is not None
    process.stdout.close()
    assert code == 0, lines
    assert "sandbox stopped" in lines


def _open(chromium: Any, demo: Demo, width: int) -> tuple[Any, list[str]]:
    page = chromium.new_page(viewport={"width": width, "height": 1000})
    off_host: list[str] = []

    def on_request(request: Any) -> None:
        host = urlsplit(request.url).hostname
        if request.url.startswith(("data:", "blob:")):
            return
        if host not in ("127.0.0.1",):
            off_host.append(request.url)

    page.on("request", on_request)
    page.goto(demo.url("presenter"), wait_until="commit")
    try:
        page.locator(".smk-content textarea").wait_for(timeout=90_000)
    except Exception:
        raise AssertionError(f"requests off 127.0.0.1: {off_host}") from None
    page.locator(".smk-chat").wait_for()
    return page, off_host


def test_demo_loads_locally_hides_code_and_send_shows_the_bubble(chromium: Any, demo: Demo) -> None:
    assert demo.url("presenter").startswith("http://127.0.0.1:")
    page, off_host = _open(chromium, demo, 1280)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        # No code: no input areas, no source text of the guide's cells.
        assert page.locator(".jp-InputArea-editor, .jp-CodeMirrorEditor").count() == 0
        assert "import playground" not in page.locator("body").inner_text()
        # The layout from 1100 px: the phone is to the right of the composer, not below it.
        composer = page.locator(".smk-composer").bounding_box()
        phone = page.locator(".smk-phone").bounding_box()
        assert composer and phone and phone["x"] >= composer["x"] + composer["width"] - 1
        assert phone["y"] < composer["y"] + composer["height"]

        # The customer's own page, on a second screen: it opens its chat when it loads.
        assert demo.url("customer").startswith("http://127.0.0.1:")  # no CA to trust
        # The sandbox serves HTTPS with its own CA, which this browser profile does not trust.
        customer_context = chromium.new_context()  # plain HTTP by default: no CA to trust
        customer = customer_context.new_page()
        customer.on(
            "request",
            lambda r: off_host.append(r.url) if urlsplit(r.url).hostname != "127.0.0.1" else None,
        )
        customer.goto(demo.url("customer"))
        customer.locator("body[data-callid]").wait_for(state="attached", timeout=10_000)

        text = "Your order 1234 has shipped"
        page.locator(".smk-content textarea").fill(text)
        page.wait_for_timeout(200)  # the typed value reaches the kernel
        t0 = time.perf_counter()
        page.locator(".smk-send").click()
        customer.locator(".msg.in .bubble", has_text=text).wait_for(timeout=2_000)
        elapsed = time.perf_counter() - t0
        assert elapsed < 2.0, elapsed
        page.locator(".smk-phone .smk-agent", has_text=text).wait_for(timeout=2_000)
        customer_context.close()
        page.locator('.smk-result[data-retcode="0"]').wait_for(timeout=2_000)
        page.wait_for_timeout(500)  # let late requests (fonts, icons) show up before counting
        assert off_host == [], off_host
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / "demo_presenter_1280.png"), full_page=True)
        assert not errors, errors
    finally:
        page.close()


def test_demo_at_1920_px(chromium: Any, demo: Demo) -> None:
    page, off_host = _open(chromium, demo, 1920)
    try:
        page.get_by_text("Under the hood: the data string", exact=False).click()
        page.locator(".smk-escaped").wait_for()
        assert off_host == [], off_host
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / "demo_presenter_1920.png"), full_page=True)
    finally:
        page.close()
