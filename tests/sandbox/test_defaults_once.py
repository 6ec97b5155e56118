"""The sandbox's defaults are written once (SandboxConfig); the CLI and start() read them."""

from __future__ import annotations

import argparse
import dataclasses
from pathlib import Path

from sendmessage_kit.sandbox import start
from sendmessage_kit.sandbox.cli import _banner, add_sandbox_arguments, build_config
from sendmessage_kit.sandbox.config import SandboxConfig


def _cli_config(*argv: str) -> SandboxConfig:
    parser = argparse.ArgumentParser()
    add_sandbox_arguments(parser)
    config = build_config(parser.parse_args(list(argv)), 0, default_db=":memory:")
    assert isinstance(config, SandboxConfig)
    return config


def test_the_cli_with_no_flags_is_sandbox_config_with_no_arguments() -> None:
    assert _cli_config() == SandboxConfig()
    assert _cli_config("--web-poll-chars", "100").profile().web_poll_chars == 100


def test_start_with_no_arguments_is_sandbox_config_with_no_arguments(tmp_path: Path) -> None:
    with start(http=True, data_dir=tmp_path) as sb:
        expected = dataclasses.replace(
            SandboxConfig(), http=True, data_dir=tmp_path, port=sb.config.port
        )
        assert sb.config == expected


def test_the_banners_curl_example_never_guesses_a_password(tmp_path: Path) -> None:
    agents = tmp_path / "agents.json"
    agents.write_text('{"2001": "s3cret-pw"}', encoding="utf-8")
    config = _cli_config("--agents", str(agents))
    text = _banner(config, "http://127.0.0.1:1", None)
    assert "s3cret-pw" not in text and '"password":"sandbox"' not in text
    assert '"password":"<password>"' in text and "onlineagent/2001" in text
    demo = _banner(_cli_config(), "http://127.0.0.1:1", None)
    assert '"password":"sandbox"' in demo
