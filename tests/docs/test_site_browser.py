"""Every page of the built docs site in headless Chromium, served from 127.0.0.1 only.

Run in its own pytest invocation (`pytest -m browser`): Playwright's sync API keeps an event loop
running for the rest of the session, which breaks asyncio tests collected after it.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from tests.docs.conftest import ROOT, expected_pages
from tests.fixtures_browser import keep_local

CHROMIUM = Path("/usr/bin/chromium")
if not CHROMIUM.exists() and os.environ.get("SENDMESSAGE_KIT_REQUIRE_BROWSER") != "1":
    pytest.skip(f"{CHROMIUM} is missing (apt-get install -y chromium)", allow_module_level=True)

from playwright.sync_api import Browser, Page  # noqa: E402

pytestmark = pytest.mark.browser

SCREENSHOTS = ROOT / "artifacts" / "screenshots"
WIDGET_VIEW = ".jupyter-widgets.widget-container, .jupyter-widgets.widget-inline-hbox, .widget-text"


PAGES = expected_pages()
#: One page of each kind: home, 404, a written page, the reference's index and a module's page,
#: the first and the last guide (the notebook pages, with widgets).
_GUIDES = [p for p in PAGES if p.startswith("guides/")]
_MODULES = [p for p in PAGES if p.startswith("reference/") and p != "reference/"]
PROPERDOCS_SAMPLE = [
    "",
    "404.html",
    "quickstart/",
    "reference/",
    _MODULES[0],
    _GUIDES[0],
    _GUIDES[-1],
]


@pytest.fixture(scope="session")
def site_url(site_server: str) -> str:
    """The built site over HTTP on 127.0.0.1 (conftest's `site_server`)."""
    return site_server


@pytest.fixture(scope="session")
def browser(chromium: Browser) -> Browser:
    """The session's shared Chromium (tests/fixtures_browser.py)."""
    return chromium


class PageLog:
    """What went wrong while a page loaded: console errors, page errors, requests."""

    def __init__(self, page: Page, origin: str) -> None:
        self.errors: list[str] = []
        self.failed: list[str] = []
        page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        page.on("pageerror", lambda e: self.errors.append(f"pageerror: {e}"))
        page.on("requestfailed", lambda r: self.failed.append(f"{r.url}: {r.failure}"))
        page.on(
            "response", lambda r: r.status >= 400 and self.failed.append(f"{r.url}: {r.status}")
        )
        # Anything not on the local server is recorded and never leaves the machine.
        self.foreign = keep_local(page, origin)


@pytest.mark.parametrize("path", [pytest.param(p, id=p or "home") for p in PAGES])
def test_page_renders_offline(browser: Browser, site_url: str, built_site: Path, path: str) -> None:
    html_file = built_site / (path + "index.html" if path.endswith("/") or not path else path)
    assert html_file.is_file(), f"{path} was not built"
    has_widgets = "application/vnd.jupyter.widget-view+json" in html_file.read_text("utf-8")
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    log = PageLog(page, site_url)
    started = time.perf_counter()
    response = page.goto(site_url + path, wait_until="load")
    assert response is not None and response.ok, path
    if has_widgets:
        page.wait_for_selector(WIDGET_VIEW, state="visible", timeout=15_000)
        assert page.get_by_text("Error displaying widget").count() == 0
    page.wait_for_load_state("networkidle")
    elapsed = time.perf_counter() - started
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    name = path.strip("/").replace("/", "__").removesuffix(".html") or "index"
    page.screenshot(path=SCREENSHOTS / f"{name}.png", full_page=True)
    context.close()
    print(f"{path or '/'}: {elapsed:.2f} s{' (widgets)' if has_widgets else ''}")
    assert log.foreign == []
    assert log.failed == []
    assert log.errors == []


def test_every_built_page_was_opened(built_site: Path) -> None:
    built = {
        str(p.relative_to(built_site).parent) + "/" if p.name == "index.html" else p.name
        for p in built_site.rglob("*.html")
        if p.relative_to(built_site).parts[0] != "try"  # the lab: test_try_browser.py
    }
    assert {"./" if p == "" else p for p in PAGES} == built


def test_the_properdocs_site_renders_offline(
    browser: Browser, properdocs_server: str, properdocs_site: Path
) -> None:
    """A page of each kind ProperDocs assembled, in one tab: widgets render, nothing leaves
    127.0.0.1. (Its page set equals MkDocs' — test_site.py — whose every page is opened above;
    the pages of a kind share their template and assets.)"""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    log = PageLog(page, properdocs_server)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    opened = []
    for path in PROPERDOCS_SAMPLE:
        html_file = properdocs_site / (path + "index.html" if not path.endswith(".html") else path)
        response = page.goto(properdocs_server + path, wait_until="load")
        assert response is not None and response.ok, path
        if "application/vnd.jupyter.widget-view+json" in html_file.read_text("utf-8"):
            page.wait_for_selector(WIDGET_VIEW, state="visible", timeout=15_000)
            assert page.get_by_text("Error displaying widget").count() == 0, path
        page.wait_for_load_state("networkidle")
        opened.append(path)
        if path == "guides/01_quickstart/":
            page.screenshot(path=SCREENSHOTS / "properdocs__guides__01_quickstart.png")
    context.close()
    assert opened == PROPERDOCS_SAMPLE and "guides/01_quickstart/" in opened
    assert log.foreign == []
    assert log.failed == []
    assert log.errors == []
