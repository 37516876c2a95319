"""Item detail observations (migration 4): every distinct version of an item's main text and
metadata, the detail page's last HTTP status, and when an item left its column's list.

The crawler writes through this module; the item checks (`monitor.checks.items`) read plain
dataclasses from it. Boilerplate (view counters, navigation) must be removed by the caller
(`crawler.pages.layouts.main_text`: page reading lives at the bottom of the crawler), or every fetch
would look like a new version.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Iterable

from sqlite_utils import Database

from monitor.store import atomic, in_list, insert_row, utcnow

MAX_TEXT = 100_000        # characters of main text kept per version (the hash covers all of it)
MAX_FIELD = 500


# ------------------------------------------------------------------------------------- writing

def record_item_version(db: Database, *, column_id: str, url: str, run_id: int | None, title: str | None,
                        text: str, pub_date: str | None, written_date: str | None, publisher: str | None,
                        index_no: str | None, doc_no: str | None, etag: str | None = None,
                        last_modified: str | None = None) -> bool:
    """Keep this version of an item's detail page (main text without boilerplate); True when new.

    A version is one distinct (main text, title); seeing it again only refreshes `last_fetched`
    and the validators (ETag/Last-Modified, for the next conditional re-read), so A → B → A keeps
    two rows and the latest is the one fetched last."""
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    title = title[:MAX_FIELD] if title else title
    now = utcnow()
    with atomic(db):
        _set_status(db, column_id, url, 200, now)
        known = db.execute("SELECT id FROM item_versions WHERE url = ? AND text_hash = ? AND title IS ?",
                           [url, digest, title]).fetchone()
        if known:
            db.execute("UPDATE item_versions SET last_fetched = ?, run_id = ?, etag = ?, last_modified = ? WHERE id = ?",
                       [now, run_id, etag, last_modified, known[0]])
            return False
        insert_row(db, "item_versions", {
            "column_id": column_id, "url": url, "first_fetched": now, "last_fetched": now, "run_id": run_id,
            "title": title, "text_hash": digest, "text": text[:MAX_TEXT], "pub_date": pub_date,
            "written_date": written_date, "publisher": _cap(publisher), "index_no": _cap(index_no),
            "doc_no": _cap(doc_no), "etag": etag, "last_modified": last_modified,
        })
        return True


def record_item_status(db: Database, column_id: str, url: str, http_status: int | None) -> None:
    """The detail page was requested and answered `http_status` (404/410 is deletion evidence;
    304 to a re-read with the latest version's validators: that version was seen again)."""
    now = utcnow()
    with atomic(db):
        _set_status(db, column_id, url, http_status, now)
        if http_status == 304:
            db.execute("""UPDATE item_versions SET last_fetched = ? WHERE id =
                          (SELECT id FROM item_versions WHERE url = ? ORDER BY last_fetched DESC, id DESC LIMIT 1)""",
                       [now, url])


def mark_left_list(db: Database, column_id: str, urls: Iterable[str], when: str | None = None) -> None:
    """These items are no longer listed in their column (call only after the whole list was read,
    not for items merely pushed off the first page). The first time it was noticed is kept; an
    item listed again later is recognised by `last_seen > left_list_at`."""
    when = when or utcnow()
    with atomic(db):
        db.conn.executemany(
            """UPDATE items SET left_list_at = ? WHERE column_id = ? AND url = ?
                 AND (left_list_at IS NULL OR left_list_at < last_seen)""",
            [(when, column_id, url) for url in urls])


def _set_status(db: Database, column_id: str, url: str, status: int | None, now: str) -> None:
    db.execute("UPDATE items SET detail_fetched_at = ?, detail_status = ? WHERE column_id = ? AND url = ?",
               [now, status, column_id, url])


def _cap(value: str | None) -> str | None:
    return value[:MAX_FIELD] if value else value


# ------------------------------------------------------------------------------------- reading

@dataclass(frozen=True, slots=True)
class ItemVersion:
    """One distinct version of an item's detail page."""

    first_fetched: str
    last_fetched: str
    title: str | None
    text_hash: str
    text: str | None
    pub_date: str | None
    written_date: str | None
    publisher: str | None
    index_no: str | None
    doc_no: str | None


@dataclass(frozen=True, slots=True)
class ItemObservation:
    """What the item checks need about one list item (pure data, no DB handle)."""

    unit_id: str
    column_id: str
    column_name: str
    url: str
    title: str
    date: str | None                 # displayed date in the list (ISO)
    first_seen: str
    last_seen: str
    detail_fetched_at: str | None
    detail_status: int | None
    left_list_at: str | None
    #: the latest successful read of the column's list before this item was first seen (None: the
    #: item was there at the column's first crawl), the oldest date that list showed then, and
    #: whether that read reached the end of the listing (None: not recorded)
    previous_crawl_at: str | None
    previous_oldest_date: str | None
    versions: tuple[ItemVersion, ...]   # oldest first
    previous_list_complete: bool | None = None

    @property
    def left_list(self) -> bool:
        return self.left_list_at is not None and self.left_list_at >= self.last_seen

    @property
    def latest(self) -> ItemVersion | None:
        """The version fetched last (on a same-second tie, the one stored last)."""
        if not self.versions:
            return None
        return max(enumerate(self.versions), key=lambda pair: (pair[1].last_fetched, pair[0]))[1]


_ITEM_COLUMNS = ("c.unit_id", "i.column_id", "c.name", "i.url", "i.title", "i.date", "i.first_seen", "i.last_seen",
                 "i.detail_fetched_at", "i.detail_status", "i.left_list_at", "i.first_run")
_VERSION_COLUMNS = ", ".join(ItemVersion.__slots__)


def load_item_observations(db: Database, unit_ids: Iterable[str] | None = None) -> list[ItemObservation]:
    """Every item of the given units' columns with its detail versions and crawl context."""
    units, params = in_list("c.unit_id", unit_ids)
    rows = db.execute(f"SELECT {', '.join(_ITEM_COLUMNS)} FROM items i JOIN columns c ON c.id = i.column_id "
                      f"WHERE {units} ORDER BY c.unit_id, i.column_id, i.first_seen, i.id", params).fetchall()
    versions = _versions(db)
    crawls = _list_crawls(db)
    out = []
    for *head, first_run in rows:
        column, url, first_seen = head[1], head[3], head[6]
        previous = _previous_crawl(crawls.get(column, ()), first_seen, first_run)
        oldest = _oldest_listed(db, column, previous[0]) if previous else None
        out.append(ItemObservation(*head, previous_crawl_at=previous[1] if previous else None,
                                   previous_oldest_date=oldest, versions=tuple(versions.get(url, ())),
                                   previous_list_complete=_flag(previous[2]) if previous else None))
    return out


def _versions(db: Database) -> dict[str, list[ItemVersion]]:
    found: dict[str, list[ItemVersion]] = {}
    for url, *fields in db.execute(
            f"SELECT url, {_VERSION_COLUMNS} FROM item_versions ORDER BY first_fetched, id").fetchall():
        found.setdefault(url, []).append(ItemVersion(*fields))
    return found


_ListCrawl = tuple[int | None, str, int | None]     # run id, time, listing complete (1/0/NULL)


def _list_crawls(db: Database) -> dict[str, list[_ListCrawl]]:
    """Successful list reads per column: (run id, time, reached the listing's end), oldest first."""
    found: dict[str, list[_ListCrawl]] = {}
    for column, *crawl in db.execute(
            """SELECT column_id, run_id, fetched_at, list_complete FROM fetches WHERE purpose = 'list'
               AND column_id IS NOT NULL AND outcome IN ('ok', 'not_modified') ORDER BY fetched_at""").fetchall():
        found.setdefault(column, []).append(tuple(crawl))   # type: ignore[arg-type]
    return found


def _flag(value: int | None) -> bool | None:
    return None if value is None else bool(value)


def _previous_crawl(crawls: Iterable[_ListCrawl], first_seen: str, first_run: int | None) -> _ListCrawl | None:
    earlier = [c for c in crawls if c[1] < first_seen and (first_run is None or c[0] != first_run)]
    return earlier[-1] if earlier else None


def _oldest_listed(db: Database, column_id: str, run_id: int | None) -> str | None:
    """Oldest displayed date among the items a column listed in one run (few items are new, so
    this runs rarely)."""
    if run_id is None:
        return None
    row = db.execute("SELECT min(date) FROM items WHERE column_id = ? AND first_run <= ? AND last_run >= ?",
                     [column_id, run_id, run_id]).fetchone()
    return row[0] if row else None


# ------------------------------------------------------------------------- reads of the detail planner

@dataclass(frozen=True, slots=True)
class StoredItem:
    """An item of a column as stored before this run (`crawler.detail.DetailPlanner`)."""

    title: str
    date: str | None
    first_seen: str
    last_seen: str
    fetched_at: str | None
    status: int | None
    left_at: str | None
    etag: str | None                # validators of the latest detail version, for a conditional re-read
    last_modified: str | None

    @property
    def left(self) -> bool:
        return self.left_at is not None and self.left_at >= self.last_seen


def stored_items(db: Database, column_id: str) -> dict[str, StoredItem]:
    """The column's stored items by URL, with the validators of their latest detail version."""
    return {row[0]: StoredItem(*row[1:]) for row in db.execute(
        """SELECT i.url, i.title, i.date, i.first_seen, i.last_seen, i.detail_fetched_at, i.detail_status,
                  i.left_list_at, v.etag, v.last_modified
           FROM items i LEFT JOIN item_versions v ON v.id =
             (SELECT id FROM item_versions WHERE url = i.url ORDER BY last_fetched DESC, id DESC LIMIT 1)
           WHERE i.column_id = ?""", [column_id]).fetchall()}


def columns_with_items(db: Database, unit_ids: list[str]) -> set[str]:
    """The ids of these units' columns that have stored items: the others need no lookup of them
    (a county's first crawl, a column found today), one index probe a column."""
    units, params = in_list("c.unit_id", unit_ids)
    return {row[0] for row in db.execute(
        f"SELECT c.id FROM columns c WHERE {units} AND EXISTS (SELECT 1 FROM items i WHERE i.column_id = c.id)",
        params).fetchall()}


def recheck_candidates(db: Database, unit_ids: list[str], *, first_seen_since: str, read_before: str,
                       recent_date: str, overdue_before: str, gone: Iterable[int]) -> list[tuple[str, str, str, str]]:
    """(unit id, column id, column name, url) of the items of these units' latest listings first
    seen since `first_seen_since`, not read since `read_before`, still listed and whose detail
    page did not answer a `gone` status; in the order they deserve a re-read: recent items not
    read since `overdue_before`, then backlog items (listed when their column was first read and
    dated before `recent_date`), then the other recent ones, least recently read first."""
    units, params = in_list("c.unit_id", unit_ids)
    statuses, status_params = in_list("coalesce(i.detail_status, 0)", gone)
    return db.execute(
        f"""WITH latest AS (SELECT c.unit_id, c.id, c.name, max(i.last_seen) AS seen, min(i.first_run) AS first_run
                            FROM columns c JOIN items i ON i.column_id = c.id WHERE {units} GROUP BY c.id)
            SELECT l.unit_id, l.id, l.name, i.url FROM latest l JOIN items i ON i.column_id = l.id
            WHERE i.last_seen = l.seen AND (i.left_list_at IS NULL OR i.left_list_at < i.last_seen)
              AND NOT {statuses} AND i.first_seen >= ? AND coalesce(i.detail_fetched_at, '') < ?
            ORDER BY CASE WHEN i.first_run IS l.first_run AND i.date < ? THEN 1
                          WHEN coalesce(i.detail_fetched_at, '') < ? THEN 0 ELSE 2 END,
                     coalesce(i.detail_fetched_at, ''), i.first_seen DESC, i.url""",
        [*params, *status_params, first_seen_since, read_before, recent_date, overdue_before]).fetchall()
