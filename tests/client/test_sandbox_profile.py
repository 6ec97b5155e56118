"""A sandbox's client checks with the sandbox's profile: the limits in force there."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from sendmessage_kit import AsyncGatewayClient, GatewayClient, open_target, sandbox
from sendmessage_kit.constraints import check
from sendmessage_kit.errors import GatewayError, PayloadError
from sendmessage_kit.models import new_message
from sendmessage_kit.rules import WEB_DOWNLINK

SETTINGS = {
    "web_poll_chars": 100,
    "size_counts": "data",
    "bytes_per_kb": 1024,
    "agent_id_range": (101, 400),
}


@pytest.fixture(scope="module")
def sb() -> Iterator[Any]:
    with sandbox.start(http=True, secmode=0, **SETTINGS) as s:
        yield s


def _cut(client: Any, chars: int) -> list[Any]:
    msg = new_message(to="u-profile", content="c" * chars)
    return [f for f in check(msg, client.profile) if f.rule is WEB_DOWNLINK]


def test_open_target_on_a_sandbox_checks_with_its_profile(sb: Any) -> None:
    with open_target(sandbox=sb, history=False) as target:
        profile = target.client.profile
        assert profile == sb.config.profile()
        assert (profile.web_poll_chars, profile.secmode) == (100, 0)
        assert (profile.limits.bytes_per_kb, profile.limits.counts) == (1024, "data")
        assert profile.agent_id_range == (101, 400)
        assert not _cut(target.client, 100)
        (warning,) = _cut(target.client, 101)
        assert warning.severity == "warning" and "100 characters" in warning.message


async def test_both_twins_for_sandbox_take_the_profile(sb: Any) -> None:
    with GatewayClient.for_sandbox(sb, history=False) as sync:
        assert sync.profile == sb.config.profile()
    async with await AsyncGatewayClient.for_sandbox(sb, history=False) as client:
        assert client.profile == sb.config.profile()


def test_a_body_the_sandbox_would_refuse_is_refused_before_sending(sb: Any) -> None:
    # size_counts="data": the whole data string counts. Content under the 3.8 KB of secmode 0
    # (either reading of a KB), the whole data over it: the default profile (content only)
    # lets it go out and the sandbox refuses it; the sandbox's refuses it before sending.
    msg = new_message(to="u-profile", content="d" * 3780)
    with GatewayClient.for_sandbox(sb, history=False, max_retries=0) as client:
        with pytest.raises(PayloadError):
            client.send_message("call-profile", msg)
    with GatewayClient(
        base_url=sb.base_url, agent_id="102", password=sb.password, phonenum=sb.phonenum,
        secmode=0, history=False, max_retries=0,
    ) as plain:  # fmt: skip
        plain.sign_in()
        assert plain.profile.limits.counts == "content"
        with pytest.raises(GatewayError):
            plain.send_message("call-profile", msg)
