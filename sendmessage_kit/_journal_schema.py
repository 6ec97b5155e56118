"""The send journal's SQLite schema, versioned with `PRAGMA user_version`, and its migrations.

A file is brought up to date when `history.History` opens it, one step at a time, each step all
or nothing; version 0 is a file from before the journal had a version.
"""

from __future__ import annotations

import sqlite3

SCHEMA_VERSION = 4
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
# v3: where each send went (`target_of()`); rows from before stay NULL: delivered to no gateway
# the kit can name, so they never make a rerun skip a message.
_ADD_TARGET_V3 = """
ALTER TABLE sends ADD COLUMN target TEXT;
CREATE INDEX IF NOT EXISTS sends_target ON sends (target, message_code) WHERE ok = 1;
"""
# v4: the v1 index on (message_code, ok) goes: no query has used it since v3, and every send paid
# for it with one more page written.
_DROP_CODE_INDEX_V4 = """
DROP INDEX IF EXISTS sends_code;
"""
_MIGRATIONS: dict[int, str] = {
    0: _CREATE_V1, 1: _ADD_USER_ID_V2, 2: _ADD_TARGET_V3, 3: _DROP_CODE_INDEX_V4
}  # fmt: skip


def migrate(db: sqlite3.Connection, where: str) -> int:
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
