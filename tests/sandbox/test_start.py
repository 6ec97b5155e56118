"""`start()`: one sandbox per process (reuse or replace), attaching to `lab`'s, and the handle."""

from __future__ import annotations

from pathlib import Path

import httpx2
import pytest

from sendmessage_kit import sandbox
from sendmessage_kit.sandbox import Sandbox, SandboxConfig, create_app
from tests.conftest import CANARY_PASSWORD


def test_start_reuses_an_equivalent_one_and_replaces_a_different_one(
    sandbox_data_dir: Path,
) -> None:
    first = sandbox.start(http=True, data_dir=sandbox_data_dir)
    try:
        assert sandbox.start(http=True, data_dir=sandbox_data_dir) is first
        second = sandbox.start(http=True, secmode=0, data_dir=sandbox_data_dir)
        assert second is not first and second.secmode == 0
        assert not first.running
        with pytest.raises(httpx2.TransportError):
            httpx2.get(first.base_url + "/sandbox/health", timeout=2)
        second.stop()
        third = sandbox.start(http=True, data_dir=sandbox_data_dir)
        assert third is not second and third.running
    finally:
        sandbox.start(http=True, data_dir=sandbox_data_dir).stop()


def test_context_manager_stops(sandbox_data_dir: Path) -> None:
    with sandbox.start(http=True, data_dir=sandbox_data_dir, secmode=0) as sb:
        assert httpx2.get(sb.base_url + "/sandbox/health").status_code == 200
    assert not sb.running


def test_https_default_with_ca_and_secret_key(sandbox_https: Sandbox) -> None:
    assert sandbox_https.base_url.startswith("https://127.0.0.1:")
    assert sandbox_https.ca_path is not None and sandbox_https.ca_path.name == "ca.pem"
    key = sandbox_https.ca_path.with_name("server.key")
    assert key.stat().st_mode & 0o777 == 0o600
    assert sandbox_https.ca_path.with_name("ca.key").stat().st_mode & 0o777 == 0o600


def test_repr_never_shows_the_password(sandbox_data_dir: Path) -> None:
    config = SandboxConfig(http=True, agents={"2002": CANARY_PASSWORD}, data_dir=sandbox_data_dir)
    with sandbox.serve(config) as sb:
        assert sb.password.get_secret_value() == CANARY_PASSWORD
        assert CANARY_PASSWORD not in repr(sb) and CANARY_PASSWORD not in str(sb.__dict__)
        with sb.http_client() as c:
            assert CANARY_PASSWORD not in c.get("/sandbox/health").text


def test_start_attaches_to_the_sandbox_named_by_the_environment(
    sandbox_https: Sandbox, monkeypatch: pytest.MonkeyPatch, sandbox_data_dir: Path
) -> None:
    monkeypatch.setenv("SENDMESSAGE_KIT_SANDBOX_URL", sandbox_https.base_url)
    monkeypatch.setenv("SENDMESSAGE_KIT_SANDBOX_CA", str(sandbox_https.ca_path))
    # the session sandbox is set with idle_timeout=0 and poll_wait=2: ask for the same
    sb = sandbox.start(idle_timeout=0, poll_wait=2.0, data_dir=sandbox_data_dir)
    assert not sb.owned and sb.base_url == sandbox_https.base_url
    assert sb.ca_path == sandbox_https.ca_path
    sb.stop()  # leaves lab's sandbox running
    with sandbox_https.http_client() as c:
        assert c.get("/sandbox/health").status_code == 200
    # asking for other behaviour starts a local one instead
    with sandbox.start(http=True, data_dir=sandbox_data_dir) as local:
        assert local.owned and local.base_url != sandbox_https.base_url


def test_openapi_without_a_server() -> None:
    spec = create_app(SandboxConfig()).openapi()
    paths = spec["paths"]
    assert "/agentgateway/resource/mediacall/{agentid}/sendmessage" in paths
    assert {"/sandbox/chats", "/apiaccess/ccmessaging/poll", "/sandbox/faults"} <= set(paths)
    assert create_app().openapi()["info"]["title"]


@pytest.mark.parametrize(
    "kw",
    [{"secmode": 2}, {"auth_mode": 3}, {"guid_interval": 130.0}, {"oversize_retcode": "big"}],
)
def test_bad_settings_are_refused(kw: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        SandboxConfig(**kw)  # type: ignore[arg-type]
