"""A validation proxy: put it between your application and the gateway and see the traffic.

Point your application at the proxy's URL instead of the gateway's. Every request goes to the
upstream unchanged and every answer comes back unchanged (see `sendmessage_kit.proxy._app` for
the two things HTTP itself changes: `Host`, and the per-connection headers). For each exchange
the proxy explains what went by: the interface, the retcode and its meaning, and for
sendmessage the decoded `data` and every finding of `check()`. The Guid and the password are
masked in everything it keeps (`sendmessage_kit.proxy.capture`).

`start()` runs one in a background thread and returns its handle, which is yours: `.url`,
`.exchanges`, `.stop()`, and a `with` block. `sendmessage-kit proxy` runs one in the terminal.

Example:
    >>> from sendmessage_kit import proxy, sandbox
    >>> import httpx2
    >>> with sandbox.start(http=True) as sb, proxy.start(upstream=sb.base_url) as p:
    ...     httpx2.get(p.url + "/sandbox/health").status_code
    200
    >>> [e.path for e in p.exchanges]
    ['/sandbox/health']
"""

from __future__ import annotations

import asyncio
import collections
import logging
import ssl
import threading
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import IO, Any

from sendmessage_kit.proxy.capture import Exchange

__all__ = ["Exchange", "Proxy", "start"]

_log = logging.getLogger("sendmessage_kit.proxy")

#: Exchanges a handle keeps in `.exchanges` (the oldest go first); the HAR file keeps them all.
KEEP = 1000


class _Server:
    """The proxy's aiohttp server on a socket of its own, in a thread with its own loop."""

    def __init__(self, app: Any, sock: Any) -> None:
        self.app, self.sock = app, sock
        self.started = threading.Event()
        self.failed: BaseException | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None

    def run(self) -> None:
        try:
            asyncio.run(self._serve())
        except BaseException as exc:  # reported by start() as the proxy not starting
            self.failed = exc
        finally:
            self.sock.close()
            self.started.set()

    async def _serve(self) -> None:
        from aiohttp import web

        self._loop, self._stop = asyncio.get_running_loop(), asyncio.Event()
        runner = web.ServerRunner(
            web.Server(self.app, access_log=None), handle_signals=False, shutdown_timeout=1.0
        )
        await runner.setup()
        try:
            await web.SockSite(runner, self.sock).start()
            self.started.set()
            await self._stop.wait()
        finally:
            await runner.cleanup()
            await self.app.aclose()

    def stop(self) -> None:
        loop, stop = self._loop, self._stop
        if loop is not None and stop is not None and not loop.is_closed():
            try:
                loop.call_soon_threadsafe(stop.set)
            except RuntimeError:  # the loop closed meanwhile
                pass


class Proxy:
    """A running proxy: where it listens, what went through it, and how to stop it.

    Attributes:
        url: the address to point your application at (`http://127.0.0.1:PORT`).
        upstream: where requests are forwarded.
    """

    def __init__(self, url: str, upstream: str, keep: int = KEEP) -> None:
        self.url = url
        self.upstream = upstream
        self._exchanges: collections.deque[Exchange] = collections.deque(maxlen=keep)
        self._listeners: list[Callable[[Exchange], None]] = []
        self._closers: list[Callable[[], None]] = []
        self._lock = threading.Lock()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def exchanges(self) -> list[Exchange]:
        """The exchanges so far, oldest first (the newest `KEEP`)."""
        with self._lock:
            return list(self._exchanges)

    def subscribe(self, listener: Callable[[Exchange], None]) -> Callable[[], None]:
        """Call `listener(exchange)` after each exchange (in the proxy's thread).

        Returns:
            A function that unsubscribes it.
        """
        with self._lock:
            self._listeners.append(listener)

        def unsubscribe() -> None:
            with self._lock:
                if listener in self._listeners:
                    self._listeners.remove(listener)

        return unsubscribe

    def _record(self, exchange: Exchange) -> None:
        with self._lock:
            self._exchanges.append(exchange)

    def _notify(self, exchange: Exchange) -> None:
        with self._lock:
            listeners = list(self._listeners)
        for listener in listeners:
            try:
                listener(exchange)
            except Exception as exc:  # a log or HAR file that cannot be written: say so, go on
                _log.warning("sendmessage-kit proxy: exchange %d not recorded by %r: %s: %s",
                             exchange.id, listener, type(exc).__name__, exc)  # fmt: skip

    @property
    def running(self) -> bool:
        """True while the server thread runs."""
        return self._thread is not None and self._thread.is_alive()

    def stop(self) -> None:
        """Stop the server and close what `start()` opened (logs, HAR); idempotent."""
        server, thread = self._server, self._thread
        if server is not None and thread is not None:
            server.stop()  # requests in flight (a held event poll) get a second to end
            thread.join(timeout=15)
        self._server = None
        closers, self._closers = self._closers, []
        for close in closers:
            close()

    def __enter__(self) -> Proxy:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def __repr__(self) -> str:
        return (
            f"Proxy(url={self.url!r}, upstream={self.upstream!r}, exchanges={len(self._exchanges)})"
        )


