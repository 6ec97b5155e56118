"""Work done once for every pytest-xdist worker of a session (and every run of this clone).

`pytest -n 2` runs the suite in two processes, each with its own session fixtures. What is costly
or writes to one place (the docs build, the npm tools in `.cache/`) is done under an exclusive
file lock by the first worker that needs it; the others wait, then use the result. This is
pytest-xdist's documented recipe ("Making session-scoped fixtures execute only once"), with
`fcntl.flock` instead of the `filelock` package, which the kit does not otherwise need.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest


@contextmanager
def exclusive(lock: Path) -> Iterator[None]:
    """Hold an exclusive lock on `lock` (created if missing) across processes; released on exit,
    also when the holder dies (the kernel drops a dead process's flock)."""
    lock.parent.mkdir(parents=True, exist_ok=True)
    with lock.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def session_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A temp folder every worker of this pytest session shares (the session's own without xdist).

    Under xdist each worker's base temp is `<session>/popen-gwN`; their parent is the session's.
    """
    base = tmp_path_factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base
