"""A sandbox as a separate process standing in for "your gateway" (diff, doctor, exports).

`gateway_process(*flags)` runs `sendmessage-kit sandbox --port 0 --db :memory: FLAGS` with its
own data folder, reads the address from its banner and stops it (SIGTERM, then kill) at the end.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tests.conftest import ROOT

EXE = Path(sys.executable).with_name("sendmessage-kit")
COMMAND = [str(EXE)] if EXE.exists() else [sys.executable, "-m", "sendmessage_kit.cli"]


@dataclass
class GatewayProcess:
    url: str
    ca_path: Path | None
    banner: str


def clean_env(**extra: str) -> dict[str, str]:
    """This process's environment without SENDMESSAGE_KIT_*, plus `extra`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SENDMESSAGE_KIT_")}
    return {**env, **extra}


@contextmanager
def gateway_process(data_dir: Path, *flags: str) -> Iterator[GatewayProcess]:
    """A `sendmessage-kit sandbox` process on a free loopback port, with `flags`."""
    args = [*COMMAND, "sandbox", "--port", "0", "--db", ":memory:", *flags]
    env = clean_env(SENDMESSAGE_KIT_DATA_DIR=str(data_dir))
    proc = subprocess.Popen(
        args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env, cwd=ROOT
    )
    try:
        assert proc.stdout is not None
        lines: list[str] = []
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line:
                break
            lines.append(line)
            if line.startswith("Ctrl-C stops it"):
                break
        banner = "".join(lines)
        m = re.search(r" on (https?://\S+)", banner)
        assert m, f"no address in the sandbox's banner:\n{banner}"
        ca = re.search(r"CA\s+(/\S+)", banner)
        yield GatewayProcess(m[1], Path(ca[1]) if ca else None, banner)
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)
        if proc.stdout is not None:
            proc.stdout.close()
