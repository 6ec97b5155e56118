"""The send journal: every send appended to a local SQLite file, listed and replayed.

The journal keeps the request body exactly as sent, the retcode, the outcome, the timing and
the target: where the message went (the gateway's address and agent ID, or a sandbox's). It
holds no secret because it never stores one: no headers (the Guid is a header) and no sign-in
bodies (the password), only sendmessage bodies. "Already delivered" (`delivered()`, the rerun
skip of `send_many` and `send --csv`) counts only deliveries to the same target. The default
file lives in `platformdirs.user_data_dir("sendmessage-kit")`; `SENDMESSAGE_KIT_DATA_DIR` moves
that folder.
The file carries its schema version (`PRAGMA user_version`, `SCHEMA_VERSION`); a file written by
an older kit is migrated when it is opened (rows from before targets were recorded count as
delivered to no gateway), and one from a newer kit is refused with the fix, as is a file that
is not a readable SQLite journal. Entries are read by column name, never by position.

A client's sends (`record`, `record_many`) are written behind: a writer thread commits what has
come in, in one transaction, at most `COMMIT_WITHIN` seconds after it came (one commit per send
cost a sequential send about a tenth of its time, on the caller's thread or event loop). Every
read in this process (`list`, `get`, `delivered`) and `close()` write what is waiting first, and
so does the end of the interpreter; a crash (a kill, a power cut) loses at most that window, and
a rerun then resends those messages with the same messageCode.

Example:
    >>> h = History(":memory:")
    >>> _ = h.append(base_url="https://gw", agent_id="101", body='{"callid":"1"}', retcode="0")
    >>> [(e.retcode, e.target) for e in h.list()]
    [('0', 'gateway https://gw/agentgateway agent 101')]
"""

from __future__ import annotations

import dataclasses
import os
import sqlite3
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sendmessage_kit._journal_schema import SCHEMA_VERSION, migrate
from sendmessage_kit._write_behind import WriteBehind, open_queues

if TYPE_CHECKING:
    from sendmessage_kit.client import AsyncGatewayClient, GatewayClient, SendResult

__all__ = ["COMMIT_WITHIN", "SCHEMA_VERSION", "History", "HistoryEntry", "target_of"]

#: Seconds within which a recorded send reaches the file (see the module's docstring).
COMMIT_WITHIN = 0.05

_INSERT = (
    "INSERT INTO sends (at, source, base_url, agent_id, callid, message_code, body,"
    " retcode, ok, error, elapsed, attempts, target) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)"
)


def target_of(base_url: str, agent_id: str, *, sandbox: bool = False) -> str:
    """Where a send goes, as the journal records it: kind, gateway root and agent ID.

    Example:
        >>> target_of("https://10.0.0.5:8043/", "101")
        'gateway https://10.0.0.5:8043/agentgateway agent 101'
        >>> target_of("http://127.0.0.1:8043", "101", sandbox=True)
        'sandbox http://127.0.0.1:8043/agentgateway agent 101'
    """
    from sendmessage_kit._http import gateway_root
    from sendmessage_kit.errors import SettingsError

    try:
        root = gateway_root(base_url)
    except SettingsError:
        root = base_url.strip().rstrip("/")
    return f"{'sandbox' if sandbox else 'gateway'} {root} agent {agent_id}"


def _unreadable(path: str, exc: sqlite3.Error) -> Exception:
    from sendmessage_kit.errors import SettingsError

    return SettingsError(
        f"the send journal {path} cannot be read ({exc}): move it aside (e.g. "
        f"mv '{path}' '{path}.unreadable') and run again to start a new one, or set "
        "SENDMESSAGE_KIT_HISTORY_PATH to another file. Nothing was sent."
    )


def _fields(result: SendResult) -> dict[str, Any]:
    return {"body": result.request_body, "retcode": result.retcode, "ok": result.ok,
            "callid": result.callid, "message_code": result.message_code,
            "error": str(result.error) if result.error else None, "elapsed": result.elapsed,
            "attempts": result.attempts}  # fmt: skip


