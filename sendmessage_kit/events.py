"""Background event polling: the agent's heartbeat and, with AUTHMODE 2, the Guid's rotation.

CC-Gateway signs out an agent that stops polling `agentevent` for about two minutes, and with
dynamic authentication hands out each new Guid in `Set-GUID` on the polling response. A poller
keeps polling (200-500 ms apart, as recommended), so the client always holds the newest Guid.
"""

from __future__ import annotations

import asyncio
import collections
import logging
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from sendmessage_kit.errors import SendMessageKitError

if TYPE_CHECKING:
    from sendmessage_kit.client import AsyncGatewayClient, GatewayClient

__all__ = ["AsyncEventPoller", "EventPoller"]

logger = logging.getLogger("sendmessage_kit.events")
Event = dict[str, Any]


class _PollerBase:
    def __init__(
        self, on_event: Callable[[Event], None] | None, interval: float, keep: int
    ) -> None:
        self.on_event = on_event
        self.interval = interval
        self.events: collections.deque[Event] = collections.deque(maxlen=keep)
        self.errors: collections.deque[SendMessageKitError] = collections.deque(maxlen=keep)
        self.polls = 0

    def _got(self, event: Event | None) -> None:
        self.polls += 1
        if event is not None:
            self.events.append(event)
            if self.on_event is not None:
                self.on_event(event)

    def _failed(self, exc: SendMessageKitError) -> float:
        self.errors.append(exc)
        logger.warning("event poll failed: %s", exc)
        return float(min(5.0, self.interval * 2 ** min(len(self.errors), 5)))


class EventPoller(_PollerBase):
    """Polls events in a background thread with a `GatewayClient`.

    Example:
        >>> poller = EventPoller(client).start()  # doctest: +SKIP
        >>> poller.stop()                         # doctest: +SKIP
    """

    def __init__(
        self,
        client: GatewayClient,
        *,
        on_event: Callable[[Event], None] | None = None,
        interval: float = 0.3,
        keep: int = 1000,
    ) -> None:
        super().__init__(on_event, interval, keep)
        self.client = client
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> EventPoller:
        """Start polling in a daemon thread."""
        self._thread = threading.Thread(
            target=self._run, name="sendmessage-kit-events", daemon=True
        )
        self._thread.start()
        return self

    def _run(self) -> None:
        while not self._stop.is_set():
            wait = self.interval
            try:
                self._got(self.client.poll_event())
            except SendMessageKitError as exc:
                wait = self._failed(exc)
            self._stop.wait(wait)

    def stop(self, timeout: float | None = 1.0) -> None:
        """Stop polling; wait up to `timeout` seconds (None: until the poll in flight returns).

        A long poll in flight may take up to the gateway's wait (about 10 s) to return; the daemon
        thread ends by itself when it does, so a notebook need not wait for it.
        """
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def __enter__(self) -> EventPoller:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


class AsyncEventPoller(_PollerBase):
    """Polls events in an asyncio task with an `AsyncGatewayClient`."""

    def __init__(
        self,
        client: AsyncGatewayClient,
        *,
        on_event: Callable[[Event], None] | None = None,
        interval: float = 0.3,
        keep: int = 1000,
    ) -> None:
        super().__init__(on_event, interval, keep)
        self.client = client
        self._task: asyncio.Task[None] | None = None

    def start(self) -> AsyncEventPoller:
        """Start polling in a task of the running loop."""
        self._task = asyncio.get_running_loop().create_task(self._run())
        return self

    async def _run(self) -> None:
        while True:
            wait = self.interval
            try:
                self._got(await self.client.poll_event())
            except SendMessageKitError as exc:
                wait = self._failed(exc)
            await asyncio.sleep(wait)

    async def stop(self) -> None:
        """Cancel the task (the poll in flight is abandoned)."""
        if self._task is not None:
            self._task.cancel()
            try:
                await self._task
            except asyncio.CancelledError:
                pass
            self._task = None

    async def __aenter__(self) -> AsyncEventPoller:
        return self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()
