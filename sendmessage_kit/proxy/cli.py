"""`sendmessage-kit proxy --upstream URL`: the validation proxy in the terminal.

Before it listens, it connects to the upstream once (and, for https, completes the TLS
handshake with the CA given), so a wrong address or CA is one line and exit 1 at start rather
than a 502 on every request. Then it prints one block per exchange until Ctrl-C.
Exit 0 after Ctrl-C, 1 the upstream cannot be reached, 2 a usage error.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

__all__ = ["add_arguments", "probe", "run"]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Arguments of `proxy`."""
    parser.add_argument(
        "--upstream",
        required=True,
        help="the gateway to forward to, e.g. https://10.0.0.5:8043 (or a sandbox's address)",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (127.0.0.1)")
    parser.add_argument("--port", type=int, default=8080, help="port to listen on (8080; 0: any)")
    parser.add_argument("--cacert", help="PEM file of the CAs to trust for an https upstream")
    parser.add_argument(
        "--timeout", type=float, default=60.0, help="seconds to wait for the upstream (60)"
    )
    parser.add_argument("--json-log", help="append one JSON object a line per exchange to FILE")
    parser.add_argument(
        "--har", help="keep FILE a HAR 1.2 recording of every exchange (secrets as placeholders)"
    )
    parser.add_argument(
        "--refuse-invalid",
        action="store_true",
        help="answer a sendmessage body that breaks a rule, without forwarding it, the way the "
        "sandbox refuses it",
    )
    parser.add_argument("--quiet", action="store_true", help="print no block per exchange")


def probe(upstream: str, cacert: str | None, timeout: float) -> str | None:
    """Connect to the upstream once (TLS too, for https); None, or what failed and the fix."""
    import socket
    import ssl
    from urllib.parse import urlsplit

    parts = urlsplit(upstream)
    https = parts.scheme == "https"
    try:
        port = parts.port or (443 if https else 80)
    except ValueError:
        return f"--upstream {upstream!r}: the port is not a number"
    host = parts.hostname or ""
    try:
        sock = socket.create_connection((host, port), timeout=min(timeout, 10.0))
    except OSError as exc:
        why = exc.strerror or type(exc).__name__
        return (
            f"cannot connect to the upstream {upstream} ({why}); check --upstream: is the "
            "gateway (or `sendmessage-kit sandbox`) running there?"
        )
    with sock:
        if not https:
            return None
        context = ssl.create_default_context(cafile=cacert)
        try:
            context.wrap_socket(sock, server_hostname=host).close()
        except (ssl.SSLError, OSError) as exc:
            return (
                f"TLS handshake with the upstream {upstream} failed ({exc}); trust its CA "
                "with --cacert FILE (the sandbox prints its CA path at start)"
            )
    return None


def run(args: argparse.Namespace) -> int:
    """Run `proxy` until Ctrl-C."""
    import threading
    from pathlib import Path

    from sendmessage_kit import proxy
    from sendmessage_kit.errors import SendMessageKitError
    from sendmessage_kit.settings import KitSettings

    def fail(message: str, code: int) -> int:
        print(f"sendmessage-kit proxy: {message}", file=sys.stderr)
        return code

    upstream = args.upstream.strip().rstrip("/")
    if not upstream.startswith(("http://", "https://")):
        return fail(f"--upstream {upstream!r} must start with https:// or http://", 2)
    if args.cacert is not None:
        try:
            open(args.cacert, "rb").close()
        except OSError as exc:
            return fail(f"--cacert {args.cacert}: cannot read it ({exc.strerror})", 2)
    for flag, path in (("--json-log", args.json_log), ("--har", args.har)):
        folder = Path(path).parent if path else None
        if folder is not None and not folder.is_dir():
            return fail(f"{flag} {path}: the folder {folder} does not exist", 2)
    try:
        profile = KitSettings().profile()
    except (SendMessageKitError, ValueError) as exc:
        return fail(str(exc), 2)
    problem = probe(upstream, args.cacert, args.timeout)
    if problem is not None:
        return fail(problem, 1)
    options: dict[str, Any] = {
        "host": args.host,
        "port": args.port,
        "cacert": args.cacert,
        "timeout": args.timeout,
        "json_log": args.json_log,
        "har": args.har,
        "refuse_invalid": args.refuse_invalid,
        "log": None if args.quiet else sys.stdout,
        "profile": profile,
    }
    try:
        handle = proxy.start(upstream, **options)
    except OSError as exc:
        if exc.filename:
            return fail(f"cannot write {exc.filename} ({exc.strerror})", 2)
        where = f"{args.host}:{args.port}"
        return fail(f"cannot listen on {where} ({exc.strerror}); pick another --port", 1)
    with handle:
        print(
            f"sendmessage-kit proxy on {handle.url} -> {handle.upstream}\n"
            f"Point your application at {handle.url} instead of the gateway. "
            + ("Refusing invalid sendmessage bodies. " if args.refuse_invalid else "")
            + "Ctrl-C stops it.",
            flush=True,
        )
        try:
            threading.Event().wait()
        except KeyboardInterrupt:
            print("proxy stopped", flush=True)
    return 0