def _row(
    at: float,
    source: str,
    base_url: str,
    agent_id: str,
    target: str,
    *,
    body: str,
    retcode: str | None,
    ok: bool,
    callid: str | None,
    message_code: str | None,
    error: str | None,
    elapsed: float | None,
    attempts: int | None,
) -> tuple[Any, ...]:
    return (at, source, base_url, agent_id, callid, message_code, body, retcode, int(ok), error,
            elapsed, attempts, target)  # fmt: skip


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    """One journaled send."""

    id: int
    at: float
    source: str
    base_url: str
    agent_id: str
    callid: str | None
    message_code: str | None
    body: str
    retcode: str | None
    ok: bool
    error: str | None
    elapsed: float | None
    attempts: int | None
    user_id: str | None = None
    target: str | None = None


_COLUMNS = ", ".join(f.name for f in dataclasses.fields(HistoryEntry))


class History:
    """The SQLite send journal; safe to share between threads.

    Args:
        path: the SQLite file (default: `KitSettings().journal_path`; ":memory:" for none).
        commit_within: seconds within which `record` / `record_many` reach the file.
    """

    def __init__(
        self, path: str | Path | None = None, *, commit_within: float = COMMIT_WITHIN
    ) -> None:
        if path is None:
            from sendmessage_kit.settings import KitSettings

            path = KitSettings().journal_path
        self.path = str(path)
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()  # the connection
        self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        try:
            self._open()
        except sqlite3.DatabaseError as exc:  # not SQLite, truncated, malformed
            self._db.close()
            raise _unreadable(self.path, exc) from None
        except BaseException:
            self._db.close()
            raise
        # Sends are written behind (the module's docstring); one name per file, however it was
        # spelled (_flush_same_file finds the other journals on it by that name).
        where = self.path if self.path == ":memory:" else os.path.realpath(self.path)
        self._behind = WriteBehind(
            self._insert, self._lock, within=commit_within, name=f"the send journal {where}"
        )

    def _open(self) -> None:
        if self.path != ":memory:":
            self._db.execute("PRAGMA journal_mode=WAL")
            # NORMAL syncs only at checkpoints; one every 4,000 pages instead of SQLite's 1,000
            # spreads the fsyncs over more sends. The WAL is cut back to 4 MB after each
            # checkpoint.
            self._db.execute("PRAGMA wal_autocheckpoint=4000")
            self._db.execute("PRAGMA journal_size_limit=4194304")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.row_factory = sqlite3.Row
        self.schema_version = migrate(self._db, self.path)
        self._db.execute("SELECT count(*) FROM sends WHERE id = 0").fetchone()  # readable?

    def append(
        self,
        *,
        base_url: str,
        agent_id: str,
        body: str,
        retcode: str | None,
        ok: bool | None = None,
        callid: str | None = None,
        message_code: str | None = None,
        error: str | None = None,
        elapsed: float | None = None,
        attempts: int | None = None,
        source: str = "client",
        target: str | None = None,
    ) -> int:
        """Write one send (`target`: default `target_of(base_url, agent_id)`); its entry id."""
        where = target if target is not None else target_of(base_url, agent_id)
        row = _row(
            time.time(), source, base_url, agent_id, where, body=body, retcode=retcode,
            ok=retcode == "0" if ok is None else ok, callid=callid, message_code=message_code,
            error=error, elapsed=elapsed, attempts=attempts,
        )  # fmt: skip
        with self._lock:
            self._behind.drain()  # ids in the order of the sends
            cur = self._db.execute(_INSERT, row)
        return int(cur.lastrowid or 0)

    def record(
        self,
        result: SendResult,
        *,
        base_url: str,
        agent_id: str,
        source: str = "client",
        target: str | None = None,
    ) -> None:
        """Journal a client's `SendResult`; it reaches the file within `commit_within`."""
        error = result.error
        retcode = result.retcode
        where = target if target is not None else target_of(base_url, agent_id)
        row = (time.time(), source, base_url, agent_id, result.callid, result.message_code,
               result.request_body, retcode, int(retcode == "0"), str(error) if error else None,
               result.elapsed, result.attempts, where)  # fmt: skip
        self._behind.put([row])

    def record_many(
        self,
        results: Iterable[SendResult],
        *,
        base_url: str,
        agent_id: str,
        source: str = "client",
        target: str | None = None,
    ) -> None:
        """Journal many `SendResult`s (what `send_many` does in batches), written together."""
        where, now = target if target is not None else target_of(base_url, agent_id), time.time()
        self._behind.put(
            [_row(now, source, base_url, agent_id, where, **_fields(r)) for r in results]
        )

    def _insert(self, rows: list[tuple[Any, ...]]) -> None:
        """Write `rows` in one transaction (`_lock` held: the write-behind queue's `write`)."""
        self._db.execute("BEGIN")
        try:
            self._db.executemany(_INSERT, rows)
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    def flush(self) -> None:
        """Write what is waiting now (reads and `close()` do this themselves)."""
        self._behind.flush()

    def _flush_same_file(self) -> None:
        """Before a read: write what other open journals on this file hold (this process)."""
        if self.path != ":memory:":
            for queue in open_queues():
                if queue is not self._behind and queue.name == self._behind.name and queue.waiting:
                    queue.flush()

    def list(self, limit: int = 50) -> list[HistoryEntry]:
        """The newest `limit` entries, newest first."""
        self._flush_same_file()
        with self._lock:
            self._behind.drain()
            rows = self._db.execute(
                f"SELECT {_COLUMNS} FROM sends ORDER BY id DESC LIMIT ?", (limit,)
            ).fetchall()
        return [_entry(r) for r in rows]

    def get(self, entry_id: int) -> HistoryEntry:
        """One entry by id (KeyError when absent)."""
        self._flush_same_file()
        with self._lock:
            self._behind.drain()
            row = self._db.execute(
                f"SELECT {_COLUMNS} FROM sends WHERE id = ?", (entry_id,)
            ).fetchone()
        if row is None:
            raise KeyError(f"no history entry {entry_id} in {self.path}")
        return _entry(row)

    def delivered(self, message_codes: Iterable[str], *, target: str) -> set[str]:
        """Which of these messageCodes were already delivered (retcode "0") to `target`.

        `target` is `target_of(...)` of where the messages go now: a delivery to another
        gateway, agent or sandbox does not count (nor one journaled before targets were).
        """
        codes = list(message_codes)
        found: set[str] = set()
        self._flush_same_file()
        with self._lock:
            try:
                self._behind.drain()
                for i in range(0, len(codes), 500):
                    chunk = codes[i : i + 500]
                    marks = ",".join("?" * len(chunk))
                    found.update(
                        r[0]
                        for r in self._db.execute(
                            "SELECT message_code FROM sends WHERE ok = 1 AND target = ? AND "
                            f"message_code IN ({marks})",
                            [target, *chunk],
                        )
                    )
            except sqlite3.DatabaseError as exc:
                raise _unreadable(self.path, exc) from None
        return found

    def replay(
        self, entry_id: int, client: GatewayClient, *, new_message_code: bool = False, **kw: Any
    ) -> SendResult:
        """Send an entry's body again with `client`.

        The same messageCode is kept unless `new_message_code` (the sandbox then stores it once
        and answers success; a real gateway's rule for repeats is unpublished).
        """
        return client.send_request(_replay_request(self.get(entry_id), new_message_code), **kw)

    async def areplay(
        self,
        entry_id: int,
        client: AsyncGatewayClient,
        *,
        new_message_code: bool = False,
        **kw: Any,
    ) -> SendResult:
        """`replay` for the async client."""
        request = _replay_request(self.get(entry_id), new_message_code)
        return await client.send_request(request, **kw)

    def close(self) -> None:
        """Write what is waiting and close the database (again: nothing to do)."""
        try:
            self._behind.close()
        finally:
            with self._lock:
                self._db.close()

    def __enter__(self) -> History:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"History({self.path!r})"


def _replay_request(entry: HistoryEntry, new_message_code: bool) -> Any:
    import uuid

    from sendmessage_kit.encoding import decode_body
    from sendmessage_kit.models import MessageData

    request = decode_body(entry.body)
    if new_message_code and isinstance(request.data, MessageData):
        request = request.model_copy(
            update={"data": request.data.model_copy(update={"messageCode": str(uuid.uuid4())})}
        )
    return request


def _entry(row: sqlite3.Row) -> HistoryEntry:
    values = {name: row[name] for name in row.keys()}
    values["ok"] = bool(values["ok"])
    return HistoryEntry(**values)
