"""The SQLite store: one file, WAL, versioned migrations, short transactions.

Writers (the crawl child process, `check`, the outbox) and readers (the dashboard) share the
file; WAL plus a busy timeout lets them overlap (docs/design.md §7.6). Migrations are
numbered SQL scripts applied in order and recorded in `PRAGMA user_version`, so an old
database upgrades in place and re-running never duplicates anything.
"""
from __future__ import annotations

import logging
import os
import shutil
import sqlite3
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterable, Iterator

from sqlite_utils import Database

from monitor.exitcodes import STORE, USAGE, Fault

log = logging.getLogger("gongkai.store")

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
    # 8: what a column's first list page is (list, empty, article, unreadable and why), and the
    # outcome of each unit's latest site page fetch, so the checks can tell "blank" from
    # "unreadable" and report a site that could not be read at all
    """
    ALTER TABLE columns ADD COLUMN page_kind TEXT;          -- crawler.extract.PAGE_KINDS; NULL before 8
    ALTER TABLE columns ADD COLUMN page_note TEXT;          -- empty-list notice, article date or reason
    ALTER TABLE units ADD COLUMN site_outcome TEXT;         -- fetch outcome of the latest site page request
    ALTER TABLE units ADD COLUMN site_http_status INTEGER;
    ALTER TABLE units ADD COLUMN site_error TEXT;
    ALTER TABLE units ADD COLUMN site_fetch_at TEXT;
    """,
    # 9: what parsing a report document gave, so a check parses each version once
    """
    CREATE TABLE report_parses (
        key TEXT PRIMARY KEY,               -- sha256 of what parse_report reads: content type, name, bytes
        parser TEXT NOT NULL,               -- parser_version() it was made with; another version is a miss
        outcome TEXT NOT NULL,              -- parsed | too_large | unreadable
        limits TEXT,                        -- too_large: the limits in force (other limits, other verdict)
        result TEXT NOT NULL,               -- parsed: the ParsedReport as JSON; otherwise the reason
        parsed_at TEXT NOT NULL
    );
    """,
    # 10: the channel each outbox row goes out on (alerts/channels/: email, apprise); rows queued
    # before channels existed are e-mail
    """
    ALTER TABLE outbox ADD COLUMN channel TEXT NOT NULL DEFAULT 'email';
    """,
    # 11: validators of an item's detail version, so a re-read for edits is conditional (a 304 costs the
    # portal almost nothing); whether a list read reached the end of its listing (no further page), so
    # an item dated before everything a complete listing showed is known to be back-dated (W8)
    """
    ALTER TABLE item_versions ADD COLUMN etag TEXT;
    ALTER TABLE item_versions ADD COLUMN last_modified TEXT;
    ALTER TABLE columns ADD COLUMN list_complete INTEGER;   -- the latest listing reached its end: 1, else 0
    ALTER TABLE fetches ADD COLUMN list_complete INTEGER;   -- purpose list: the same, for that read's listing
    """,
    # 12: home pages (the county portal's, each unit's site page) with the newest dated item they
    # show, for W1 首页不更新; keyed by the configured URL
    """
    CREATE TABLE home_pages (
        url TEXT PRIMARY KEY,               -- as configured (county_portal, a unit's site)
        outcome TEXT NOT NULL,              -- fetch outcome of the latest request
        http_status INTEGER,
        error TEXT,
        fetch_at TEXT NOT NULL,             -- the latest request
        read_at TEXT,                       -- the latest read that showed the page (200 or 304)
        newest_date TEXT,                   -- the newest date shown next to a link there (ISO)
        newest_title TEXT,
        newest_url TEXT
    );
    """,
    # 13: availability probes (W6 网站不可用): one request per site page and the county portal, every
    # `schedule.probe_minutes` while `gongkai serve` runs
    """
    CREATE TABLE probes (
        id INTEGER PRIMARY KEY,
        url TEXT NOT NULL,                  -- as configured (county_portal, a unit's site)
        unit_id TEXT NOT NULL,              -- the unit answering for it (the portal's owner)
        probed_at TEXT NOT NULL,            -- UTC ISO, when the request started
        outcome TEXT NOT NULL,              -- ok | error | slow (answered after the limit)
        http_status INTEGER,
        elapsed_ms INTEGER,
        error TEXT
    );
    CREATE INDEX probes_at ON probes (probed_at);
    """,
    # 14: the messages of interaction boards (政务咨询, 领导信箱, 留言; W7 互动回应), one row per message URL
    # (or title and asked date when it has no link), and the interaction channel the county portal's home
    # page links to
    """
    CREATE TABLE messages (
        unit_id TEXT NOT NULL,
        board TEXT NOT NULL,                -- column id of the board
        url TEXT NOT NULL,                  -- the message page, else "title|asked"
        title TEXT NOT NULL,
        asked TEXT NOT NULL,                -- ISO date
        replied TEXT,                       -- ISO date, when shown
        state TEXT,                         -- replied | pending | NULL (not shown)
        first_seen TEXT NOT NULL,
        last_seen TEXT NOT NULL,            -- the board's latest read lists the rows with its latest last_seen
        PRIMARY KEY (board, url)
    );
    ALTER TABLE home_pages ADD COLUMN interaction_url TEXT;   -- first channel link at the latest read
    """,
    # 15: where a followed link was found (W12 broken links name the page and the link's text)
    """
    ALTER TABLE fetches ADD COLUMN referrer TEXT;           -- the page the link is on; NULL: derived
    ALTER TABLE fetches ADD COLUMN link_text TEXT;          -- the link's text as shown there
    CREATE INDEX fetches_url ON fetches(url);                -- a link's latest request, its page's latest read
    """,
    # 16: the links on the pages the crawl reads (site pages, list pages, report pages) that lead to the
    # county's hosts, one row per URL, for W12's link checks (their requests are `fetches` with purpose `link`)
    """
    CREATE TABLE links (
        url TEXT PRIMARY KEY,
        unit_id TEXT NOT NULL,              -- the unit whose page showed it last
        page TEXT NOT NULL,                 -- that page (the first one a crawl read it on)
        text TEXT,                          -- the link's text there
        first_seen TEXT NOT NULL,
        seen_run INTEGER,                   -- the latest crawl that read it on a page
        checked_at TEXT                     -- its latest check (NULL: never): the oldest are checked first
    );
    CREATE INDEX links_unit ON links(unit_id, checked_at);
    """,
    # 17: publication counts (`gongkai stats`, 发布统计): a column's items in the order of the date shown, with
    # when each was first seen (back-dated ones), so a period's count reads only that period's items and whether
    # a listing reaches back before it is one step per column; and counters of the changes to what the counts are
    # made of, kept by triggers whoever writes: per month shown ('YYYY-MM', '' undated) the items listed, removed
    # or re-dated; 'columns' what a column counts as (unit, name, category, first seen, linked, page kind);
    # 'reads' what its latest read saw. The dashboard counts again only what changed: nothing after a probe or a
    # check, only the column list after a crawl that listed this month's items.
    """
    CREATE INDEX items_column_date ON items(column_id, date, first_seen);
    CREATE TABLE publication_changes (what TEXT PRIMARY KEY, version INTEGER NOT NULL);
    CREATE TRIGGER items_listed AFTER INSERT ON items BEGIN
      INSERT INTO publication_changes VALUES (coalesce(substr(NEW.date, 1, 7), ''), 1)
        ON CONFLICT (what) DO UPDATE SET version = version + 1;
    END;
    CREATE TRIGGER items_removed AFTER DELETE ON items BEGIN
      INSERT INTO publication_changes VALUES (coalesce(substr(OLD.date, 1, 7), ''), 1)
        ON CONFLICT (what) DO UPDATE SET version = version + 1;
    END;
    CREATE TRIGGER items_redated AFTER UPDATE OF column_id, url, date, first_seen ON items
    WHEN OLD.column_id IS NOT NEW.column_id OR OLD.url IS NOT NEW.url OR OLD.date IS NOT NEW.date
      OR OLD.first_seen IS NOT NEW.first_seen
    BEGIN
      INSERT INTO publication_changes VALUES (coalesce(substr(OLD.date, 1, 7), ''), 1)
        ON CONFLICT (what) DO UPDATE SET version = version + 1;
      INSERT INTO publication_changes VALUES (coalesce(substr(NEW.date, 1, 7), ''), 1)
        ON CONFLICT (what) DO UPDATE SET version = version + 1;
    END;
    CREATE TRIGGER columns_added AFTER INSERT ON columns BEGIN
      INSERT INTO publication_changes VALUES ('columns', 1) ON CONFLICT (what) DO UPDATE SET version = version + 1;
    END;
    CREATE TRIGGER columns_removed AFTER DELETE ON columns BEGIN
      INSERT INTO publication_changes VALUES ('columns', 1) ON CONFLICT (what) DO UPDATE SET version = version + 1;
    END;
    CREATE TRIGGER columns_changed AFTER UPDATE ON columns      -- what monitor/stats.py reads of a column
    WHEN OLD.unit_id IS NOT NEW.unit_id OR OLD.name IS NOT NEW.name OR OLD.category IS NOT NEW.category
      OR OLD.first_seen IS NOT NEW.first_seen OR OLD.in_config IS NOT NEW.in_config
      OR OLD.discovered IS NOT NEW.discovered OR OLD.page_kind IS NOT NEW.page_kind
    BEGIN
      INSERT INTO publication_changes VALUES ('columns', 1) ON CONFLICT (what) DO UPDATE SET version = version + 1;
    END;
    CREATE TRIGGER columns_read AFTER UPDATE ON columns
    WHEN OLD.last_ok_at IS NOT NEW.last_ok_at OR OLD.item_count IS NOT NEW.item_count
      OR OLD.dated_count IS NOT NEW.dated_count OR OLD.list_complete IS NOT NEW.list_complete
    BEGIN
      INSERT INTO publication_changes VALUES ('reads', 1) ON CONFLICT (what) DO UPDATE SET version = version + 1;
    END;
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


@contextmanager
def atomic(db: Database) -> Iterator[Database]:
    """`db.atomic()` of sqlite-utils, with one name for every nested savepoint: its random name
    per savepoint (a fresh random draw, and a statement SQLite compiled anew each time) was a
    tenth of a crawl's writes, which open two savepoints a page. Nested blocks are strictly
    nested, so RELEASE and ROLLBACK TO always find their own (the most recent of the name)."""
    if not db.conn.in_transaction:
        with db.atomic():
            yield db
        return
    db.conn.execute("SAVEPOINT gongkai")
    try:
        yield db
    except BaseException:
        if db.conn.in_transaction:     # an error may have ended the whole transaction already
            db.conn.execute("ROLLBACK TO gongkai")
            db.conn.execute("RELEASE gongkai")
        raise
    db.conn.execute("RELEASE gongkai")


def update_row(db: Database, table: str, pk: Any, values: dict[str, Any]) -> None:
    """A plain UPDATE by `id`, for the same reason as `insert_row`."""
    db.execute(f"UPDATE [{table}] SET {', '.join(f'{k} = ?' for k in values)} WHERE id = ?", [*values.values(), pk])


def stamp(moment: datetime) -> str:
    """A stored timestamp: ISO-8601 UTC text, second precision, so text order is time order."""
    return moment.astimezone(timezone.utc).replace(microsecond=0).isoformat()


def utcnow() -> str:
    """Now, as a stored timestamp."""
    return stamp(datetime.now(timezone.utc))


class StoreError(Fault):
    """The store file cannot be used: a write failed (disk full, I/O error, read-only: exit
    `STORE`) or it is not a usable database (corrupt, truncated: exit `USAGE`)."""


#: SQLite primary result codes that are about the file, not about one statement
_WRITE_FAILED = {sqlite3.SQLITE_FULL, sqlite3.SQLITE_IOERR, sqlite3.SQLITE_READONLY, sqlite3.SQLITE_CANTOPEN,
                 sqlite3.SQLITE_PERM}
_CORRUPT = {sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB}


def store_failure(exc: BaseException, path: str | Path) -> StoreError | None:
    """The operator's one line for an SQLite error that makes the store unusable; None for an
    error of one statement (a constraint, a bug), which is not a fault of the file."""
    code = getattr(exc, "sqlite_errorcode", None)
    if not isinstance(exc, sqlite3.Error) or code is None:
        return None
    if code & 0xFF in _CORRUPT:
        return corrupt_store(path, str(exc))
    if code & 0xFF in _WRITE_FAILED:
        return StoreError(f"cannot use the store {path}: {exc}{_free_space(Path(path))} — free disk space or fix "
                          "its permissions, then run again (the next run fetches what this one could not store)",
                          STORE)
    return None


def _free_space(path: Path) -> str:
    """A full disk often shows as a mere "disk I/O error" (the WAL index cannot grow): say how full."""
    try:
        return f" ({shutil.disk_usage(path.parent).free // 1024} KiB free on its filesystem)"
    except OSError:
        return ""


def corrupt_store(path: str | Path, cause: str) -> StoreError:
    return StoreError(f"the store {path} is not a usable SQLite database ({cause}) — restore it from a backup, "
                      "or move it away to start a new, empty store", USAGE)


@contextmanager
def store_errors(path: str | Path) -> Iterator[None]:
    """Turn an SQLite error that is about the file into a `StoreError` naming it."""
    try:
        yield
    except sqlite3.Error as exc:
        failure = store_failure(exc, path)
        if failure is None:
            raise
        raise failure from exc


def open_db(path: str | Path) -> Database:
    """Open (creating and migrating as needed) the store for writing. Faults of the file are
    `StoreError`s; SQLite itself finds a file cut short (its header counts more pages than it
    holds). Nothing here opens the file but SQLite: closing any descriptor of it would drop the
    POSIX locks of this process's other connections (sqlite.org/howtocorrupt.html §2.2)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists() and path.stat().st_size == 0:    # where a store was, its data are gone: say so
        log.warning("the store %s is empty (0 bytes): starting a new store in it; if it held data, stop "
                    "now and restore it from a backup", path)
    with store_errors(path):
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
    """A read-only connection (dashboard, reports): it can never block or corrupt the writers.
    When the store's directory cannot be written here and no writer has a WAL open, SQLite could
    not create the shared-memory file a WAL read needs, so the file is opened as immutable."""
    path = Path(path).resolve()
    uri = f"file:{path}?mode=ro"
    if not os.access(path.parent, os.W_OK) and not Path(f"{path}-wal").exists():
        uri += "&immutable=1"
    with store_errors(path):
        conn = sqlite3.connect(uri, uri=True, timeout=BUSY_TIMEOUT_MS / 1000, check_same_thread=False)
        db = Database(conn)
        db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        schema_version(db)          # reads the header: a file that is not a database fails here
    return db


