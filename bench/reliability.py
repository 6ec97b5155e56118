"""Run the reliability suite (tests/reliability) and print its table.

    uv run python bench/reliability.py            # the fast part (what CI runs), ~45 s
    uv run python bench/reliability.py --long     # + 5,000 kill/restart, 10,000 x 32 load, big fuzz

The tests write their counts to a JSON file (RELIABILITY_REPORT); this script runs pytest on the
folder, reads that file and prints: inputs tried, faults survived, load held, messages lost and
duplicated, secrets leaked, 5xx. Exit status 1 when a test fails or a must-be-zero count is not 0.
Extra arguments go to pytest (e.g. `-x`, `-k load`).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
MUST_BE_ZERO = ("lost", "duplicated", "leaked", "5xx")


def run(long: bool, extra: list[str]) -> tuple[int, float, dict[str, Any]]:
    report = ROOT / "tmp" / "artifacts" / f"reliability-{'long' if long else 'fast'}.json"
    report.parent.mkdir(parents=True, exist_ok=True)
    report.unlink(missing_ok=True)
    marks = "not browser" if long else "not browser and not slow"
    cmd = [sys.executable, "-m", "pytest", "tests/reliability", "-m", marks, "-q",
           "-p", "no:cacheprovider", "--timeout", "900", *extra]  # fmt: skip
    print("$ " + " ".join(cmd[2:]), flush=True)
    started = time.perf_counter()
    code = subprocess.call(cmd, cwd=ROOT, env={**os.environ, "RELIABILITY_REPORT": str(report)})
    elapsed = time.perf_counter() - started
    data = json.loads(report.read_text()) if report.exists() else {}
    return code, elapsed, data


def _largest(figures: dict[str, Any], prefix: str) -> dict[str, Any] | None:
    keys = [k for k in figures if k.startswith(prefix)]
    if not keys:
        return None
    return figures[max(keys, key=lambda k: int(k.rsplit("_", 1)[1]))]  # type: ignore[no-any-return]


def table(code: int, elapsed: float, data: dict[str, Any], long: bool) -> list[tuple[str, str]]:
    c: dict[str, int] = data.get("counts", {})
    f: dict[str, Any] = data.get("figures", {})
    t: dict[str, int] = data.get("tests", {})
    rows = [
        (
            "tests",
            f"{t.get('passed', 0)} passed, {t.get('failed', 0) + t.get('error', 0)} failed, "
            f"{t.get('xfailed', 0)} xfailed (known bugs, pinned), {t.get('skipped', 0)} skipped "
            f"in {elapsed:.0f} s ({'long' if long else 'fast'} run, pytest exit {code})",
        ),
        (
            "inputs tried",
            f"{c.get('inputs', 0):,} (hypothesis on models/check/parsers/byte_budget, "
            f"extremes, random HTTP answers, {c.get('api_calls', 0):,} schemathesis API calls)",
        ),
        (
            "faults survived",
            f"{c.get('faults', 0):,} (sandbox faults, raw-socket server, "
            "random answers, TLS, SIGKILL + restart)",
        ),
    ]
    rows += _edge_rows(c, f)
    kr = _largest(f, "kill_restart_")
    if kr:
        rows.append(
            (
                "kill + restart mid send_many",
                f"{kr['messages']:,} messages, SIGKILL after {kr['stored_at_kill']:,} stored; "
                f"first run {kr['first_run']}, rerun {kr['rerun']}; customer received "
                f"{kr['received']:,}, {kr['elapsed_s']} s",
            )
        )
    load = _largest(f, "load_")
    if load:
        rows.append(
            (
                "load held",
                f"{load['requests']:,} requests from {load['clients']} clients, "
                f"{load['answered']:,} answered, {load['req_per_s']:.0f} req/s; sandbox RSS "
                f"{load['rss_start_mb']:.0f} MB -> peak {load['rss_peak_mb']:.0f} MB",
            )
        )
    rows += [
        ("messages lost", str(c.get("lost", 0))),
        ("messages duplicated", str(c.get("duplicated", 0))),
        ("secret surfaces scanned", str(c.get("secret_surfaces", 0))),
        ("secrets leaked", str(c.get("leaked", 0))),
        (
            "  third-party DEBUG trace",
            f"{c.get('leaked_third_party_debug', 0)} (httpcore2 traces Set-GUID at DEBUG; the kit "
            "masks it)",
        ),
        ("5xx answers", str(c.get("5xx", 0))),
    ]
    if data.get("failed"):
        rows.append(("FAILED", ", ".join(data["failed"])))
    return rows


def _edge_rows(c: dict[str, int], f: dict[str, Any]) -> list[tuple[str, str]]:
    """The edge classes of issue 23: inputs tried per class, and the figures they measured."""
    classes = sorted((k.removeprefix("class:"), n) for k, n in c.items() if k.startswith("class:"))
    rows = [(f"  {name}", f"{n:,} inputs") for name, n in classes]
    cap = f.get("body_cap_memory")
    if cap:
        text = f"{cap['bodies']}: sandbox RSS {cap['rss_start_mb']} MB"
        rows.append(("  body cap, memory", f"{text} -> peak {cap['rss_peak_mb']} MB"))
    h = f.get("health_under_big_body_ms")
    if h:
        text = f"p90 {h['p90']} ms, max {h['max']} ms over {h['probes']} probes"
        text += f" while {h['body_bytes']:,}-byte bodies were checked"
        rows.append(("  /sandbox/health, big body", f"{text} (idle: max {h['idle_max']} ms)"))
    slow = f.get("slow_clients")
    if slow:
        text = f"{slow['connections']} byte-at-a-time or idle connections closed"
        rows.append(("  slow clients", f"{text} within {slow['closed_within_s']} s (timeout 1 s)"))
    keys = f.get("check_unknown_keys_s")
    if keys:
        text = f"9,000 keys {keys['9000']} s; 90,000 keys {keys['90000']} s"
        rows.append(("  check(), unknown keys", text))
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--long", action="store_true", help="also run the slow part (<10 min)")
    args, extra = parser.parse_known_args()
    code, elapsed, data = run(args.long, extra)
    rows = table(code, elapsed, data, args.long)
    width = max(len(name) for name, _ in rows)
    print("\nReliability and security suite (issues 7 and 23)")
    print("-" * 100)
    for name, value in rows:
        print(f"{name:<{width}}  {value}")
    print("-" * 100)
    counts = data.get("counts", {})
    bad = [k for k in MUST_BE_ZERO if counts.get(k, 0)]
    if bad:
        print(f"NOT ZERO: {', '.join(bad)}")
    return 1 if code != 0 or bad or not data else 0


if __name__ == "__main__":
    sys.exit(main())
