"""Rows queued by any thread and written by one writer thread, a window's worth at a time.

What the send journal (`history.History`) uses so that a send does not wait for a commit: `put`
queues rows and returns; the writer thread waits `within` seconds, then hands everything queued
to `write` in one call (one transaction), and ends when nothing came in for `LINGER` windows.
`drain` writes at once (the owner's reads call it first), `close` writes what waits and ends
the writer, and the interpreter's end closes every writer still open. In a browser (Pyodide: no
threads to start) `put` writes at once.
"""

from __future__ import annotations

import atexit
import logging
import threading
import weakref
from collections.abc import Callable
from typing import Any

from sendmessage_kit import _browser

logger = logging.getLogger("sendmessage_kit.history")

Row = tuple[Any, ...]
#: Windows with nothing to write after which the writer thread ends (a later `put` starts one).
LINGER = 20


class WriteBehind:
    """A queue of rows in front of `write`.

    Args:
        write: writes rows in one transaction; called with `lock` held, from the writer thread
            or from `drain` / `close`. When it raises, the rows stay queued, in order.
        lock: the lock around the owner's connection (held while writing).
        within: seconds a row may wait before the writer writes it.
        name: what the writer thread and the error log call this queue.
    """

    def __init__(
        self, write: Callable[[list[Row]], None], lock: threading.Lock, *, within: float, name: str
    ) -> None:
        self._write, self._lock, self.within, self.name = write, lock, within, name
        self._queue_lock = threading.Lock()  # `_queue`, `_writer`, `_closed`; after `_lock`
        self._queue: list[Row] = []
        self._writer: threading.Thread | None = None
        self._now = threading.Event()  # set by close(): write at once
        self._closed = False
        _OPEN.add(self)

    @property
    def waiting(self) -> int:
        """How many rows are queued, not yet written."""
        return len(self._queue)

    def put(self, rows: list[Row]) -> None:
        """Queue `rows`; the writer writes them within `within` seconds."""
        with self._queue_lock:
            if self._closed:
                raise RuntimeError(f"{self.name} is closed; nothing was written.")
            self._queue += rows
            now = _browser.in_browser()  # no threads to start: written now, by the caller
            if not now and self._writer is None:
                # A daemon: the interpreter's end writes what waits (`_close_all_at_exit`).
                self._writer = threading.Thread(target=self._run, name=self.name, daemon=True)
                self._writer.start()
        if now:
            self.flush()

    def drain(self) -> None:
        """Write what is queued now, in one call of `write` (the caller holds `lock`)."""
        with self._queue_lock:
            rows, self._queue = self._queue, []
        if not rows:
            return
        try:
            self._write(rows)
        except BaseException:
            with self._queue_lock:
                self._queue[:0] = rows  # kept, in order, for the next try
            raise

    def flush(self) -> None:
        """Write what is queued now (takes `lock`)."""
        with self._lock:
            self.drain()

    def close(self) -> None:
        """Write what waits and end the writer (again: nothing to do)."""
        with self._queue_lock:
            if self._closed:
                return
            self._closed = True
            writer = self._writer
        self._now.set()
        if writer is not None:
            writer.join()
        _OPEN.discard(self)
        self.flush()

    def _run(self) -> None:
        """The writer thread: every `within` seconds, what came in; ends after `LINGER` idle.

        It waits for more before ending: starting a thread took a send about 1 ms of the
        caller's time (`Thread.start` waits for the thread to run), once per burst of sends.
        """
        idle = 0
        while idle < LINGER:
            self._now.wait(self.within)
            with self._lock:
                try:
                    self.drain()
                except Exception as exc:  # left queued: the owner's next read or close raises
                    logger.error("%s could not be written: %s", self.name, exc)
                    with self._queue_lock:
                        self._writer = None
                    return
            with self._queue_lock:
                idle = 0 if self._queue else idle + 1
                if self._closed or idle >= LINGER:
                    self._writer = None
                    return


# Queues not yet closed: what they hold is written when the interpreter ends.
_OPEN: weakref.WeakSet[WriteBehind] = weakref.WeakSet()


def open_queues() -> list[WriteBehind]:
    """The queues not yet closed (the journal flushes those on its own file before a read)."""
    return list(_OPEN)


@atexit.register
def _close_all_at_exit() -> None:
    for queue in list(_OPEN):
        try:
            queue.close()
        except Exception as exc:
            logger.error("%s could not be written: %s", queue.name, exc)
