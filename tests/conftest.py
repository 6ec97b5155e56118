"""Shared fixtures: a clean environment and the interface description's example body."""

from __future__ import annotations

import os
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from sendmessage_kit.seed import SEED_BODY

pytest_plugins = ["tests.fixtures_browser", "tests.fixtures_sandbox"]

ROOT = Path(__file__).resolve().parent.parent
CANARY_GUID = "c4a7a7e5-0000-4000-8000-canary000001.AgentGateway9"
CANARY_PASSWORD = "canary-Pa55word-DO-NOT-LEAK"


def pytest_configure(config: pytest.Config) -> None:
    """The user's data folder (send journal, sandbox data) is one of the session's own.

    Set before any fixture runs, so kernels and CLI processes the tests start inherit it too: a
    test never reads or writes the developer's own journal, whatever its schema version.
    """
    home = Path(tempfile.mkdtemp(prefix="sendmessage-kit-test-data-"))
    os.environ["XDG_DATA_HOME"] = str(home)


@pytest.fixture(scope="session", autouse=True)
def no_sandbox_left_running() -> Iterator[None]:
    """Every test and fixture stops the sandboxes it starts: none runs when the session ends."""
    yield
    left = [t.name for t in threading.enumerate() if t.name.startswith("sendmessage-kit-sandbox-")]
    assert not left, f"sandboxes left running after the tests: {left}"


@pytest.fixture(autouse=True)
def clean_environ(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """No SENDMESSAGE_KIT_* setting leaks in from the developer's shell (httpx's clean_environ)."""
    for key in list(os.environ):
        if key.startswith("SENDMESSAGE_KIT_") and key != "SENDMESSAGE_KIT_REQUIRE_BROWSER":
            monkeypatch.delenv(key)
    yield


@pytest.fixture
def seed_body() -> str:
    """The interface description's own example request, as published."""
    return SEED_BODY
