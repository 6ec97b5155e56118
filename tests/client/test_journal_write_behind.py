"""The journal writes sends behind the caller, and loses none of them on the way.

A send is queued (`History.record`) and committed by the journal's writer thread; every read in
this process, `close()`, a second journal on the same file and the interpreter's end write what
waits first. `commit_within=3600` keeps the writer from writing on its own in a test, so each
test shows which of those wrote.
"""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest

from sendmessage_kit._results import SendResult
from sendmessage_kit._write_behind import WriteBehind
from sendmessage_kit.history import History, target_of
from sendmessage_kit.models import SendMessageResponse

NEVER = 3600.0  # a window no test waits out


def _result(code: str, retcode: str = "0") -> SendResult:
    result = SendResult(f'{{"callid":"c","data":"{code}"}}', "c", code, attempts=1)
    result.response = SendMessageResponse(retcode=retcode, message="")
    return result


def _record(h: History, *codes: str) -> None:
    for code in codes:
        h.record(_result(code), base_url="https://gw", agent_id="101")


def _on_disk(path: Path) -> list[str]:
    """What another connection (another process) reads from the file now."""
    db = sqlite3.connect(path)
    try:
        return [r[0] for r in db.execute("SELECT message_code FROM sends ORDER BY id")]
    finally:
        db.close()


def test_a_send_is_queued_and_every_read_writes_it_first(tmp_path: Path) -> None:
    path = tmp_path / "journal.sqlite3"
    with History(path, commit_within=NEVER) as h:
        _record(h, "m1", "m2")
        assert _on_disk(path) == []  # queued: the send did not wait for a commit
        assert [e.message_code for e in h.list()] == ["m2", "m1"]
        assert _on_disk(path) == ["m1", "m2"]
        _record(h, "m3")
        assert h.delivered(["m3"], target=target_of("https://gw", "101")) == {"m3"}
        _record(h, "m4")
        assert h.get(4).message_code == "m4"
        assert _on_disk(path) == ["m1", "m2", "m3", "m4"]


def test_close_writes_what_waits_at_once(tmp_path: Path) -> None:
    path = tmp_path / "journal.sqlite3"
    h = History(path, commit_within=NEVER)
    _record(h, "a", "b", "c")
    started = time.monotonic()
    h.close()
    assert time.monotonic() - started < NEVER / 2  # close woke the writer; it did not wait
    assert _on_disk(path) == ["a", "b", "c"]
    h.close()  # again: nothing to do
    with pytest.raises(RuntimeError, match="closed; nothing was written"):
        _record(h, "d")


def test_the_writer_writes_on_its_own_and_then_ends(tmp_path: Path) -> None:
    path = tmp_path / "journal.sqlite3"
    with History(path) as h:  # the default window
        _record(h, "x", "y")
        deadline = time.monotonic() + 30
        while _on_disk(path) != ["x", "y"] and time.monotonic() < deadline:
            time.sleep(0.02)
        assert _on_disk(path) == ["x", "y"]  # with no read and no close
        name = f"the send journal {path.resolve()}"
        while any(t.name == name for t in threading.enumerate()) and time.monotonic() < deadline:
            time.sleep(0.02)
        assert not any(t.name == name for t in threading.enumerate())  # nothing more came in


def test_a_second_journal_on_the_same_file_sees_the_first_ones_sends(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "journal.sqlite3"
    monkeypatch.chdir(tmp_path)  # the same file, spelled another way
    with History(path, commit_within=NEVER) as first, History("journal.sqlite3") as second:
        _record(first, "sent-by-the-first")
        where = target_of("https://gw", "101")
        assert second.delivered(["sent-by-the-first"], target=where) == {"sent-by-the-first"}


def test_the_interpreter_end_writes_what_waits(tmp_path: Path) -> None:
    path = tmp_path / "journal.sqlite3"
    script = textwrap.dedent(f"""
        from tests.client.test_journal_write_behind import NEVER, _record
        from sendmessage_kit.history import History
        h = History({str(path)!r}, commit_within=NEVER)
        _record(h, "e1", "e2")
        # no close: the process ends here
    """)
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run([sys.executable, "-c", script], cwd=root, timeout=120, check=False)
    assert done.returncode == 0
    assert _on_disk(path) == ["e1", "e2"]


def test_rows_a_write_refused_stay_queued_in_order() -> None:
    written: list[tuple[str]] = []
    refuse = [True]

    def write(rows: list[tuple[str]]) -> None:
        if refuse[0]:
            raise sqlite3.OperationalError("database is locked")
        written.extend(rows)

    queue = WriteBehind(write, threading.Lock(), within=NEVER, name="a test queue")  # type: ignore[arg-type]
    queue.put([("1",), ("2",)])
    with pytest.raises(sqlite3.OperationalError):
        queue.flush()
    queue.put([("3",)])
    assert queue.waiting == 3
    refuse[0] = False
    queue.close()
    assert written == [("1",), ("2",), ("3",)]


def test_in_a_browser_a_send_is_written_at_once_without_a_thread(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sendmessage_kit import _browser

    monkeypatch.setattr(_browser, "in_browser", lambda: True)  # Pyodide starts no threads
    started = threading.Thread.start
    monkeypatch.setattr(threading.Thread, "start", lambda self: pytest.fail("a thread started"))
    path = tmp_path / "journal.sqlite3"
    with History(path, commit_within=NEVER) as h:
        _record(h, "b1")
        assert _on_disk(path) == ["b1"]
    monkeypatch.setattr(threading.Thread, "start", started)
