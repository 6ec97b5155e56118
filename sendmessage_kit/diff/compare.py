"""Compare a recording with the sandbox, and find the sandbox settings that make them agree.

`compare(recorded, flags)` replays the recording against a sandbox set by `flags`. Where they
differ, it looks for settings that explain every difference: it replays against sandboxes with
each reading of the size limit (secmode, KB, what it counts) and the other candidates the
differences point at, with the refusal retcodes set to markers of their own, so the sandbox's
answer says which rule refused a body; the recording's retcode for that rule is the setting.
The settings found are replayed once more as they are: they are reported only when that replay
agrees with every exchange. Then each setting is taken back on its own, and the exchanges that
differ again are the ones it explains.
"""

from __future__ import annotations

import dataclasses
import itertools
import re
from dataclasses import dataclass, field
from typing import Any, Literal

from sendmessage_kit.diff.har_in import Recorded
from sendmessage_kit.diff.replay import Answered, Flags, replay

__all__ = ["Comparison", "Row", "compare"]

_OVERSIZE_MARK = "999-901"  # never a gateway's code: marks the oversize rule's refusals
_INVALID_MARK = "999-902"  # ... and the invalid-body rule's
_AGENT = re.compile(r"/(?:onlineagent|mediacall|agentevent)/(\d+)(?:/|$)")


@dataclass
class Row:
    """One exchange: the recording's answer beside the sandbox's."""

    recorded: Recorded
    sandbox: Answered
    explained_by: list[str] = field(default_factory=list)
    why: list[str] = field(default_factory=list)

    @property
    def agrees(self) -> bool:
        """Same status and retcode."""
        r = self.recorded
        return (r.status, r.retcode) == (self.sandbox.status, self.sandbox.retcode)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        r, s = self.recorded, self.sandbox
        return {
            "index": r.index,
            "method": r.method,
            "path": r.path,
            "recorded": {"status": r.status, "retcode": r.retcode},
            "sandbox": {"status": s.status, "retcode": s.retcode, "message": s.message},
            "agrees": self.agrees,
            "explainedBy": self.explained_by,
            "why": self.why,
        }


