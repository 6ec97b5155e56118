"""`sendmessage-kit send`: send one message from the command line.

Uses `KitSettings` (`SENDMESSAGE_KIT_*`, `.env`) and the flags below; with no gateway
configured it starts the embedded sandbox for the one send. Prints the request (Guid masked),
the response and the retcode's explanation. Exit 0 success, 1 gateway or transport error,
2 usage error (bad flags, unreadable file, payload failing the checks).
"""

from __future__ import annotations

import argparse
import functools
import json
import re
import sys
from typing import Any

from sendmessage_kit.cli_parser import KitParser

__all__ = ["add_send_arguments", "run_send"]


def add_send_arguments(parser: argparse.ArgumentParser) -> None:
    """Arguments of `send`: one flag per field of `data` (from the model) and the gateway's."""
    flags: dict[str, str] = {}  # dest -> the flag a hint names (`agent_id=` -> `--agent-id`)
    parser.set_defaults(send_flags=flags)

    def arg(group: Any, *names: str, **kwargs: Any) -> None:
        action = group.add_argument(*names, **kwargs)
        flags[action.dest] = names[-1]

    what = parser.add_argument_group("message (or --file)")
    arg(what, "--file", help="a ready request body (JSON), or - for stdin")
    arg(
        what,
        "--csv",
        help="send one message per row of this CSV file (columns: the fields of data by name, "
        "and callid/userid); rows that break a rule are listed and not sent; a rerun skips "
        "what was delivered",
    )
    arg(
        what,
        "--callid",
        help="the chat's call ID (default: a new one; the sandbox "
        "opens a chat for an unknown callid)",
    )
    arg(what, "--userid", help="the body's optional userid")
    # The data flags come from MessageData (pydantic, about 0.1 s to import): a parser of the
    # kit's own (`cli.KitParser`) adds them when `send` itself parses (its arguments or its
    # --help), so `sendmessage-kit --help` does not load pydantic; any other parser, now.
    add_data = functools.partial(_add_data_flags, what, flags)
    if isinstance(parser, KitParser):
        parser.before_parse.append(add_data)
    else:
        add_data()
    gw = parser.add_argument_group("gateway (default: SENDMESSAGE_KIT_* settings, else sandbox)")
    arg(gw, "--base-url", help="e.g. https://10.0.0.5:8043")
    arg(gw, "--agent-id", help="the agent ID of the path")
    arg(gw, "--ca-bundle", help="PEM file of CAs to trust")
    arg(gw, "--insecure", action="store_true", help="turn TLS verification off (warns)")
    arg(gw, "--secmode", type=int, choices=(0, 1), help="the gateway's MULTIMEDIA_SECMODE")
    arg(gw, "--timeout", type=float, help="seconds to wait for an answer")
    arg(gw, "--force-sign-in", action="store_true", help="take over an agent signed in elsewhere")
    arg(
        gw,
        "--password-stdin",
        action="store_true",
        help="read the agent's password from the first line of stdin (never on the command line; "
        "or set SENDMESSAGE_KIT_PASSWORD, or SENDMESSAGE_KIT_GUID for a Guid you have)",
    )
    arg(
        parser,
        "--keep",
        action="store_true",
        help="with no gateway configured: keep the sandbox running after the send (Ctrl-C "
        "stops it), so the message can be seen on the customer's side",
    )
    arg(parser, "--no-check", action="store_true", help="send even if checks fail")
    arg(parser, "--json", action="store_true", help="print one JSON object")


def _add_data_flags(group: Any, flags: dict[str, str]) -> None:
    from sendmessage_kit.fields import data_fields

    for f in data_fields():
        if f.widget == "fixed":
            continue  # controlType: one value, nothing to choose
        parts = [f"data.{f.wire}: {f.description}"]
        if f.choices:
            parts.append(f"One of {', '.join(f.choices)}.")
        elif not f.text:
            parts.append(f"JSON: {f.json_type}.")
        if f.copies is not None:
            copied = next(x for x in data_fields() if x.wire == f.copies)
            parts.append(f"Default: {copied.option_strings[0]}.")
        elif callable(f.start):
            parts.append("Default: a fresh one for each message.")
        elif f.start_value() is not None:
            parts.append(f"Default: {f.to_text(f.start_value())}.")
        group.add_argument(
            *f.option_strings,
            dest=f.key,
            metavar=f.key.rstrip("_").upper(),
            help=" ".join(parts),
        )
        flags[f.key] = f.flag


def _usage(message: str, args: argparse.Namespace | None = None) -> int:
    print(f"sendmessage-kit send: {in_flags(message, args)}", file=sys.stderr)
    return 2


