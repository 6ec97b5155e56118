"""`sendmessage-kit snippet` and `sendmessage-kit export`: requests as code and collections.

Only argparse is imported here; the work imports the kit inside `run_*`, so `--help` stays fast.
Exit 0 ok, 1 the request breaks a rule, 2 a usage error (unreadable file, bad URL).
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

__all__ = ["add_export_arguments", "add_snippet_arguments", "run_export", "run_snippet"]


def add_snippet_arguments(parser: argparse.ArgumentParser) -> None:
    """Arguments of `snippet`."""
    parser.add_argument("file", help="the request body (JSON), or - for stdin")
    parser.add_argument(
        "--lang",
        choices=("curl", "python", "javascript"),
        default="curl",
        help="curl (a sh script), python or javascript (Node 18+); default curl",
    )
    parser.add_argument(
        "--secmode",
        type=int,
        choices=(0, 1),
        default=1,
        help="check the body against this MULTIMEDIA_SECMODE first (1: 1.9 KB, 0: 3.8 KB)",
    )
    parser.add_argument(
        "--base-url", help="write this gateway in (default: read SENDMESSAGE_KIT_BASE_URL)"
    )
    parser.add_argument(
        "--agent-id", help="write this agent ID in (default: read SENDMESSAGE_KIT_AGENT_ID)"
    )
    parser.add_argument(
        "--cacert", help="write this CA file in (default: read SENDMESSAGE_KIT_CA_BUNDLE)"
    )
    parser.add_argument("--force-sign-in", action="store_true", help="sign in with .../forcelogin")
    parser.add_argument("--no-check", action="store_true", help="print it even if checks fail")


def _usage(command: str, message: str) -> int:
    print(f"sendmessage-kit {command}: {message}", file=sys.stderr)
    return 2


def read_request(path: str) -> Any:
    """The `SendMessageRequest` in a file (or stdin for `-`); ValueError names what is wrong."""
    from sendmessage_kit.encoding import decode_body

    try:
        if path == "-":
            raw = sys.stdin.buffer.read()
        else:
            with open(path, "rb") as fh:
                raw = fh.read()
    except OSError as exc:
        raise ValueError(f"cannot read {path}: {exc.strerror}") from None
    return decode_body(raw)  # PayloadError (a ValueError) names the field


def failing_findings(request: Any, secmode: int, agent_id: str | None) -> list[Any]:
    """The error findings of `check` for the request, printed to stderr."""
    import dataclasses

    from sendmessage_kit.constraints import check
    from sendmessage_kit.settings import KitSettings

    # The KB reading, what the size counts and the agent-ID range: the settings', as for check.
    profile = dataclasses.replace(KitSettings().profile(), secmode=secmode)
    errors = [f for f in check(request, profile, agent_id=agent_id) if f.severity == "error"]
    for f in errors:
        print(
            f"ERROR   {f.field}: {f.message}\n        fix: {f.fix} [{f.rule_id}]", file=sys.stderr
        )
    return errors


def run_snippet(args: argparse.Namespace) -> int:
    """Print the program for the request in `args.file`."""
    from sendmessage_kit.errors import SettingsError
    from sendmessage_kit.snippets import ENV, render

    try:
        request = read_request(args.file)
    except ValueError as exc:
        return _usage("snippet", str(exc))
    if not args.no_check and failing_findings(request, args.secmode, args.agent_id):
        print(
            "sendmessage-kit snippet: the request breaks the rules above "
            "(--no-check prints the program anyway)",
            file=sys.stderr,
        )
        return 1
    try:
        code = render(
            request,
            base_url=args.base_url,
            agent_id=args.agent_id,
            ca_bundle=args.cacert,
            force_sign_in=args.force_sign_in,
        )[args.lang]
    except SettingsError as exc:
        return _usage("snippet", str(exc))
    print(code, end="" if code.endswith("\n") else "\n")
    unset = [
        f"--{flag}"
        for flag in ("base-url", "agent-id")
        if getattr(args, flag.replace("-", "_")) is None
    ]
    if unset:
        names = " and ".join(ENV[flag.removeprefix("--").replace("-", "_")] for flag in unset)
        print(
            f"sendmessage-kit snippet: the program reads {names} when it runs "
            f"({' and '.join(unset)} "
            f"{'writes it' if len(unset) == 1 else 'write them'} in)",
            file=sys.stderr,
        )
    return 0


def add_export_arguments(parser: argparse.ArgumentParser) -> None:
    """Arguments of `export`."""
    parser.add_argument(
        "--format",
        required=True,
        choices=("postman", "bruno", "http", "openapi"),
        help="postman (collection + environment), bruno (a collection folder), http (one .http "
        "file), openapi (OpenAPI 3.1 of the gateway's agent interfaces)",
    )
    parser.add_argument(
        "--out",
        help="where to write: a folder for postman and bruno, a file for http and openapi "
        "(default: sendmessage-kit-postman/, sendmessage-kit-bruno/, sendmessage-kit.http, "
        "sendmessage-kit-openapi.json); - prints an http or openapi export",
    )
    what = parser.add_mutually_exclusive_group()
    what.add_argument("--file", help="the request body (JSON) to send (default: a demo message)")
    what.add_argument("--history", type=int, metavar="ID", help="a send-history entry's request")
    parser.add_argument(
        "--base-url",
        help="the gateway (default: SENDMESSAGE_KIT_BASE_URL, else "
        "https://127.0.0.1:8043, the sandbox on port 8043)",
    )
    parser.add_argument(
        "--agent-id", help="the agent ID (default: SENDMESSAGE_KIT_AGENT_ID, else 101)"
    )
    parser.add_argument("--force-sign-in", action="store_true", help="sign in with .../forcelogin")


def run_export(args: argparse.Namespace) -> int:
    """Write the export; print the paths written."""
    from sendmessage_kit.errors import SendMessageKitError
    from sendmessage_kit.export.build import files, write

    source: Any = None
    try:
        if args.file:
            source = read_request(args.file)
        elif args.history is not None:
            from sendmessage_kit.history import History

            with History() as journal:
                source = journal.get(args.history)
        target = {
            "base_url": args.base_url,
            "agent_id": args.agent_id,
            "force_sign_in": args.force_sign_in,
        }
        if args.out == "-":
            if args.format not in ("http", "openapi"):
                return _usage(
                    "export", f"--out - prints http or openapi; {args.format} is a folder"
                )
            [text] = files(args.format, source, **target).values()
            print(text, end="")
            return 0
        written = write(args.format, args.out, source, **target)
    except (ValueError, KeyError, OSError, SendMessageKitError) as exc:
        return _usage("export", str(exc))
    for path in written:
        print(path)
    _print_run_commands(args)
    return 0


def _print_run_commands(args: argparse.Namespace) -> None:
    """How to run what was written, on stderr (stdout lists the paths)."""
    from pathlib import Path

    from sendmessage_kit.export.build import FORMATS, flow_for
    from sendmessage_kit.export.run import commands, readme_path

    dest = Path(args.out or FORMATS[args.format])
    base_url = flow_for(None, base_url=args.base_url).base_url
    for run in commands(args.format, dest, base_url=base_url):
        print(
            f"Run it with {run.tool} ({run.install}), the password from SENDMESSAGE_KIT_PASSWORD:"
            f"\n  {run.command}",
            file=sys.stderr,
        )
    print(f"How to run it: {readme_path(args.format, dest)}", file=sys.stderr)
