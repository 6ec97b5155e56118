"""The sandbox as a separate process (`sendmessage-kit sandbox --http --db FILE --port P`).

The suite kills it (SIGKILL) and restarts it on the same port and database, and samples its
resident memory with psutil while load runs.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import IO, Any

import httpx2
import psutil

from tests.reliability._tally import ROOT


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def sandbox_command(db: Path, port: int, extra: tuple[str, ...] = ()) -> list[str]:
    """`sendmessage-kit sandbox` (via `python -m`, so the pid is the server's own)."""
    return [
        *(sys.executable, "-m", "sendmessage_kit.cli", "sandbox", "--http"),
        *("--db", str(db), "--port", str(port), "--idle-timeout", "0", "--poll-wait", "1"),
        *extra,
    ]


class SandboxProcess:
    """One sandbox process at a time on a fixed port and database file; restartable."""

    def __init__(
        self,
        db: Path,
        log: Path,
        *,
        env: dict[str, str] | None = None,
        extra: tuple[str, ...] = (),
    ) -> None:
        self.db = db
        self.extra = extra
        self.log = log
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.env = {**os.environ, **(env or {})}
        self.proc: subprocess.Popen[bytes] | None = None
        self._log_fh: IO[bytes] | None = None
        self.starts = 0

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def start(self, timeout: float = 30.0) -> None:
        assert self.proc is None or self.proc.poll() is not None, "already running"
        self._close_log()
        self._log_fh = open(self.log, "ab")  # closed in stop()/kill()
        self.proc = subprocess.Popen(
            sandbox_command(self.db, self.port, self.extra),
            cwd=ROOT,
            env=self.env,
            stdin=subprocess.DEVNULL,
            stdout=self._log_fh,
            stderr=subprocess.STDOUT,
        )
        self.starts += 1
        deadline = time.monotonic() + timeout
        with httpx2.Client(base_url=self.base_url, timeout=2.0, trust_env=False) as http:
            while True:
                if self.proc.poll() is not None:
                    raise RuntimeError(f"sandbox exited {self.proc.returncode}: {self.log_text()}")
                try:
                    health = http.get("/sandbox/health").json()
                    if health.get("pid") == self.proc.pid:
                        return
                except (httpx2.HTTPError, ValueError):
                    pass
                if time.monotonic() > deadline:
                    self.kill()
                    raise RuntimeError(f"sandbox did not answer in {timeout} s: {self.log_text()}")
                time.sleep(0.05)

    def kill(self) -> None:
        """SIGKILL: no shutdown handler runs, like a crash or the OOM killer."""
        if self.proc is not None and self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=10)
        self._close_log()

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()
        self._close_log()

    def _close_log(self) -> None:
        if self._log_fh is not None:
            self._log_fh.close()
            self._log_fh = None

    def log_text(self) -> str:
        try:
            return self.log.read_text(errors="replace")[-3000:]
        except OSError:
            return ""

    def stored(self, query: str = "SELECT message_code FROM messages", *args: Any) -> list[Any]:
        """Rows of the sandbox's SQLite file, read beside the running server (WAL allows it)."""
        with contextlib.closing(sqlite3.connect(f"file:{self.db}?mode=ro", uri=True)) as db:
            return db.execute(query, args).fetchall()

    def __enter__(self) -> SandboxProcess:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


class RssSampler:
    """Peak resident memory of a process, sampled every `interval` seconds in a thread."""

    def __init__(self, pid: int, interval: float = 0.05) -> None:
        self.process = psutil.Process(pid)
        self.interval = interval
        self.first = self.process.memory_info().rss
        self.peak = self.first
        self.samples = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                rss = self.process.memory_info().rss
            except psutil.Error:
                return
            self.samples += 1
            self.peak = max(self.peak, rss)

    def __enter__(self) -> RssSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
