"""The probe's own logic against an in-process sandbox: refusals for another reason are named."""

from __future__ import annotations

from typing import Any

from sendmessage_kit.client import GatewayClient
from sendmessage_kit.doctor.probe import probe_limits
from sendmessage_kit.sandbox import start


def test_refusals_with_different_retcodes_are_not_read_as_the_size_limit() -> None:
    with start(http=True, poll_wait=0.1) as sb, GatewayClient.for_sandbox(sb, history=False) as c:

        def fault_after_the_second(probe: Any) -> None:
            if probe.n == 2:  # message 3 meets an internal error instead of the size rule
                sb.faults.set(retcode="100-007", count=1)

        result = probe_limits(c, "probe-fault", "cust-f", 1, on_probe=fault_after_the_second)
    assert [p.retcode for p in result.probes] == ["0", "0", "100-007", "0", "000-006"]
    assert not result.found and result.settings() is None
    assert result.problem is not None
    assert "different retcodes (000-006, 100-007)" in result.problem


def test_each_probe_has_the_size_it_says() -> None:
    with (
        start(http=True, poll_wait=0.1, size_counts="data") as sb,
        GatewayClient.for_sandbox(sb, history=False) as c,
    ):
        result = probe_limits(c, "probe-sizes", "cust-s", 1)
    assert result.found and (result.kb, result.counts, result.limit) == (1000, "data", 1900)
    sizes = [(p.content_bytes, p.data_bytes) for p in result.probes]
    assert sizes[1][0] == 1899  # content one byte under 1.9 x 1000
    assert [d for _, d in sizes[2:]] == [1923, 1899, 1900]  # between the readings, then L-1, L