@dataclass
class Comparison:
    """What `compare` found.

    Attributes:
        rows: one per replayed exchange, under the settings given.
        given: the settings the sandbox was given.
        agreeing: settings under which a sandbox answered every exchange as recorded (None:
            no combination the diff tries does).
        skipped: entries of the file that are not gateway interfaces (not replayed).
        notes: what the recording shows of the gateway's settings beyond the answers.
    """

    rows: list[Row]
    given: Flags
    agreeing: Flags | None
    skipped: int = 0
    notes: list[str] = field(default_factory=list)

    @property
    def agrees(self) -> bool:
        """True when every exchange agrees under the settings given."""
        return all(row.agrees for row in self.rows)

    def command(self) -> str | None:
        """The `sendmessage-kit sandbox` command line of the agreeing settings."""
        if self.agreeing is None:
            return None
        flags = self.agreeing.argv(only=self.agreeing.changed(Flags()))
        return " ".join(["sendmessage-kit sandbox", *flags])

    def settings_line(self) -> str | None:
        """The `SENDMESSAGE_KIT_*` settings of the agreeing size reading (for check, clients)."""
        a = self.agreeing
        if a is None:
            return None
        return (
            f"SENDMESSAGE_KIT_SECMODE={a.secmode} SENDMESSAGE_KIT_BYTES_PER_KB={a.kb} "
            f"SENDMESSAGE_KIT_SIZE_COUNTS={a.counts}"
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        return {
            "agrees": self.agrees,
            "differences": sum(not r.agrees for r in self.rows),
            "exchanges": [r.to_dict() for r in self.rows],
            "skippedEntries": self.skipped,
            "given": self.given.argv(),
            "agreeingSettings": self.agreeing.argv() if self.agreeing else None,
            "command": self.command(),
            "settings": self.settings_line(),
            "notes": self.notes,
        }


def compare(recorded: list[Recorded], given: Flags, *, skipped: int = 0) -> Comparison:
    """Replay `recorded` under `given`; where it differs, find and check settings that agree."""
    rows = [Row(r, a) for r, a in zip(recorded, replay(recorded, given), strict=True)]
    notes = _notes(recorded)
    if all(row.agrees for row in rows):
        return Comparison(rows, given, given, skipped, notes)
    agreeing = _search(recorded, rows, given)
    if agreeing is not None:
        _attribute(recorded, rows, given, agreeing)
    return Comparison(rows, given, agreeing, skipped, notes)


def _notes(recorded: list[Recorded]) -> list[str]:
    rotated = [r.index for r in recorded if r.set_guid and not r.is_sign_in]
    if not rotated:
        return []
    where = ", ".join(f"#{i}" for i in rotated[:5]) + (" ..." if len(rotated) > 5 else "")
    return [
        f"the gateway handed out new Guids after sign-in (Set-GUID on {where}): it rotates "
        "them (dynamic authentication, AUTHMODE 2); the sandbox does too with --auth-mode 2 "
        "(a replay's answers do not depend on it)"
    ]


def _candidates(recorded: list[Recorded], rows: list[Row], given: Flags) -> list[Flags]:
    """Settings to try, fewest changes first, along the lines the differences point at."""
    differing = [row for row in rows if not row.agrees]
    sizes = any(row.recorded.is_send for row in differing)
    secmodes = [given.secmode, 1 - given.secmode] if sizes else [given.secmode]
    kbs = [given.kb, 2024 - given.kb] if sizes else [given.kb]
    counts: list[Literal["content", "data"]] = [
        given.counts,
        "data" if given.counts == "content" else "content",
    ]
    phonenum = [given.allow_empty_phonenum]
    if any(r.recorded.is_sign_in and r.sandbox.retcode == "100-001" for r in differing):
        phonenum.append(not given.allow_empty_phonenum)
    ranges = [given.agent_id_range]
    ids = [int(m[1]) for r in recorded if (m := _AGENT.search(r.path))]
    if ids and any("not in the range" in r.sandbox.message for r in differing):
        low, high = given.agent_id_range
        ranges.append((min([low, *ids]), max([high, *ids])))
    out = [
        dataclasses.replace(
            given,
            secmode=s,
            kb=k,
            counts=c,
            allow_empty_phonenum=p,
            agent_id_range=g,
            oversize_retcode=_OVERSIZE_MARK,
            invalid_retcode=_INVALID_MARK,
        )
        for s, k, c, p, g in itertools.product(
            secmodes, kbs, counts if sizes else [given.counts], phonenum, ranges
        )
    ]
    return sorted(out, key=lambda f: len(f.changed(given)))


def _search(recorded: list[Recorded], rows: list[Row], given: Flags) -> Flags | None:
    for marked in _candidates(recorded, rows, given):
        codes = _fit(recorded, replay(recorded, marked))
        if codes is None:
            continue
        over, invalid = codes
        found = dataclasses.replace(
            marked,
            oversize_retcode=over or given.oversize_retcode,
            invalid_retcode=invalid or given.invalid_retcode,
        )
        if all(_agree(r, a) for r, a in zip(recorded, replay(recorded, found), strict=True)):
            return found
    return None


def _agree(r: Recorded, a: Answered) -> bool:
    return (r.status, r.retcode) == (a.status, a.retcode)


def _fit(recorded: list[Recorded], answers: list[Answered]) -> tuple[str | None, str | None] | None:
    """The recording's retcodes for the two marked rules, or None when anything else differs."""
    found: dict[str, set[str]] = {_OVERSIZE_MARK: set(), _INVALID_MARK: set()}
    for r, a in zip(recorded, answers, strict=True):
        if a.retcode in found and r.status == a.status and r.retcode not in (None, "0"):
            found[a.retcode].add(str(r.retcode))
        elif not _agree(r, a):
            return None
    if any(len(codes) > 1 for codes in found.values()):
        return None
    over, invalid = (next(iter(found[m]), None) for m in (_OVERSIZE_MARK, _INVALID_MARK))
    return over, invalid


def _attribute(recorded: list[Recorded], rows: list[Row], given: Flags, agreeing: Flags) -> None:
    """Name, for each differing row, the settings without which it differs again."""
    for name in agreeing.changed(given):
        back = dataclasses.replace(agreeing, **{name: getattr(given, name)})
        for row, a in zip(rows, replay(recorded, back), strict=True):
            if not row.agrees and not _agree(row.recorded, a):
                row.explained_by.append(name)
                row.why.append(_why(name, row, given, agreeing))


_RETCODE_WHY = {
    "invalid_retcode": "a body the gateway cannot accept",
    "oversize_retcode": "a message over the size limit",
    "allow_empty_phonenum": "a sign-in with an empty phonenum",
}


def _why(name: str, row: Row, given: Flags, agreeing: Flags) -> str:
    """One sentence: what the recording and the sandbox did, and the flag that explains it."""
    flag = " ".join(agreeing.argv(only=[name]))
    r, s = row.recorded, row.sandbox
    if name in ("secmode", "kb", "counts") and r.is_send:
        return _size_why(row, given, agreeing, flag)
    if name in _RETCODE_WHY:
        return f"{_RETCODE_WHY[name]}: the recording {r.retcode}, the sandbox {s.retcode}: {flag}"
    if name == "agent_id_range":
        return f"an agent ID outside the sandbox's range ({s.retcode}), not the recording's: {flag}"
    return f"recorded {r.retcode}, sandbox {s.retcode}: {flag}"


def _size_why(row: Row, given: Flags, agreeing: Flags, flag: str) -> str:
    from sendmessage_kit.encoding import SizeLimits, byte_budget

    body = row.recorded.json_body()
    data = body.get("data") if isinstance(body, dict) else None
    if not isinstance(data, str | dict):
        return f"the size limit: {flag}"

    def reading(f: Flags) -> tuple[int, int, str]:
        limits = SizeLimits(bytes_per_kb=f.kb, counts=f.counts)
        b = byte_budget(data, secmode=f.secmode, limits=limits)
        what = "content" if f.counts == "content" else "the whole data string"
        return b.counted_bytes, b.limit_bytes, f"{what}, 1 KB = {f.kb} bytes, secmode {f.secmode}"

    size, limit, how = reading(given)
    new_size, new_limit, new_how = reading(agreeing)
    recorded = "accepted" if row.recorded.retcode == "0" else f"refused ({row.recorded.retcode})"
    sandbox = "accepted" if row.sandbox.retcode == "0" else f"refused ({row.sandbox.retcode})"
    counted = f" it counts {new_size:,} bytes," if new_size != size else ""
    return (
        f"{size:,} bytes ({how}): {recorded} by the recording, {sandbox} by the sandbox "
        f"(limit {limit:,}); with {flag}{counted} the limit is {new_limit:,} ({new_how})"
    )
