"""`sendmessage-kit demo` in a real browser: the presenter (Voilà) and the customer's chat page.

Run with `uv run pytest -m browser`. One demo serves every test of the module (its kernels are
culled after 10 idle seconds, so the kernel test is quick); a second one plays a scenario. The
presenter is 1280x800 (then 1440x900 and 1920x1080), the customer page a phone-sized window.
Screenshots go to artifacts/screenshots/ (git-ignored); with UPDATE_DOCS_SCREENSHOTS=1
also to docs/assets/, the images of docs/demo.md.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import psutil
import pytest

from sendmessage_kit.skins import CHAT_SKINS
from tests.widgets import lab

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not lab.chromium_available() and not os.environ.get("SENDMESSAGE_KIT_REQUIRE_BROWSER"),
        reason="needs /usr/bin/chromium (apt-get install -y chromium)",
    ),
]

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "artifacts" / "screenshots"
DOCS_SHOTS = ROOT / "docs" / "assets"  # kit-owned images sit directly in docs/assets
NOTEBOOKS = ROOT / "notebooks"
SCENARIOS = ROOT / "examples" / "scenarios"
PHONE = {"width": 390, "height": 760}
SIZES = [(1280, 800), (1440, 900), (1920, 1080)]


class Demo:
    def __init__(self, process: subprocess.Popen[str], lines: list[str]) -> None:
        self.process, self.lines = process, lines

    def url(self, label: str) -> str:
        for line in self.lines:
            parts = line.split()
            if parts[:1] == [label] and len(parts) > 1:
                return parts[1]
        raise AssertionError(f"no {label} URL in {self.lines}")

    def wait_line(self, prefix: str, timeout: float = 10) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for line in list(self.lines):
                if line.startswith(prefix):
                    return line
            time.sleep(0.1)
        raise AssertionError(f"no line {prefix!r} in {self.lines}")

    def kernels(self) -> int:
        """The kernels Voilà runs now (its ipykernel child processes)."""
        count = 0
        for child in psutil.Process(self.process.pid).children(recursive=True):
            try:
                if "ipykernel_launcher" in " ".join(child.cmdline()):
                    count += 1
            except psutil.Error:
                pass
        return count


def _start(*extra: str) -> Iterator[Demo]:
    pytest.importorskip("voila")
    cmd = [
        sys.executable,
        "-c",
        "import sys; from sendmessage_kit.cli import main; sys.exit(main(sys.argv[1:]))",
        "demo",
        "--port",
        "0",
        "--no-browser",
        "--notebooks",
        str(NOTEBOOKS),
        *extra,
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


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    folder = tmp_path_factory.mktemp("transcripts")
    # Not much shorter: a kernel is idle between the page's render and its widgets connecting.
    yield from _start("--cull-after", "10", "--transcripts", str(folder))


@pytest.fixture(scope="module")
def scripted(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    folder = tmp_path_factory.mktemp("transcripts")
    scenario = str(SCENARIOS / "order-shipped.yaml")
    yield from _start("--scenario", scenario, "--transcripts", str(folder))


def _presenter(chromium: Any, demo: Demo, width: int = 1280, height: int = 800) -> Any:
    page = chromium.new_page(viewport={"width": width, "height": height})
    off_host: list[str] = []
    page.on(
        "request",
        lambda r: (
            off_host.append(r.url)
            if not r.url.startswith(("data:", "blob:")) and urlsplit(r.url).hostname != "127.0.0.1"
            else None
        ),
    )
    page.goto(demo.url("presenter"), wait_until="commit")
    page.locator(".smk-composer textarea").first.wait_for(timeout=90_000)
    page.locator(".smk-chat").wait_for()
    page.off_host = off_host  # type: ignore[attr-defined]
    return page


def _customer(chromium: Any, demo: Demo) -> tuple[Any, Any]:
    context = chromium.new_context(viewport=PHONE)
    page = context.new_page()
    page.goto(demo.url("customer"))
    page.locator("body[data-live='sse']").wait_for(state="attached", timeout=15_000)
    return context, page


def _send(page: Any, text: str) -> None:
    page.locator(".smk-composer textarea").first.fill(text)
    page.wait_for_timeout(250)  # the typed value reaches the kernel
    page.locator(".smk-send").click()


def _shot(page: Any, name: str, *, full_page: bool = False) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / name
    page.screenshot(path=str(path), full_page=full_page)
    if os.environ.get("UPDATE_DOCS_SCREENSHOTS") == "1":
        DOCS_SHOTS.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, DOCS_SHOTS / name)


def _texts(page: Any, selector: str) -> list[str]:
    return [t.strip() for t in page.locator(selector).all_text_contents()]


def test_one_conversation_instant_on_both_phones(chromium: Any, demo: Demo) -> None:
    page = _presenter(chromium, demo)
    context, customer = _customer(chromium, demo)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    customer.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        # No code and no presenter's notes in the app.
        assert page.locator(".jp-InputArea-editor, .jp-CodeMirrorEditor").count() == 0
        body = page.locator("body").inner_text()
        assert "import presenter" not in body and "Run the cell" not in body
        log = page.locator(".smk-phone .smk-chat-log")
        height = log.bounding_box()["height"]
        said = []
        for i in range(7):
            text = f"Update {i}: your order 1234 has shipped"
            _send(page, text)
            customer.locator(".msg.in .bubble", has_text=text).wait_for(timeout=3_000)
            page.locator(".smk-phone .smk-agent", has_text=text).wait_for(timeout=3_000)
            said.append(text)
        # The customer replies on the real page: the presenter's phone and the agent get it.
        customer.locator("#text").fill("Great, when does it arrive?")
        customer.locator("#text").press("Enter")
        page.locator(".smk-phone .smk-customer", has_text="when does it arrive").wait_for(
            timeout=3_000
        )
        page.locator(
            ".smk-event", has_text="Customer replied: Great, when does it arrive?"
        ).wait_for(timeout=3_000)
        # ... and in the presenter's phone: the real page gets it too.
        page.locator(".smk-reply input").fill("Also, can I change the address?")
        page.wait_for_timeout(250)
        page.locator(".smk-send-reply").click()
        customer.locator(".msg.out .bubble", has_text="change the address").wait_for(timeout=3_000)
        said += ["Great, when does it arrive?", "Also, can I change the address?"]
        # The same conversation, in the same order, on both phones.
        phone = _texts(page, ".smk-phone .smk-bubble")
        real = _texts(customer, ".msg .bubble .text")
        # (The web chat is shared with the module's other tests: it may hold their messages.)
        assert len(phone) == len(real), (phone, real)
        assert all(p.endswith(r) for p, r in zip(phone, real, strict=True)), (phone, real)
        where = [next(i for i, t in enumerate(real) if s in t) for s in said]
        assert where == sorted(where) and where[-1] == len(real) - 1, real
        # Fixed height, scrolled to the newest, the Reply box on screen.
        box = log.bounding_box()
        assert abs(box["height"] - height) < 1
        # column-reverse: the newest is at scrollTop 0 (its start), the scroll box overflowing.
        assert page.evaluate(
            "() => { const l = document.querySelector('.smk-phone .smk-chat-log');"
            " return l.scrollHeight > l.clientHeight && Math.abs(l.scrollTop) < 2; }"
        )
        newest = page.locator(".smk-phone .smk-bubble").last.bounding_box()
        assert (
            box["y"] <= newest["y"]
            and newest["y"] + newest["height"] <= box["y"] + box["height"] + 1
        )
        reply = page.locator(".smk-reply input").bounding_box()
        assert reply["y"] + reply["height"] <= 800
        _shot(page, "demo_presenter_1280.png")
        _shot(customer, "demo_customer_phone.png")

        # The web channel cuts at 500 characters: said before Send, shown where on the page.
        long = " ".join(["The parcel travels with our courier and arrives tomorrow."] * 12)[:671]
        page.locator(".smk-composer textarea").first.fill(long)
        warning = page.locator(".smk-cut-warning")
        warning.wait_for(timeout=3_000)
        assert "500" in warning.inner_text() and "671" in warning.inner_text()
        page.wait_for_timeout(250)
        page.locator(".smk-send").click()
        cut = customer.locator(".msg.in[data-truncated='true'] .bubble .text").last
        cut.wait_for(timeout=3_000)
        assert cut.inner_text().endswith("…") and len(cut.inner_text()) == 501
        page.locator(".smk-phone .smk-cut").wait_for(timeout=3_000)
        assert not errors, errors
    finally:
        context.close()
        page.close()


def test_each_channel_keeps_its_chat(chromium: Any, demo: Demo) -> None:
    page = _presenter(chromium, demo)
    try:
        _send(page, "Before switching: on the web chat")
        page.locator(".smk-phone .smk-agent", has_text="Before switching").wait_for(timeout=3_000)
        channel = page.locator(".smk-composer select").first
        channel.select_option(label="WhatsApp")
        page.locator('.smk-phone .smk-chat[data-channel="WHATSAPP"]').wait_for(timeout=5_000)
        card = page.locator(".smk-card")
        assert "WhatsApp" in card.inner_text()
        assert page.locator(".smk-phone .smk-chat-title").inner_text().endswith("WhatsApp")
        _send(page, "Hello on WhatsApp")
        page.locator(".smk-phone .smk-agent", has_text="Hello on WhatsApp").wait_for(timeout=3_000)
        assert page.locator(".smk-phone .smk-agent", has_text="Before switching").count() == 0
        channel.select_option(label="Web chat")
        page.locator(".smk-phone .smk-agent", has_text="Before switching").wait_for(timeout=5_000)
        assert page.locator(".smk-phone .smk-agent", has_text="Hello on WhatsApp").count() == 0
        # One web chat: opened once, joined since (by this page, the others and the real page).
        events = _texts(page, ".smk-event")
        assert sum("opened a chat on Web chat" in e for e in events) <= 1, events
    finally:
        page.close()


def test_presenter_screen_names_refusal_and_layout(chromium: Any, demo: Demo) -> None:
    page = _presenter(chromium, demo)
    try:
        card = page.locator(".smk-card")
        assert "Alex Morgan" in card.inner_text() and "Web chat" in card.inner_text()
        colour = card.evaluate("e => getComputedStyle(e).backgroundColor")
        bar = CHAT_SKINS["WEB"]["bar"]
        assert colour == "rgb({}, {}, {})".format(*(int(bar[i : i + 2], 16) for i in (1, 3, 5)))
        # Human names in the choices; the caveats are under the hood, labelled as before.
        options = page.locator(".smk-composer select option").all_text_contents()
        assert "WhatsApp" in options and "Text" in options
        caveats = ("unpublished", "assumed", "published table")
        assert not [o for o in options if any(c in o for c in caveats)], options
        assert "1672709693442874044" not in page.locator(".smk-phone").inner_text()
        # A refused send: one sentence with the fix, once; the findings table under the hood.
        _send(page, "x" * 3000)
        refused = page.locator(".smk-composer .smk-refused")
        refused.wait_for(timeout=5_000)
        assert refused.count() == 1 and "Shorten" in refused.inner_text()
        assert "`" not in refused.inner_text() and "sendmessage-kit" not in refused.inner_text()
        assert page.locator(".smk-composer .smk-findings").count() == 0
        page.get_by_text("Under the hood", exact=False).first.click()
        hood = page.locator(".smk-findings[data-rule], .smk-findings").first
        hood.wait_for(timeout=5_000)
        page.locator('tr[data-rule="content.budget"]').first.wait_for(timeout=5_000)
        assert "(unpublished)" in page.locator(".smk-presenter").inner_text()
        page.get_by_text("Under the hood", exact=False).first.click()  # closed again
        page.locator(".smk-composer textarea").first.fill("Your order 1234 has shipped.")
        page.wait_for_timeout(400)
        for width, height in SIZES:
            page.set_viewport_size({"width": width, "height": height})
            page.wait_for_timeout(300)
            boxes = page.evaluate(
                """() => [...document.querySelectorAll(
                  '.smk-composer select, .smk-composer textarea, .smk-composer button,'
                  + ' .smk-composer .smk-result, .smk-phone, .smk-card')]
                  .map(e => { const r = e.getBoundingClientRect();
                    return {x: r.x, y: r.y, w: r.width, h: r.height, n: e.className}; })"""
            )
            assert len(boxes) >= 6, boxes
            for i, a in enumerate(boxes):
                assert a["x"] >= 0 and a["x"] + a["w"] <= width + 0.5, (width, a)
                for b in boxes[i + 1 :]:
                    overlap_x = min(a["x"] + a["w"], b["x"] + b["w"]) - max(a["x"], b["x"])
                    overlap_y = min(a["y"] + a["h"], b["y"] + b["h"]) - max(a["y"], b["y"])
                    assert overlap_x <= 0.5 or overlap_y <= 0.5, (width, a, b)
            scroll = page.evaluate("() => document.scrollingElement.scrollWidth")
            assert scroll <= width, (width, scroll)
            _shot(page, f"demo_layout_{width}x{height}.png")
        assert page.off_host == [], page.off_host  # type: ignore[attr-defined]
    finally:
        page.close()


def test_save_transcript_offline(chromium: Any, demo: Demo) -> None:
    page = _presenter(chromium, demo)
    try:
        _send(page, "For the record: order 1234 shipped")
        page.locator(".smk-phone .smk-agent", has_text="For the record").wait_for(timeout=3_000)
        page.locator(".smk-save").click()
        line = demo.wait_line("transcript saved: ")
        path = Path(line.removeprefix("transcript saved: "))
        assert path.is_file() and path.suffix == ".html"
        html = path.read_text(encoding="utf-8")
        assert "For the record: order 1234 shipped" in html and "over the wire" in html
        guids = re.findall(r"Guid: (\S+)", html)
        assert guids and all(g.startswith("****") for g in guids), guids  # masked, never whole
        offline = chromium.new_context(offline=True)
        requests: list[str] = []
        viewer = offline.new_page()
        viewer.on("request", lambda r: requests.append(r.url))
        viewer.goto(path.as_uri())
        viewer.locator(".bubble", has_text="For the record").wait_for()
        assert requests == [path.as_uri()], requests
        _shot(viewer, "demo_transcript.png", full_page=True)
        offline.close()
    finally:
        page.close()


def test_closed_tabs_leave_no_kernels(chromium: Any, demo: Demo) -> None:
    for _ in range(10):
        page = chromium.new_page()
        page.goto(demo.url("presenter"), wait_until="commit")
        page.wait_for_timeout(800)
        page.close()
    deadline = time.monotonic() + 60
    while demo.kernels() > 2:
        assert time.monotonic() < deadline, f"{demo.kernels()} kernels after 60 s"
        time.sleep(1)


def test_scenario_hints_and_customer_answers(chromium: Any, scripted: Demo) -> None:
    assert "maria-lopez" in scripted.url("customer") and "WHATSAPP" in scripted.url("customer")
    page = _presenter(chromium, scripted)
    context, customer = _customer(chromium, scripted)
    try:
        hint = page.locator(".smk-hint")
        hint.wait_for(timeout=5_000)
        assert "step 1 of 5" in hint.inner_text() and "shipped" in hint.inner_text()
        assert "Maria Lopez" in page.locator(".smk-card").inner_text()
        box = page.locator(".smk-composer textarea").first
        assert box.input_value().startswith("Hi Maria, your order 1234 has shipped")
        _shot(page, "demo_scenario_hint.png")
        page.locator(".smk-send").click()
        customer.locator(".msg.in .bubble", has_text="has shipped").wait_for(timeout=3_000)
        # The customer's answer comes by itself, on the real page and on the presenter's phone.
        answer = "Can I still change the delivery address?"
        customer.locator(".msg.out .bubble", has_text=answer).wait_for(timeout=10_000)
        page.locator(".smk-phone .smk-customer", has_text=answer).wait_for(timeout=3_000)
        page.locator(".smk-hint", has_text="step 3 of 5").wait_for(timeout=5_000)
    finally:
        context.close()
        page.close()
