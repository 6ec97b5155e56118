"""Builds the docs site once per pytest session, with canary secrets in the environment.

`built_site` is `sh scripts/docs` (pages, mkdocs, Try-it lab); `properdocs_site` assembles the
same docs source with ProperDocs.
"""

from __future__ import annotations

import os
import signal
import subprocess
import threading
import time
from collections.abc import Iterator
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from tests.shared import exclusive, session_dir

ROOT = Path(__file__).resolve().parents[2]
CANARY_GUID = "canary-guid-0000-DO-NOT-LEAK.AgentGateway9"
CANARY_PASSWORD = "canary-password-DO-NOT-LEAK"
BUILD_TIMEOUT = 540  # below the docs tests' 600 s timeout, so the fixture can clean up


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The docs tests' first one builds the site (pages, mkdocs, Try-it): 600 s, not 300."""
    for item in items:
        if Path(str(item.fspath)).is_relative_to(Path(__file__).parent):
            item.add_marker(pytest.mark.timeout(600))


def expected_pages() -> list[str]:
    """Site paths of every page, known before the build."""
    from docs import tables

    # Every page written in docs/ (index.md is the home page), then the generated ones.
    written = sorted(p.stem for p in (ROOT / "docs").glob("*.md"))
    pages = ["" if stem == "index" else f"{stem}/" for stem in written]
    pages += ["reference/", "404.html"]
    pages += [f"guides/{p.stem}/" for p in sorted((ROOT / "notebooks").glob("*.ipynb"))]
    pages += [f"reference/{name}/" for name in tables.reference_modules()]
    return pages


@pytest.fixture(scope="session")
def built_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`sh scripts/docs` into a temp dir; the Guid and password are canaries.

    Built once per session, whatever the number of xdist workers: the first to need it builds
    under a lock, the others wait and read the same site (or the same failure).
    """
    folder = session_dir(tmp_path_factory) / "docs"
    site, log_path, result = folder / "site", folder / "build.log", folder / "build.rc"
    with exclusive(folder / "build.lock"):
        if not result.exists():
            result.write_text(str(_build(site, log_path)))
    returncode = int(result.read_text())
    if returncode != 0:
        tail = log_path.read_text(errors="replace")[-6000:]
        pytest.fail(f"sh scripts/docs failed (rc {returncode}, log {log_path}):\n{tail}")
    return site


def _build(site: Path, log_path: Path) -> int:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SENDMESSAGE_KIT_")}
    env.update(
        SITE_DIR=str(site),
        SENDMESSAGE_KIT_GUID=CANARY_GUID,
        SENDMESSAGE_KIT_PASSWORD=CANARY_PASSWORD,
    )
    started = time.perf_counter()
    # Output to a file, not a pipe: a helper a notebook leaves running cannot block the read.
    # Own process group: on a hang, kill uv, mkdocs and the notebook kernels together.
    with log_path.open("w") as log:
        proc = subprocess.Popen(
            ["sh", "scripts/docs"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            proc.wait(timeout=BUILD_TIMEOUT)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    print(f"docs build: {time.perf_counter() - started:.1f} s")
    return proc.returncode


PROPERDOCS = [str(ROOT / ".venv/bin/properdocs"), "build", "--strict", "-f", "mkdocs.yml"]


@pytest.fixture(scope="session")
def properdocs_site(built_site: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The docs source `built_site` wrote, assembled by ProperDocs instead of MkDocs."""
    site = tmp_path_factory.mktemp("properdocs") / "site"
    proc = subprocess.run(
        [*PROPERDOCS, "--site-dir", str(site)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    if proc.returncode != 0:
        pytest.fail(f"properdocs build --strict failed:\n{proc.stderr[-4000:]}")
    return site


class _QuietHandler(SimpleHTTPRequestHandler):
    # Pyodide compiles its WebAssembly while it streams only when served as application/wasm.
    extensions_map = {  # noqa: RUF012 - the stdlib's own class attribute, extended
        **SimpleHTTPRequestHandler.extensions_map,
        ".wasm": "application/wasm",
        ".mjs": "text/javascript",
    }

    def log_message(self, format: str, *args: Any) -> None:
        pass


def _serve(directory: Path) -> Iterator[str]:
    """`directory` over HTTP on 127.0.0.1, a free port, in a thread; its URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(_QuietHandler, directory=directory))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()
    thread.join()


@pytest.fixture(scope="session")
def site_server(built_site: Path) -> Iterator[str]:
    """The built site over HTTP on 127.0.0.1, a free port, in a thread; its URL."""
    yield from _serve(built_site)


@pytest.fixture(scope="session")
def properdocs_server(properdocs_site: Path) -> Iterator[str]:
    """The ProperDocs-built site, served as `site_server` serves the MkDocs one."""
    yield from _serve(properdocs_site)
