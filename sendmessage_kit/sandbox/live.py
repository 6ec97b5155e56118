"""The sandbox's live feed: each stored message, pushed to the views of its chat as it happens.

The store calls `Feed.publish` for every new message (`Store.listeners`); each open stream
(`GET /sandbox/chats/{callid}/stream`, Server-Sent Events) holds a queue for one chat. Streams
end when the sandbox stops (`close()`), so a held stream never delays its shutdown.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

from sendmessage_kit.sandbox.store import StoredMessage

__all__ = ["Feed"]

_CLOSED = None  # what a queue receives when the feed closes


@dataclass
class Feed:
    """Subscribers per chat (callid); `publish` may be called from any thread."""

    _subscribers: dict[str, set[asyncio.Queue[StoredMessage | None]]] = field(default_factory=dict)
    _loop: asyncio.AbstractEventLoop | None = None
    closed: bool = False

    def publish(self, message: StoredMessage) -> None:
        """Hand a newly stored message to every stream of its chat."""
        queues = self._subscribers.get(message.callid)
        if not queues or self._loop is None:
            return
        for queue in list(queues):
            self._put(queue, message)

    def close(self) -> None:
        """End every stream (the sandbox is stopping); later streams end at once."""
        self.closed = True
        for queues in list(self._subscribers.values()):
            for queue in list(queues):
                self._put(queue, _CLOSED)

    def subscribers(self, callid: str) -> int:
        """How many streams follow this chat (tests, health)."""
        return len(self._subscribers.get(callid, ()))

    @contextlib.asynccontextmanager
    async def subscribe(self, callid: str) -> AsyncIterator[asyncio.Queue[StoredMessage | None]]:
        """A queue of the chat's new messages (None: the feed closed) while the block runs."""
        self._loop = asyncio.get_running_loop()
        queue: asyncio.Queue[StoredMessage | None] = asyncio.Queue()
        if self.closed:
            queue.put_nowait(_CLOSED)
        self._subscribers.setdefault(callid, set()).add(queue)
        try:
            yield queue
        finally:
            queues = self._subscribers.get(callid)
            if queues is not None:
                queues.discard(queue)
                if not queues:
                    del self._subscribers[callid]

    def _put(self, queue: asyncio.Queue[StoredMessage | None], item: StoredMessage | None) -> None:
        loop = self._loop
        if loop is None or loop.is_closed():
            return
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is loop:
            queue.put_nowait(item)
        else:
            loop.call_soon_threadsafe(queue.put_nowait, item)
