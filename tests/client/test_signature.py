"""Every client option is a named parameter: IDEs show it and the type checker catches a typo."""

from __future__ import annotations

import inspect
import subprocess
import sys
from pathlib import Path

import pytest

from sendmessage_kit import AsyncGatewayClient, GatewayClient

ROOT = Path(__file__).resolve().parents[2]
OPTIONS = {
    "settings", "base_url", "agent_id", "guid", "password", "phonenum", "ca_bundle", "verify",
    "timeout", "max_retries", "resend_on_failure", "raise_on_error", "history", "secmode",
    "transport", "profile",
}  # fmt: skip
PER_CALL = {"check", "raise_on_error", "timeout", "max_retries", "journal"}


@pytest.mark.parametrize("cls", [GatewayClient, AsyncGatewayClient])
def test_signature_shows_every_option(cls: type) -> None:
    params = inspect.signature(cls).parameters
    assert set(params) == OPTIONS
    assert all(p.kind is not inspect.Parameter.VAR_KEYWORD for p in params.values())
    for method in ("send_message", "send_request"):
        assert PER_CALL <= set(inspect.signature(getattr(cls, method)).parameters), method


def test_the_type_checker_catches_a_misspelt_option(tmp_path: Path) -> None:
    snippet = tmp_path / "use_the_kit.py"
    snippet.write_text(
        "from sendmessage_kit import AsyncGatewayClient, GatewayClient\n"
        "GatewayClient(timout=3.0)\n"
        "AsyncGatewayClient(max_retries='2')\n"
        "GatewayClient(timeout=3.0, max_retries=1, history=False)\n"
    )
    # The project's own configuration and cache, so a warm run takes seconds.
    r = subprocess.run(
        [sys.executable, "-m", "mypy", str(snippet)], cwd=ROOT, capture_output=True, text=True
    )
    errors = [line for line in r.stdout.splitlines() if ": error:" in line]
    assert len(errors) == 2, r.stdout
    assert 'Unexpected keyword argument "timout"' in errors[0] and ":2:" in errors[0]
    assert '"max_retries"' in errors[1] and ":3:" in errors[1]
