"""`sendmessage-kit demo`: the customer demo (guide 7) as a presenter app, served by Voilà.

Starts a sandbox of its own and Voilà on 127.0.0.1 serving `07_customer_demo.ipynb` with its code
hidden (the kit's Voilà template: nothing is fetched from a CDN), prints the presenter URL and the
customer page URL, and stops both on Ctrl-C. The guide stays one notebook: cells tagged
`lab-only` (the presenter's instructions, the scripted demo) run in JupyterLab and are left out
of the app. `--scenario FILE.yaml` is validated before anything starts and played by the
presenter; "Save transcript" writes into `--transcripts` and the terminal says where. A closed
presenter tab's kernel is culled after `--cull-after` seconds idle (Voilà's kernel culling).

Heavy imports happen inside `run_demo`, so `sendmessage-kit --help` stays fast.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sendmessage_kit.sandbox.cli import add_common_arguments, build_config
from sendmessage_kit.sandbox.lab import choose_port, notebooks_dir, sandbox_environ, supervise

if TYPE_CHECKING:
    from sendmessage_kit.sandbox.server import Sandbox

DEMO_NOTEBOOK = "07_customer_demo.ipynb"
LAB_ONLY = "lab-only"
TEMPLATE_NAME = "sendmessage"
#: Holds voila/templates/sendmessage; put on JUPYTER_PATH so Voilà finds the template.
TEMPLATE_ROOT = Path(__file__).with_name("voila_template")
DEFAULT_PORT = 8866
#: Seconds a kernel with no page connected may stay idle before Voilà culls it.
DEFAULT_CULL_AFTER = 60


def add_demo_arguments(parser: argparse.ArgumentParser) -> None:
    """Arguments of `sendmessage-kit demo`."""
    parser.add_argument(
        "--port",
        type=int,
        default=DEFAULT_PORT,
        help=f"the presenter app's port (default {DEFAULT_PORT}; a free one when it is busy)",
    )
    parser.add_argument("--sandbox-port", type=int, default=0, help="sandbox port (default: free)")
    parser.add_argument("--notebooks", help="folder holding the guides (default: ./notebooks)")
    parser.add_argument("--no-browser", action="store_true", help="do not open a browser")
    parser.add_argument(
        "--scenario",
        metavar="FILE.yaml",
        help="play a scripted scenario (examples/scenarios/); checked before the demo starts",
    )
    parser.add_argument(
        "--transcripts",
        default="transcripts",
        help="folder for the presenter's saved transcripts (default: ./transcripts)",
    )
    parser.add_argument(
        "--cull-after",
        type=int,
        default=DEFAULT_CULL_AFTER,
        metavar="SECONDS",
        help=f"stop a closed presenter tab's kernel after this many idle seconds "
        f"(default {DEFAULT_CULL_AFTER})",
    )
    parser.add_argument(
        "--lan",
        action="store_true",
        help="the customer's page on phones in the room: the sandbox also listens on this "
        "machine's LAN address (random agent password, page tokens, control from loopback "
        "only; docs/sandbox.md); the terminal and the presenter show a QR code of the page",
    )
    add_common_arguments(parser, db_help="SQLite file to keep (default: a fresh one in memory)")
    # A demo's customer page opens in a browser or on a phone, which would warn about the
    # sandbox's own CA over HTTPS: plain HTTP by default here (docs/sandbox.md, threat model).
    parser.set_defaults(http=True)
    parser.add_argument(
        "--https",
        dest="http",
        action="store_false",
        help="HTTPS with the kit's local CA (browsers and phones warn unless they trust ca.pem)",
    )


def app_notebook(source: Path, folder: Path) -> Path:
    """Write the guide without its `lab-only` cells (and without outputs) into `folder`."""
    nb: dict[str, Any] = json.loads(source.read_text(encoding="utf-8"))
    nb["cells"] = [c for c in nb["cells"] if LAB_ONLY not in c.get("metadata", {}).get("tags", [])]
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            cell["outputs"], cell["execution_count"] = [], None
    target = folder / source.name
    target.write_text(json.dumps(nb, ensure_ascii=False), encoding="utf-8")
    return target


def voila_command(
    notebook: Path, port: int, *, browser: bool = False, cull_after: int = DEFAULT_CULL_AFTER
) -> list[str]:
    """Voilà on loopback: code hidden, the kit's template; kernels of closed tabs culled."""
    interval = max(1, min(cull_after, 30))
    return [
        sys.executable,
        "-m",
        "voila",
        str(notebook),
        "--Voila.ip=127.0.0.1",
        f"--Voila.port={port}",
        "--Voila.port_retries=0",
        f"--Voila.open_browser={browser}",
        "--Voila.log_level=WARN",
        f"--VoilaConfiguration.template={TEMPLATE_NAME}",
        "--VoilaConfiguration.strip_sources=True",
        "--VoilaConfiguration.show_tracebacks=False",
        "--theme=light",
        # A kernel with no page connected (the tab closed) goes once idle this long.
        f"--MappingKernelManager.cull_idle_timeout={cull_after}",
        f"--MappingKernelManager.cull_interval={interval}",
        "--MappingKernelManager.cull_connected=False",
    ]


def customer_url(sandbox: Sandbox, user_id: str, channel: str) -> str | None:
    """The customer's chat page on the sandbox (`GET /sandbox/webchat`), None if it has none."""
    try:
        return str(sandbox.customer.page_url(user_id, channel))
    except (ValueError, OSError, AttributeError):
        return None


