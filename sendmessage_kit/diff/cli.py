"""`sendmessage-kit diff FILE.har`: exit 0 when every exchange agrees, 1 otherwise, 2 bad input."""

from __future__ import annotations

import argparse
import json
import sys

__all__ = ["add_diff_arguments", "run_diff"]


def add_diff_arguments(parser: argparse.ArgumentParser) -> None:
    """Arguments of `diff`: the recording and the sandbox's settings (passed on to it)."""
    parser.add_argument("file", help="a HAR 1.2 recording (`proxy --har`, a browser's devtools)")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    sb = parser.add_argument_group("the sandbox's settings (as `sendmessage-kit sandbox`)")
    sb.add_argument("--secmode", type=int, choices=(0, 1), default=1, help="MULTIMEDIA_SECMODE")
    sb.add_argument("--kb", type=int, choices=(1000, 1024), default=1000, help="bytes per KB")
    sb.add_argument(
        "--counts", choices=("content", "data"), default="content", help="what the limit counts"
    )
    sb.add_argument(
        "--invalid-retcode", default="000-002", help="retcode for a body it cannot accept"
    )
    sb.add_argument("--oversize-retcode", default="000-006", help="retcode for oversize content")
    sb.add_argument(
        "--allow-empty-phonenum", action="store_true", help="accept a sign-in without phonenum"
    )
    sb.add_argument("--agent-id-range", metavar="LOW-HIGH", default="101-59999")


def run_diff(args: argparse.Namespace) -> int:
    """Replay, compare, explain; see the module docstring for the exit codes."""
    from sendmessage_kit.diff import Flags, HarError, compare, read_har
    from sendmessage_kit.settings import parse_agent_id_range

    try:
        flags = Flags(
            secmode=args.secmode,
            kb=args.kb,
            counts=args.counts,
            invalid_retcode=args.invalid_retcode,
            oversize_retcode=args.oversize_retcode,
            allow_empty_phonenum=args.allow_empty_phonenum,
            agent_id_range=parse_agent_id_range(args.agent_id_range),
        )
        flags.config()  # a retcode that is not one fails here, with its name
        recorded, skipped = read_har(args.file)
    except HarError as exc:
        print(f"sendmessage-kit diff: {exc}", file=sys.stderr)
        return 2
    except ValueError as exc:
        print(f"sendmessage-kit diff: {exc}", file=sys.stderr)
        return 2
    result = compare(recorded, flags, skipped=skipped)
    if args.json:
        print(json.dumps({"file": args.file, **result.to_dict()}, indent=2, ensure_ascii=False))
    else:
        _print(args.file, result)
    return 0 if result.agrees else 1


def _print(name: str, result: object) -> None:
    from sendmessage_kit.diff import Comparison
    from sendmessage_kit.errors import describe_retcode

    assert isinstance(result, Comparison)
    given = " ".join(result.given.argv())
    more = f"; {result.skipped} other entries not replayed" if result.skipped else ""
    print(f"{name}: {len(result.rows)} gateway exchanges{more}")
    print(f"replayed in order against a fresh sandbox ({given})\n")
    print(f"  {'#':>3}  {'request':<58} {'recorded':<14} {'sandbox':<14}")
    for row in result.rows:
        r, s = row.recorded, row.sandbox
        request = f"{r.method} {r.path}"
        request = request if len(request) <= 58 else request[:55] + "..."
        mark = "✓" if row.agrees else "✗"
        print(
            f"{mark} {r.index:>3}  {request:<58} {_answer(r.status, r.retcode):<14} "
            f"{_answer(s.status, s.retcode):<14}"
        )
        if not row.agrees:
            for why in row.why:
                print(f"        {why}")
            if not row.why:
                meaning = describe_retcode(s.retcode).description if s.retcode else s.message
                print(f"        the sandbox: {meaning[:150]}")
    differing = sum(not row.agrees for row in result.rows)
    for note in result.notes:
        print(f"\nnote: {note}")
    print()
    if not differing:
        print(f"all {len(result.rows)} exchanges agree.")
        return
    print(f"{differing} of {len(result.rows)} exchanges differ.")
    command = result.command()
    if command is None:
        print(
            "No combination of the sandbox's settings (secmode, --kb, --counts, the refusal "
            "retcodes, --allow-empty-phonenum, --agent-id-range) makes it agree with every "
            "exchange: the differences above are not a setting of the sandbox."
        )
        return
    print("The sandbox agrees with the recording, every exchange checked by a replay, with:")
    print(f"  {command}")
    print(f"and for `check` and the clients: {result.settings_line()}")


def _answer(status: int, retcode: str | None) -> str:
    return f"{status} {retcode if retcode is not None else '(no retcode)'}"
