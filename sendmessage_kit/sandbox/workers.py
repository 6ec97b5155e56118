"""A worker process for CPU-heavy work, so the sandbox's event loop keeps answering.

Checking a sendmessage body of a few MB (tens of thousands of unknown `data` keys) takes about
a second of CPU, most of it inside json and pydantic, which hold the GIL for a whole parse: a
thread would still stall every other request. `Workers` runs such a call in one process of its
own, started at first use ("spawn": no fork of a threaded server) and stopped by `close()`.
"""

from __future__ import annotations

import asyncio
import contextlib
import multiprocessing
import os
import threading
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from typing import Any, TypeVar

__all__ = ["Workers"]

T = TypeVar("T")


class Workers:
    """One worker process, started when first needed."""

    def __init__(self) -> None:
        self._pool: ProcessPoolExecutor | None = None
        self._lock = threading.Lock()
        self._closed = False

    def _get(self) -> ProcessPoolExecutor:
        with self._lock:
            if self._closed:
                raise RuntimeError("the sandbox's workers are closed")
            if self._pool is None:
                context = multiprocessing.get_context("spawn")
                # A lower priority: on a busy machine the server's own process, which answers
                # every other request, gets the CPU first.
                self._pool = ProcessPoolExecutor(
                    max_workers=1, mp_context=context, initializer=_lower_priority
                )
            return self._pool

    async def run(self, fn: Callable[..., T], *args: Any) -> T:
        """`fn(*args)` in the worker process (both must pickle); its exception is raised here.

        The submit runs in a thread: it starts the process the first time, and pickles the
        arguments, neither of which should hold up the event loop.
        """
        future = await asyncio.to_thread(self._get().submit, fn, *args)
        return await asyncio.wrap_future(future)

    @property
    def started(self) -> bool:
        """True once the worker process was started (and not yet closed)."""
        return self._pool is not None

    def close(self) -> None:
        """Stop the worker process (idempotent)."""
        with self._lock:
            self._closed = True
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)


def _lower_priority() -> None:
    with contextlib.suppress(OSError, AttributeError):  # AttributeError: no nice() (Windows)
        os.nice(10)
    # A sandbox that ends without close() (killed) must not leave its worker behind: the worker
    # ends itself once its parent is gone (it is then adopted, so its parent's pid changes).
    parent = os.getppid()
    threading.Thread(target=_end_with, args=(parent,), daemon=True).start()


def _end_with(parent: int, every: float = 1.0) -> None:
    while os.getppid() == parent:
        time.sleep(every)
    os._exit(0)