def in_flags(text: str, args: argparse.Namespace | None) -> str:
    """A hint's Python keywords as this command's own flags (`agent_id=` -> `--agent-id`)."""
    flags: dict[str, str] = getattr(args, "send_flags", None) or {}
    for dest, flag in flags.items():
        d = re.escape(dest)
        text = re.sub(rf"`{d}(?:\(\))?`|\b{d}(?:=|\(\))", flag, text)
    return text


def _build(args: argparse.Namespace) -> Any:
    from sendmessage_kit.encoding import decode_body
    from sendmessage_kit.fields import data_fields
    from sendmessage_kit.models import SendMessageRequest, new_message

    given: dict[str, Any] = {}
    for f in data_fields():
        text = getattr(args, f.key, None)
        if text is None:
            continue
        if f.choices and text not in f.choice_set:
            raise ValueError(_not_a_choice(f, text))
        try:  # a flag's text as the field's type: --priority 5, --urgent true
            given[f.key] = f.from_text(text)
        except ValueError as exc:
            raise ValueError(f"{f.flag}: {exc}") from None
    # Required with nothing to start from (to, content): the user must give them.
    needed = [f for f in data_fields() if f.required and f.start_value() is None and not f.copies]
    names = " and ".join(f.option_strings[0] for f in needed)
    if args.file:
        if given:
            raise ValueError(f"give either --file or {names}, not both")
        try:
            if args.file == "-":
                raw = sys.stdin.buffer.read()
            else:
                with open(args.file, "rb") as fh:
                    raw = fh.read()
        except OSError as exc:
            raise ValueError(f"cannot read {args.file}: {exc.strerror}") from None
        return decode_body(raw)
    if any(f.key not in given for f in needed):
        raise ValueError(f"{names} are required (or --file body.json)")
    data = new_message(**given)
    import uuid

    callid = args.callid or f"cli-{uuid.uuid4().hex[:12]}"
    return SendMessageRequest(callid=callid, userid=args.userid, data=data)


def _not_a_choice(f: Any, text: str) -> str:
    """One line for a flag whose value is not one of its field's choices: the allowed, the fix."""
    import difflib

    same_case = [c for c in f.choices if c.lower() == text.lower()]
    near = same_case or difflib.get_close_matches(text, f.choices, n=1)
    fix = f"did you mean {f.flag} {near[0]}?" if near else f"e.g. {f.flag} {f.choices[0]}"
    return f"{f.flag} {text!r} is not allowed; use one of {', '.join(f.choices)} ({fix})"


def _settings(args: argparse.Namespace) -> Any:
    from sendmessage_kit.settings import KitSettings

    overrides = {
        "base_url": args.base_url,
        "agent_id": args.agent_id,
        "ca_bundle": args.ca_bundle,
        "secmode": args.secmode,
        "timeout": args.timeout,
        "verify": False if args.insecure else None,
        "password": _stdin_password(args),
    }
    settings = KitSettings(**{k: v for k, v in overrides.items() if v is not None})
    if not settings.uses_sandbox and settings.guid is None and settings.password is None:
        raise ValueError(
            f"no credentials for {settings.base_url}: set SENDMESSAGE_KIT_PASSWORD (the agent's "
            "password; or pipe it in with --password-stdin) or SENDMESSAGE_KIT_GUID (a Guid you "
            "already have). Nothing was sent."
        )
    if not settings.uses_sandbox and settings.guid is None and not settings.phonenum:
        raise ValueError(
            f"no phonenum for {settings.base_url}: the gateway requires the agent's softphone "
            "number at sign-in; set SENDMESSAGE_KIT_PHONENUM (or SENDMESSAGE_KIT_GUID, a Guid "
            "you already have). Nothing was sent."
        )
    return settings


def _stdin_password(args: argparse.Namespace) -> str | None:
    if not args.password_stdin:
        return None
    if args.file == "-" or getattr(args, "csv", None) == "-":
        raise ValueError("--password-stdin and a body from stdin (-) cannot share stdin")
    password = sys.stdin.readline().rstrip("\r\n")
    if not password:
        raise ValueError("--password-stdin: the first line of stdin is empty")
    return password


SANDBOX_NOTE = (
    "No gateway configured (SENDMESSAGE_KIT_BASE_URL): sending to a sandbox started for this "
    "command, which stops when it ends. To see the message on the customer's side, add --keep, "
    "or run `sendmessage-kit sandbox --http` in another terminal and pass --base-url."
)
KEEP_NOTE = (
    "No gateway configured (SENDMESSAGE_KIT_BASE_URL): sending to a sandbox started for this "
    "command; --keep keeps it running after the send until Ctrl-C."
)


