"""Run the sandbox: in a background thread (`start`, `serve`) and the handle they return.

Every `start()` (and `serve()`) starts a new sandbox and returns its handle, which belongs to the
caller: only its own `stop()` stops it, and stopping one never touches another. There is no
process-wide "current" sandbox.

Sharing is explicit, in one place: `sendmessage-kit lab` gives its kernels its sandbox's address
(`lab_environ`), and `attach_lab()` returns a handle on that sandbox. An attached handle's
`stop()` leaves lab's sandbox running.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import socket
import ssl
import threading
import time
from pathlib import Path
from types import FrameType, TracebackType
from typing import Any

import httpx2
import uvicorn
from pydantic import SecretStr

from sendmessage_kit._browser import in_browser
from sendmessage_kit.sandbox.app import SandboxApp, create_app
from sendmessage_kit.sandbox.config import DEMO_PHONENUM, SandboxConfig, data_dir, load_agents
from sendmessage_kit.sandbox.customer import CustomerClient
from sendmessage_kit.sandbox.edge import SlowClientTimeout
from sendmessage_kit.sandbox.lan import lan_url, prepare
from sendmessage_kit.sandbox.tls import client_context, ensure_tls

__all__ = ["FaultsControl", "Sandbox", "serve", "start"]

log = logging.getLogger("sendmessage_kit.sandbox")


class _Server(uvicorn.Server):
    """uvicorn's server, which also wakes held event polls when asked to stop."""

    def __init__(self, config: uvicorn.Config, app: SandboxApp) -> None:
        super().__init__(config)
        self.sandbox_app = app
        self.loop: asyncio.AbstractEventLoop | None = None

    async def serve(self, sockets: list[socket.socket] | None = None) -> None:
        self.loop = asyncio.get_running_loop()
        await super().serve(sockets)

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        self.wake_polls()
        super().handle_exit(sig, frame)

    def wake_polls(self) -> None:
        if self.loop is not None and not self.loop.is_closed():
            self.loop.call_soon_threadsafe(self.sandbox_app.gateway.begin_shutdown)
            self.loop.call_soon_threadsafe(self.sandbox_app.sandbox.feed.close)  # live streams


def bind(host: str, port: int) -> socket.socket:
    """A listening socket (port 0: a free one), so the port is known before uvicorn starts."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # proto=IPPROTO_TCP matters: asyncio sets TCP_NODELAY only on sockets that say they are TCP,
    # and without it every answer waits ~40 ms for a delayed ACK (Nagle).
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    try:
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    sock.listen(2048)
    sock.set_inheritable(True)
    return sock


def listen(config: SandboxConfig) -> list[socket.socket]:
    """The listening sockets: `host`; in LAN mode also 127.0.0.1, on the same port."""
    first = bind(config.host, config.port)
    if not config.lan:
        return [first]
    try:
        return [first, bind("127.0.0.1", first.getsockname()[1])]
    except OSError:
        first.close()
        raise


def build_server(config: SandboxConfig) -> tuple[_Server, SandboxApp, Path | None]:
    """The uvicorn server for a config (and the app and CA path), not started."""
    app = create_app(config)
    ca_path: Path | None = None
    tls_args: dict[str, Any] = {}
    if not config.http:
        files = ensure_tls(data_dir(config.data_dir), config.host)
        ca_path = files.ca_path
        tls_args = {"ssl_certfile": str(files.cert_path), "ssl_keyfile": str(files.key_path)}
    uv_config = uvicorn.Config(
        app,
        log_level="warning",
        access_log=False,
        lifespan="off",
        proxy_headers=False,
        server_header=False,
        timeout_graceful_shutdown=2,
        timeout_keep_alive=config.keep_alive_timeout,  # idle connections (docs/sandbox.md)
        http=SlowClientTimeout.with_timeout(config.request_timeout),  # slow ones
        **tls_args,
    )
    return _Server(uv_config, app), app, ca_path


def base_url_of(config: SandboxConfig, port: int) -> str:
    """The URL clients on this machine use for this sandbox (loopback in LAN mode)."""
    host = "127.0.0.1" if config.lan else config.host
    if host in ("0.0.0.0", ""):
        host = "127.0.0.1"
    elif host == "::":
        host = "::1"
    if ":" in host:
        host = f"[{host}]"
    return f"{'http' if config.http else 'https'}://{host}:{port}"


class FaultsControl:
    """`sandbox.faults.set(retcode="100-007", count=3)`, `.clear()`, `.get()` over HTTP."""

    def __init__(self, sandbox: Sandbox) -> None:
        self._sandbox = sandbox

    def set(self, **spec: Any) -> dict[str, Any]:
        """Replace the faults (keys as `POST /sandbox/faults`); returns the new state."""
        return self._call("POST", json=spec)

    def clear(self) -> dict[str, Any]:
        """Clear every fault."""
        return self._call("DELETE")

    def get(self) -> dict[str, Any]:
        """The active faults."""
        return self._call("GET")

    def _call(self, method: str, **kw: Any) -> dict[str, Any]:
        with self._sandbox.http_client() as client:
            response = client.request(method, "/sandbox/faults", **kw)
        if response.status_code != 200:
            raise ValueError(f"sandbox faults: {response.status_code} {response.text[:300]}")
        body: dict[str, Any] = response.json()
        return body


class Sandbox:
    """A running sandbox: where it is, how to sign in, and how to stop it."""

    def __init__(
        self,
        config: SandboxConfig,
        base_url: str,
        ca_path: Path | None,
        *,
        server: _Server | None = None,
        thread: threading.Thread | None = None,
        app: SandboxApp | None = None,
    ) -> None:
        self.config = config
        self.base_url = base_url
        self.ca_path = ca_path
        self.agent_id = config.demo_agent_id
        self.password = SecretStr(config.demo_password)
        self.phonenum = DEMO_PHONENUM
        self.secmode = config.secmode
        self.auth_mode = config.auth_mode
        self.app = app
        self.lan_url = lan_url(config, config.port)  # the address phones use (LAN mode only)
        self.faults = FaultsControl(self)
        self._server = server
        self._thread = thread
        self._customer: CustomerClient | None = None

    @property
    def owned(self) -> bool:
        """False when attached to a sandbox run by someone else (`stop()` leaves it running)."""
        return self._server is not None

    @property
    def running(self) -> bool:
        """True while the server thread runs (always True for an attached handle)."""
        return self._thread.is_alive() if self._thread is not None else True

    def ssl_context(self) -> ssl.SSLContext | None:
        """An SSL context trusting the sandbox's CA (None over plain HTTP)."""
        return client_context(self.ca_path) if self.ca_path is not None else None

    def verify(self) -> ssl.SSLContext | bool:
        """What to pass as an httpx2 client's `verify=`."""
        return self.ssl_context() or True

    def http_client(self, **kw: Any) -> httpx2.Client:
        """An httpx2 client on the sandbox's base URL that trusts its CA."""
        kw.setdefault("timeout", 30.0)
        return httpx2.Client(base_url=self.base_url, verify=self.verify(), **kw)

    @property
    def customer(self) -> CustomerClient:
        """The customer's side: `sb.customer.open_chat(...)` (shared, closed by `stop()`).

        Calling it, `sb.customer()`, gives a new client of your own to close.
        """
        if self._customer is None:
            self._customer = CustomerClient(self.base_url, verify=self.verify())
        return self._customer

    def stop(self) -> None:
        """Stop the server (held polls answer at once) and close the store; idempotent.

        An attached handle (`attach_lab()`) only closes its customer client: lab's sandbox runs on.
        """
        if self._customer is not None:
            self._customer.close()
            self._customer = None
        server, thread = self._server, self._thread
        if server is None or thread is None:
            return
        server.wake_polls()
        server.should_exit = True
        thread.join(timeout=0.5)
        if thread.is_alive():
            # Idle keep-alive TLS connections wait for the peer's close_notify, which an idle
            # client never sends: after a short grace for requests in flight, stop waiting.
            server.force_exit = True
            thread.join(timeout=15)
        if self.app is not None:
            self.app.close()

    def __enter__(self) -> Sandbox:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def __repr__(self) -> str:
        how = "" if self.owned else ", attached"
        return (
            f"Sandbox(base_url={self.base_url!r}, agent_id={self.agent_id!r}, "
            f"password={self.password!r}, secmode={self.secmode}, auth_mode={self.auth_mode}{how})"
        )


