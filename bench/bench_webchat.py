"""The customer's chat page: agent sendmessage -> bubble on the page, and page Enter -> agent event.

A sandbox on 127.0.0.1 (HTTP), a `GatewayClient` as the agent, the page in headless Chromium
(Debian's /usr/bin/chromium). Each round the agent sends one message and the clock stops when the
page shows its bubble (the page polls every `--poll-ms`, 500 by default, so the expected median
is about half of that plus the round trip); then the customer types and presses Enter and the
clock stops when the agent's long poll returns `AgentEvent_MessageData`.

Run: uv run python bench/bench_webchat.py [--rounds 30] [--poll-ms 500] [--channels WEB WHATSAPP]
Target: agent -> bubble p95 <= one poll interval + 250 ms; customer -> agent median <= 100 ms.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # for tests.fixtures_browser (the shared Chromium flags)

from playwright.sync_api import sync_playwright  # noqa: E402

from sendmessage_kit.client import GatewayClient  # noqa: E402
from sendmessage_kit.models import new_message  # noqa: E402
from sendmessage_kit.sandbox import SandboxConfig, serve  # noqa: E402
from tests.fixtures_browser import CHROMIUM, CHROMIUM_ARGS  # noqa: E402


def _p95(xs: list[float]) -> float:
    return sorted(xs)[max(0, round(0.95 * len(xs)) - 1)]


def _line(name: str, xs: list[float]) -> str:
    ms = [x * 1000 for x in xs]
    return (
        f"{name:<34} median {statistics.median(ms):7.1f} ms   p95 {_p95(ms):7.1f} ms   "
        f"min {min(ms):6.1f}   max {max(ms):7.1f}   (n={len(ms)})"
    )


def run(channel: str, rounds: int, poll_ms: int, browser: object) -> None:
    with tempfile.TemporaryDirectory() as data:
        config = SandboxConfig(http=True, idle_timeout=0, poll_wait=5.0, data_dir=Path(data))
        with serve(config) as sb, GatewayClient.for_sandbox(sb, history=False) as agent:
            user = f"bench-{channel.lower()}"
            url = f"{sb.customer.page_url(user, channel)}&poll={poll_ms}"
            page = browser.new_page()  # type: ignore[attr-defined]
            page.goto(url)
            page.wait_for_selector("body[data-state=ready]")
            event = agent.poll_event()
            assert event and event["eventType"] == "AgentEvent_Talking"
            callid = event["content"]["callid"]
            down: list[float] = []
            up: list[float] = []
            for i in range(rounds):
                message = new_message(to=user, channel=channel, content=f"agent {i}")
                started = time.perf_counter()
                agent.send_message(callid, message)
                page.wait_for_function(
                    "n => document.querySelectorAll('.msg.in').length >= n",
                    arg=i + 1,
                    polling="raf",
                )
                down.append(time.perf_counter() - started)
                page.fill("#text", f"customer {i}")
                started = time.perf_counter()
                page.keyboard.press("Enter")
                while True:
                    got = agent.poll_event(timeout=5)
                    if got and got["eventType"] == "AgentEvent_MessageData":
                        break
                up.append(time.perf_counter() - started)
            page.close()
    print(_line(f"{channel}: agent send -> bubble", down))
    print(_line(f"{channel}: customer Enter -> agent", up))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--poll-ms", type=int, default=500)
    parser.add_argument("--channels", nargs="+", default=["WEB", "WHATSAPP"])
    args = parser.parse_args()
    print(f"poll interval {args.poll_ms} ms, {args.rounds} rounds per channel")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            for channel in args.channels:
                run(channel, args.rounds, args.poll_ms, browser)
        finally:
            browser.close()


if __name__ == "__main__":
    main()
