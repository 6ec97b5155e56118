"""The sandbox's own choices that are settings: the retcode of a body it cannot accept, the web
poll's length cut; each a `SandboxConfig` field, a `sendmessage-kit sandbox` flag and shown by
`/sandbox/health`."""

from __future__ import annotations

import argparse
from collections.abc import Callable

import pytest

from sendmessage_kit.sandbox import Sandbox, SandboxConfig
from sendmessage_kit.sandbox.cli import add_sandbox_arguments, build_config
from tests.sandbox.conftest import Agent, body_for
from tests.sandbox.test_bodies import _escaped_in_data, _send_raw


def _web_poll(a: Agent, user: str) -> list[str]:
    token = a.http.post("/apiaccess/ccmessaging/applyToken", json={"userId": user}).json()
    r = a.http.get(
        "/apiaccess/ccmessaging/poll",
        params={"receiverId": user},
        headers={"ccmessaging-token": token["token"]},
    )
    return [m["content"] for m in r.json()["downlinkMessages"]]


def test_invalid_retcode_and_web_poll_chars_change_what_the_sandbox_answers(
    make_sandbox: Callable[..., Sandbox],
) -> None:
    sb = make_sandbox(invalid_retcode="000-006", web_poll_chars=0)
    a = Agent(sb)
    try:
        a.sign_in()
        assert a.send(b"{{{")["retcode"] == "000-006"
        assert _send_raw(a, _escaped_in_data("content", "u")).json()["retcode"] == "000-006"
        assert a.send(body_for("   "))["retcode"] == "106-002"  # empty keeps its own code
        assert a.send(body_for("w" * 600, to="long-reader"))["retcode"] == "0"
        assert _web_poll(a, "long-reader") == ["w" * 600]
        health = a.http.get("/sandbox/health").json()["config"]
        assert (health["invalidRetcode"], health["webPollChars"]) == ("000-006", 0)
    finally:
        a.close()


def test_the_default_web_poll_cuts_at_500_characters(agent: Agent) -> None:
    user = f"cut-{agent.agent_id}"
    assert agent.send(body_for("w" * 600, to=user))["retcode"] == "0"
    assert _web_poll(agent, user) == ["w" * 500]


def test_the_flags_reach_thebuild_config() -> None:
    parser = argparse.ArgumentParser()
    add_sandbox_arguments(parser)
    memory = ["--db", ":memory:"]
    flags = ["--invalid-retcode", "000-006", "--web-poll-chars", "100", "--allow-empty-phonenum"]
    config = build_config(parser.parse_args([*memory, *flags]), 0)
    assert (config.invalid_retcode, config.web_poll_chars, config.allow_empty_phonenum) == (
        "000-006",
        100,
        True,
    )
    defaults = build_config(parser.parse_args(memory), 0)
    assert (defaults.invalid_retcode, defaults.web_poll_chars, defaults.allow_empty_phonenum) == (
        "000-002",
        500,
        False,
    )


@pytest.mark.parametrize(
    ("kw", "match"),
    [({"invalid_retcode": "bad"}, "invalid_retcode"), ({"web_poll_chars": -1}, "web_poll_chars")],
)
def test_bad_settings_are_refused_by_name(kw: dict[str, object], match: str) -> None:
    with pytest.raises(ValueError, match=match):
        SandboxConfig(**kw)  # type: ignore[arg-type]
