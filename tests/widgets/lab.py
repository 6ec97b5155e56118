"""JupyterLab on 127.0.0.1 + headless Chromium, for the browser test and the widget benchmark.

Not a test module: `test_lab_browser.py` and `bench/bench_widgets.py` import it.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.fixtures_browser import CHROMIUM, CHROMIUM_ARGS  # one set of launch flags

PLAYGROUND_CELL = (
    "from sendmessage_kit.widgets import playground\npg = playground(autopoll=False)\npg"
)


@dataclass
class Lab:
    """A running JupyterLab server."""

    url: str
    token: str
    root: Path
    process: subprocess.Popen[bytes]
    log: Path

    def notebook_url(self, name: str) -> str:
        # A fresh workspace per page: no stale layout or kernel dialog from an earlier run.
        workspace = f"t{secrets.token_hex(4)}"
        return f"{self.url}/lab/workspaces/{workspace}/tree/{name}?reset&token={self.token}"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def write_notebook(path: Path, cells: list[str]) -> Path:
    """A minimal nbformat-4 notebook of code cells (no nbformat import: it is slow to load)."""
    nb = {
        "cells": [
            {
                "cell_type": "code",
                "execution_count": None,
                "id": f"c{i}",
                "metadata": {},
                "outputs": [],
                "source": src,
            }
            for i, src in enumerate(cells)
        ],
        "metadata": {
            "kernelspec": {
                "display_name": "Python 3 (ipykernel)",
                "language": "python",
                "name": "python3",
            }
        },
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    path.write_text(json.dumps(nb), encoding="utf-8")
    return path


@contextlib.contextmanager
def running_lab(root: Path, *, timeout: float = 90.0) -> Iterator[Lab]:
    """Start JupyterLab (no news, update check or extension manager; temp JUPYTER_* dirs, so
    nothing touches ~) and stop it afterwards."""
    port, token = free_port(), secrets.token_hex(16)
    conf = root / ".jupyter"
    env = {k: v for k, v in os.environ.items() if not k.startswith("SENDMESSAGE_KIT_")}
    env.update(
        JUPYTER_CONFIG_DIR=str(conf / "config"),
        JUPYTER_RUNTIME_DIR=str(conf / "runtime"),
        JUPYTERLAB_WORKSPACES_DIR=str(conf / "workspaces"),
        JUPYTERLAB_SETTINGS_DIR=str(conf / "settings"),
        PYTHONUNBUFFERED="1",
    )
    # No "get notified about Jupyter news?" toast over the widgets.
    settings = conf / "settings" / "@jupyterlab" / "apputils-extension"
    settings.mkdir(parents=True, exist_ok=True)
    (settings / "notification.jupyterlab-settings").write_text(
        json.dumps({"fetchNews": "false", "checkForUpdates": False}), encoding="utf-8"
    )
    log = root / "lab.log"
    cmd = [
        sys.executable,
        "-m",
        "jupyterlab",
        "--no-browser",
        "--allow-root",
        "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.port={port}",
        "--ServerApp.port_retries=0",
        f"--IdentityProvider.token={token}",
        f"--ServerApp.root_dir={root}",
        "--LabApp.news_url=None",
        "--LabApp.extension_manager=readonly",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
    ]
    with log.open("wb") as out:
        proc = subprocess.Popen(cmd, env=env, stdout=out, stderr=subprocess.STDOUT, cwd=root)
    lab = Lab(f"http://127.0.0.1:{port}", token, root, proc, log)
    try:
        _wait_up(lab, timeout)
        yield lab
    finally:
        proc.terminate()
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)


def _wait_up(lab: Lab, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if lab.process.poll() is not None:
            raise RuntimeError(f"JupyterLab exited: {lab.log.read_text()[-2000:]}")
        try:
            with urllib.request.urlopen(f"{lab.url}/api/status?token={lab.token}", timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"JupyterLab did not start in {timeout} s: {lab.log.read_text()[-2000:]}")


def chromium_available() -> bool:
    return CHROMIUM.exists() or shutil.which("chromium") is not None


@contextlib.contextmanager
def browser_page() -> Iterator[Any]:
    """A Playwright page in headless Debian Chromium (sync API, no pytest plugin)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        try:
            page = browser.new_page(viewport={"width": 1500, "height": 1400})
            yield page
        finally:
            browser.close()


def open_and_run_all(page: Any, lab: Lab, notebook: str, *, timeout_ms: int = 90_000) -> None:
    """Open a notebook, wait for an idle kernel, Run ▸ Run All Cells."""
    page.goto(lab.notebook_url(notebook), timeout=timeout_ms)
    page.get_by_text("Python 3 (ipykernel) | Idle").wait_for(timeout=timeout_ms)
    dialog = page.locator(".jp-Dialog .jp-mod-accept")
    if dialog.count():
        dialog.first.click()
    page.locator(".lm-MenuBar-itemLabel", has_text="Run").first.click()
    page.locator(".lm-Menu-itemLabel", has_text="Run All Cells").first.click()