def open_for_reading(path: str | Path) -> Database:
    """For the commands that only read (findings, bulletin --out): read-only when the store is
    there and up to date, so they work on a read-only file or directory and write nothing; a store
    that does not exist yet or needs a migration goes through `open_db`."""
    path = Path(path)
    if not path.exists() or path.stat().st_size == 0:
        return open_db(path)
    db = open_readonly(path)
    version = schema_version(db)
    if version >= len(MIGRATIONS):
        return db
    db.close()
    try:
        return open_db(path)
    except StoreError as exc:
        raise StoreError(f"the store {path} needs upgrading (schema {version}, this version of gongkai needs "
                         f"{len(MIGRATIONS)}) and cannot be written here: run `gongkai check` once where it can "
                         f"({exc})", exc.exit_code) from exc


def schema_version(db: Database) -> int:
    return db.execute("PRAGMA user_version").fetchone()[0]


def migrate(db: Database) -> int:
    """Apply pending migrations, each in its own transaction; return the new version."""
    version = schema_version(db)
    for number, script in enumerate(MIGRATIONS[version:], start=version + 1):
        # executescript commits first; BEGIN IMMEDIATE makes the script and the version bump atomic
        db.conn.executescript(f"BEGIN IMMEDIATE;\n{script}\nPRAGMA user_version = {number};\nCOMMIT;")
    return schema_version(db)
