"""`sendmessage-kit`: the command line. Exit 0 ok, 1 a finding/gateway error, 2 a usage error.

Each subcommand lives in a module with `add_arguments(parser)` and `run(args) -> int`; modules
import their heavy dependencies inside `run`, so `--help` stays fast.
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys
from collections.abc import Sequence
from types import ModuleType
from typing import Any

from sendmessage_kit.cli_parser import KitParser

# name -> (module, one-line help). Modules are imported only to add their arguments.
COMMANDS: dict[str, tuple[str, str]] = {
    "check": ("sendmessage_kit.cli", "check a request body (file or -) against the rule table"),
    "send": ("sendmessage_kit.send_cli", "send a message to the sandbox or a configured gateway"),
    "sandbox": ("sendmessage_kit.sandbox.cli", "run the local CC-Gateway sandbox"),
    "lab": ("sendmessage_kit.sandbox.lab", "start JupyterLab on notebooks/ with the sandbox"),
    "demo": (
        "sendmessage_kit.sandbox.demo",
        "serve the customer demo (guide 7) as a presenter app, with its own sandbox",
    ),
    "snippet": (
        "sendmessage_kit.export.cli",
        "print a request as a complete curl, Python or JavaScript program",
    ),
    "export": (
        "sendmessage_kit.export.cli",
        "write the flow as a Postman or Bruno collection, an .http file or OpenAPI",
    ),
    "proxy": (
        "sendmessage_kit.proxy.cli",
        "a validation proxy between your application and the gateway: see and record traffic",
    ),
    "doctor": ("sendmessage_kit.doctor.cli", "is my gateway reachable, and how is it set?"),
    "diff": (
        "sendmessage_kit.diff.cli",
        "replay a HAR recording against a sandbox: where does it differ from your gateway?",
    ),
}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Arguments of `check`."""
    parser.add_argument("file", help="the outer request body as JSON, or - for stdin")
    parser.add_argument(
        "--secmode",
        type=int,
        choices=(0, 1),
        default=1,
        help="the gateway's MULTIMEDIA_SECMODE (1: 1.9 KB, 0: 3.8 KB; default 1)",
    )
    parser.add_argument("--agent-id", help="also check the agent ID of the URL")
    parser.add_argument("--channel-table", help="your tenant's channel x media table (JSON/YAML)")
    parser.add_argument("--json", action="store_true", help="print findings as JSON")
    unknown = parser.add_argument_group(
        "what the vendor does not publish (default: SENDMESSAGE_KIT_* settings, else the kit's)"
    )
    unknown.add_argument(
        "--kb",
        type=int,
        choices=(1000, 1024),
        help="bytes per KB of the size limit (default 1000, the stricter reading)",
    )
    unknown.add_argument(
        "--counts",
        choices=("content", "data"),
        help="what the size limit counts: content's UTF-8 bytes (default) or the whole data string",
    )
    unknown.add_argument(
        "--agent-id-range",
        metavar="LOW-HIGH",
        help="agent IDs the gateway allows (default 101-59999, the seed's edition)",
    )


def run(args: argparse.Namespace) -> int:
    """Run `check`: print findings; exit 1 when any is an error."""
    from sendmessage_kit.constraints import check, has_errors

    if args.file == "-":
        raw = sys.stdin.buffer.read()
    else:
        try:
            with open(args.file, "rb") as fh:
                raw = fh.read()
        except OSError as exc:
            print(
                f"sendmessage-kit check: cannot read {args.file}: {exc.strerror}", file=sys.stderr
            )
            return 2
    try:
        profile = _profile(args)
    except (OSError, ValueError) as exc:
        print(f"sendmessage-kit check: {exc}", file=sys.stderr)
        return 2
    findings = check(raw, profile, agent_id=args.agent_id)
    failed = has_errors(findings)
    sizes = _sizes(raw, profile)
    if args.json:
        out = {"ok": not failed, "findings": [f.to_dict() for f in findings], "sizes": sizes}
        print(json.dumps(out, indent=2))
    else:
        for f in findings:
            print(
                f"{f.severity.upper():7} {f.field}: {f.message}\n        fix: {f.fix} [{f.rule_id}]"
            )
        errors = sum(f.severity == "error" for f in findings)
        print(f"{'FAIL' if failed else 'OK'}: {errors} error(s), {len(findings) - errors} note(s)")
        if sizes:
            print(
                f"sizes (MULTIMEDIA_SECMODE={profile.secmode}; each reading of the limit, "
                "strictly less than):"
            )
            for r in sizes:
                mark = "  <- this check" if r["used"] else ""
                print(
                    f"  {r['counts']:7} {r['bytes']:6} bytes, limit {r['limit']:5} "
                    f"(1 KB = {r['bytesPerKb']}): {'fits' if r['fits'] else 'over'}{mark}"
                )
    return 1 if failed else 0


