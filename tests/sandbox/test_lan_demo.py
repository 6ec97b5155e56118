"""LAN mode reaches the notebooks and the presenter: lab's kernels sign in, the QR code shows."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx2
import ipywidgets as w
import pytest

from sendmessage_kit import sandbox
from sendmessage_kit.models import new_message
from sendmessage_kit.sandbox.sharing import PASSWORD_ENV
from sendmessage_kit.target import open_target
from tests.conftest import ROOT
from tests.sandbox.test_lan import _lan_or_skip


@pytest.fixture
def lan_sb(tmp_path: Path) -> Iterator[Any]:
    _lan_or_skip()
    with sandbox.start(lan=True, http=True, data_dir=tmp_path) as sb:
        yield sb


def _html(widget: Any) -> Iterator[str]:
    if isinstance(widget, w.HTML):
        yield widget.value
    for child in getattr(widget, "children", ()):
        yield from _html(child)


def test_lab_gives_its_kernels_the_random_lan_password_and_they_sign_in(
    lan_sb: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    password = lan_sb.password.get_secret_value()
    assert password != "sandbox"
    env = sandbox.lab_environ(lan_sb)
    assert env[PASSWORD_ENV] == password
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    handle = sandbox.attach_lab()
    assert handle is not None and handle.password.get_secret_value() == password
    assert password not in repr(handle)
    with open_target(history=False) as target:  # what a notebook under lab or demo does
        assert target.sandbox is not None and not target.owns_sandbox
        assert target.client.send_message("lan-call", new_message(to="u-lan", content="hi")).ok
    assert lan_sb.running


def test_a_sandbox_not_in_lan_mode_passes_no_password(tmp_path: Path) -> None:
    with sandbox.start(http=True, data_dir=tmp_path) as sb:
        assert PASSWORD_ENV not in sandbox.lab_environ(sb)


def test_the_presenter_shows_a_qr_code_of_the_customer_page_in_lan_mode(
    lan_sb: Any, tmp_path: Path
) -> None:
    from sendmessage_kit.widgets import playground

    pg = playground(sandbox=lan_sb, autopoll=False, history=False)
    try:
        qr = [h for h in _html(pg.widget) if "smk-qr" in h]
        assert len(qr) == 1 and "<svg" in qr[0]
        url = re.search(r"<title>([^<]+)</title>", qr[0]).group(1)  # type: ignore[union-attr]
        assert url.startswith(lan_sb.lan_url) and "token=" in url.replace("&amp;", "&")
        # The link opens the page from the LAN address (what a phone does).
        page = httpx2.get(url.replace("&amp;", "&"), timeout=10)
        assert page.status_code == 200 and "<html" in page.text.lower()
    finally:
        pg.close()
    with sandbox.start(http=True, data_dir=tmp_path) as plain:
        pg = playground(sandbox=plain, autopoll=False, history=False)
        try:
            assert not [h for h in _html(pg.widget) if "smk-qr" in h]
        finally:
            pg.close()


@pytest.mark.timeout(180)
def test_demo_lan_prints_the_customer_page_qr_and_the_password_once(tmp_path: Path) -> None:
    pytest.importorskip("voila")
    lan = _lan_or_skip()
    env = {k: v for k, v in os.environ.items() if not k.startswith("SENDMESSAGE_KIT_")}
    env["SENDMESSAGE_KIT_DATA_DIR"] = str(tmp_path / "data")
    exe = Path(sys.executable).with_name("sendmessage-kit")
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "sendmessage_kit.cli"]
    p = subprocess.Popen(
        [*cmd, "demo", "--lan", "--port", "0"],  # plain HTTP: the demo default
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
        cwd=ROOT,
        start_new_session=True,
    )
    seen: list[str] = []
    try:
        assert p.stdout is not None
        for line in p.stdout:
            seen.append(line)
            if "▀" in line or "█" in line or "▄" in line:  # the QR code's block characters
                break
        out = "".join(seen)
        customer = re.search(r"customer\s+(http://\S+)", out).group(1)  # type: ignore[union-attr]
        assert customer.startswith(f"http://{lan}:") and "token=" in customer
        password = re.search(r"password is (\S+) \(shown only here\)", out).group(1)  # type: ignore[union-attr]
        assert password != "sandbox" and out.count(password) == 1
        presenter = re.search(r"presenter\s+(http://\S+)", out).group(1)  # type: ignore[union-attr]
        assert httpx2.get(presenter, timeout=60).status_code == 200
        assert httpx2.get(customer, timeout=10).status_code == 200
    finally:
        os.killpg(p.pid, signal.SIGTERM)
        try:
            p.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, signal.SIGKILL)
            p.wait()
        if p.stdout is not None:
            p.stdout.close()
