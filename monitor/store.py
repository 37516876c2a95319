"""The SQLite store: one file, WAL, versioned migrations, short transactions.

Writers (the crawl child process, `check`, the outbox) and readers (the dashboard) share the
file; WAL plus a busy timeout lets them overlap (spec/ecosystem-notes.md §3). Migrations are
numbered SQL scripts applied in order and recorded in `PRAGMA user_version`, so an old
database upgrades in place and re-running never duplicates anything.
"""
from __future__ import annotations

import sqlite3
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterable

from sqlite_utils import Database

BUSY_TIMEOUT_MS = 15_000

MIGRATIONS: list[str] = [
    # 1: units, columns, raw observations (fetches, items), findings, runs
    """
    CREATE TABLE runs (
        id INTEGER PRIMARY KEY,
        kind TEXT NOT NULL,                 -- crawl | check | run
        started_at TEXT NOT NULL,
        finished_at TEXT,
        status TEXT NOT NULL DEFAULT 'running',   -- running | ok | partial | failed | interrupted
        today TEXT,
        units INTEGER NOT NULL DEFAULT 0,
        pages INTEGER NOT NULL DEFAULT 0,
        not_modified INTEGER NOT NULL DEFAULT 0,
        errors INTEGER NOT NULL DEFAULT 0,
        summary TEXT
    );
    CREATE TABLE units (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        type TEXT NOT NULL,
        site TEXT,
        contact_name TEXT,
        contact_email TEXT,
        updated_at TEXT NOT NULL
    );
    CREATE TABLE columns (
        id TEXT PRIMARY KEY,                -- fingerprint of unit id + canonical URL
        unit_id TEXT NOT NULL,
        name TEXT NOT NULL,
        url TEXT NOT NULL,                  -- the URL that is fetched
        in_config INTEGER NOT NULL DEFAULT 0,
        discovered INTEGER NOT NULL DEFAULT 0,
        category TEXT,                      -- as last evaluated by `check`
        category_source TEXT,               -- config | inferred | default
        first_seen TEXT NOT NULL,
        last_seen TEXT NOT NULL,
        -- summary of the latest fetch of the column's list (the raw rows are in `fetches`)
        last_run INTEGER,
        last_fetch_at TEXT,
        last_outcome TEXT,                  -- ok | not_modified | http_error | network_error | robots | too_large
        last_http_status INTEGER,
        last_error TEXT,
        last_ok_at TEXT,
        pages_seen INTEGER,
        item_count INTEGER,
        dated_count INTEGER,
        newest_date TEXT,
        newest_title TEXT,
        newest_url TEXT,
        etag TEXT,
        last_modified TEXT,
        body_hash TEXT
    );
    CREATE INDEX columns_unit ON columns(unit_id);
    CREATE TABLE fetches (
        id INTEGER PRIMARY KEY,
        run_id INTEGER,
        unit_id TEXT,
        column_id TEXT,
        url TEXT NOT NULL,
        purpose TEXT NOT NULL,              -- site | list | page
        fetched_at TEXT NOT NULL,
        outcome TEXT NOT NULL,
        http_status INTEGER,
        error TEXT,
        elapsed_ms INTEGER,
        bytes INTEGER,
        encoding TEXT,
        retries INTEGER NOT NULL DEFAULT 0
    );
    CREATE INDEX fetches_run ON fetches(run_id);
    CREATE INDEX fetches_column ON fetches(column_id, fetched_at);
    CREATE TABLE items (
        id INTEGER PRIMARY KEY,
        column_id TEXT NOT NULL,
        url TEXT NOT NULL,
        title TEXT NOT NULL,
        date TEXT,                          -- ISO date as displayed, parsed; NULL when unreadable
        date_text TEXT,
        first_seen TEXT NOT NULL,
        last_seen TEXT NOT NULL,
        first_run INTEGER,
        last_run INTEGER,
        UNIQUE (column_id, url)
    );
    CREATE TABLE findings (
        id TEXT PRIMARY KEY,                -- stable fingerprint of rule + unit + subject
        rule TEXT NOT NULL,
        kind TEXT NOT NULL,
        severity TEXT NOT NULL,
        result TEXT NOT NULL,               -- fail | warning | uncertain
        status TEXT NOT NULL,               -- open | resolved
        unit_id TEXT NOT NULL,
        unit_name TEXT NOT NULL,
        subject TEXT NOT NULL,              -- JSON
        message TEXT NOT NULL,
        evidence TEXT NOT NULL,             -- JSON
        first_seen TEXT NOT NULL,
        last_seen TEXT NOT NULL,
        resolved_at TEXT,
        check_run INTEGER
    );
    CREATE INDEX findings_status ON findings(status, kind);
    CREATE TABLE finding_history (          -- one row per check run and open finding kind count (trend)
        run_id INTEGER NOT NULL,
        day TEXT NOT NULL,
        kind TEXT NOT NULL,
        open_count INTEGER NOT NULL,
        PRIMARY KEY (run_id, kind)
    );
    """,
    # 2: annual-report versions (every fetched version kept) and the e-mail outbox
    """
    CREATE TABLE documents (
        id INTEGER PRIMARY KEY,
        unit_id TEXT NOT NULL,
        column_id TEXT,
        url TEXT NOT NULL,
        title TEXT,
        year INTEGER,                       -- report year, from the title
        published TEXT,                     -- displayed publication date (ISO)
        content_type TEXT,
        content_hash TEXT NOT NULL,         -- sha256 of the raw bytes
        raw BLOB NOT NULL,
        text TEXT,
        parsed TEXT,                        -- JSON of the parsed report
        etag TEXT,
        last_modified TEXT,
        first_fetched TEXT NOT NULL,
        last_fetched TEXT NOT NULL,
        UNIQUE (url, content_hash)
    );
    CREATE INDEX documents_unit_year ON documents(unit_id, year);
    CREATE TABLE outbox (
        key TEXT PRIMARY KEY,               -- idempotency key: kind:period:recipient
        kind TEXT NOT NULL,                 -- bulletin | liaison | warning
        period TEXT NOT NULL,               -- 2026-10 for a month, 2026-11-27 for a day
        recipient TEXT NOT NULL,
        message_id TEXT NOT NULL,           -- deterministic, so a resend after a crash is recognisable
        subject TEXT NOT NULL,
        eml BLOB NOT NULL,                  -- the exact message, built once
        status TEXT NOT NULL DEFAULT 'pending',   -- pending | sending | sent | failed
        attempts INTEGER NOT NULL DEFAULT 0,
        last_error TEXT,
        next_attempt_at TEXT,
        created_at TEXT NOT NULL,
        claimed_at TEXT,
        sent_at TEXT
    );
    CREATE INDEX outbox_status ON outbox(status);
    """,
    # 3: a unit's findings without scanning them all (dashboard unit page, bulletin routing)
    """
    CREATE INDEX findings_unit ON findings(unit_id, status);
    """,
    # 4: detail pages of list items — metadata and main-text versions (edits after publication,
    # back-dating, deletion, late disclosure)
    """
    CREATE TABLE item_versions (
        id INTEGER PRIMARY KEY,
        column_id TEXT NOT NULL,
        url TEXT NOT NULL,
        first_fetched TEXT NOT NULL,
        last_fetched TEXT NOT NULL,
        run_id INTEGER,
        title TEXT,
        text_hash TEXT NOT NULL,            -- sha256 of the main text with boilerplate removed
        text TEXT,                          -- the main text (capped), for the diff shown as evidence
        pub_date TEXT,                      -- 发布日期 (ISO)
        written_date TEXT,                  -- 成文日期 (ISO)
        publisher TEXT,                     -- 发布机构
        index_no TEXT,                      -- 索引号
        doc_no TEXT,                        -- 文号
        UNIQUE (url, text_hash, title)
    );
    CREATE INDEX item_versions_url ON item_versions(url, first_fetched);
    ALTER TABLE items ADD COLUMN detail_fetched_at TEXT;    -- last time the detail page was read
    ALTER TABLE items ADD COLUMN detail_status INTEGER;     -- its last HTTP status (404/410: deleted)
    ALTER TABLE items ADD COLUMN left_list_at TEXT;         -- when it stopped being listed in its column
    """,
    # 5: the identifying part of a finding's subject, so reconciliation need not parse every subject
    """
    ALTER TABLE findings ADD COLUMN subject_key TEXT;       -- results.subject_key(subject); NULL on old rows
    """,
    # 6: validators of a unit's site page, so an unchanged site page costs a 304 and no re-discovery
    """
    ALTER TABLE units ADD COLUMN site_etag TEXT;
    ALTER TABLE units ADD COLUMN site_last_modified TEXT;
    """,
    # 7: report versions are parsed by the checks and the dashboard, not while crawling: `parsed` goes.
    # A table rebuild, not DROP COLUMN, which needs SQLite 3.35 (RHEL 8 and its kin ship 3.26).
    """
    CREATE TABLE documents_v7 (
        id INTEGER PRIMARY KEY,
        unit_id TEXT NOT NULL,
        column_id TEXT,
        url TEXT NOT NULL,
        title TEXT,
        year INTEGER,
        published TEXT,
        content_type TEXT,
        content_hash TEXT NOT NULL,         -- sha256 of a page's main text or of a file's bytes
        raw BLOB NOT NULL,
        text TEXT,
        etag TEXT,
        last_modified TEXT,
        first_fetched TEXT NOT NULL,
        last_fetched TEXT NOT NULL,
        UNIQUE (url, content_hash)
    );
    INSERT INTO documents_v7 SELECT id, unit_id, column_id, url, title, year, published, content_type,
        content_hash, raw, text, etag, last_modified, first_fetched, last_fetched FROM documents;
    DROP TABLE documents;
    ALTER TABLE documents_v7 RENAME TO documents;
    CREATE INDEX documents_unit_year ON documents(unit_id, year);
    """,
    # 9: validators of an item's detail version, so a re-read for edits is conditional (a 304 costs the
    # portal almost nothing); whether a list read reached the end of its listing (no further page), so
    # an item dated before everything a complete listing showed is known to be back-dated (W8)
    """
    ALTER TABLE item_versions ADD COLUMN etag TEXT;
    ALTER TABLE item_versions ADD COLUMN last_modified TEXT;
    ALTER TABLE columns ADD COLUMN list_complete INTEGER;   -- the latest listing reached its end: 1, else 0
    ALTER TABLE fetches ADD COLUMN list_complete INTEGER;   -- purpose list: the same, for that read's listing
    """,
]


