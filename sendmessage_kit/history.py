"""The send journal: every send appended to a local SQLite file, listed and replayed.

The journal keeps the request body (which never carries the Guid: that is a header), the
retcode, the outcome and the timing. Any secret the client knows is scrubbed from the body
before it is written, so no Guid or password ever reaches the file. The default file lives in
`platformdirs.user_data_dir("sendmessage-kit")`; `SENDMESSAGE_KIT_DATA_DIR` moves that folder.
The file carries its schema version (`PRAGMA user_version`, `SCHEMA_VERSION`); a file written by
an older kit is migrated when it is opened, and one from a newer kit is refused with the fix.
Entries are read by column name, never by position.

Example:
    >>> h = History(":memory:")
    >>> _ = h.append(base_url="https://gw", agent_id="101", body='{"callid":"1"}', retcode="0")
    >>> [e.retcode for e in h.list()]
    ['0']
"""

from __future__ import annotations

import dataclasses
import sqlite3
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sendmessage_kit.client import AsyncGatewayClient, GatewayClient, SendResult

__all__ = ["SCHEMA_VERSION", "History", "HistoryEntry"]

# The journal's schema, versioned with `PRAGMA user_version`. A file is brought up to date when it
# is opened, one step at a time; version 0 is a file from before the journal had a version.
SCHEMA_VERSION = 2
_CREATE_V1 = """
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
# v2: the customer a send went to (`data.to`), computed by SQLite from the stored body when read,
# so sending does no extra work; NULL when the body or its `data` is not JSON.
_ADD_USER_ID_V2 = """
ALTER TABLE sends ADD COLUMN user_id TEXT GENERATED ALWAYS AS (
    CASE WHEN json_valid(body) THEN (
        CASE WHEN json_valid(json_extract(body, '$.data'))
        THEN json_extract(json_extract(body, '$.data'), '$.to') END
    ) END
) VIRTUAL;
"""
_MIGRATIONS: dict[int, str] = {0: _CREATE_V1, 1: _ADD_USER_ID_V2}  # version -> step to the next


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


_COLUMNS = ", ".join(f.name for f in dataclasses.fields(HistoryEntry))


def _migrate(db: sqlite3.Connection, where: str) -> int:
    """Bring the file's schema up to `SCHEMA_VERSION`, one step at a time; the version."""
    version = int(db.execute("PRAGMA user_version").fetchone()[0])
    if version > SCHEMA_VERSION:
        from sendmessage_kit.errors import SettingsError

        raise SettingsError(
            f"the send journal {where} has schema version {version}, written by a newer "
            f"sendmessage-kit (this one knows up to {SCHEMA_VERSION}): upgrade the kit, or set "
            "SENDMESSAGE_KIT_HISTORY_PATH (or pass history=History(path)) to another file."
        )
    while version < SCHEMA_VERSION:
        db.execute("BEGIN IMMEDIATE")  # one step, all or nothing, one process at a time
        try:
            current = int(db.execute("PRAGMA user_version").fetchone()[0])
            if current == version:  # not migrated meanwhile by another process
                for statement in filter(str.strip, _MIGRATIONS[version].split(";\n")):
                    db.execute(statement)
                db.execute(f"PRAGMA user_version = {version + 1}")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")
        version = int(db.execute("PRAGMA user_version").fetchone()[0])
    return version


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
            # NORMAL syncs only at checkpoints; one every 4,000 pages instead of SQLite's 1,000
            # takes a single send's journal write from about 90 to 55 µs (the fsyncs, spread
            # over more rows). The WAL is cut back to 4 MB after each checkpoint.
            self._db.execute("PRAGMA wal_autocheckpoint=4000")
            self._db.execute("PRAGMA journal_size_limit=4194304")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.row_factory = sqlite3.Row
        try:
            self.schema_version = _migrate(self._db, self.path)
        except BaseException:
            self._db.close()
            raise

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
                f"SELECT {_COLUMNS} FROM sends ORDER BY id DESC LIMIT ?", (limit,)
            ).fetchall()
        return [_entry(r) for r in rows]

    def get(self, entry_id: int) -> HistoryEntry:
        """One entry by id (KeyError when absent)."""
        with self._lock:
            row = self._db.execute(
                f"SELECT {_COLUMNS} FROM sends WHERE id = ?", (entry_id,)
            ).fetchone()
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


def _entry(row: sqlite3.Row) -> HistoryEntry:
    values = {name: row[name] for name in row.keys()}
    values["ok"] = bool(values["ok"])
    return HistoryEntry(**values)
