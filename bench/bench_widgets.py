"""Widget latency: keystroke -> updated escaped preview in JupyterLab, and the core preview alone.

Part 1 (Python): `preview.preview(Form)` (what every keystroke computes), the builder's whole
refresh (preview + HTML into the controls, no kernel), beside a raw baseline (two json.dumps).
Part 2 (browser): JupyterLab on 127.0.0.1 + headless Chromium; ~50 keystrokes into the content
field, each timed in the page from `keydown` to the escaped-data preview changing. Baseline in
the same page: a bare Textarea whose observer copies the value into an HTML widget. Keys come
with a 100 ms pause after each update (a fast typist: ~7 keys/s) and back to back (0 ms, a
stress case where each key queues behind the previous round trip's messages).

Run: uv run python bench/bench_widgets.py [--keys 50] [--gap-ms 100 0] [--skip-browser]
Targets: core preview <= 1 ms; browser median <= 50 ms, p95 <= 100 ms.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # for tests.widgets.lab (the Lab + Chromium helpers)

from sendmessage_kit.preview import Form, preview  # noqa: E402
from sendmessage_kit.widgets.builder import PayloadBuilder  # noqa: E402

RAW_CELL = """import ipywidgets as w
raw_in, raw_out = w.Textarea(continuous_update=True), w.HTML("<pre>-</pre>")
raw_in.add_class("raw-in"); raw_out.add_class("raw-out")
raw_in.observe(lambda c: setattr(raw_out, "value", f"<pre>{c['new']}</pre>"), names="value")
w.VBox([raw_in, raw_out])"""

INSTALL = """([inSel, outSel]) => {
  const ta = document.querySelector(inSel);
  // The HTML widget's node stays; the markup inside it is replaced on every update.
  const out = document.querySelector(outSel).closest('.widget-html');
  window.__lat = []; let t0 = null;
  const onKey = () => { t0 = performance.now(); };
  ta.addEventListener('keydown', onKey, true);
  const mo = new MutationObserver(() => {
    if (t0 !== null) { window.__lat.push(performance.now() - t0); t0 = null; }
  });
  mo.observe(out, {subtree: true, childList: true, characterData: true});
  window.__cleanup = () => { mo.disconnect(); ta.removeEventListener('keydown', onKey, true); };
  ta.focus();
}"""


def pct(values: list[float], q: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, round(q * (len(s) - 1)))]


def time_each(fn: Callable[[], object], n: int) -> list[float]:
    out = []
    for _ in range(n):
        t = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t) * 1000)
    return out


def line(name: str, ms: list[float], target: str = "") -> None:
    med, p95 = statistics.median(ms), pct(ms, 0.95)
    print(f"  {name:<44} median {med:8.3f} ms   p95 {p95:8.3f} ms   n={len(ms)} {target}")


def python_part(n: int = 2000) -> None:
    print("Python (no kernel, no browser):")
    form = Form(content='Hello "world" — 你好 ' * 10)
    data = json.loads(preview(form).data_wire)

    def raw() -> str:
        return json.dumps({"callid": form.callid, "data": json.dumps(data)}, indent=4)

    builder = PayloadBuilder(form)
    i = [0]

    def keystroke() -> None:
        i[0] += 1
        builder.content.value = form.content + str(i[0])

    for fn in (raw, lambda: preview(form), keystroke):  # warm up
        time_each(fn, 50)
    line("raw baseline: json.dumps body (indent)", time_each(raw, n))
    core = time_each(lambda: preview(form), n)
    med = statistics.median(core)
    line("core: preview(Form)", core, f"[target <= 1 ms: {'OK' if med <= 1 else 'MISSED'}]")
    line("builder: content.value = ... (full refresh)", time_each(keystroke, n // 4))


def browser_part(keys: int, gaps: list[int]) -> None:
    from tests.widgets import lab

    print(f"Browser (JupyterLab + headless Chromium, {keys} keystrokes per line):")
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        lab.write_notebook(root / "bench.ipynb", [lab.PLAYGROUND_CELL, RAW_CELL])
        with lab.running_lab(root) as server, lab.browser_page() as page:
            lab.open_and_run_all(page, server, "bench.ipynb")
            page.locator(".smk-escaped").wait_for(timeout=60_000)
            page.locator(".raw-in textarea").wait_for(timeout=30_000)
            page.wait_for_timeout(1000)  # let the kernel settle after Run All
            for gap in gaps:
                print(f" pause after each update before the next key: {gap} ms")
                for label, in_sel, out_sel in (
                    ("raw baseline: Textarea -> observer -> HTML", ".raw-in textarea", ".raw-out"),
                    (
                        "kit: content -> escaped data preview",
                        ".smk-content textarea",
                        ".smk-escaped",
                    ),
                ):
                    ms = measure(page, in_sel, out_sel, keys, gap)
                    target = ""
                    if label.startswith("kit"):
                        ok = statistics.median(ms) <= 50 and pct(ms, 0.95) <= 100
                        target = f"[target median <= 50, p95 <= 100: {'OK' if ok else 'MISSED'}]"
                    line(label, ms, target)


def measure(page: Any, in_sel: str, out_sel: str, keys: int, gap_ms: int) -> list[float]:
    """Per-key latency in ms, measured in the page (keydown -> the output widget's DOM changes)."""
    page.evaluate(INSTALL, [in_sel, out_sel])
    for i in range(keys + 5):  # 5 warm-up keys, not counted
        page.keyboard.press("x")
        page.wait_for_function(f"window.__lat.length >= {i + 1}", timeout=10_000)
        page.wait_for_timeout(gap_ms)
    lat: list[float] = page.evaluate("() => { window.__cleanup(); return window.__lat; }")
    return lat[5:]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keys", type=int, default=50)
    parser.add_argument(
        "--gap-ms", type=int, nargs="+", default=[100, 0], help="pauses after each update"
    )
    parser.add_argument("--skip-browser", action="store_true")
    args = parser.parse_args()
    python_part()
    if not args.skip_browser:
        browser_part(args.keys, args.gap_ms)


if __name__ == "__main__":
    main()
