"""Background event polling: the agent's heartbeat and, with AUTHMODE 2, the Guid's rotation.

CC-Gateway signs out an agent that stops polling `agentevent` for about two minutes, and with
dynamic authentication hands out each new Guid in `Set-GUID` on the polling response. A poller
keeps polling (200-500 ms apart, as recommended), so the client always holds the newest Guid.
"""

from __future__ import annotations

import collections
import logging
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from sendmessage_kit._browser import every, in_browser
from sendmessage_kit.errors import SendMessageKitError

if TYPE_CHECKING:
    import asyncio  # imported by the async poller's methods: sync programs never load it

    from sendmessage_kit.client import AsyncGatewayClient, GatewayClient

__all__ = ["AsyncEventPoller", "EventPoller"]

logger = logging.getLogger("sendmessage_kit.events")
Event = dict[str, Any]


MAX_BACKOFF = 5.0


class _PollerBase:
    """What both pollers share: the events seen, the errors met and the back-off between polls.

    Attributes:
        events: the newest `keep` events.
        errors: the newest `keep` failed polls (the kit's errors, or any other exception).
        callback_errors: the newest `keep` exceptions raised by `on_event`; polling goes on.
        polls: how many polls answered.
        failures_in_a_row: failed polls since the last answer (the back-off grows with it).
    """

    def __init__(
        self, on_event: Callable[[Event], None] | None, interval: float, keep: int
    ) -> None:
        self.on_event = on_event
        self.interval = interval
        self.events: collections.deque[Event] = collections.deque(maxlen=keep)
        self.errors: collections.deque[Exception] = collections.deque(maxlen=keep)
        self.callback_errors: collections.deque[Exception] = collections.deque(maxlen=keep)
        self.polls = 0
        self.failures_in_a_row = 0

    def _got(self, event: Event | None) -> float:
        """Record an answer; the wait before the next poll (the back-off starts over)."""
        self.polls += 1
        self.failures_in_a_row = 0
        if event is not None:
            self.events.append(event)
            if self.on_event is not None:
                try:
                    self.on_event(event)
                except Exception as exc:  # a bug in the callback must not stop the heartbeat
                    self.callback_errors.append(exc)
                    logger.exception("on_event raised on %s", event.get("eventType"))
        return self.interval

    def _failed(self, exc: Exception) -> float:
        """Record a failed poll; the wait before the next one (doubling, up to 5 s)."""
        self.errors.append(exc)
        self.failures_in_a_row += 1
        if isinstance(exc, SendMessageKitError):
            logger.warning("event poll failed: %s", exc)
        else:
            logger.error("event poll failed unexpectedly", exc_info=exc)
        return float(min(MAX_BACKOFF, self.interval * 2 ** min(self.failures_in_a_row, 5)))


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
        self._task: asyncio.Task[None] | None = None

    def start(self) -> EventPoller:
        """Start polling in a daemon thread (in a browser: an asyncio task, see `_browser`)."""
        if in_browser():
            self._task = every(self._once, self.interval)
            return self
        self._thread = threading.Thread(
            target=self._run, name="sendmessage-kit-events", daemon=True
        )
        self._thread.start()
        return self

    def _run(self) -> None:
        while not self._stop.is_set():
            self._stop.wait(self._once())

    def _once(self) -> float:
        """One poll; the seconds to wait before the next."""
        try:
            return self._got(self.client.poll_event())
        except Exception as exc:  # recorded in .errors; the thread keeps polling
            if self._stop.is_set():
                return 0.0  # stopped during the poll (its client may be closed by now)
            return self._failed(exc)

    def stop(self, timeout: float | None = 1.0) -> None:
        """Stop polling; wait up to `timeout` seconds (None: until the poll in flight returns).

        A long poll in flight may take up to the gateway's wait (about 10 s) to return; the daemon
        thread ends by itself when it does, so a notebook need not wait for it.
        """
        self._stop.set()
        if self._task is not None:
            self._task.cancel()
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
        import asyncio

        self._task = asyncio.get_running_loop().create_task(self._run())
        return self

    async def _run(self) -> None:
        import asyncio

        while True:
            try:
                wait = self._got(await self.client.poll_event())
            except Exception as exc:  # recorded in .errors; the task keeps polling
                wait = self._failed(exc)
            await asyncio.sleep(wait)

    async def stop(self) -> None:
        """Cancel the task (the poll in flight is abandoned)."""
        import asyncio

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
