"""The docs: build time, the Try-it lab's size, and guide 1's first send in the browser.

Run: uv run python bench/bench_docs.py [--site DIR] [--skip-build] [--notebooks]

- build: `sh scripts/docs` (pages executed fresh, mkdocs, Try-it lab) into a temporary site;
- try/ size: bytes on disk of `site/try/` (target ≤ 60 MB);
- guide 1 in try/: from opening it in headless Chromium (every host but 127.0.0.1 unresolvable,
  every request watched and any that is not to the site counted) to
  its first send answered (Run All Cells, "retcode 0" shown), cold (a new browser profile) and
  warm (the same profile again: HTTP cache and compiled WebAssembly kept; the median of
  `--warm` loads, each printed); targets ≤ 20 s, ≤ 8 s;
- raw baseline, in the same browser: a bare page that loads Pyodide's core from the same site and
  runs `1 + 1`, cold and warm: the floor any Python-in-the-page has to pay.
- `--notebooks`: also each guide's execution time in a local kernel.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
NO_OTHER_HOSTS = "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1"
GUIDE_1 = "try/notebooks/index.html?path=notebooks/01_quickstart.ipynb"
BARE = """<!doctype html><script type="module">
import { loadPyodide } from "./try/static/pyodide/pyodide.mjs";
const py = await loadPyodide({ indexURL: "./try/static/pyodide/" });
document.title = "answer " + py.runPython("1 + 1");
</script>"""


class _Handler(SimpleHTTPRequestHandler):
    extensions_map = {  # noqa: RUF012 - the stdlib's own class attribute, extended
        **SimpleHTTPRequestHandler.extensions_map,
        ".wasm": "application/wasm",
        ".mjs": "text/javascript",
    }

    def do_GET(self) -> None:
        if self.path == "/__bare__.html":
            body = BARE.encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        super().do_GET()

    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextmanager
def serve(site: Path) -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(_Handler, directory=site))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


def build(site: Path) -> float:
    env = dict(os.environ, SITE_DIR=str(site))
    started = time.perf_counter()
    proc = subprocess.run(["sh", "scripts/docs"], cwd=ROOT, env=env, capture_output=True, text=True)
    if proc.returncode != 0:
        raise SystemExit(f"sh scripts/docs failed:\n{proc.stderr[-4000:]}")
    return time.perf_counter() - started


def first_send(context: Any, base: str) -> float:
    """Seconds from opening guide 1 to its first send answered (Run All Cells)."""
    page = context.new_page()
    started = time.perf_counter()
    page.goto(base + GUIDE_1)
    page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=60_000)
    page.get_by_role("menuitem", name="Run").click()
    page.get_by_text("Run All Cells", exact=True).click()
    page.get_by_text(re.compile(r"^0 - retcode 0: success")).wait_for(timeout=180_000)
    seconds = time.perf_counter() - started
    page.close()
    return seconds


def bare(context: Any, base: str) -> float:
    page = context.new_page()
    started = time.perf_counter()
    page.goto(base + "__bare__.html")
    page.wait_for_function("document.title === 'answer 2'", timeout=120_000)
    seconds = time.perf_counter() - started
    page.close()
    return seconds


def browser_rows(site: Path, warm_loads: int) -> list[tuple[str, float, str]]:
    from playwright.sync_api import sync_playwright

    rows = []
    with serve(site) as base, sync_playwright() as p, tempfile.TemporaryDirectory() as tmp:
        foreign: list[str] = []

        def note(request: Any) -> None:
            scheme = urlsplit(request.url).scheme
            if scheme in ("http", "https", "ws", "wss") and not request.url.startswith(base):
                foreign.append(request.url)

        for what, run in (("Pyodide core, 1 + 1 (raw baseline)", bare), ("guide 1", first_send)):
            profile = Path(tmp) / what.split()[0]
            # Every host but 127.0.0.1 fails to resolve, and requests are only watched: routing
            # them through Playwright (`context.route`) would turn the browser's cache off, and
            # "warm" would measure no cache at all.
            context = p.chromium.launch_persistent_context(
                str(profile), executable_path=CHROMIUM, headless=True, args=[NO_OTHER_HOSTS]
            )
            context.on("request", note)
            cold = run(context, base)
            warm = [run(context, base) for _ in range(warm_loads)]
            context.close()
            loads = ", ".join(f"{w:.1f}" for w in warm)
            rows += [(f"{what}, cold", cold, "s")]
            rows += [(f"{what}, warm (median of {loads})", statistics.median(warm), "s")]
        rows.append(("requests that left 127.0.0.1", float(len(foreign)), "count"))
    return rows


def notebook_rows() -> list[tuple[str, float, str]]:
    from docs.build_pages import execute

    rows = []
    for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        started = time.perf_counter()
        execute(path)
        rows.append((f"notebooks/{path.name} (local kernel)", time.perf_counter() - started, "s"))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--site", type=Path, help="a site built already (skips the build)")
    parser.add_argument("--notebooks", action="store_true", help="also time each notebook")
    parser.add_argument("--warm", type=int, default=3, help="warm loads after the cold one")
    args = parser.parse_args()
    rows: list[tuple[str, float, str]] = []
    with tempfile.TemporaryDirectory() as tmp:
        site = args.site
        if site is None:
            site = Path(tmp) / "site"
            rows.append(("docs build (sh scripts/docs: pages, mkdocs, try/)", build(site), "s"))
        size = sum(f.stat().st_size for f in (site / "try").rglob("*") if f.is_file())
        rows.append(("try/ size", size / 1e6, "MB"))
        rows += browser_rows(site, args.warm)
    if args.notebooks:
        rows += notebook_rows()
    width = max(len(name) for name, _, _ in rows)
    print(f"{'what':<{width}}  {'value':>8}  unit")
    for name, value, unit in rows:
        print(f"{name:<{width}}  {value:8.1f}  {unit}")


if __name__ == "__main__":
    main()