def serve(config: SandboxConfig) -> Sandbox:
    """Start a new sandbox for `config` in a background thread; the handle is the caller's.

    In a browser (no sockets, no threads) the sandbox is served in-process instead
    (`sandbox.page.PageSandbox`).
    """
    if in_browser():
        from sendmessage_kit.sandbox.page import serve_in_page

        return serve_in_page(config)
    config = prepare(config)  # LAN mode: the LAN address and a random agent password
    server, app, ca_path = build_server(config)
    try:
        socks = listen(config)
    except OSError:
        app.close()
        raise
    port = socks[0].getsockname()[1]
    thread = threading.Thread(
        target=_run, args=(server, socks), name=f"sendmessage-kit-sandbox-{port}", daemon=True
    )
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            server.should_exit = True
            for sock in socks:
                sock.close()
            app.close()
            raise RuntimeError(f"the sandbox did not start on {config.host}:{port}")
        time.sleep(0.005)
    live = dataclasses.replace(config, port=port)
    return Sandbox(live, base_url_of(config, port), ca_path, server=server, thread=thread, app=app)


def _run(server: _Server, socks: list[socket.socket]) -> None:
    try:
        asyncio.run(server.serve(sockets=socks))
    finally:
        for sock in socks:
            sock.close()


def start(config: SandboxConfig | None = None, /, **options: Any) -> Sandbox:
    """Start a new local CC-Gateway sandbox in a background thread and return its handle.

    Each call starts its own server (on a free port by default); the handle is yours to `stop()`
    (or use it in a `with`). HTTPS with the kit's local CA by default (`sandbox.ca_path`);
    `http=True` for plain HTTP. `options` are `SandboxConfig`'s fields, over `config` (default:
    `SandboxConfig()`, where every default is written); `agents` may also be a JSON/YAML file
    and `db` a path. To use the sandbox that `sendmessage-kit lab` runs instead, see
    `attach_lab()`.

    Example:
        >>> from sendmessage_kit import sandbox
        >>> with sandbox.start(http=True) as sb:
        ...     sb.base_url.startswith("http://127.0.0.1:")
        True
    """
    if options.get("agents") is not None:
        options["agents"] = load_agents(options["agents"])
    if "db" in options:
        options["db"] = str(options["db"])
    if "agent_id_range" in options:
        options["agent_id_range"] = tuple(options["agent_id_range"])
    if "cors_origins" in options:
        options["cors_origins"] = tuple(options["cors_origins"])
    return serve(dataclasses.replace(config or SandboxConfig(), **options))
