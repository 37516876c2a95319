"""Sort keys of the open column findings, cached per store version, for the three long lists.

Ordering tens of thousands of findings by a field inside their evidence JSON costs SQLite
100–500 ms per request (every row is read and parsed; the table has no index for it). The
keys — id, kind, unit, category, days — are small, so they are read once per store version and
sorted once per order and filtered in memory; a page then reads only its 200 rows by primary key. The version
is the size and modification time of the database file and its WAL: every commit changes them.
"""
from __future__ import annotations

import logging
import os
import threading
import time
from pathlib import Path
from typing import Callable, NamedTuple

from sqlite_utils import Database

from monitor.kinds import on_dashboard

log = logging.getLogger("gongkai.dashboard")
OVERDUE_KINDS = on_dashboard(("overdue",))
LIST_KINDS = on_dashboard(("overdue", "due_soon", "unreachable"))
CARD_KINDS = on_dashboard(("overdue", "due_soon", "unreachable", "header"))   # the counts in the page header


class Key(NamedTuple):
    id: str
    kind: str
    unit_id: str
    category: str | None
    days_overdue: int | None
    days_left: int | None
    first_seen: str


def overdue_order(k: Key) -> tuple:
    """Most overdue first; blank and undated columns (no date to count from) after the stale ones."""
    return (k.days_overdue is None, -(k.days_overdue or 0), k.kind, k.unit_id, k.id)


def due_soon_order(k: Key) -> tuple:
    return (k.days_left if k.days_left is not None else 1 << 30, k.unit_id, k.id)


def unreachable_order(k: Key) -> tuple:
    return (k.unit_id, k.first_seen, k.id)


#: the three lists of the dashboard: name -> (kinds, order)
LISTS: dict[str, tuple[tuple[str, ...], Callable[[Key], tuple]]] = {
    "overdue": (OVERDUE_KINDS, overdue_order),          # 超期栏目 (stale, blank, undated)
    "due_soon": (on_dashboard(("due_soon",)), due_soon_order),
    "unreachable": (on_dashboard(("unreachable",)), unreachable_order),
}

_lock = threading.Lock()
#: database path -> (version, {(kinds, order): keys of those kinds sorted by it}); (None, None) has all
_cache: dict[str, tuple[tuple, dict[tuple, list[Key]]]] = {}


def store_version(path: str) -> tuple:
    """Changes whenever the store file or its WAL does (a crawl or check wrote)."""
    stamps = []
    for name in (path, f"{path}-wal"):
        try:
            st = os.stat(name)
            stamps.append((st.st_mtime_ns, st.st_size))
        except FileNotFoundError:
            stamps.append(None)
    return tuple(stamps)


def sorted_keys(db: Database, kinds: tuple[str, ...], order: Callable[[Key], tuple]) -> list[Key]:
    """Keys of the open findings of `kinds` in `order`, computed once per store version."""
    path = db.execute("PRAGMA database_list").fetchone()[2]
    version = store_version(path)
    with _lock:
        cached = _cache.get(path)
        if cached is None or cached[0] != version:
            keys = [Key(*row) for row in db.execute(
                f"""SELECT id, kind, unit_id, json_extract(evidence, '$.category'),
                           json_extract(evidence, '$.days_overdue'), json_extract(evidence, '$.days_left'),
                           first_seen
                    FROM findings WHERE status = 'open' AND kind IN ({','.join('?' * len(LIST_KINDS))})""",
                LIST_KINDS).fetchall()]
            cached = _cache[path] = (version, {(None, None): keys})
        lists = cached[1]
        if (kinds, order) not in lists:
            wanted = set(kinds)
            lists[kinds, order] = sorted((k for k in lists[None, None] if k.kind in wanted), key=order)
        return lists[kinds, order]


class Warmer:
    """Rebuilds the keys (and whatever `also` caches, e.g. the 发布统计 grid) once the store has
    changed and then stayed as it is for one look: a crawl writes for an hour, and counting after
    each of its writes would keep a core busy; the first visitor afterwards does not pay the
    0.2–0.5 s the keys take at 100,000 columns, nor the grid's count."""

    def __init__(self, db_path: Path, also: Callable[[Database], object] | None = None):
        self.db_path, self.also = db_path, also
        self.seen: tuple | None = None          # the version last warmed
        self.last: tuple | None = None          # the version at the last look

    def step(self) -> bool:
        """One look at the store; True when it warmed."""
        from monitor.store import open_readonly

        version = store_version(str(Path(self.db_path).resolve()))
        quiet, self.last = version == self.last, version
        if version == self.seen or not (quiet or self.seen is None) or not Path(self.db_path).exists():
            return False
        try:
            db = open_readonly(self.db_path)
            try:
                for kinds, order in LISTS.values():
                    sorted_keys(db, kinds, order)
                if self.also is not None:
                    self.also(db)
            finally:
                db.conn.close()
        except Exception as exc:      # a store being migrated or replaced: try again later
            log.debug("dashboard warm-up failed: %s", exc)
            return False
        self.seen = version
        return True


def keep_warm(db_path: Path, interval: float = 30.0,
              also: Callable[[Database], object] | None = None) -> threading.Thread:
    """A daemon thread that looks at the store every `interval` seconds (`Warmer`)."""
    warmer = Warmer(db_path, also)

    def loop() -> None:
        while True:
            warmer.step()
            time.sleep(interval)

    thread = threading.Thread(target=loop, name="dashboard-warm", daemon=True)
    thread.start()
    return thread
