"""Item detail observations (migration 4): every distinct version of an item's main text and
metadata, the detail page's last HTTP status, and when an item left its column's list.

The crawler writes through this module; the item checks (`monitor.checks.items`) read plain
dataclasses from it. Boilerplate (view counters, navigation) must be removed by the caller
(`main_text`), or every fetch would look like a new version.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any, Iterable

from sqlite_utils import Database

from monitor.store import utcnow

MAX_TEXT = 100_000        # characters of main text kept per version (the hash covers all of it)
MAX_FIELD = 500


# ------------------------------------------------------------------------------------- writing

def record_item_version(db: Database, *, column_id: str, url: str, run_id: int | None, title: str | None,
                        text: str, pub_date: str | None, written_date: str | None, publisher: str | None,
                        index_no: str | None, doc_no: str | None) -> bool:
    """Keep this version of an item's detail page (main text without boilerplate); True when new.

    A version is one distinct (main text, title); seeing it again only refreshes `last_fetched`,
    so A → B → A keeps two rows and the latest is the one fetched last."""
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    title = title[:MAX_FIELD] if title else title
    now = utcnow()
    with db.atomic():
        _set_status(db, column_id, url, 200, now)
        known = db.execute("SELECT id FROM item_versions WHERE url = ? AND text_hash = ? AND title IS ?",
                           [url, digest, title]).fetchone()
        if known:
            db.execute("UPDATE item_versions SET last_fetched = ?, run_id = ? WHERE id = ?", [now, run_id, known[0]])
            return False
        db["item_versions"].insert({
            "column_id": column_id, "url": url, "first_fetched": now, "last_fetched": now, "run_id": run_id,
            "title": title, "text_hash": digest, "text": text[:MAX_TEXT], "pub_date": pub_date,
            "written_date": written_date, "publisher": _cap(publisher), "index_no": _cap(index_no),
            "doc_no": _cap(doc_no),
        })
        return True


def record_item_status(db: Database, column_id: str, url: str, http_status: int | None) -> None:
    """The detail page was requested and answered `http_status` (404/410 is deletion evidence)."""
    with db.atomic():
        _set_status(db, column_id, url, http_status, utcnow())


def mark_left_list(db: Database, column_id: str, urls: Iterable[str], when: str | None = None) -> None:
    """These items are no longer listed in their column (call only after the whole list was read,
    not for items merely pushed off the first page). The first time it was noticed is kept; an
    item listed again later is recognised by `last_seen > left_list_at`."""
    when = when or utcnow()
    with db.atomic():
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
    #: item was there at the column's first crawl), and the oldest date that list showed then
    previous_crawl_at: str | None
    previous_oldest_date: str | None
    versions: tuple[ItemVersion, ...]   # oldest first

    @property
    def left_list(self) -> bool:
        return self.left_list_at is not None and self.left_list_at >= self.last_seen

    @property
    def latest(self) -> ItemVersion | None:
        return max(self.versions, key=lambda v: v.last_fetched) if self.versions else None


_ITEM_COLUMNS = ("c.unit_id", "i.column_id", "c.name", "i.url", "i.title", "i.date", "i.first_seen", "i.last_seen",
                 "i.detail_fetched_at", "i.detail_status", "i.left_list_at", "i.first_run")
_VERSION_COLUMNS = ", ".join(ItemVersion.__slots__)


def load_item_observations(db: Database, unit_ids: Iterable[str] | None = None) -> list[ItemObservation]:
    """Every item of the given units' columns with its detail versions and crawl context."""
    sql = f"SELECT {', '.join(_ITEM_COLUMNS)} FROM items i JOIN columns c ON c.id = i.column_id"
    params: list[Any] = []
    if unit_ids is not None:
        ids = list(unit_ids)
        sql += f" WHERE c.unit_id IN ({','.join('?' * len(ids))})"
        params = ids
    rows = db.execute(sql + " ORDER BY c.unit_id, i.column_id, i.first_seen, i.id", params).fetchall()
    versions = _versions(db)
    crawls = _list_crawls(db)
    out = []
    for *head, first_run in rows:
        column, url, first_seen = head[1], head[3], head[6]
        previous = _previous_crawl(crawls.get(column, ()), first_seen, first_run)
        oldest = _oldest_listed(db, column, previous[0]) if previous else None
        out.append(ItemObservation(*head, previous_crawl_at=previous[1] if previous else None,
                                   previous_oldest_date=oldest, versions=tuple(versions.get(url, ()))))
    return out


def _versions(db: Database) -> dict[str, list[ItemVersion]]:
    found: dict[str, list[ItemVersion]] = {}
    for url, *fields in db.execute(
            f"SELECT url, {_VERSION_COLUMNS} FROM item_versions ORDER BY first_fetched, id").fetchall():
        found.setdefault(url, []).append(ItemVersion(*fields))
    return found


def _list_crawls(db: Database) -> dict[str, list[tuple[int | None, str]]]:
    """Successful list reads per column: (run id, time), oldest first."""
    found: dict[str, list[tuple[int | None, str]]] = {}
    for column, run_id, at in db.execute(
            """SELECT column_id, run_id, fetched_at FROM fetches WHERE purpose = 'list' AND column_id IS NOT NULL
               AND outcome IN ('ok', 'not_modified') ORDER BY fetched_at""").fetchall():
        found.setdefault(column, []).append((run_id, at))
    return found


def _previous_crawl(crawls: Iterable[tuple[int | None, str]], first_seen: str,
                    first_run: int | None) -> tuple[int | None, str] | None:
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
