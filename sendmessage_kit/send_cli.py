"""`sendmessage-kit send`: send one message from the command line.

Uses `KitSettings` (`SENDMESSAGE_KIT_*`, `.env`) and the flags below; with no gateway
configured it starts the embedded sandbox for the one send. Prints the request (Guid masked),
the response and the retcode's explanation. Exit 0 success, 1 gateway or transport error,
2 usage error (bad flags, unreadable file, payload failing the checks).
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

__all__ = ["add_send_arguments", "run_send"]


def add_send_arguments(parser: argparse.ArgumentParser) -> None:
    """Arguments of `send`: one flag per field of `data` (from the model) and the gateway's."""
    what = parser.add_argument_group("message (or --file)")
    what.add_argument("--file", help="a ready request body (JSON), or - for stdin")
    what.add_argument(
        "--callid",
        help="the chat's call ID (default: a new one; the sandbox "
        "opens a chat for an unknown callid)",
    )
    what.add_argument("--userid", help="the body's optional userid")
    _defer_data_flags(parser, what)
    gw = parser.add_argument_group("gateway (default: SENDMESSAGE_KIT_* settings, else sandbox)")
    gw.add_argument("--base-url", help="e.g. https://10.0.0.5:8043")
    gw.add_argument("--agent-id", help="the agent ID of the path")
    gw.add_argument("--ca-bundle", help="PEM file of CAs to trust")
    gw.add_argument("--insecure", action="store_true", help="turn TLS verification off (warns)")
    gw.add_argument("--secmode", type=int, choices=(0, 1), help="the gateway's MULTIMEDIA_SECMODE")
    gw.add_argument("--timeout", type=float, help="seconds to wait for an answer")
    gw.add_argument(
        "--force-sign-in", action="store_true", help="take over an agent signed in elsewhere"
    )
    parser.add_argument("--no-check", action="store_true", help="send even if checks fail")
    parser.add_argument("--json", action="store_true", help="print one JSON object")


def _defer_data_flags(parser: argparse.ArgumentParser, group: Any) -> None:
    # The data flags come from MessageData (pydantic): they are added when `send` itself parses
    # (its arguments or its --help), so `sendmessage-kit --help` does not load pydantic.
    parse = parser.parse_known_args

    def parse_known_args(args: Any = None, namespace: Any = None) -> Any:
        if not any(a.dest == "to" for a in parser._actions):
            _add_data_flags(group)
        return parse(args, namespace)

    setattr(parser, "parse_known_args", parse_known_args)  # noqa: B010 (assigning a method)


def _option_strings(f: Any) -> list[str]:
    return [*f.extra_flags, f.flag]  # --text before --content: the name people know


def _add_data_flags(group: Any) -> None:
    from sendmessage_kit.fields import data_fields

    for f in data_fields():
        if f.widget == "fixed":
            continue  # controlType: one value, nothing to choose
        parts = [f"data.{f.wire}: {f.description}"]
        if f.choices:
            parts.append(f"One of {', '.join(f.choices)}.")
        if f.copies is not None:
            copied = next(x for x in data_fields() if x.wire == f.copies)
            parts.append(f"Default: {_option_strings(copied)[0]}.")
        elif callable(f.start):
            parts.append("Default: a fresh one for each message.")
        elif f.start_value() is not None:
            parts.append(f"Default: {f.start_value()}.")
        group.add_argument(
            *_option_strings(f), dest=f.key, metavar=f.key.rstrip("_").upper(), help=" ".join(parts)
        )


def _usage(message: str) -> int:
    print(f"sendmessage-kit send: {message}", file=sys.stderr)
    return 2


def _build(args: argparse.Namespace) -> Any:
    from sendmessage_kit.encoding import decode_body
    from sendmessage_kit.fields import data_fields
    from sendmessage_kit.models import SendMessageRequest, new_message

    given = {
        f.key: getattr(args, f.key) for f in data_fields() if getattr(args, f.key, None) is not None
    }
    # Required with nothing to start from (to, content): the user must give them.
    needed = [f for f in data_fields() if f.required and f.start_value() is None and not f.copies]
    names = " and ".join(_option_strings(f)[0] for f in needed)
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


def _settings(args: argparse.Namespace) -> Any:
    from sendmessage_kit.settings import KitSettings

    overrides = {
        "base_url": args.base_url,
        "agent_id": args.agent_id,
        "ca_bundle": args.ca_bundle,
        "secmode": args.secmode,
        "timeout": args.timeout,
        "verify": False if args.insecure else None,
    }
    return KitSettings(**{k: v for k, v in overrides.items() if v is not None})


def _findings(request: Any, settings: Any) -> list[Any]:
    from sendmessage_kit.constraints import Profile, check

    errors = [
        f
        for f in check(request, Profile(secmode=settings.secmode), agent_id=settings.agent_id)
        if f.severity == "error"
    ]
    for f in errors:
        print(
            f"{f.severity.upper():7} {f.field}: {f.message}\n        fix: {f.fix}", file=sys.stderr
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
        request = _build(args)
        settings = _settings(args)
    except (ValueError, ValidationError) as exc:  # PayloadError is a ValueError
        return _usage(str(exc))
    if not args.no_check and _findings(request, settings):
        return _usage("the payload fails the checks (--no-check sends it anyway)")
    try:
        # A sandbox of this command's own (lab's is left to the notebooks), stopped at the end.
        target = open_target(settings, lab=False, force_sign_in=args.force_sign_in)
    except SettingsError as exc:
        return _usage(str(exc))
    except SendMessageKitError as exc:
        print(f"sendmessage-kit send: {exc}", file=sys.stderr)
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
                _sign_out_quietly(client)
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
        print(f"POST {url}{where}")
        print("Content-Type: application/json; charset=UTF-8")
        print(f"Guid: {guid}")
        print(json.dumps(json.loads(body), indent=4, ensure_ascii=False))
        print(
            f"\n<- {json.dumps(response, ensure_ascii=False)} "
            f"in {result.elapsed * 1000:.1f} ms, {result.attempts} attempt(s)"
        )
        print(result.explanation)
    return 0 if result.ok else 1


def _sign_out_quietly(client: Any) -> None:
    from sendmessage_kit.errors import SendMessageKitError

    try:
        client.sign_out()
    except SendMessageKitError as exc:
        print(f"sendmessage-kit send: sign-out failed: {exc}", file=sys.stderr)
