"""The playground in a real browser: JupyterLab on 127.0.0.1, headless Debian Chromium.

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


@pytest.fixture(scope="module")
def running_lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[lab.Lab]:
    root = tmp_path_factory.mktemp("lab")
    lab.write_notebook(
        root / "playground.ipynb",
        ["from sendmessage_kit.widgets import playground\nplayground()"],
    )
    with lab.running_lab(root) as server:
        yield server


@pytest.fixture
def page(chromium: Any) -> Iterator[Any]:
    p = chromium.new_page(viewport={"width": 1440, "height": 1400})
    yield p
    p.close()


def test_playground_renders_previews_typing_and_send_shows_the_bubble(
    running_lab: lab.Lab, page: Any
) -> None:
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    lab.open_and_run_all(page, running_lab, "playground.ipynb")

    content = page.locator(".smk-content textarea")
    content.wait_for(timeout=60_000)
    page.locator(".smk-chat").wait_for()
    page.get_by_text("Under the hood: the data string", exact=False).click()  # collapsed by default
    page.locator(".smk-meter").wait_for()

    content.fill('Hello from the browser "quoted"')
    escaped = page.locator(".smk-escaped")
    # In the escaped data string the inner quotes are \" and the outer ones \\\" on the wire.
    expected = r"\"content\":\"Hello from the browser \\\"quoted\\\"\""
    page.wait_for_function(
        "exp => document.querySelector('.smk-escaped')?.textContent.includes(exp)",
        arg=expected,
        timeout=10_000,
    )
    assert expected in escaped.text_content()

    page.locator(".smk-send").click()
    bubble = page.locator(".smk-chat .smk-agent", has_text='Hello from the browser "quoted"')
    bubble.wait_for(timeout=15_000)
    page.locator('.smk-result[data-retcode="0"]').wait_for(timeout=5_000)

    # The kit's HTML is single-spaced (ipywidgets' HTML content has a 28 px line height).
    line = page.evaluate(
        "() => parseFloat(getComputedStyle(document.querySelector('.smk-result')).lineHeight)"
    )
    assert line < 24, line

    # A refused send takes the previous result's place; the findings' "fix" column is on screen.
    content.fill("a" * 2500)
    page.locator(".smk-findings .smk-fix").first.wait_for(timeout=10_000)
    page.locator(".smk-send").click()
    page.locator('.smk-result[data-retcode="not sent"]').wait_for(timeout=5_000)
    assert page.locator('.smk-result[data-retcode="0"]').count() == 0
    for fix in page.locator(".smk-fix").all():
        if fix.is_visible():
            box = fix.bounding_box()
            assert box is not None and box["x"] + box["width"] <= 1440, box

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "widgets_playground_lab.png"), full_page=True)
    assert not errors, errors
