"""Presenter latency: Send in `sendmessage-kit demo` -> the bubble on the customer's screen.

Starts `sendmessage-kit demo` (Voilà + its own sandbox on 127.0.0.1), opens the presenter in
headless Chromium (/usr/bin/chromium) and sends ~20 messages. Each is timed in the page, from the
Send button's click to the bubble with that text appearing in the customer's phone view (the
presenter's phone view: it polls the sandbox's customer side, like the customer page does).

Run: uv run python bench/bench_demo.py [--sends 20]
Target: median <= 0.5 s, p95 <= 2 s (the browser test's bound).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import threading
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


def start_demo() -> tuple[subprocess.Popen[str], str]:
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
    ready = threading.Event()

    def read() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            if line.split()[:1] == ["presenter"]:
                url.append(line.split()[1])
            if line.startswith("Ctrl-C"):
                ready.set()
        ready.set()

    threading.Thread(target=read, daemon=True).start()
    if not ready.wait(180) or not url:
        process.terminate()
        raise SystemExit("sendmessage-kit demo did not start")
    return process, url[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sends", type=int, default=20)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    process, url = start_demo()
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(
                executable_path="/usr/bin/chromium", args=["--headless", "--no-sandbox"]
            )
            page = browser.new_page(viewport={"width": 1280, "height": 1000})
            page.goto(url, wait_until="commit")
            content = page.locator(".smk-content textarea")
            content.wait_for(timeout=120_000)
            times = []
            for i in range(args.sends + 1):
                text = f"Bench message {i}"
                content.fill(text)
                page.wait_for_timeout(150)  # the typed value reaches the kernel first
                ms = page.evaluate(WATCH, [text])
                if i:  # the first send warms the client (sign-in, connection)
                    times.append(ms)
            browser.close()
    finally:
        process.terminate()
        process.wait(30)
        if process.stdout is not None:
            process.stdout.close()
    times.sort()
    p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
    print(f"presenter Send -> bubble on the customer's phone view, {len(times)} sends:")
    print(f"  median {statistics.median(times):.0f} ms  p95 {p95:.0f} ms  max {times[-1]:.0f} ms")


if __name__ == "__main__":
    main()
