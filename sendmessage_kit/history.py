"""The send journal: every send appended to a local SQLite file, listed and replayed.

The journal keeps the request body (which never carries the Guid: that is a header), the
retcode, the outcome and the timing. Any secret the client knows is scrubbed from the body
before it is written, so no Guid or password ever reaches the file. The default file lives in
`platformdirs.user_data_dir("sendmessage-kit")`; `SENDMESSAGE_KIT_DATA_DIR` moves that folder.

Example:
    >>> h = History(":memory:")
    >>> _ = h.append(base_url="https://gw", agent_id="101", body='{"callid":"1"}', retcode="0")
    >>> [e.retcode for e in h.list()]
    ['0']
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sendmessage_kit.client import AsyncGatewayClient, GatewayClient, SendResult

__all__ = ["History", "HistoryEntry", "data_dir"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS sends (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at REAL NOT NULL,
    source TEXT NOT NULL,
    base_url TEXT NOT NULL,
    agent_id TEXT NOT NULL,
    callid TEXT,
    message_code TEXT,
    body TEXT NOT NULL,
    retcode TEXT,
    ok INTEGER NOT NULL,
    error TEXT,
    elapsed REAL,
    attempts INTEGER
);
CREATE INDEX IF NOT EXISTS sends_code ON sends (message_code, ok);
"""


_INSERT = (
    "INSERT INTO sends (at, source, base_url, agent_id, callid, message_code, body,"
    " retcode, ok, error, elapsed, attempts) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)"
)


def _fields(result: SendResult) -> dict[str, Any]:
    return {
        "body": result.request_body,
        "retcode": result.retcode,
        "ok": result.ok,
        "callid": result.callid,
        "message_code": result.message_code,
        "error": str(result.error) if result.error else None,
        "elapsed": result.elapsed,
        "attempts": result.attempts,
    }


def _row(
    at: float,
    source: str,
    base_url: str,
    agent_id: str,
    secrets: list[str],
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
    return (at, source, base_url, agent_id, callid, message_code, _scrub(body, secrets), retcode,
            int(ok), _scrub(error, secrets) if error else None, elapsed, attempts)  # fmt: skip


def data_dir() -> Path:
    """The kit's data folder: `KitSettings().data_folder` (`SENDMESSAGE_KIT_DATA_DIR`, `.env`)."""
    from sendmessage_kit.settings import KitSettings

    return KitSettings().data_folder


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


def _scrub(text: str, secrets: Iterable[str]) -> str:
    for secret in secrets:
        if secret and len(secret) >= 4 and secret in text:
            from sendmessage_kit.auth import mask

            text = text.replace(secret, mask(secret))
    return text


class History:
    """The SQLite send journal; safe to share between threads."""

    def __init__(self, path: str | Path | None = None) -> None:
        if path is None:
            from sendmessage_kit.settings import KitSettings

            path = KitSettings().journal_path
        self.path = str(path)
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        if self.path != ":memory:":
            self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(_SCHEMA)

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
        secrets: Iterable[str] = (),
    ) -> int:
        """Write one send; `secrets` are masked wherever they appear. Returns the entry id."""
        row = _row(
            time.time(), source, base_url, agent_id, list(secrets), body=body, retcode=retcode,
            ok=retcode == "0" if ok is None else ok, callid=callid, message_code=message_code,
            error=error, elapsed=elapsed, attempts=attempts,
        )  # fmt: skip
        with self._lock:
            cur = self._db.execute(_INSERT, row)
        return int(cur.lastrowid or 0)

    def record(
        self,
        result: SendResult,
        *,
        base_url: str,
        agent_id: str,
        source: str = "client",
        secrets: Iterable[str] = (),
    ) -> int:
        """Write a client's `SendResult` (one per send: the row is built without detours)."""
        error = result.error
        retcode = result.retcode
        masked = list(secrets)
        row = (time.time(), source, base_url, agent_id, result.callid, result.message_code,
               _scrub(result.request_body, masked), retcode, int(retcode == "0"),
               _scrub(str(error), masked) if error else None, result.elapsed,
               result.attempts)  # fmt: skip
        with self._lock:
            cur = self._db.execute(_INSERT, row)
        return int(cur.lastrowid or 0)

    def record_many(
        self,
        results: Iterable[SendResult],
        *,
        base_url: str,
        agent_id: str,
        source: str = "client",
        secrets: Iterable[str] = (),
    ) -> None:
        """Write many `SendResult`s in one transaction (what `send_many` does in batches)."""
        masked, now = list(secrets), time.time()
        rows = [_row(now, source, base_url, agent_id, masked, **_fields(r)) for r in results]
        with self._lock:
            self._db.execute("BEGIN")
            try:
                self._db.executemany(_INSERT, rows)
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def list(self, limit: int = 50) -> list[HistoryEntry]:
        """The newest `limit` entries, newest first."""
        with self._lock:
            rows = self._db.execute(
                "SELECT * FROM sends ORDER BY id DESC LIMIT ?", (limit,)
            ).fetchall()
        return [_entry(r) for r in rows]

    def get(self, entry_id: int) -> HistoryEntry:
        """One entry by id (KeyError when absent)."""
        with self._lock:
            row = self._db.execute("SELECT * FROM sends WHERE id = ?", (entry_id,)).fetchone()
        if row is None:
            raise KeyError(f"no history entry {entry_id} in {self.path}")
        return _entry(row)

    def delivered(self, message_codes: Iterable[str]) -> set[str]:
        """Which of these messageCodes were already delivered (retcode "0")."""
        codes = list(message_codes)
        found: set[str] = set()
        with self._lock:
            for i in range(0, len(codes), 500):
                chunk = codes[i : i + 500]
                marks = ",".join("?" * len(chunk))
                found.update(
                    r[0]
                    for r in self._db.execute(
                        "SELECT message_code FROM sends WHERE ok = 1 AND message_code IN "
                        f"({marks})",
                        chunk,
                    )
                )
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
        """Close the database."""
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


def _entry(row: tuple[Any, ...]) -> HistoryEntry:
    return HistoryEntry(
        id=row[0],
        at=row[1],
        source=row[2],
        base_url=row[3],
        agent_id=row[4],
        callid=row[5],
        message_code=row[6],
        body=row[7],
        retcode=row[8],
        ok=bool(row[9]),
        error=row[10],
        elapsed=row[11],
        attempts=row[12],
    )
