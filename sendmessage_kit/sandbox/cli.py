"""`sendmessage-kit sandbox` (run the sandbox) and `sendmessage-kit lab` (JupyterLab + sandbox).

Heavy imports happen inside the `run_*` functions, so `sendmessage-kit --help` stays fast.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from sendmessage_kit.sandbox.config import SandboxConfig

SANDBOX_DEFAULT_PORT = 8043  # CC-Gateway's default HTTPS port
_D = SandboxConfig()  # the defaults are SandboxConfig's, written there once


def add_common_arguments(
    parser: argparse.ArgumentParser,
    *,
    db_help: str = "SQLite file (default: sandbox.db in the kit's data folder)",
) -> None:
    """The sandbox settings `sandbox` and `lab` share."""
    parser.add_argument("--host", default=_D.host, help="address to bind (default %(default)s)")
    parser.add_argument("--http", action="store_true", help="plain HTTP instead of HTTPS")
    parser.add_argument(
        "--secmode", type=int, choices=(0, 1), default=_D.secmode, help="MULTIMEDIA_SECMODE"
    )
    parser.add_argument(
        "--auth-mode",
        type=int,
        choices=(1, 2),
        default=_D.auth_mode,
        help="1 static Guid (default here: simplest first run), 2 rotating Guid (vendor default)",
    )
    parser.add_argument("--db", help=db_help)
    parser.add_argument(
        "--strict-calls", action="store_true", help="require a chat opened by a customer first"
    )
    parser.add_argument("--agents", help="JSON/YAML file: agents and passwords allowed")
    parser.add_argument(
        "--guid-interval", type=float, default=_D.guid_interval, help="seconds (auth mode 2)"
    )
    parser.add_argument(
        "--guid-timeout", type=float, default=_D.guid_timeout, help="seconds (auth mode 2)"
    )
    parser.add_argument(
        "--idle-timeout",
        type=float,
        default=_D.idle_timeout,
        help="sign out after S s unpolled (0: never)",
    )
    parser.add_argument(
        "--poll-wait", type=float, default=_D.poll_wait, help="long-poll wait in seconds"
    )
    parser.add_argument(
        "--oversize-retcode", default=_D.oversize_retcode, help="retcode for oversize content"
    )
    unknown = parser.add_argument_group(
        "what the vendor does not publish (shown by /sandbox/health)"
    )
    unknown.add_argument(
        "--invalid-retcode",
        default=_D.invalid_retcode,
        help="retcode for any other body it cannot accept (the vendor's is unknown)",
    )
    unknown.add_argument(
        "--web-poll-chars",
        type=int,
        default=_D.web_poll_chars,
        help="the web poll cuts content to N characters (0: no cut)",
    )
    unknown.add_argument(
        "--allow-empty-phonenum",
        action="store_true",
        help="accept a sign-in with an empty phonenum (default: refuse it with 100-001)",
    )
    unknown.add_argument(
        "--kb",
        type=int,
        choices=(1000, 1024),
        default=_D.bytes_per_kb,
        help="bytes per KB of size limits",
    )
    unknown.add_argument(
        "--counts",
        choices=("content", "data"),
        default=_D.size_counts,
        help="what the send size limit counts: content (default) or the whole data string",
    )
    unknown.add_argument(
        "--agent-id-range",
        metavar="LOW-HIGH",
        default="{}-{}".format(*_D.agent_id_range),
        help="agent IDs allowed (default %(default)s, the seed's edition)",
    )
    parser.add_argument(
        "--cors",
        action="append",
        metavar="ORIGIN",
        default=[],
        help="let a web page on this origin call the sandbox (CORS), e.g. Swagger UI on "
        "http://127.0.0.1:8080; loopback origins only; repeatable (default: none)",
    )
    faults = parser.add_argument_group("faults for sendmessage (see POST /sandbox/faults)")
    faults.add_argument("--latency-ms", type=int, default=0, help="delay every send")
    faults.add_argument("--fault-retcode", help="answer this retcode")
    faults.add_argument("--html-502", action="store_true", help="answer an HTML 502 page")
    faults.add_argument("--drop-connection", action="store_true", help="close without answering")
    faults.add_argument("--garbage", action="store_true", help="answer a non-JSON body")
    faults.add_argument("--fail-ratio", type=float, help="hit only this fraction of sends")
    faults.add_argument("--fault-count", type=int, help="hit only the next N sends")


def add_sandbox_arguments(parser: argparse.ArgumentParser) -> None:
    """Arguments of `sendmessage-kit sandbox`."""
    parser.add_argument(
        "--port", type=int, default=SANDBOX_DEFAULT_PORT, help="TCP port (default 8043; 0: free)"
    )
    add_common_arguments(parser)
    lan = parser.add_argument_group("LAN mode: the customer's chat page on phones in the room")
    lan.add_argument(
        "--lan",
        action="store_true",
        help="also listen on this machine's LAN address (or --host); random agent password, "
        "page tokens, control from loopback only (docs/sandbox.md)",
    )
    lan.add_argument(
        "--customer", help="user ID of the printed chat page (default: the example's customer)"
    )
    lan.add_argument("--channel", default="WEB", help="channel of the printed chat page")
    edge = parser.add_argument_group("connections (docs/sandbox.md, threat model)")
    edge.add_argument(
        "--max-body-bytes", type=int, help="bodies above this get 413 (default 1 MiB)"
    )
    edge.add_argument(
        "--request-timeout", type=float, help="seconds to send a whole request (default 30)"
    )


def _faults(args: argparse.Namespace) -> dict[str, Any] | None:
    spec: dict[str, Any] = {
        "latency_ms": args.latency_ms,
        "retcode": args.fault_retcode,
        "html_502": args.html_502,
        "drop_connection": args.drop_connection,
        "garbage": args.garbage,
        "fail_ratio": args.fail_ratio,
        "count": args.fault_count,
    }
    spec = {k: v for k, v in spec.items() if v not in (None, False, 0)}
    return spec or None


def build_config(args: argparse.Namespace, port: int, *, default_db: str | None = None) -> Any:
    """The `SandboxConfig` the flags ask for (`default_db`: when `--db` is not given)."""
    from sendmessage_kit.sandbox.config import SandboxConfig, data_dir, load_agents
    from sendmessage_kit.sandbox.faults import FaultSpec
    from sendmessage_kit.settings import parse_agent_id_range

    faults = _faults(args)
    if faults:
        FaultSpec.model_validate(faults)  # a bad flag combination fails before binding
    return SandboxConfig(
        host=args.host,
        port=port,
        http=args.http,
        secmode=args.secmode,
        auth_mode=args.auth_mode,
        db=args.db or default_db or str(data_dir() / "sandbox.db"),
        strict_calls=args.strict_calls,
        agents=load_agents(args.agents) if args.agents else None,
        guid_interval=args.guid_interval,
        guid_timeout=args.guid_timeout,
        idle_timeout=args.idle_timeout,
        oversize_retcode=args.oversize_retcode,
        invalid_retcode=args.invalid_retcode,
        web_poll_chars=args.web_poll_chars,
        allow_empty_phonenum=args.allow_empty_phonenum,
        poll_wait=args.poll_wait,
        agent_id_range=parse_agent_id_range(args.agent_id_range),
        bytes_per_kb=args.kb,
        size_counts=args.counts,
        faults=faults,
        lan=getattr(args, "lan", False),
        cors_origins=tuple(getattr(args, "cors", ())),
        **{k: v for k in _EDGE if (v := getattr(args, k, None)) is not None},
    )


_EDGE = ("max_body_bytes", "request_timeout")  # flags whose default is SandboxConfig's


def _banner(
    config: Any, base_url: str, ca_path: Path | None, *, random_password: bool = False
) -> str:
    low, high = config.agent_id_range
    who = (
        f"any ID {low}-{high}, password sandbox (a demo value)"
        if config.agents is None
        else "agents and passwords from --agents"
    )
    auth = (
        "1 (static Guid)"
        if config.auth_mode == 1
        else (f"2 (Guid rotates every {config.guid_interval:g} s, valid {config.guid_timeout:g} s)")
    )
    cacert = f" --cacert {ca_path}" if ca_path else ""
    password = config.demo_password if config.agents is None else "(see --agents)"
    if random_password:
        who = "LAN mode: a random password, shown only here"
        password = config.demo_password
    # The password the curl example signs in with: never one from --agents (a secret).
    sign_in_password = password if random_password or config.agents is None else "<password>"
    lines = [
        f"CC-Gateway sandbox (local, not a real gateway) on {base_url}",
        f"  agent ID   {config.demo_agent_id}   ({who})",
        f"  password   {password}",
        "  phonenum   88880001 (any non-empty)",
        f"  CA         {ca_path if ca_path else '(plain HTTP)'}",
        f"  auth mode  {auth}; secmode {config.secmode}; db {config.db}",
        "  try        curl -si" + cacert + " -X PUT -H 'Content-Type: application/json' -d "
        f"""'{{"password":"{sign_in_password}","phonenum":"88880001"}}' """
        f"{base_url}/agentgateway/resource/onlineagent/{config.demo_agent_id}",
        "Ctrl-C stops it.",
    ]
    return "\n".join(lines)


def run_sandbox(args: argparse.Namespace) -> int:
    """Run the sandbox in the foreground until Ctrl-C / SIGTERM."""
    import asyncio

    from sendmessage_kit.sandbox import lan
    from sendmessage_kit.sandbox.server import base_url_of, build_server, listen

    try:
        config = build_config(args, args.port)
        random_password = config.lan and config.agents is None
        config = lan.prepare(config)
        channel = _channel(getattr(args, "channel", "WEB"))
    except (ValueError, OSError) as exc:
        print(f"sendmessage-kit sandbox: {exc}", file=sys.stderr)
        return 2
    try:
        socks = listen(config)
    except OSError as exc:
        print(
            f"sendmessage-kit sandbox: cannot listen on {config.host}:{config.port}: {exc}",
            file=sys.stderr,
        )
        return 2
    server, app, ca_path = build_server(config)
    port = socks[0].getsockname()[1]
    base_url = base_url_of(config, port)
    print(_banner(config, base_url, ca_path, random_password=random_password), flush=True)
    lan_base = lan.lan_url(config, port)
    if lan_base is not None:
        from sendmessage_kit.seed import USER_ID

        customer = getattr(args, "customer", None) or USER_ID
        token = app.sandbox.links.issue(customer, channel)
        url = lan.page_address(lan_base, customer, channel, token)
        print(
            f"LAN mode on {lan_base}: control and faults answer on this machine only.\n"
            f"Customer {customer}'s chat page on {channel} (open it on a phone; the page "
            f"token in it is for this customer only):\n  {url}\n{lan.qr_text(url)}",
            flush=True,
        )
    try:
        asyncio.run(server.serve(sockets=socks))  # uvicorn handles SIGINT/SIGTERM itself
    finally:
        for sock in socks:
            sock.close()
        app.close()
    return 0


def _channel(value: str) -> str:
    from sendmessage_kit.models import Channel

    channels = [c.value for c in Channel]
    if value.upper() not in channels:
        raise ValueError(f"--channel must be one of {', '.join(channels)}, got {value!r}")
    return value.upper()
