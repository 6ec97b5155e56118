"""send_many against the real sandbox: every input accounted for, nothing duplicated."""

from __future__ import annotations

import uuid
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from sendmessage_kit.client import AsyncGatewayClient
from sendmessage_kit.history import History
from sendmessage_kit.models import SendMessageRequest, new_message
from tests.client.conftest import Faults


def _batch(n: int, users: int = 10) -> tuple[list[str], list[tuple[str, Any]]]:
    tag = uuid.uuid4().hex[:8]
    names = [f"bulk-{tag}-{u}" for u in range(users)]
    items = [
        (f"call-{tag}-{i % users}", new_message(to=names[i % users], content=f"message {i}"))
        for i in range(n)
    ]
    return names, items


async def _check_store(faults: Faults, users: list[str], items: list[tuple[str, Any]]) -> None:
    stored = Counter(m["messageCode"] for u in users for m in faults.messages(u))
    assert set(stored) == {data.messageCode for _, data in items}, "lost messages"
    assert max(stored.values()) == 1, "duplicated messages"


async def _send(gw: Any, items: Any, tmp_path: Path, **kw: Any) -> Any:
    async with await AsyncGatewayClient.for_sandbox(
        gw, agent_id="150", history=History(tmp_path / "journal.sqlite3")
    ) as client:
        return await client.send_many(items, **kw)


async def test_send_many_500_none_lost_none_duplicated(
    gw: Any, faults: Faults, tmp_path: Path
) -> None:
    users, items = _batch(500)
    report = await _send(gw, items, tmp_path, progress=False)
    assert (report.delivered, report.rejected, report.failed, report.skipped) == (500, 0, 0, 0)
    assert [o.index for o in report.outcomes] == list(range(500))
    await _check_store(faults, users, items)


async def test_rerun_skips_what_was_delivered(gw: Any, faults: Faults, tmp_path: Path) -> None:
    users, items = _batch(60)
    faults.set(retcode="000-006", count=20)  # not retryable: 20 rejected the first time
    first = await _send(gw, items, tmp_path, progress=False, concurrency=4)
    assert (first.delivered, first.rejected) == (40, 20)
    assert {o.retcode for o in first.outcomes if o.status == "rejected"} == {"000-006"}
    faults.clear()
    second = await _send(gw, items, tmp_path, progress=False)
    assert (second.skipped, second.delivered) == (40, 20)
    assert second.ok
    await _check_store(faults, users, items)


async def test_every_input_ends_with_an_outcome(gw: Any, faults: Faults, tmp_path: Path) -> None:
    users, items = _batch(30, users=3)
    bad = SendMessageRequest(callid="c", data=new_message(to=users[0], content=""))
    faults.set(garbage=True, count=5)
    report = await _send(gw, [*items, bad], tmp_path, progress=False, concurrency=1)
    assert len(report.outcomes) == 31
    statuses = Counter(o.status for o in report.outcomes)
    assert statuses == {"delivered": 25, "failed": 6}
    failed = [o for o in report.outcomes if o.status == "failed"]
    assert all(o.cause for o in failed)
    assert any("PayloadError" in (o.cause or "") for o in failed)
    assert "25 delivered" in str(report)


async def test_progress_bar_runs_in_a_terminal(
    gw: Any, faults: Faults, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, items = _batch(20)
    report = await _send(gw, items, tmp_path, progress=True)
    assert report.delivered == 20
    assert "20/20" in capsys.readouterr().err


@pytest.mark.slow
async def test_send_many_10000_none_lost_none_duplicated(
    gw: Any, faults: Faults, tmp_path: Path
) -> None:
    users, items = _batch(10_000, users=50)
    report = await _send(gw, items, tmp_path, progress=False)
    assert report.delivered == 10_000, str(report)
    await _check_store(faults, users, items)


async def test_rerun_with_a_separate_journal_skips_what_was_delivered(
    gw: Any, faults: Faults, tmp_path: Path
) -> None:
    users, items = _batch(40)
    journal = History(tmp_path / "separate.sqlite3")
    async with await AsyncGatewayClient.for_sandbox(gw, agent_id="151", history=False) as client:
        first = await client.send_many(items, journal=journal, progress=False)
        again = await client.send_many(items, journal=journal, progress=False)
    journal.close()
    assert (first.delivered, again.skipped, again.delivered) == (40, 40, 0)
    await _check_store(faults, users, items)
