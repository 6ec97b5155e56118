"""Per-call `timeout=`, `max_retries=` and `journal=` override the client's settings for a send."""

from __future__ import annotations

import time
import uuid

import pytest

from sendmessage_kit import History, RequestTimeout
from sendmessage_kit.models import new_message
from tests.client.conftest import Faults, MakeTwin


def _message(text: str = "x") -> object:
    return new_message(to="per-call-" + uuid.uuid4().hex[:10], content=text)


async def test_per_call_max_retries(make_twin: MakeTwin, faults: Faults) -> None:
    twin = await make_twin(max_retries=5, raise_on_error=False)
    faults.set(retcode="100-007", count=10)  # retryable, and resend is on for the sandbox
    once = await twin.send_message("c", _message(), max_retries=0)
    twice = await twin.send_message("c", _message(), max_retries=1)
    assert (once.retcode, once.attempts) == ("100-007", 1)
    assert (twice.retcode, twice.attempts) == ("100-007", 2)
    assert twin.policy.max_retries == 5  # the client's own setting is untouched


async def test_per_call_timeout(make_twin: MakeTwin, faults: Faults) -> None:
    twin = await make_twin(timeout=30.0)
    faults.set(latency_ms=3000)
    started = time.monotonic()
    with pytest.raises(RequestTimeout):
        await twin.send_message("c", _message(), timeout=0.3, max_retries=0)
    assert time.monotonic() - started < 2.5  # the client's 30 s did not apply
    faults.clear()
    assert (await twin.send_message("c", _message(), timeout=5.0)).ok


async def test_journal_false_leaves_a_send_out(make_twin: MakeTwin) -> None:
    with History(":memory:") as journal:
        twin = await make_twin(history=journal)
        kept = await twin.send_message("c", _message("kept"))
        await twin.send_message("c", _message("left out"), journal=False)
        await twin.send_request(
            twin.client._request_of("c", _message("out too"), None), journal=False
        )
        assert [e.message_code for e in journal.list()] == [kept.message_code]
