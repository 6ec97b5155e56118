"""pytest plugin: session sandboxes on 127.0.0.1 over HTTP and HTTPS (real uvicorn threads).

Both are shared by the whole session, so they are set for stable tests: `idle_timeout=0` (an
agent is never signed out for not polling) and `poll_wait=2` (an empty poll answers in 2 s).
Sign in with `force=True` (forcelogin) or use your own agent ID, since other tests share them;
faults set on them must be cleared by the test that set them.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx2
import pytest

from sendmessage_kit.sandbox import Sandbox, SandboxConfig, serve


@pytest.fixture(scope="session")
def sandbox_data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The kit's data folder for sandboxes started by tests (CA and certificate live here)."""
    return tmp_path_factory.mktemp("sendmessage-kit-data")


def _serve(data: Path, *, http: bool) -> Iterator[Sandbox]:
    config = SandboxConfig(http=http, idle_timeout=0, poll_wait=2.0, data_dir=data)
    with serve(config) as sb:
        yield sb


@pytest.fixture(scope="session")
def sandbox_http(sandbox_data_dir: Path) -> Iterator[Sandbox]:
    """A running sandbox over plain HTTP."""
    yield from _serve(sandbox_data_dir, http=True)


@pytest.fixture(scope="session")
def sandbox_https(sandbox_data_dir: Path) -> Iterator[Sandbox]:
    """A running sandbox over HTTPS; trust `sandbox_https.ca_path` (or `.ssl_context()`)."""
    yield from _serve(sandbox_data_dir, http=False)


def sign_in(sb: Sandbox, agent_id: str | None = None, *, force: bool = True) -> str:
    """Sign an agent in (forcelogin by default) and return its Guid."""
    agent_id = agent_id or sb.agent_id
    path = f"/agentgateway/resource/onlineagent/{agent_id}" + ("/forcelogin" if force else "")
    body = {"password": sb.password.get_secret_value(), "phonenum": sb.phonenum}
    with httpx2.Client(base_url=sb.base_url, verify=sb.verify(), timeout=10) as client:
        response = client.put(path, json=body)
    assert response.json()["retcode"] == "0", response.text
    return response.headers["set-guid"].removeprefix("JSESSIONID=")
