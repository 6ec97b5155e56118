"""Fixtures of the reliability suite, and the hooks that write its counts for the table.

`bench/reliability.py` runs this folder and prints the table from the JSON file the hooks
write at the end of the session (see `_tally.py`).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from sendmessage_kit import sandbox as sandbox_mod
from sendmessage_kit.sandbox import SandboxConfig
from tests.reliability._tally import TALLY, Tally

_HERE = Path(__file__).resolve().parent


def _ours(nodeid: str) -> bool:
    return nodeid.startswith("tests/reliability/") or "/tests/reliability/" in nodeid


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if not _ours(report.nodeid):
        return
    if report.when == "call" or (report.when == "setup" and not report.passed):
        TALLY.tests["xfailed" if hasattr(report, "wasxfail") else report.outcome] += 1
        if report.failed:
            TALLY.failed.append(report.nodeid)
    elif report.when == "teardown" and report.failed:
        TALLY.tests["error"] += 1
        TALLY.failed.append(report.nodeid + " (teardown)")


def pytest_sessionfinish(session: pytest.Session) -> None:
    workeroutput = getattr(session.config, "workeroutput", None)
    if workeroutput is not None:
        # An xdist worker: its counts go to the controller (below), which writes the one file.
        # The controller also receives every test report, so it counts the outcomes itself.
        workeroutput["reliability"] = {"counts": dict(TALLY.counts), "figures": TALLY.figures}
    elif sum(TALLY.tests.values()):
        TALLY.write()


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: object) -> None:
    """xdist's controller: add a finished worker's counts and figures to the session's tally."""
    seen = getattr(node, "workeroutput", {}).get("reliability")
    if seen:
        TALLY.merge(seen["counts"], seen["figures"])


@pytest.fixture
def tally() -> Tally:
    return TALLY


@pytest.fixture(autouse=True)
def _data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Journals and CAs go to the test's folder, never the developer's data folder.
    monkeypatch.setenv("SENDMESSAGE_KIT_DATA_DIR", str(tmp_path / "data"))


@pytest.fixture(scope="module")
def http_sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """A plain-HTTP sandbox in a thread of this process, real socket on 127.0.0.1."""
    config = SandboxConfig(http=True, poll_wait=0.5, data_dir=tmp_path_factory.mktemp("sb"))
    with sandbox_mod.serve(config) as sb:
        yield sb