def _verify(cacert: str | Path | None, upstream: str) -> ssl.SSLContext | bool:
    if cacert is None or not upstream.startswith("https://"):
        return True
    from sendmessage_kit.sandbox.tls import client_context

    return client_context(Path(cacert))


def start(
    upstream: str,
    *,
    host: str = "127.0.0.1",
    port: int = 0,
    cacert: str | Path | None = None,
    timeout: float = 60.0,
    json_log: str | Path | None = None,
    har: str | Path | None = None,
    refuse_invalid: bool = False,
    log: IO[str] | None = None,
    profile: Any = None,
) -> Proxy:
    """Start a proxy to `upstream` in a background thread; the handle is the caller's.

    Args:
        upstream: the gateway (or sandbox) to forward to, `https://host:port`.
        host: the address to listen on (loopback by default).
        port: the port to listen on (0: a free one; see `.url`).
        cacert: PEM file of the CAs to trust for an https upstream (default: the system's).
        timeout: seconds to wait for the upstream's answer (an event poll is held ~10 s).
        json_log: append one JSON object a line per exchange to this file.
        har: keep this file a HAR 1.2 recording of every exchange (`sendmessage_kit.har`).
        refuse_invalid: answer a sendmessage body with an error finding, without forwarding
            it, the way the sandbox refuses it.
        log: print each exchange's terminal block to this stream.
        profile: what `check()` checks against (default: the `SENDMESSAGE_KIT_*` settings).
    """
    from sendmessage_kit.proxy._app import ProxyApp, refuse_like_sandbox
    from sendmessage_kit.proxy.log import JsonLog, TerminalLog
    from sendmessage_kit.sandbox.server import bind

    if not upstream.startswith(("http://", "https://")):
        raise ValueError(f"upstream {upstream!r} must start with https:// or http://")
    if profile is None:
        from sendmessage_kit.settings import KitSettings

        profile = KitSettings().profile()
    verify = _verify(cacert, upstream)
    sock = bind(host, port)
    bound = sock.getsockname()
    shown = f"[{bound[0]}]" if ":" in bound[0] else bound[0]
    handle = Proxy(f"http://{shown}:{bound[1]}", upstream.rstrip("/"))
    try:
        if json_log is not None:
            jl = JsonLog(str(json_log), profile)
            handle._closers.append(jl.close)
            handle.subscribe(jl)
        if har is not None:
            from sendmessage_kit.har import HarWriter

            handle.subscribe(HarWriter(har, handle.upstream).add)
        if log is not None:
            handle.subscribe(TerminalLog(log, profile))
    except BaseException:
        sock.close()
        handle.stop()
        raise

    app = ProxyApp(
        handle.upstream,
        verify,
        timeout,
        handle._record,
        handle._notify,
        refuse_like_sandbox(profile) if refuse_invalid else None,
    )
    server = _Server(app, sock)
    thread = threading.Thread(
        target=server.run, name=f"sendmessage-kit-proxy-{bound[1]}", daemon=True
    )
    handle._server, handle._thread = server, thread
    thread.start()
    if not server.started.wait(15) or server.failed is not None or not thread.is_alive():
        handle.stop()
        raise RuntimeError(f"the proxy did not start on {host}:{bound[1]}: {server.failed}")
    return handle