def _profile(args: argparse.Namespace) -> Any:
    """The check's profile: flags first, then the SENDMESSAGE_KIT_* settings, then defaults."""
    import dataclasses

    from sendmessage_kit.channels import load_channel_table
    from sendmessage_kit.settings import KitSettings, parse_agent_id_range

    settings = KitSettings()
    limits = dataclasses.replace(
        settings.profile().limits,
        bytes_per_kb=args.kb or settings.bytes_per_kb,
        counts=args.counts or settings.size_counts,
    )
    profile = dataclasses.replace(settings.profile(), secmode=args.secmode, limits=limits)
    if args.agent_id_range:
        try:
            profile = dataclasses.replace(
                profile, agent_id_range=parse_agent_id_range(args.agent_id_range)
            )
        except ValueError as exc:
            raise ValueError(f"--agent-id-range: {exc}") from None
    if args.channel_table:
        try:
            table = load_channel_table(args.channel_table)
        except (OSError, ValueError) as exc:
            raise ValueError(f"--channel-table: {exc}") from None
        profile = dataclasses.replace(profile, channel_table=table)
    return profile


def _sizes(raw: bytes, profile: Any) -> list[dict[str, Any]]:
    """The message's size under every reading of the limit (KB 1000/1024 x content/data)."""
    from sendmessage_kit.encoding import SizeLimits, byte_budget

    try:
        body = json.loads(raw)
    except (ValueError, RecursionError):
        return []
    data = body.get("data") if isinstance(body, dict) else None
    if not isinstance(data, str | dict):
        return []
    out = []
    for counts in ("content", "data"):
        for kb in (1000, 1024):
            limits = SizeLimits(bytes_per_kb=kb, counts=counts)
            b = byte_budget(data, secmode=profile.secmode, limits=limits)
            used = (kb, counts) == (profile.limits.bytes_per_kb, profile.limits.counts)
            out.append(
                {
                    "counts": counts,
                    "bytesPerKb": kb,
                    "bytes": b.counted_bytes,
                    "limit": b.limit_bytes,
                    "fits": b.fits,
                    "used": used,
                }
            )
    return out


def _load(name: str) -> ModuleType | str:
    """The subcommand's module, or why it failed to import (a sentence naming the module)."""
    module_name = COMMANDS[name][0]
    try:
        return importlib.import_module(module_name)
    except Exception as exc:  # any import-time failure: still list the command, explain on use
        return f"module {module_name} failed to import: {type(exc).__name__}: {exc}"


def _unavailable(name: str, why: str) -> int:
    print(
        f"sendmessage-kit {name}: unavailable: {why}\n"
        "  fix: reinstall sendmessage-kit with its dependencies "
        "(e.g. pip install --force-reinstall 'sendmessage-kit[lab]'), or fix that error.",
        file=sys.stderr,
    )
    return 2


def build_parser() -> argparse.ArgumentParser:
    """The parser with every subcommand; one whose module fails to import says so when run."""
    parser = KitParser(
        prog="sendmessage-kit",
        description="Learn, demo and integrate CC-Gateway's sendmessage interface.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name, (_, help_text) in COMMANDS.items():
        module = _load(name)
        if isinstance(module, str):
            # No arguments of its own (they live in the module): whatever follows, -h included,
            # is left over and main() prints why the command is unavailable instead.
            why = f"{help_text} [unavailable: run it to see why]"
            sp = sub.add_parser(name, help=why, add_help=False)
            sp.set_defaults(unavailable=module)
            continue
        sp = sub.add_parser(name, help=help_text, description=help_text)
        adder = getattr(module, f"add_{name}_arguments", None) or module.add_arguments
        adder(sp)
        runner = getattr(module, f"run_{name}", None) or module.run
        sp.set_defaults(run=runner)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of `sendmessage-kit`."""
    parser = build_parser()
    args, extra = parser.parse_known_args(argv)
    if getattr(args, "unavailable", None):
        return _unavailable(args.command, args.unavailable)
    if extra:
        parser.error(f"unrecognized arguments: {' '.join(extra)}")
    try:
        return int(args.run(args))
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
