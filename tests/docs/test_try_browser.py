"""The Try-it lab in headless Chromium: guide 1 runs in the page, nothing leaves 127.0.0.1.

Serves the built site (`sh scripts/docs`, `built_site`) on 127.0.0.1, aborts every other request,
opens guide 1 in `try/`, runs all its cells in the Pyodide kernel and checks what a reader sees.
"""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page

from tests.docs.conftest import ROOT
from tests.fixtures_browser import keep_local

pytestmark = pytest.mark.browser

SCREENSHOTS = ROOT / "artifacts" / "screenshots"
GUIDE_1 = "try/notebooks/index.html?path=notebooks/01_quickstart.ipynb"
KERNEL_READY = 120_000  # ms: Pyodide, the wheels and the kernel, cold, on a busy 2-core machine


def run_all_cells(page: Page) -> None:
    """Run ▸ Run All Cells, as a reader would."""
    page.get_by_role("menuitem", name="Run").click()
    page.get_by_text("Run All Cells", exact=True).click()


def test_guide_1_runs_in_the_browser_offline(chromium: Browser, site_server: str) -> None:
    context = chromium.new_context(viewport={"width": 1280, "height": 1000})
    foreign = keep_local(context, site_server)
    errors: list[str] = []
    page = context.new_page()
    page.on("pageerror", lambda e: errors.append(str(e)))
    started = time.perf_counter()
    page.goto(site_server + GUIDE_1)
    page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=60_000)
    run_all_cells(page)

    # A send returns retcode 0 (guide 1 prints "0 - retcode 0: success; ...").
    page.get_by_text(re.compile(r"^0 - retcode 0: success")).wait_for(timeout=KERNEL_READY)
    answered = time.perf_counter() - started
    # The conversation shows the agent's bubble.
    bubble = page.locator(".smk-bubble.smk-agent", has_text="Hello! How can I help you today?")
    bubble.first.wait_for(timeout=30_000)
    # The builder renders and stays live: typing in content changes the meter.
    content = page.locator(".smk-content textarea")
    content.wait_for(timeout=30_000)
    before = page.locator(".smk-meter").last.inner_text()
    assert not before.startswith("2400 / 1900 bytes"), before
    content.fill("你" * 800)
    # The meter is redrawn (a new element) from the kernel's answer: wait for the new figure.
    page.locator(".smk-meter", has_text="2400 / 1900 bytes").last.wait_for(timeout=30_000)
    page.locator(".smk-findings").last.wait_for()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / "try__01_quickstart.png", full_page=False)
    content.scroll_into_view_if_needed()
    page.screenshot(path=SCREENSHOTS / "try__01_quickstart_builder.png", full_page=False)
    context.close()
    print(f"guide 1 in try/: first send answered after {answered:.1f} s (cold)")
    assert foreign == []
    assert errors == []


def test_try_site_is_within_budget(built_site: Path) -> None:
    size = sum(p.stat().st_size for p in (built_site / "try").rglob("*") if p.is_file())
    assert size <= 60e6, f"try/ is {size / 1e6:.1f} MB"
    # Only the wheels the lock lists are shipped; none is fetched from elsewhere.
    lock = (built_site / "try/static/pyodide/pyodide-lock.json").read_text()
    shipped = {p.name for p in (built_site / "try/static/pyodide").glob("*.whl")}
    assert shipped and all(name in lock for name in shipped)
    assert "sendmessage_kit-" in " ".join(shipped)
    config = (built_site / "try/jupyter-lite.json").read_text()
    assert '"disablePyPIFallback": true' in config


def test_a_shared_link_opens_the_same_payload(chromium: Browser, site_server: str) -> None:
    context = chromium.new_context(viewport={"width": 1280, "height": 1000})
    foreign = keep_local(context, site_server)
    page = context.new_page()
    page.goto(site_server + "try/notebooks/index.html?path=notebooks/02_anatomy_of_a_request.ipynb")
    page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=60_000)
    run_all_cells(page)
    content = page.locator(".smk-content textarea")
    content.wait_for(timeout=KERNEL_READY)
    text = "Shared: 你好, order 1234"
    content.fill(text)
    counted = f"{len(text.encode())} / 1900 bytes"
    page.locator(".smk-meter", has_text=counted).last.wait_for(timeout=30_000)
    meter = page.locator(".smk-meter").last.inner_text()
    body = page.locator(".smk-body").last.inner_text()
    page.locator(".smk-share").click()
    href = page.locator(".smk-share-link a").get_attribute("href")
    assert href is not None and "#p=" in href and "?" in href.split("#")[0]
    url = page.evaluate("(h) => new URL(h, document.baseURI).href", href)

    shared = context.new_page()
    shared.goto(url)
    shared.wait_for_selector(".jp-Notebook .jp-Cell", timeout=60_000)
    run_all_cells(shared)
    shared.locator(".smk-content textarea").wait_for(timeout=KERNEL_READY)
    assert shared.locator(".smk-content textarea").input_value() == text
    assert shared.locator(".smk-meter").last.inner_text() == meter
    # The same body (callid, messageCode and sendTime travel with the form).
    assert shared.locator(".smk-body").last.inner_text() == body
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    shared.screenshot(path=SCREENSHOTS / "try__shared.png", full_page=False)
    context.close()
    assert foreign == []
