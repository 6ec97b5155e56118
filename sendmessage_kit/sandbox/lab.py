"""`sendmessage-kit lab`: JupyterLab on notebooks/ with a sandbox of its own, started cleanly.

- A busy JupyterLab port (a Jupyter the user already runs) moves to a free one.
- The URL is printed once JupyterLab answers, never before; if it exits first, its last log lines
  say why.
- Jupyter logs warnings only, so the short banner stays on screen; the news pop-up is off and
  the browser opens the first guide.
- Each run starts with a fresh sandbox database (in memory) unless `--db PATH` keeps one.

Heavy imports happen inside `run_lab`, so `sendmessage-kit --help` stays fast.
"""

from __future__ import annotations

import argparse
import collections
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from types import FrameType
from typing import IO, TYPE_CHECKING

from sendmessage_kit.sandbox.cli import add_common_arguments, build_config

if TYPE_CHECKING:
    from sendmessage_kit.sandbox.server import Sandbox

DEFAULT_PORT = 8888
FIRST_GUIDE = "01_quickstart.ipynb"
START_TIMEOUT = 120.0
# JupyterLab's app settings: the news pop-up and update checks off (a closed network, a demo).
LAB_SETTINGS = Path(__file__).with_name("lab_settings")


def add_lab_arguments(parser: argparse.ArgumentParser) -> None:
    """Arguments of `sendmessage-kit lab`."""
    parser.add_argument(
        "--port",
        type=int,
        default=DEFAULT_PORT,
        help=f"JupyterLab's port (default {DEFAULT_PORT}; a free one when it is busy)",
    )
    parser.add_argument("--sandbox-port", type=int, default=0, help="sandbox port (default: free)")
    parser.add_argument("--no-browser", action="store_true", help="do not open a browser")
    parser.add_argument("--notebooks", help="folder to open (default: ./notebooks)")
    add_common_arguments(parser, db_help="SQLite file to keep (default: a fresh one in memory)")


def notebooks_dir(arg: str | None) -> Path:
    """The folder JupyterLab opens: `--notebooks`, else ./notebooks, else the repository's."""
    if arg:
        return Path(arg).resolve()
    for candidate in (Path.cwd() / "notebooks", Path(__file__).resolve().parents[2] / "notebooks"):
        if candidate.is_dir():
            return candidate
    return Path.cwd()


def port_is_free(port: int, host: str = "127.0.0.1") -> bool:
    """True when nothing listens on host:port (binding it would succeed)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        try:
            s.bind((host, port))
        except OSError:
            return False
    return True


def choose_port(wanted: int, host: str = "127.0.0.1") -> int:
    """`wanted` when free, else the next free one of the 20 after it, else one the system picks."""
    for port in range(wanted, min(wanted + 21, 65536)) if wanted else ():
        if port_is_free(port, host):
            return port
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


class LogRelay(threading.Thread):
    """Reads JupyterLab's output: keeps its tail, shows its warnings and errors.

    Jupyter runs at log level WARN; its one CRITICAL block (the "To access the server" URLs,
    printed with its own formatting) is left out: the kit's banner gives the URL to open.
    """

    def __init__(self, stream: IO[bytes], echo: IO[str]) -> None:
        super().__init__(name="sendmessage-kit-lab-log", daemon=True)
        self._stream = stream
        self._echo = echo
        self.tail: collections.deque[str] = collections.deque(maxlen=40)

    def run(self) -> None:
        """Read until JupyterLab closes its output."""
        showing = False
        for raw in iter(self._stream.readline, b""):
            line = raw.decode("utf-8", "replace").rstrip("\n")
            self.tail.append(line)
            if line.startswith("["):
                showing = line[1:2] in ("W", "E")
            if showing:
                print(line, file=self._echo, flush=True)


def wait_until_answering(
    url: str, process: subprocess.Popen[bytes], timeout: float = START_TIMEOUT
) -> bool:
    """Poll JupyterLab's /api/status until it answers 200 (True) or the process exits (False)."""
    import httpx2

    deadline = time.monotonic() + timeout
    with httpx2.Client(timeout=2.0) as client:
        while time.monotonic() < deadline:
            if process.poll() is not None:
                return False
            try:
                if client.get(url).status_code == 200:
                    return True
            except httpx2.TransportError:
                pass
            time.sleep(0.2)
    return False


def lab_command(port: int, root: Path, *, browser: bool) -> list[str]:
    """The JupyterLab command line: loopback only, quiet log, no news, the first guide open."""
    cmd = [
        sys.executable,
        "-m",
        "jupyterlab",
        "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.port={port}",
        "--ServerApp.port_retries=0",
        f"--ServerApp.root_dir={root}",
        "--ServerApp.log_level=WARN",
        "--LabApp.news_url=None",
        "--LabApp.extension_manager=readonly",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
        f"--LabApp.app_settings_dir={LAB_SETTINGS}",
    ]
    if (root / FIRST_GUIDE).is_file():
        cmd.append(f"--ServerApp.default_url=/lab/tree/{FIRST_GUIDE}")
    if not browser:
        cmd.append("--no-browser")
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        cmd.append("--allow-root")
    return cmd


