"""One headless Chromium for every browser test of a pytest session.

Playwright's sync API runs an event loop for as long as it is open, and a second
`sync_playwright()` inside it fails ("using Playwright Sync API inside the asyncio loop"), so the
docs and the JupyterLab tests share this one. Browser tests run in their own pytest invocation
(`pytest -m browser`), after the others: the loop Playwright leaves running would break later
asyncio tests of the same session.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def require_chromium() -> None:
    """Skip when Debian's chromium is missing, unless the run demands browsers (scripts/test)."""
    if not CHROMIUM.exists() and os.environ.get("SENDMESSAGE_KIT_REQUIRE_BROWSER") != "1":
        pytest.skip(f"{CHROMIUM} is missing (apt-get install -y chromium)")


@pytest.fixture(scope="session")
def chromium() -> Iterator[Any]:
    """Debian's Chromium driven by Playwright's sync API (no downloaded browser)."""
    require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def keep_local(target: Any, origin: str) -> list[str]:
    """Let `target` (a Playwright page or context) reach only `origin`; the others it asked for.

    Every request elsewhere is aborted, so nothing leaves the machine, and its URL recorded.
    """
    foreign: list[str] = []

    def only_local(route: Any) -> None:
        if route.request.url.startswith(origin):
            route.continue_()
        else:
            foreign.append(route.request.url)
            route.abort()

    target.route("**/*", only_local)
    return foreign
