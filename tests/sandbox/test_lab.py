"""`sendmessage-kit lab` as a real process: a busy port, a quiet log, the URL once it answers."""

from __future__ import annotations

import re
import signal
import socket
from collections.abc import Iterator
from pathlib import Path

import httpx2
import psutil
import pytest

from sendmessage_kit import cli
from sendmessage_kit.sandbox.lab import choose_port
from tests.sandbox.test_cli import Proc

pytestmark = pytest.mark.timeout(180)


@pytest.fixture
def lab_env(env: dict[str, str], tmp_path: Path) -> dict[str, str]:
    """Jupyter's folders in tmp_path, so nothing is read from or written to the user's home."""
    pytest.importorskip("jupyterlab")
    for name in (
        "JUPYTER_CONFIG_DIR",
        "JUPYTER_RUNTIME_DIR",
        "JUPYTERLAB_WORKSPACES_DIR",
        "JUPYTERLAB_SETTINGS_DIR",
        "JUPYTER_DATA_DIR",
    ):
        env[name] = str(tmp_path / name.lower())
    return env


@pytest.fixture
def busy_port() -> Iterator[int]:
    """A port something else (a user's own Jupyter, say) already listens on."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        yield int(s.getsockname()[1])


def test_lab_with_its_port_busy_moves_to_a_free_one_and_prints_the_url_once_it_answers(
    procs: list[Proc], lab_env: dict[str, str], busy_port: int
) -> None:
    p = Proc(["lab", "--port", str(busy_port), "--no-browser", "--http"], lab_env)
    procs.append(p)
    lab_url = p.wait_for(r"JupyterLab\s+(http://\S+)", timeout=120).group(1)
    sandbox_url = p.wait_for(r"sandbox\s+(http://\S+)").group(1)
    p.wait_for(r"agent 101 / password sandbox")
    p.wait_for(r"open 01_quickstart\.ipynb and choose Run ▸ Run All Cells")
    assert f"port {busy_port} was busy" in "".join(p.seen)
    port = int(re.match(r"http://127\.0\.0\.1:(\d+)/", lab_url).group(1))  # type: ignore[union-attr]
    assert port != busy_port
    assert "/lab/tree/01_quickstart.ipynb?token=" in lab_url
    token = lab_url.split("token=", 1)[1]
    with httpx2.Client(timeout=10) as c:
        # Printed only once JupyterLab answers: the first request, not a retry loop, succeeds.
        assert c.get(lab_url).status_code == 200
        assert c.get(f"{sandbox_url}/sandbox/health").json()["status"] == "ok"
        # The news pop-up is off: the app settings override the notification defaults.
        settings = c.get(
            f"http://127.0.0.1:{port}/lab/api/settings/@jupyterlab/apputils-extension:notification",
            params={"token": token},
        ).json()
        assert settings["schema"]["properties"]["fetchNews"]["default"] == "false"
        # Kernels inherit the sandbox's address from the Lab server's environment.
        [jupyter] = psutil.Process(p.p.pid).children()
        assert jupyter.environ().get("SENDMESSAGE_KIT_SANDBOX_URL") == sandbox_url
        # Jupyter's INFO log stays quiet, so the banner is the last thing on screen.
        assert not [line for line in p.seen if line.startswith("[I ")]
        p.p.send_signal(signal.SIGINT)
        assert p.p.wait(30) == 0
        with pytest.raises(httpx2.TransportError):
            c.get(f"{sandbox_url}/sandbox/health")
        with pytest.raises(httpx2.TransportError):
            c.get(f"http://127.0.0.1:{port}/api/status")


def test_lab_that_cannot_start_says_why_and_prints_no_url(
    procs: list[Proc], lab_env: dict[str, str], tmp_path: Path
) -> None:
    missing = tmp_path / "no-such-folder"
    p = Proc(["lab", "--no-browser", "--http", "--notebooks", str(missing)], lab_env)
    procs.append(p)
    p.wait_for(r"JupyterLab did not start", timeout=120)
    assert p.p.wait(30) == 1
    while not p.lines.empty():
        p.seen.append(p.lines.get())
    out = "".join(p.seen)
    assert "no-such-folder" in out  # Jupyter's own reason, from its last output lines
    assert "token=" not in out


def test_each_lab_run_gets_a_fresh_database_unless_db_asks_to_keep_one(tmp_path: Path) -> None:
    from sendmessage_kit.sandbox.cli import build_config

    parser = cli.build_parser()
    fresh = parser.parse_args(["lab"])
    assert build_config(fresh, 0, default_db=":memory:").db == ":memory:"
    kept = parser.parse_args(["lab", "--db", str(tmp_path / "keep.db")])
    assert build_config(kept, 0, default_db=":memory:").db == str(tmp_path / "keep.db")


def test_choose_port_prefers_the_asked_port_then_the_next_free_one(busy_port: int) -> None:
    assert choose_port(busy_port) != busy_port
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        free = s.getsockname()[1]
    assert choose_port(free) == free
