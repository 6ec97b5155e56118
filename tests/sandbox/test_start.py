"""`start()`: a new sandbox per call, owned by its caller; `attach_lab()`; the handle."""

from __future__ import annotations

import socket
from pathlib import Path

import httpx2
import pytest

from sendmessage_kit import sandbox
from sendmessage_kit.sandbox import Sandbox, SandboxConfig, create_app
from tests.conftest import CANARY_PASSWORD


def test_every_start_is_a_new_sandbox_and_stopping_one_leaves_the_other(
    sandbox_data_dir: Path,
) -> None:
    with sandbox.start(http=True, data_dir=sandbox_data_dir) as first:
        second = sandbox.start(http=True, data_dir=sandbox_data_dir)  # same settings: still new
        try:
            assert second is not first and second.base_url != first.base_url
            assert first.owned and second.owned
            first.stop()
            assert not first.running
            with pytest.raises(httpx2.TransportError):
                httpx2.get(first.base_url + "/sandbox/health", timeout=2)
            assert httpx2.get(second.base_url + "/sandbox/health").status_code == 200
        finally:
            second.stop()
    assert not second.running


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


def test_start_never_attaches_even_under_lab(
    sandbox_https: Sandbox, monkeypatch: pytest.MonkeyPatch, sandbox_data_dir: Path
) -> None:
    for key, value in sandbox.lab_environ(sandbox_https).items():
        monkeypatch.setenv(key, value)
    with sandbox.start(idle_timeout=0, poll_wait=2.0, data_dir=sandbox_data_dir) as sb:
        assert sb.owned and sb.base_url != sandbox_https.base_url


def test_attach_lab_is_none_outside_lab() -> None:
    assert sandbox.attach_lab() is None


def test_attach_lab_shares_labs_sandbox_and_never_stops_it(
    sandbox_https: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    env = sandbox.lab_environ(sandbox_https)
    assert env == {
        "SENDMESSAGE_KIT_SANDBOX_URL": sandbox_https.base_url,
        "SENDMESSAGE_KIT_SANDBOX_CA": str(sandbox_https.ca_path),
    }
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    sb = sandbox.attach_lab()
    assert sb is not None and not sb.owned and sb.running
    assert sb.base_url == sandbox_https.base_url and sb.ca_path == sandbox_https.ca_path
    # the handle describes lab's sandbox as its /sandbox/health says (set by the fixture)
    assert sb.config.behaviour() == sandbox_https.config.behaviour()
    assert sb.customer.health()["status"] == "ok"
    sb.stop()  # closes the handle's customer client, leaves lab's sandbox running
    assert sandbox_https.running
    with sandbox_https.http_client() as c:
        assert c.get("/sandbox/health").status_code == 200
    # a setting lab's sandbox does not have: not attached
    assert sandbox.attach_lab(secmode=0) is None
    assert sandbox.attach_lab(secmode=1, poll_wait=2.0) is not None


def test_attach_lab_to_nothing_is_none_with_a_warning(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    with socket.socket() as s:  # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    monkeypatch.setenv("SENDMESSAGE_KIT_SANDBOX_URL", f"http://127.0.0.1:{port}")
    assert sandbox.attach_lab() is None
    assert "SENDMESSAGE_KIT_SANDBOX_URL" in caplog.text


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
