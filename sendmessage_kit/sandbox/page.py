"""The sandbox in a web page: what `sandbox.start()` returns in a browser (see `_browser`)."""

from __future__ import annotations

import asyncio
import asyncio.events
import time
from collections.abc import Coroutine
from typing import Any, TypeVar

import httpx2

from sendmessage_kit._browser import BASE_URL
from sendmessage_kit.sandbox.app import SandboxApp, create_app
from sendmessage_kit.sandbox.config import SandboxConfig
from sendmessage_kit.sandbox.customer import CustomerClient
from sendmessage_kit.sandbox.server import Sandbox

__all__ = ["InProcessTransport", "PageSandbox", "serve_in_page"]

T = TypeVar("T")


class _NoSelector:
    """The selector of a loop without I/O: waiting is sleeping until the next timer."""

    def select(self, timeout: float | None) -> list[Any]:
        if timeout:
            time.sleep(min(timeout, 0.05))
        return []

    def close(self) -> None:
        pass


class _InlineLoop(asyncio.BaseEventLoop):
    """An event loop with callbacks and timers only, run to completion by a synchronous call."""

    def __init__(self) -> None:
        super().__init__()
        self._selector = _NoSelector()

    def _process_events(self, event_list: list[Any]) -> None:
        pass

    def _write_to_self(self) -> None:
        pass  # one thread: nothing ever waits in select() for another thread's callback

    def run_inline(self, coro: Coroutine[Any, Any, T]) -> T:
        """Run `coro` to its end here, with the caller's running loop and task set aside.

        A cell (or a widget callback) runs inside a task of the page's loop; Python 3.12+ keeps
        one current task per thread, so that task is left for the call and entered again after
        (`asyncio.tasks._leave_task`/`_enter_task`, what asyncio's own loops call around a step).
        """
        outer = asyncio.events._get_running_loop()
        task = asyncio.current_task(outer) if outer is not None else None
        if outer is not None and task is not None:
            asyncio.tasks._leave_task(outer, task)
        asyncio.events._set_running_loop(None)
        try:
            return self.run_until_complete(coro)
        finally:
            asyncio.events._set_running_loop(outer)
            if outer is not None and task is not None:
                asyncio.tasks._enter_task(outer, task)


class InProcessTransport(httpx2.BaseTransport, httpx2.AsyncBaseTransport):
    """An httpx2 transport (sync and async) that hands each request to an ASGI app in-process.

    Shared by every client of one `PageSandbox`; closing a client leaves it open, the sandbox's
    `stop()` closes it. The async side answers through the same loop as the sync side, so the
    app's asyncio objects only ever see one loop (each exchange is short: no I/O).
    """

    def __init__(self, app: Any) -> None:
        self._asgi = httpx2.ASGITransport(app=app)
        self._loop = _InlineLoop()

    def handle_request(self, request: httpx2.Request) -> httpx2.Response:
        """Answer `request` from the app; the response body is read in full."""
        if self._loop.is_closed():
            raise httpx2.ConnectError("the in-page sandbox is stopped", request=request)
        request.read()
        return self._loop.run_inline(self._exchange(request))

    async def _exchange(self, request: httpx2.Request) -> httpx2.Response:
        try:
            response = await self._asgi.handle_async_request(request)
        except ConnectionError as exc:  # the app dropped the connection (a fault it plays)
            raise httpx2.RemoteProtocolError(
                "Server disconnected without sending a response.", request=request
            ) from exc
        body = await response.aread()
        return httpx2.Response(
            response.status_code, headers=response.headers, content=body, request=request
        )

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        """`handle_request` for the async clients."""
        await request.aread()
        return self.handle_request(request)

    def close(self) -> None:
        """Nothing to close per client: see `shutdown()`."""

    async def aclose(self) -> None:
        """Nothing to close per client: see `shutdown()`."""

    def shutdown(self) -> None:
        """Close the loop (the sandbox's `stop()`); later requests fail with `ConnectError`."""
        if not self._loop.is_closed():
            self._loop.close()


class PageSandbox(Sandbox):
    """A sandbox served inside the page: `base_url` is only a name, requests never leave.

    Every client of it talks through its one `transport()`; `stop()` ends it (idempotent).
    """

    def __init__(self, config: SandboxConfig, app: SandboxApp) -> None:
        super().__init__(config, BASE_URL, None, app=app)
        self._transport: InProcessTransport | None = InProcessTransport(app)

    def transport(self) -> InProcessTransport:
        """The transport the clients of this sandbox use (what `open_target()` passes them)."""
        if self._transport is None:
            raise RuntimeError("this in-page sandbox is stopped")
        return self._transport

    @property
    def owned(self) -> bool:
        """Always True: a page sandbox is its caller's."""
        return True

    @property
    def running(self) -> bool:
        """True until `stop()`."""
        return self._transport is not None

    def http_client(self, **kw: Any) -> httpx2.Client:
        """An httpx2 client of the sandbox, through its in-process transport."""
        kw.setdefault("timeout", 30.0)
        return httpx2.Client(base_url=self.base_url, transport=self.transport(), **kw)

    @property
    def customer(self) -> CustomerClient:
        """The customer's side, shared and closed by `stop()` (`sb.customer()`: one of yours)."""
        if self._customer is None:
            self._customer = CustomerClient(self.base_url, transport=self.transport())
        return self._customer

    def stop(self) -> None:
        """Close the customer side, the transport's loop and the store; idempotent."""
        if self._customer is not None:
            self._customer.close()
            self._customer = None
        if self._transport is not None:
            self._transport.shutdown()
            self._transport = None
            if self.app is not None:
                self.app.store.close()


def serve_in_page(config: SandboxConfig) -> PageSandbox:
    """`sandbox.serve()` in a browser: the app, in-process; events answer without holding.

    A held event poll would hold the page (one thread), so polls answer at once. Its name is
    `BASE_URL`'s host, so the app's Host check knows the name its in-page clients use.
    """
    import dataclasses
    from urllib.parse import urlsplit

    name = urlsplit(BASE_URL).hostname or ""
    config = dataclasses.replace(config, http=True, poll_wait=0.0, host=name)
    return PageSandbox(config, create_app(config))