def in_list(column: str, values: Iterable[Any] | None) -> tuple[str, list[Any]]:
    """SQL condition `column IN (?, …)` with its parameters; always true when `values` is None
    (meaning: no restriction, e.g. all units)."""
    if values is None:
        return "1", []
    values = list(values)
    return f"{column} IN ({','.join('?' * len(values))})", values


def insert_row(db: Database, table: str, row: dict[str, Any]) -> None:
    """A plain INSERT for the crawl's hot path; `table["x"].insert` introspects the schema on every
    call (a dozen queries), which cost more than the write itself at thousands of pages a run."""
    db.execute(f"INSERT INTO [{table}] ({', '.join(row)}) VALUES ({', '.join('?' * len(row))})", list(row.values()))


def update_row(db: Database, table: str, pk: Any, values: dict[str, Any]) -> None:
    """A plain UPDATE by `id`, for the same reason as `insert_row`."""
    db.execute(f"UPDATE [{table}] SET {', '.join(f'{k} = ?' for k in values)} WHERE id = ?", [*values.values(), pk])


def utcnow() -> str:
    """Timestamps are stored as ISO-8601 UTC text, second precision."""
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat()


def open_db(path: str | Path) -> Database:
    """Open (creating and migrating as needed) the store for writing."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None,
                           check_same_thread=False)
    db = Database(conn)
    db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    if db.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
        db.enable_wal()
    db.execute("PRAGMA synchronous = NORMAL")
    migrate(db)
    return db


def open_readonly(path: str | Path) -> Database:
    """A read-only connection (dashboard): it can never block or corrupt the writers."""
    conn = sqlite3.connect(f"file:{Path(path).resolve()}?mode=ro", uri=True,
                           timeout=BUSY_TIMEOUT_MS / 1000, check_same_thread=False)
    db = Database(conn)
    db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    return db


def schema_version(db: Database) -> int:
    return db.execute("PRAGMA user_version").fetchone()[0]


def migrate(db: Database) -> int:
    """Apply pending migrations, each in its own transaction; return the new version."""
    version = schema_version(db)
    for number, script in enumerate(MIGRATIONS[version:], start=version + 1):
        # executescript commits first; BEGIN IMMEDIATE makes the script and the version bump atomic
        db.conn.executescript(f"BEGIN IMMEDIATE;\n{script}\nPRAGMA user_version = {number};\nCOMMIT;")
    return schema_version(db)
