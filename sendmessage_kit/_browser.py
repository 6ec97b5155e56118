"""Browser mode: the kit inside a web page (Pyodide, e.g. the docs' "Try it" lab).

A page has no sockets and no threads to start a server with, so in a browser
(`sys.platform == "emscripten"`, detected, never configured):

- `sandbox.start()` returns a `PageSandbox` (`sandbox/page.py`): the same app, served
  in-process. Its clients (the agent's `GatewayClient`, the customer side, `faults`) get an
  `InProcessTransport`, which hands each request to the app through `httpx2.ASGITransport` — no
  socket is opened.
- work that runs on threads elsewhere (the conversation's refresh, event polling, heartbeats)
  runs as asyncio tasks on the page's event loop (`every()`).

Everything else — `open_target()`, the widgets — is unchanged for the reader.

The sync clients call into an async app: `InProcessTransport` runs the app to completion on an
event loop of its own (`_InlineLoop`), one per sandbox, so the app's asyncio objects always see
the same loop. The page's own loop is running while a cell (or a widget's callback) runs, so the
transport sets it aside for the call (`asyncio.events._set_running_loop`, the hook asyncio exports
for event loops written outside it; `sandbox/page.py`, pinned by tests/sandbox/test_page.py).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import asyncio

__all__ = ["BASE_URL", "every", "in_browser"]

#: Where a page sandbox "is": never resolved (`.invalid`, RFC 2606), only a name in URLs and logs.
BASE_URL = "http://sandbox.invalid"


def in_browser() -> bool:
    """True inside a web page (Pyodide): no sockets to serve on, no threads to start."""
    return sys.platform == "emscripten"


def every(step: Callable[[], object], interval: float) -> asyncio.Task[None]:
    """Call `step()` now and again after `interval` s (or after its answer, if a number), as a task.

    The browser's stand-in for a polling thread: cancel the task to stop. `step` runs on the
    page's loop between other work, so it must not block for long.
    """
    import asyncio

    async def run() -> None:
        while True:
            wait = step()
            number = isinstance(wait, int | float) and not isinstance(wait, bool)
            await asyncio.sleep(float(wait) if number else interval)  # type: ignore[arg-type]

    return asyncio.get_event_loop().create_task(run())