def banner(
    presenter: str,
    customer: str | None,
    sandbox_url: str,
    moved: str,
    transcripts: Path | None = None,
    scenario: str = "",
) -> str:
    """The text that stays on screen while the demo runs."""
    lines = [
        "sendmessage-kit demo",
        f"  presenter   {presenter}{moved}",
        f"  customer    {customer or '(the phone view in the presenter)'}",
        f"  sandbox     {sandbox_url}  (local, not a real gateway)",
    ]
    if scenario:
        lines.append(f"  scenario    {scenario}")
    if transcripts is not None:
        lines.append(f"  transcripts {transcripts}  (Save transcript in the presenter)")
    lines.append("Ctrl-C stops the app and the sandbox.")
    return "\n".join(lines)


def watch_transcripts(folder: Path, stop: threading.Event, every: float = 0.5) -> None:
    """Print each transcript the presenter saves into `folder` (its kernel runs elsewhere)."""
    seen = set(folder.glob("*.html")) if folder.is_dir() else set()
    while not stop.wait(every):
        if folder.is_dir():
            for path in sorted(set(folder.glob("*.html")) - seen):
                seen.add(path)
                print(f"transcript saved: {path}", flush=True)


def run_demo(args: argparse.Namespace) -> int:
    """Start a sandbox (in this process) and the Voilà app; Ctrl-C stops both."""
    import importlib.util

    from sendmessage_kit.sandbox.server import serve

    if importlib.util.find_spec("voila") is None:
        print(
            "sendmessage-kit demo: Voilà is not installed; pip install 'sendmessage-kit[demo]'",
            file=sys.stderr,
        )
        return 2
    source = notebooks_dir(args.notebooks) / DEMO_NOTEBOOK
    if not source.is_file():
        print(f"sendmessage-kit demo: {source} not found (--notebooks DIR)", file=sys.stderr)
        return 2
    if args.scenario:
        from sendmessage_kit.scenario import ScenarioError, load_scenario

        try:
            load_scenario(args.scenario)  # checked before anything starts
        except ScenarioError as exc:
            print(f"sendmessage-kit demo: scenario: {exc}", file=sys.stderr)
            return 2
    try:
        config = build_config(args, args.sandbox_port, default_db=":memory:")
        sandbox = serve(config)
    except (ValueError, OSError, RuntimeError) as exc:
        print(f"sendmessage-kit demo: sandbox: {exc}", file=sys.stderr)
        return 2
    try:
        with tempfile.TemporaryDirectory(prefix="sendmessage-kit-demo-") as folder:
            return _run_voila(args, sandbox, app_notebook(source, Path(folder)))
    finally:
        sandbox.stop()
        print("sandbox stopped", flush=True)


def _run_voila(args: argparse.Namespace, sandbox: Sandbox, notebook: Path) -> int:
    from sendmessage_kit import seed

    env = sandbox_environ(sandbox)  # the notebook's open_target() uses this sandbox
    paths = [str(TEMPLATE_ROOT), *filter(None, env.get("JUPYTER_PATH", "").split(os.pathsep))]
    env["JUPYTER_PATH"] = os.pathsep.join(paths)
    from sendmessage_kit.scenario import ENV_SCENARIO
    from sendmessage_kit.transcript import ENV_FOLDER

    transcripts = Path(args.transcripts).expanduser().resolve()
    env[ENV_FOLDER] = str(transcripts)
    # The demo's sends go to its own sandbox: their journal lives and goes with the app's folder
    # (the user's journal keeps their real sends), unless the user names one.
    env.setdefault("SENDMESSAGE_KIT_HISTORY_PATH", str(notebook.parent / "history.sqlite3"))
    if args.scenario:
        env[ENV_SCENARIO] = str(Path(args.scenario).resolve())
    port = choose_port(args.port)
    moved = f"  (port {args.port} was busy)" if args.port and port != args.port else ""
    presenter = f"http://127.0.0.1:{port}/"

    user_id, channel = seed.USER_ID, "WEB"
    if args.scenario:  # the customer page of the scenario's customer
        from sendmessage_kit.scenario import load_scenario

        who = load_scenario(args.scenario).customer
        user_id, channel = who.user_id or user_id, who.channel.value

    def ready() -> None:
        customer = customer_url(sandbox, user_id, channel)
        print(
            banner(presenter, customer, sandbox.base_url, moved, transcripts, args.scenario or ""),
            flush=True,
        )
        if sandbox.config.lan and customer is not None:
            from sendmessage_kit.sandbox import lan

            print(
                f"LAN mode: open the customer page on a phone on this network (the token in it "
                f"is for this customer only); agent {sandbox.agent_id}'s password is "
                f"{sandbox.password.get_secret_value()} (shown only here).\n"
                f"{lan.qr_text(customer)}",
                flush=True,
            )

    command = voila_command(notebook, port, browser=not args.no_browser, cull_after=args.cull_after)
    ready_url = f"{presenter}voila/static/voila.js"
    stop = threading.Event()
    watcher = threading.Thread(target=watch_transcripts, args=(transcripts, stop), daemon=True)
    watcher.start()
    try:
        return supervise("demo", "Voilà", command, env, ready_url, ready, cwd=notebook.parent)
    finally:
        stop.set()
        watcher.join(2)