def banner(lab_url: str, sandbox_url: str, agent_id: str, password: str, moved: str) -> str:
    """The short text that stays on screen while lab runs."""
    lines = [
        "sendmessage-kit lab",
        f"  JupyterLab  {lab_url}{moved}",
        f"  sandbox     {sandbox_url}  (local, not a real gateway)",
        f"  sign in     agent {agent_id} / password {password}",
        f"  next        open {FIRST_GUIDE} and choose Run ▸ Run All Cells",
        "Ctrl-C stops JupyterLab and the sandbox.",
    ]
    return "\n".join(lines)


def run_lab(args: argparse.Namespace) -> int:
    """Start a sandbox (in this process) and JupyterLab; Ctrl-C stops both."""
    import importlib.util

    from sendmessage_kit.sandbox.server import serve

    if importlib.util.find_spec("jupyterlab") is None:
        print(
            "sendmessage-kit lab: JupyterLab is not installed; pip install 'sendmessage-kit[lab]'",
            file=sys.stderr,
        )
        return 2
    try:
        config = build_config(args, args.sandbox_port, default_db=":memory:")
        sandbox = serve(config)
    except (ValueError, OSError, RuntimeError) as exc:
        print(f"sendmessage-kit lab: sandbox: {exc}", file=sys.stderr)
        return 2
    try:
        return _run_jupyter(args, sandbox)
    finally:
        sandbox.stop()
        print("sandbox stopped", flush=True)


def _run_jupyter(args: argparse.Namespace, sandbox: Sandbox) -> int:
    import secrets

    env = sandbox_environ(sandbox)
    token = env.setdefault("JUPYTER_TOKEN", secrets.token_hex(16))
    port = choose_port(args.port)
    moved = f"  (port {args.port} was busy)" if args.port and port != args.port else ""
    root = notebooks_dir(args.notebooks)
    base = f"http://127.0.0.1:{port}"

    def ready() -> None:
        # The demo password is a published demo value; with --agents, passwords stay in the file.
        agents = sandbox.config.agents is not None
        shown = "(from --agents)" if agents else sandbox.password.get_secret_value()
        first = f"/lab/tree/{FIRST_GUIDE}" if (root / FIRST_GUIDE).is_file() else "/lab"
        url = f"{base}{first}?token={token}"
        print(banner(url, sandbox.base_url, sandbox.agent_id, shown, moved), flush=True)

    command = lab_command(port, root, browser=not args.no_browser)
    return supervise("lab", "JupyterLab", command, env, f"{base}/api/status?token={token}", ready)


def sandbox_environ(sandbox: Sandbox) -> dict[str, str]:
    """This process's environment for an app whose kernels use `sandbox` (`attach_lab()`)."""
    from sendmessage_kit.sandbox.sharing import ENV_KEYS, lab_environ

    env = {k: v for k, v in os.environ.items() if k not in ENV_KEYS}
    env.update(lab_environ(sandbox))
    return env


def supervise(
    command_name: str,
    app_name: str,
    cmd: list[str],
    env: dict[str, str],
    ready_url: str,
    on_ready: Callable[[], None],
    *,
    cwd: Path | None = None,
) -> int:
    """Run an app server (JupyterLab, Voilà) until it exits, Ctrl-C or SIGTERM.

    It runs in its own session, so a terminal's Ctrl-C reaches only us; we stop it with SIGTERM
    (no "Shutdown this Jupyter server?" prompt). Its warnings are shown; `on_ready` runs once
    `ready_url` answers, never before; if it exits first, its last output says why (exit 1).
    """
    app = subprocess.Popen(
        cmd,
        env=env,
        cwd=cwd,
        start_new_session=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    assert app.stdout is not None
    relay = LogRelay(app.stdout, sys.stderr)
    relay.start()

    def _stop(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, _stop)
    try:
        if not wait_until_answering(ready_url, app):
            code = app.poll()
            if code is None:
                code = _terminate(app)
            relay.join(timeout=2)
            why = "\n".join(f"  | {line}" for line in relay.tail) or "  (no output)"
            where = ready_url.split("?", 1)[0]
            print(
                f"sendmessage-kit {command_name}: {app_name} did not start ({where} never "
                f"answered; exit {code}).\nIts last output:\n{why}",
                file=sys.stderr,
                flush=True,
            )
            return 1
        on_ready()
        try:
            code = app.wait()
        except KeyboardInterrupt:
            code = _terminate(app)
    except KeyboardInterrupt:
        code = _terminate(app)
    finally:
        signal.signal(signal.SIGTERM, previous)
    return 0 if code in (0, -signal.SIGTERM, 128 + signal.SIGTERM) else int(code)


def _terminate(process: subprocess.Popen[bytes]) -> int:
    process.terminate()
    try:
        return process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        return process.wait()
