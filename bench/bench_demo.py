"""Presenter latency: Send in `sendmessage-kit demo` -> the bubble on the customer's screen.

Starts `sendmessage-kit demo` (Voilà + its own sandbox on 127.0.0.1), opens the presenter and the
customer's chat page (the customer URL it prints) in headless Chromium (/usr/bin/chromium) and
sends ~20 messages. Each is timed from the presenter's Send click to the bubble with that text on
the customer page (Playwright's click and wait, so a few ms of driver overhead are included), and
in the presenter page alone to the bubble in its phone view.

Run: uv run python bench/bench_demo.py [--sends 20]
Target: p95 <= 2 s on the customer page (the browser test's bound). Measured 2026-11-29 (2 shared
cores, 20 sends): customer page median 689 ms, p95 966 ms (the page polls every 500 ms); the
presenter's phone view median 107 ms, p95 140 ms.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

WATCH = """([text]) => new Promise(resolve => {
  const t0 = performance.now();
  const seen = () => [...document.querySelectorAll('.smk-phone .smk-agent')]
    .some(b => b.textContent.includes(text));
  const obs = new MutationObserver(() => {
    if (seen()) { obs.disconnect(); resolve(performance.now() - t0); }
  });
  obs.observe(document.body, {subtree: true, childList: true, characterData: true});
  document.querySelector('.smk-send').click();
})"""


def start_demo() -> tuple[subprocess.Popen[str], str, str]:
    cmd = [
        sys.executable,
        "-c",
        "import sys; from sendmessage_kit.cli import main; sys.exit(main(sys.argv[1:]))",
        "demo",
        "--port",
        "0",
        "--notebooks",
        str(ROOT / "notebooks"),
    ]
    process = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    url: list[str] = []
    customer: list[str] = []
    ready = threading.Event()

    def read() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            if line.split()[:1] == ["presenter"]:
                url.append(line.split()[1])
            if line.split()[:1] == ["customer"]:
                customer.append(line.split()[1])
            if line.startswith("Ctrl-C"):
                ready.set()
        ready.set()

    threading.Thread(target=read, daemon=True).start()
    if not ready.wait(180) or not url or not customer:
        process.terminate()
        raise SystemExit("sendmessage-kit demo did not start")
    return process, url[0], customer[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sends", type=int, default=20)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    process, url, customer_url = start_demo()
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(
                executable_path="/usr/bin/chromium", args=["--headless", "--no-sandbox"]
            )
            page = browser.new_page(viewport={"width": 1280, "height": 1000})
            page.goto(url, wait_until="commit")
            content = page.locator(".smk-content textarea")
            content.wait_for(timeout=120_000)
            customer = browser.new_context().new_page()
            customer.goto(customer_url)
            customer.locator("body[data-callid]").wait_for(state="attached", timeout=30_000)
            times, phone = [], []
            for i in range(args.sends + 1):
                text = f"Bench message {i}"
                content.fill(text)
                page.wait_for_timeout(150)  # the typed value reaches the kernel first
                t0 = time.perf_counter()
                page.locator(".smk-send").click()
                customer.locator(".msg.in .bubble", has_text=text).wait_for(timeout=10_000)
                elapsed = (time.perf_counter() - t0) * 1000
                content.fill(text + " (phone)")
                page.wait_for_timeout(150)
                ms = page.evaluate(WATCH, [text + " (phone)"])
                if i:  # the first send warms the client (sign-in, connection)
                    times.append(elapsed)
                    phone.append(ms)
            browser.close()
    finally:
        process.terminate()
        process.wait(30)
        if process.stdout is not None:
            process.stdout.close()
    for label, values in (("the customer page", times), ("the presenter's phone view", phone)):
        values.sort()
        p95 = values[min(len(values) - 1, round(0.95 * (len(values) - 1)))]
        print(f"presenter Send -> bubble on {label}, {len(values)} sends:")
        print(
            f"  median {statistics.median(values):.0f} ms  p95 {p95:.0f} ms  "
            f"max {values[-1]:.0f} ms"
        )


if __name__ == "__main__":
    main()