def _findings(request: Any, settings: Any, args: argparse.Namespace) -> list[Any]:
    from sendmessage_kit.constraints import check

    errors = [
        f
        for f in check(request, settings.profile(), agent_id=settings.agent_id)
        if f.severity == "error"
    ]
    for f in errors:
        print(
            f"{f.severity.upper():7} {f.field}: {f.message}\n        fix: {in_flags(f.fix, args)}",
            file=sys.stderr,
        )
    return errors


def run_send(args: argparse.Namespace) -> int:
    """Run `send`; see the module docstring for the exit codes."""
    from pydantic import ValidationError

    from sendmessage_kit import _http
    from sendmessage_kit.auth import mask
    from sendmessage_kit.encoding import encode_body
    from sendmessage_kit.errors import SendMessageKitError, SettingsError
    from sendmessage_kit.target import open_target

    try:
        if args.csv and args.file:
            raise ValueError("give either --csv or --file, not both")
        settings = _settings(args)
        if args.keep and not settings.uses_sandbox:
            raise ValueError("--keep keeps a sandbox running; a gateway is configured")
        if args.keep and args.csv:
            raise ValueError("--keep is for one message; for --csv run `sendmessage-kit sandbox`")
        request = None if args.csv else _build(args)
    except (ValueError, ValidationError) as exc:  # PayloadError is a ValueError
        return _usage(str(exc), args)
    if request is not None and not args.no_check and _findings(request, settings, args):
        return _usage("the payload fails the checks (--no-check sends it anyway)", args)
    if settings.uses_sandbox:
        note = KEEP_NOTE if args.keep else SANDBOX_NOTE
        print(note, file=sys.stderr if args.json else sys.stdout, flush=True)
    if request is None:
        from sendmessage_kit.send_csv import run_csv

        return run_csv(args, settings)
    try:
        # A sandbox of this command's own (lab's is left to the notebooks), stopped at the end.
        target = open_target(settings, lab=False, force_sign_in=args.force_sign_in)
    except SettingsError as exc:
        return _usage(str(exc), args)
    except SendMessageKitError as exc:
        print(f"sendmessage-kit send: {in_flags(str(exc), args)}", file=sys.stderr)
        return 1
    with target:
        client = target.client
        url = _http.gateway_root(client.base_url) + _http.send_path(client.agent_id)
        body = encode_body(request)
        where = " (embedded sandbox, started for this command)" if target.owns_sandbox else ""
        guid = mask(client.guid)
        try:
            result = client.send_request(request, check=False, raise_on_error=False)
        finally:
            if target.signed_in and target.sandbox is None:
                sign_out_quietly(client)
        _print_result(args, url, guid, body, result, where)
        if args.keep and target.sandbox is not None:
            _keep(target.sandbox, request)
    return 0 if result.ok else 1


def _print_result(
    args: argparse.Namespace, url: str, guid: str, body: str, result: Any, where: str
) -> None:
    response = result.response.model_dump() if result.response is not None else None
    if args.json:
        print(
            json.dumps(
                {
                    "url": url,
                    "guid": guid,
                    "request": json.loads(body),
                    "response": response,
                    "ok": result.ok,
                    "explanation": result.explanation,
                    "elapsed_ms": round(result.elapsed * 1000, 1),
                },
                indent=2,
                ensure_ascii=False,
            )
        )
    else:
        from sendmessage_kit._http import JSON_HEADERS

        print(f"POST {url}{where}")
        print(f"Content-Type: {JSON_HEADERS['Content-Type']}")
        print(f"Guid: {guid}")
        print(json.dumps(json.loads(body), indent=4, ensure_ascii=False))
        print(
            f"\n<- {json.dumps(response, ensure_ascii=False)} "
            f"in {result.elapsed * 1000:.1f} ms, {result.attempts} attempt(s)"
        )
        print(in_flags(result.explanation, args))


def _keep(sandbox: Any, request: Any) -> None:
    """Keep the command's sandbox running until Ctrl-C, saying where to look."""
    import threading

    to = getattr(request.data, "to", None) or "<to>"
    print(
        f"\nThe sandbox keeps running on {sandbox.base_url} (agent {sandbox.agent_id}, password "
        f"sandbox; CA {sandbox.ca_path or 'none: plain HTTP'}).\n"
        f"  the customer's messages: {sandbox.base_url}/sandbox/users/{to}/messages\n"
        "Ctrl-C stops it.",
        flush=True,
    )
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        print("sandbox stopped", flush=True)


def sign_out_quietly(client: Any) -> None:
    from sendmessage_kit.errors import SendMessageKitError

    try:
        client.sign_out()
    except SendMessageKitError as exc:
        print(f"sendmessage-kit send: sign-out failed: {exc}", file=sys.stderr)
