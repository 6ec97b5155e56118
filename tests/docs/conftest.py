"""Builds the docs site once per pytest session, with canary secrets in the environment."""

from __future__ import annotations

import importlib.util
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from types import ModuleType

import pytest

from tests.shared import exclusive, session_dir

ROOT = Path(__file__).resolve().parents[2]
CANARY_GUID = "canary-guid-0000-DO-NOT-LEAK.AgentGateway9"
CANARY_PASSWORD = "canary-password-DO-NOT-LEAK"
BUILD_TIMEOUT = 240  # below pytest-timeout's 300 s, so the fixture can clean up


def load_hook() -> ModuleType:
    """The mkdocs hook module (docs/hooks/generate.py), imported by path."""
    spec = importlib.util.spec_from_file_location(
        "docs_hook_generate", ROOT / "docs/hooks/generate.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


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
