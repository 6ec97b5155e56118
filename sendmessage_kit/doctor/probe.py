"""`doctor --probe-limits`: find what the gateway's size limit counts, and how big its KB is.

The vendor publishes the limit as "1.9 KB" (MULTIMEDIA_SECMODE=1; 3.8 KB with 0) and does not
say whether a KB is 1000 or 1024 bytes, nor whether the limit counts `content` or the whole
`data` string. Five messages to a chat the integrator names tell them apart:

1. a short message: the chat takes messages at all (else the probe stops: wrong callid);
2. content one byte under the 1000-byte reading: the whole `data` string is then over both
   readings, so it is accepted only when the limit counts `content`;
3. a size between the two readings (of what the limit counts): accepted only at 1024;
4. and 5. one byte under the limit found, then the limit itself: the first must be accepted,
   the second refused (a size must be strictly below the limit); otherwise the gateway's
   limit is none of the readings, and the probe says so instead of guessing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = ["MESSAGES", "Probe", "ProbeResult", "probe_limits"]

MESSAGES = 5


@dataclass
class Probe:
    """One probe message and its answer."""

    n: int
    purpose: str
    content_bytes: int
    data_bytes: int
    retcode: str | None = None

    @property
    def accepted(self) -> bool:
        """True for retcode 0."""
        return self.retcode == "0"

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        return {
            "n": self.n,
            "purpose": self.purpose,
            "contentBytes": self.content_bytes,
            "dataBytes": self.data_bytes,
            "retcode": self.retcode,
        }


@dataclass
class ProbeResult:
    """What the probe found: the readings, or why it could not tell."""

    probes: list[Probe] = field(default_factory=list)
    kb: int | None = None
    counts: str | None = None
    limit: int | None = None
    oversize_retcode: str | None = None
    secmode: int = 1
    problem: str | None = None

    @property
    def found(self) -> bool:
        """True when both readings were found and confirmed."""
        return self.problem is None and self.kb is not None

    def settings(self) -> str | None:
        """The `SENDMESSAGE_KIT_*` settings that match the gateway."""
        if not self.found:
            return None
        return f"SENDMESSAGE_KIT_BYTES_PER_KB={self.kb} SENDMESSAGE_KIT_SIZE_COUNTS={self.counts}"

    def sandbox_command(self) -> str | None:
        """The `sendmessage-kit sandbox` flags that make the sandbox count like the gateway."""
        if not self.found:
            return None
        return (
            f"sendmessage-kit sandbox --secmode {self.secmode} --kb {self.kb} "
            f"--counts {self.counts} --oversize-retcode {self.oversize_retcode}"
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        return {
            "found": self.found,
            "bytesPerKb": self.kb,
            "sizeCounts": self.counts,
            "limitBytes": self.limit,
            "oversizeRetcode": self.oversize_retcode,
            "secmode": self.secmode,
            "problem": self.problem,
            "messages": [p.to_dict() for p in self.probes],
            "settings": self.settings(),
            "sandbox": self.sandbox_command(),
        }


def _message(to: str, n: int, purpose: str, size: int, counts: str) -> tuple[Any, Probe]:
    """A message whose `counts` (content or the whole data string) is `size` UTF-8 bytes."""
    from sendmessage_kit.encoding import byte_budget
    from sendmessage_kit.models import new_message

    head = f"sendmessage-kit size probe {n}/{MESSAGES}: {purpose}. "
    data = new_message(to=to, content=head)
    overhead = byte_budget(data).data_bytes - len(head) if counts == "data" else 0
    content = (head + "." * size)[: size - overhead] if size else head
    data = data.model_copy(update={"content": content})
    b = byte_budget(data)
    return data, Probe(n, purpose, b.content_bytes, b.data_bytes)


def probe_limits(
    client: Any, callid: str, to: str, secmode: int, on_probe: Any = None
) -> ProbeResult:
    """Send the five probes to `callid` (customer `to`) with `client`; see the module docstring.

    `on_probe(probe)` is called after each answer (the CLI prints it).
    """
    from sendmessage_kit.encoding import SizeLimits

    low = SizeLimits(bytes_per_kb=1000).limit_bytes(secmode)
    high = SizeLimits(bytes_per_kb=1024).limit_bytes(secmode)
    result = ProbeResult(secmode=secmode)

    def send(n: int, purpose: str, size: int, counts: str) -> Probe | None:
        data, probe = _message(to, n, purpose, size, counts)
        answer = client.send_message(
            callid, data, check=False, raise_on_error=False, max_retries=0, journal=False
        )
        if answer.response is None:  # no gateway answer at all
            result.problem = f"message {n} got no answer: {answer.error}"
            return None
        probe.retcode = answer.retcode
        result.probes.append(probe)
        if on_probe is not None:
            on_probe(probe)
        return probe

    first = send(1, "a short message", 0, "content")
    if first is None:
        return result
    if not first.accepted:
        result.problem = (
            f"the gateway refused a short message to callid {callid!r} with {first.retcode}: "
            f"is it an open chat of agent {client.agent_id}? Give the callid of a chat a "
            "customer opened with this agent (--callid), and its customer (--to)"
        )
        return result
    second = send(2, f"content {low - 1:,} bytes", low - 1, "content")
    if second is None:
        return result
    result.counts = "content" if second.accepted else "data"
    middle = (low + high) // 2
    third = send(3, f"{result.counts} {middle:,} bytes", middle, result.counts)
    if third is None:
        return result
    result.kb = 1024 if third.accepted else 1000
    result.limit = high if third.accepted else low
    under = send(4, f"{result.counts} {result.limit - 1:,} bytes", result.limit - 1, result.counts)
    at = send(5, f"{result.counts} {result.limit:,} bytes", result.limit, result.counts)
    if under is None or at is None:
        return result
    if not under.accepted or at.accepted:
        result.problem = (
            f"the gateway {'refused' if not under.accepted else 'accepted'} "
            f"{under.data_bytes if result.counts == 'data' else under.content_bytes:,} bytes "
            f"and {'accepted' if at.accepted else 'refused'} {result.limit:,}: its limit is not "
            f"one of the readings of {'1.9' if secmode else '3.8'} KB for secmode {secmode}. "
            f"Is its MULTIMEDIA_SECMODE {1 - secmode}? Set SENDMESSAGE_KIT_SECMODE="
            f"{1 - secmode} and probe again"
        )
        result.kb = result.counts = result.limit = None
        return result
    refusals = {p.retcode for p in result.probes if not p.accepted}
    if len(refusals) > 1:  # one rule refuses oversize messages: several codes mean another did
        codes = ", ".join(sorted(str(code) for code in refusals))
        result.problem = (
            f"the gateway refused the probes with different retcodes ({codes}): something "
            "besides the size refused some of them; see each message's retcode above"
        )
        result.kb = result.counts = result.limit = None
        return result
    result.oversize_retcode = at.retcode
    return result
