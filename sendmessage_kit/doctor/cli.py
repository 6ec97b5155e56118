"""`sendmessage-kit doctor`: exit 0 when every check passes, 1 at a failure, 2 a usage error."""

from __future__ import annotations

import argparse
import json
import sys
import time
from typing import Any

__all__ = ["add_doctor_arguments", "run_doctor"]


def add_doctor_arguments(parser: argparse.ArgumentParser) -> None:
    """Arguments of `doctor`: the gateway's (as `send`), and the limits probe."""
    gw = parser.add_argument_group("gateway (default: SENDMESSAGE_KIT_* settings and .env)")
    gw.add_argument("--base-url", help="e.g. https://10.0.0.5:8043")
    gw.add_argument("--agent-id", help="the agent ID")
    gw.add_argument("--ca-bundle", help="PEM file of CAs to trust")
    gw.add_argument("--insecure", action="store_true", help="sign in without TLS verification")
    gw.add_argument("--secmode", type=int, choices=(0, 1), help="the gateway's MULTIMEDIA_SECMODE")
    gw.add_argument("--timeout", type=float, help="seconds to wait for an answer")
    gw.add_argument(
        "--password-stdin", action="store_true", help="read the password from stdin's first line"
    )
    gw.add_argument(
        "--force-sign-in", action="store_true", help="take over an agent signed in elsewhere"
    )
    gw.add_argument(
        "--poll-timeout", type=float, default=20.0, help="seconds the event poll may take (20)"
    )
    probe = parser.add_argument_group("the unpublished size limit (sends messages to a chat)")
    probe.add_argument(
        "--probe-limits",
        action="store_true",
        help="send 5 messages of chosen sizes to --callid to find 1 KB (1000/1024 bytes) and "
        "what the limit counts (content or the whole data string)",
    )
    probe.add_argument("--callid", help="the chat to probe (a chat the agent holds)")
    probe.add_argument("--to", help="that chat's customer (data.to; default: the callid)")
    probe.add_argument("--yes", action="store_true", help="send without asking")
    parser.add_argument("--json", action="store_true", help="print one JSON object")


def _settings(args: argparse.Namespace) -> Any:
    from sendmessage_kit.settings import KitSettings

    password = None
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\r\n") or None
    overrides = {
        "base_url": args.base_url,
        "agent_id": args.agent_id,
        "ca_bundle": args.ca_bundle,
        "secmode": args.secmode,
        "timeout": args.timeout,
        "verify": False if args.insecure else None,
        "password": password,
    }
    return KitSettings(**{k: v for k, v in overrides.items() if v is not None})


def run_doctor(args: argparse.Namespace) -> int:
    """Run the checks (and the probe); print one line per check."""
    import warnings

    from sendmessage_kit.doctor.checks import ORDER, Doctor
    from sendmessage_kit.errors import SendMessageKitError

    started = time.perf_counter()
    if args.probe_limits and not args.callid:
        print(
            "sendmessage-kit doctor: --probe-limits needs --callid (the chat to probe)",
            file=sys.stderr,
        )
        return 2
    try:
        settings = _settings(args)
    except SendMessageKitError as exc:
        print(f"sendmessage-kit doctor: {exc}", file=sys.stderr)
        return 2
    out = sys.stderr if args.json else sys.stdout
    doctor = Doctor(settings, force_sign_in=args.force_sign_in, poll_timeout=args.poll_timeout)
    results: list[Any] = []
    blocked: str | None = None
    probe: Any = None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # --insecure: the TLS lines say it
            for name, step in doctor.steps():
                if blocked is not None:
                    continue
                if name == "sign-out" and args.probe_limits:  # signed in: probe, then sign out
                    probe = _probe(args, doctor, settings, out)
                try:
                    check = step()
                except SendMessageKitError as exc:
                    from sendmessage_kit.doctor.checks import Check

                    check = Check(name, False, str(exc), "see the message", True)
                results.append(check)
                if not args.json:
                    _line(check)
                if check.ok is False and check.blocking:
                    blocked = name
    finally:
        doctor.close()
    ran = {c.name for c in results}
    steps = dict(doctor.steps())
    not_run = [n for n in ORDER if n not in ran and n in steps and steps[n] != doctor.no_tls]
    if args.probe_limits and probe is None:
        not_run.insert(-1 if "sign-out" in not_run else len(not_run), "size-limit probe")
    failed = [c for c in results if c.ok is False]
    seconds = time.perf_counter() - started
    ok = not failed and (probe is None or (probe is not False and probe.found))
    if args.json:
        print(
            json.dumps(
                {
                    "ok": ok,
                    "checks": [c.to_dict() for c in results],
                    "notRun": not_run,
                    "blockedBy": blocked,
                    "probe": probe.to_dict() if probe not in (None, False) else None,
                    "seconds": round(seconds, 2),
                },
                indent=2,
                ensure_ascii=False,
            )
        )
    else:
        if blocked is not None and not_run:
            print(f"· not run, because {blocked} failed: {', '.join(not_run)}")
        verdict = "all checks passed" if not failed else f"{len(failed)} check(s) failed"
        print(f"{verdict} in {seconds:.1f} s")
    return 0 if ok else 1


def _line(check: Any) -> None:
    mark = {True: "✓", False: "✗", None: "·"}[check.ok]
    print(f"{mark} {check.name}: {check.detail}")
    if check.ok is False and check.fix:
        print(f"    fix: {check.fix}")


def _probe(args: argparse.Namespace, doctor: Any, settings: Any, out: Any) -> Any:
    """Ask, then run the probe; False when the user said no."""
    from sendmessage_kit.doctor.probe import MESSAGES, probe_limits

    to = args.to or args.callid
    kb = "1.9" if settings.secmode == 1 else "3.8"
    ask = (
        f"doctor will send {MESSAGES} messages, sized around the {kb} KB limit, to callid "
        f"{args.callid} (customer {to}) as agent {settings.agent_id} on {settings.base_url}; "
        "the customer sees them."
    )
    print(ask, file=out, flush=True)
    if not args.yes:
        print("Send them? [y/N] ", end="", file=out, flush=True)
        answer = sys.stdin.readline().strip().lower()
        if not sys.stdin.isatty():
            print(answer, file=out)  # what a terminal would have echoed
        if answer not in ("y", "yes"):
            print("nothing sent (answer y to send, or pass --yes)", file=out)
            return False

    def show(p: Any) -> None:
        verdict = "accepted" if p.accepted else f"refused ({p.retcode})"
        print(
            f"  {p.n}/{MESSAGES}  {p.purpose:<28} content {p.content_bytes:>5,} B, "
            f"data {p.data_bytes:>5,} B: {verdict}",
            file=out,
        )

    result = probe_limits(doctor.client, args.callid, to, settings.secmode, on_probe=show)
    mark = "✓" if result.found else "✗"
    if result.found:
        what = "content" if result.counts == "content" else "the whole data string"
        print(
            f"{mark} size limit: {result.limit:,} bytes of {what} (1 KB = {result.kb} bytes, "
            f"secmode {result.secmode}); oversize answers {result.oversize_retcode}",
            file=out,
        )
        print(f"    settings: {result.settings()}", file=out)
        print(f"    sandbox:  {result.sandbox_command()}", file=out)
    else:
        print(f"{mark} size limit: {result.problem}", file=out)
    return result
