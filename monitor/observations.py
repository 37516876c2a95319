"""Observations: what the crawler saw, written append-or-update, read back for the checks.

The crawler never decides compliance; it records every fetch attempt (`fetches`), the columns it
knows (`columns`), and every list item seen with first/last seen (`items`). The checks read a
compact `ColumnState` per column. Each write is one short transaction.
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Callable, Iterable, NamedTuple
from urllib.parse import urlsplit, urlunsplit

from sqlite_utils import Database

from monitor.store import atomic, in_list, insert_row, update_row, utcnow

INDEX_NAMES = ("index", "nlist", "list", "default", "main")   # a column's own page (also layouts.is_index_url)
_INDEX_EXTS = (".html", ".htm", ".shtml", ".jsp", ".php", ".asp", ".aspx")

MAX_TITLE = 500
MAX_ERROR = 500


class UrlParts(NamedTuple):
    scheme: str
    netloc: str
    path: str
    query: str


_PLAIN_URL = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*)://([^/?#\[\]]*)(?=[/?#]|$)([^?#]*)(?:\?([^#]*))?")


def split_url(url: str) -> UrlParts:
    """`urllib.parse.urlsplit` without the fragment, in a third of its time for the plain absolute
    URLs list pages link (every item URL is new, so urlsplit's own cache misses); anything else
    (whitespace, non-ASCII, IPv6 hosts, relative references) goes to urlsplit itself."""
    m = _PLAIN_URL.match(url)
    if m is None or not (url.isascii() and url.isprintable()):     # printable ASCII only
        parts = urlsplit(url)
        return UrlParts(parts.scheme, parts.netloc, parts.path, parts.query)
    return UrlParts(m.group(1).lower(), m.group(2), m.group(3), m.group(4) or "")


@lru_cache(maxsize=65536)       # called for every link of every list page
def canonical_url(url: str) -> str:
    """One spelling per list page: `…/zfxxgknb/`, `…/zfxxgknb/index.html` and `…/nlist.htm` agree."""
    parts = split_url(url.strip())
    path = parts.path or "/"
    head, _, last = path.rpartition("/")
    stem, dot, ext = last.rpartition(".")
    if dot and stem.lower() in INDEX_NAMES and f".{ext.lower()}" in _INDEX_EXTS:
        path = head + "/"
    elif last and "." not in last:
        path = path + "/"
    netloc = parts.netloc.lower()
    scheme = parts.scheme.lower()
    if (scheme, netloc.rpartition(":")[2]) in (("http", "80"), ("https", "443")):
        netloc = netloc.rpartition(":")[0]
    if not (scheme and netloc):
        return urlunsplit((scheme, netloc, path, parts.query, ""))
    return f"{scheme}://{netloc}{path}?{parts.query}" if parts.query else f"{scheme}://{netloc}{path}"


def column_id(unit_id: str, url: str) -> str:
    return hashlib.sha1(f"{unit_id}\n{canonical_url(url)}".encode()).hexdigest()[:16]


# ------------------------------------------------------------------------------------- writing

def sync_units(db: Database, units: Iterable[Any]) -> None:
    """Mirror the configured units (config is the source of truth) and their configured columns."""
    now = utcnow()
    units = list(units)
    with atomic(db):
        db.conn.executemany(
            """INSERT INTO units (id, name, type, site, contact_name, contact_email, updated_at)
               VALUES (?, ?, ?, ?, ?, ?, ?)
               ON CONFLICT(id) DO UPDATE SET name = excluded.name, type = excluded.type, site = excluded.site,
                 contact_name = excluded.contact_name, contact_email = excluded.contact_email,
                 updated_at = excluded.updated_at,
                 -- validators belong to the URL they were received from
                 site_etag = CASE WHEN units.site IS excluded.site THEN units.site_etag END,
                 site_last_modified = CASE WHEN units.site IS excluded.site THEN units.site_last_modified END,
                 -- and so does the outcome of its last fetch
                 site_outcome = CASE WHEN units.site IS excluded.site THEN units.site_outcome END,
                 site_http_status = CASE WHEN units.site IS excluded.site THEN units.site_http_status END,
                 site_error = CASE WHEN units.site IS excluded.site THEN units.site_error END,
                 site_fetch_at = CASE WHEN units.site IS excluded.site THEN units.site_fetch_at END""",
            [(u.id, u.name, u.type, u.site, u.contact.name, u.contact.email, now) for u in units])
        for unit in units:
            wanted = {column_id(unit.id, c.url): c for c in unit.columns}
            db.execute("UPDATE columns SET in_config = 0 WHERE unit_id = ? AND in_config = 1", [unit.id])
            for cid, col in wanted.items():
                _upsert_column(db, cid, unit.id, col.name, col.url, now, in_config=True)


def _upsert_column(db: Database, cid: str, unit_id: str, name: str, url: str, now: str, *,
                   in_config: bool = False, discovered: int = 0) -> None:
    """A configured column (`in_config`), or a discovered one at its navigation level (LINKED, SUB):
    a column linked from the site page stays LINKED when a column navigation links it too."""
    flag, value = ("in_config", 1) if in_config else ("discovered", discovered)
    db.execute(
        f"""INSERT INTO columns (id, unit_id, name, url, {flag}, first_seen, last_seen)
            VALUES (?2, ?3, ?4, ?5, ?8, ?6, ?7)
            ON CONFLICT(id) DO UPDATE SET {flag} = CASE WHEN columns.{flag} = 1 THEN 1 ELSE ?8 END,
              last_seen = excluded.last_seen,
              -- a configured column keeps the configured name and URL
              name = CASE WHEN ?1 OR columns.in_config = 0 THEN excluded.name ELSE columns.name END,
              url = CASE WHEN ?1 OR columns.in_config = 0 THEN excluded.url ELSE columns.url END""",
        [in_config, cid, unit_id, name, url, now, now, value],
    )


#: `columns.discovered`: never linked (0), linked from the unit's site page (LINKED), from a column
#: page that is a navigation of sub-columns (SUB), or linked before and no longer (GONE: the column
#: left the navigation; reported once as such, never as stale)
LINKED, SUB, GONE = 1, 2, -1


def record_discovery(db: Database, unit_id: str, columns: list[tuple[str, str]], *, etag: str | None = None,
                     last_modified: str | None = None, parent: str | None = None) -> list[str]:
    """Columns (name, url) found on a unit's site page, or with `parent` on that column's page (its
    sub-columns, below its URL). Columns of the same navigation no longer linked are GONE, and so
    are sub-columns whose navigation column is gone. Returns the column ids. Call only after the page
    was read successfully. The site page's validators are kept with the discovery they describe: a
    later 304 means "the columns are still these"."""
    now = utcnow()
    ids = []
    with atomic(db):
        if parent is None:
            db.execute("UPDATE units SET site_etag = ?, site_last_modified = ? WHERE id = ?",
                       [etag, last_modified, unit_id])
            db.execute("UPDATE columns SET discovered = ? WHERE unit_id = ? AND discovered = ?",
                       [GONE, unit_id, LINKED])
        else:
            _drop_sub_columns(db, unit_id, lambda url: below(url, parent))
        for name, url in columns:
            cid = column_id(unit_id, url)
            _upsert_column(db, cid, unit_id, name, url, now, discovered=SUB if parent else LINKED)
            ids.append(cid)
        if parent is None:
            navs = [r[0] for r in db.execute("SELECT url FROM columns WHERE unit_id = ? AND "
                                             "(discovered = ? OR in_config = 1)", [unit_id, LINKED])]
            _drop_sub_columns(db, unit_id, lambda url: not any(below(url, nav) for nav in navs))
    return ids


def below(url: str, parent: str) -> bool:
    """Whether `url` lies below the directory of the column page `parent` (a sub-column of it)."""
    key, top = canonical_url(url), canonical_url(parent)
    return key != top and key.startswith(top[:top.rfind("/") + 1])


def _drop_sub_columns(db: Database, unit_id: str, gone: Callable[[str], bool]) -> None:
    rows = db.execute("SELECT id, url FROM columns WHERE unit_id = ? AND discovered = ?", [unit_id, SUB]).fetchall()
    db.conn.executemany("UPDATE columns SET discovered = ? WHERE id = ?",
                        [(GONE, cid) for cid, url in rows if gone(url)])


#: the fetch purpose of a W12 link check (a HEAD request, or a GET closed after the headers)
LINK_CHECK = "link"


def record_fetch(db: Database, *, run_id: int | None, url: str, purpose: str, outcome: str,
                 unit_id: str | None = None, column_id: str | None = None, http_status: int | None = None,
                 error: str | None = None, elapsed_ms: int | None = None, nbytes: int | None = None,
                 encoding: str | None = None, retries: int = 0, referrer: str | None = None,
                 link_text: str | None = None) -> None:
    """One HTTP attempt (after retries). A failure is an observation, not an exception."""
    row = {
        "run_id": run_id, "unit_id": unit_id, "column_id": column_id, "url": url, "purpose": purpose,
        "fetched_at": utcnow(), "outcome": outcome, "http_status": http_status,
        "error": error[:MAX_ERROR] if error else None, "elapsed_ms": elapsed_ms, "bytes": nbytes,
        "encoding": encoding, "retries": retries, "referrer": referrer,
        "link_text": link_text[:MAX_ERROR] if link_text else None,
    }
    with atomic(db):
        insert_row(db, "fetches", row)
        if column_id and purpose == "list" and outcome not in ("ok", "not_modified"):
            update_row(db, "columns", column_id, {
                "last_run": run_id, "last_fetch_at": row["fetched_at"], "last_outcome": outcome,
                "last_http_status": http_status, "last_error": row["error"],
            })
        elif purpose == LINK_CHECK:
            db.execute("UPDATE links SET checked_at = ? WHERE url = ?", [row["fetched_at"], url])
        elif purpose == "site" and unit_id:
            update_row(db, "units", unit_id, {
                "site_outcome": outcome, "site_http_status": http_status, "site_error": row["error"],
                "site_fetch_at": row["fetched_at"],
            })


@dataclass(slots=True)
class ListItem:
    title: str
    url: str
    date: str | None        # ISO
    date_text: str | None = None


def record_list(db: Database, *, run_id: int | None, column_id: str, items: list[ListItem],
                pages_seen: int, http_status: int | None, etag: str | None, last_modified: str | None,
                body_hash: str | None, complete: bool | None = None, page_kind: str = "list",
                page_note: str | None = None) -> None:
    """The items of a column's list page(s), successfully fetched and extracted, and what its
    first page is (`crawler.extract.PAGE_KINDS`: a page without items is not always a blank list);
    `complete`: the pages read reached the end of the listing (None: not known), kept on the column
    and on this read's list fetch, which item_backdated (W8) looks back at."""
    now = utcnow()
    dated = [i for i in items if i.date]
    newest = max(dated, key=lambda i: i.date) if dated else None
    with atomic(db):
        db.conn.executemany(
            """INSERT INTO items (column_id, url, title, date, date_text, first_seen, last_seen,
                                  first_run, last_run)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
               ON CONFLICT(column_id, url) DO UPDATE SET title = excluded.title,
                 date = excluded.date, date_text = excluded.date_text,
                 last_seen = excluded.last_seen, last_run = excluded.last_run""",
            [(column_id, item.url, item.title[:MAX_TITLE], item.date, (item.date_text or "")[:100],
              now, now, run_id, run_id) for item in items],
        )
        update_row(db, "columns", column_id, {
            "last_run": run_id, "last_fetch_at": now, "last_outcome": "ok", "last_http_status": http_status,
            "last_error": None, "last_ok_at": now, "pages_seen": pages_seen, "item_count": len(items),
            "dated_count": len(dated), "newest_date": newest.date if newest else None,
            "newest_title": newest.title[:MAX_TITLE] if newest else None,
            "newest_url": newest.url if newest else None,
            "etag": etag, "last_modified": last_modified, "body_hash": body_hash, "list_complete": complete,
            "page_kind": page_kind, "page_note": page_note[:MAX_ERROR] if page_note else None,
        })
        _mark_list_fetch(db, column_id, complete)


def record_not_modified(db: Database, *, run_id: int | None, column_id: str) -> None:
    """A 304: the list is as last seen, so its items are seen again today."""
    now = utcnow()
    with atomic(db):
        db.execute("""UPDATE items SET last_seen = ?, last_run = ?
                      WHERE column_id = ? AND last_run = (SELECT last_run FROM columns WHERE id = ?)""",
                   [now, run_id, column_id, column_id])
        update_row(db, "columns", column_id, {
            "last_run": run_id, "last_fetch_at": now, "last_outcome": "not_modified",
            "last_http_status": 304, "last_error": None, "last_ok_at": now,
        })
        complete = db.execute("SELECT list_complete FROM columns WHERE id = ?", [column_id]).fetchone()
        _mark_list_fetch(db, column_id, complete[0] if complete else None)   # the listing is as last read


def _mark_list_fetch(db: Database, column_id: str, complete: bool | None) -> None:
    """Set `list_complete` on the column's latest list fetch (the one this listing came from: its
    first page is recorded before the listing is complete)."""
    db.execute("""UPDATE fetches SET list_complete = ? WHERE id =
                  (SELECT max(id) FROM fetches WHERE column_id = ? AND purpose = 'list')""", [complete, column_id])


def validators_for(db: Database, unit_ids: Iterable[str] | None = None) -> dict[str, dict[str, Any]]:
    """ETag / Last-Modified per list URL, for conditional requests; only for columns whose last
    fetch succeeded (after a failure we want the full page)."""
    units, params = in_list("unit_id", unit_ids)
    sql = ("SELECT id, url, etag, last_modified FROM columns WHERE last_outcome IN ('ok', 'not_modified') "
           f"AND (etag IS NOT NULL OR last_modified IS NOT NULL) AND {units}")
    return {row[1]: {"column_id": row[0], "etag": row[2], "last_modified": row[3]}
            for row in db.execute(sql, params).fetchall()}


def site_validators_for(db: Database, unit_ids: Iterable[str] | None = None) -> dict[str, dict[str, Any]]:
    """ETag / Last-Modified per site page URL, from the last discovery that read the page; none for
    a page whose newest dated item (W1, `home_pages`) was never read, so a 304 never stands for it."""
    units, params = in_list("id", unit_ids)
    sql = ("SELECT site, site_etag, site_last_modified FROM units WHERE site IS NOT NULL "
           f"AND (site_etag IS NOT NULL OR site_last_modified IS NOT NULL) AND {units} "
           "AND site IN (SELECT url FROM home_pages WHERE read_at IS NOT NULL)")
    return {row[0]: {"etag": row[1], "last_modified": row[2]} for row in db.execute(sql, params).fetchall()}


# ------------------------------------------------------------------------------------- reading

class ColumnState(NamedTuple):
    """What the checks need to know about one column (pure data, no DB handle).

    A NamedTuple, built straight from the row: at 100,000 columns a frozen dataclass's
    per-field `object.__setattr__` cost more than reading the rows."""

    id: str
    unit_id: str
    name: str
    url: str
    in_config: int              # 1 when listed in config.yaml (SQLite's 0/1)
    discovered: int             # LINKED / SUB when linked from the unit's navigation, GONE when it left it
    last_outcome: str | None
    last_http_status: int | None
    last_error: str | None
    last_fetch_at: str | None
    item_count: int | None
    dated_count: int | None
    newest_date: str | None
    newest_title: str | None
    newest_url: str | None
    page_kind: str | None = None    # what the first list page is (crawler.extract.PAGE_KINDS, or a
    #                                 crawler.discover.NAVIGATION); None before it was recorded
    page_note: str | None = None    # the empty-list notice, the article's date, or why it is unreadable;
    #                                 on a list: why its later pages cannot be read (crawler.extract.UNREACHABLE_REASONS)
    last_seen: str | None = None    # last configured or linked from the navigation (UTC ISO)


def active_columns(db: Database, unit_ids: Iterable[str] | None = None) -> list[ColumnState]:
    """Columns currently configured or linked from their unit's site, and discovered ones that left
    the navigation (GONE: the checks say so once instead of judging them)."""
    units, params = in_list("unit_id", unit_ids)
    sql = (f"SELECT {', '.join(ColumnState._fields)} FROM columns WHERE (in_config = 1 OR discovered != 0) "
           f"AND {units} ORDER BY unit_id, name")
    return list(map(ColumnState._make, db.execute(sql, params).fetchall()))


def shared_links(db: Database, urls: Iterable[str], unit_ids: Iterable[str]) -> set[str]:
    """Those of `urls` that more than one of these units' navigations link: a site-wide header's
    link (the portal's 县长信箱) is no one unit's own (unless it configures it)."""
    urls = list(dict.fromkeys(urls))
    if not urls:
        return set()
    where, params = in_list("url", urls)
    units, unit_params = in_list("unit_id", unit_ids)
    return {url for (url,) in db.execute(
        f"SELECT url FROM columns WHERE {where} AND discovered > 0 AND {units} "
        "GROUP BY url HAVING count(DISTINCT unit_id) > 1", params + unit_params)}


class SiteState(NamedTuple):
    """The latest fetch of a unit's site page (the page its columns are discovered from)."""

    unit_id: str
    site: str
    outcome: str
    http_status: int | None
    error: str | None
    fetch_at: str


def site_states(db: Database, unit_ids: Iterable[str] | None = None) -> dict[str, SiteState]:
    """Per unit whose site page was ever requested (since migration 8), that request's outcome."""
    units, params = in_list("id", unit_ids)
    sql = (f"SELECT id, site, site_outcome, site_http_status, site_error, site_fetch_at FROM units "
           f"WHERE site IS NOT NULL AND site_outcome IS NOT NULL AND {units}")
    return {row[0]: SiteState._make(row) for row in db.execute(sql, params).fetchall()}


# ------------------------------------------------------------------------------------- home pages

class HomePage(NamedTuple):
    """The latest request of a home page (the county portal's, a unit's site page) and the
    newest dated item it showed at its latest read (W1)."""

    url: str
    outcome: str
    http_status: int | None
    error: str | None
    fetch_at: str
    read_at: str | None
    newest_date: str | None
    newest_title: str | None
    newest_url: str | None
    interaction_url: str | None = None   # the first link to an interaction channel it showed (W7)


def record_home(db: Database, url: str, *, outcome: str, http_status: int | None = None,
                error: str | None = None, newest: ListItem | None = None,
                interaction_url: str | None = None) -> None:
    """One request of a home page, keyed by its configured URL. A page that was read (200)
    replaces the newest item (none: the page shows no dated item); a 304 keeps it, as the page
    is as at its last read; a failure keeps the last read as it was."""
    now = utcnow()
    read = outcome in ("ok", "not_modified")
    db.execute(
        """INSERT INTO home_pages (url, outcome, http_status, error, fetch_at, read_at,
                                   newest_date, newest_title, newest_url, interaction_url)
           VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)
           ON CONFLICT(url) DO UPDATE SET outcome = ?2, http_status = ?3, error = ?4, fetch_at = ?5,
             read_at = coalesce(?6, home_pages.read_at),
             newest_date = CASE WHEN ?2 = 'ok' THEN ?7 ELSE home_pages.newest_date END,
             newest_title = CASE WHEN ?2 = 'ok' THEN ?8 ELSE home_pages.newest_title END,
             newest_url = CASE WHEN ?2 = 'ok' THEN ?9 ELSE home_pages.newest_url END,
             interaction_url = CASE WHEN ?2 = 'ok' THEN ?10 ELSE home_pages.interaction_url END""",
        [url, outcome, http_status, error[:MAX_ERROR] if error else None, now, now if read else None,
         newest.date if newest else None, newest.title[:MAX_TITLE] if newest else None,
         newest.url if newest else None, interaction_url])


def home_pages(db: Database, urls: Iterable[str]) -> dict[str, HomePage]:
    """The stored state of each of `urls` that was ever requested."""
    where, params = in_list("url", urls)
    sql = f"SELECT {', '.join(HomePage._fields)} FROM home_pages WHERE {where}"
    return {row[0]: HomePage._make(row) for row in db.execute(sql, params).fetchall()}


class Probe(NamedTuple):
    """One availability request of a site page or the county portal (W6)."""

    url: str
    unit_id: str
    probed_at: str
    outcome: str                  # ok | error | slow
    http_status: int | None
    elapsed_ms: int | None
    error: str | None


def record_probe(db: Database, probe: Probe) -> None:
    db.execute(f"INSERT INTO probes ({', '.join(Probe._fields)}) VALUES ({', '.join('?' * len(Probe._fields))})",
               [*probe[:-1], probe.error[:MAX_ERROR] if probe.error else None])


def probes_since(db: Database, since: str) -> list[Probe]:
    """Every probe from `since` (a store timestamp) on, oldest first."""
    sql = f"SELECT {', '.join(Probe._fields)} FROM probes WHERE probed_at >= ? ORDER BY probed_at"
    return [Probe._make(row) for row in db.execute(sql, [since]).fetchall()]


def detail_fetches_since(db: Database, unit_ids: list[str], since: str) -> int:
    """Item detail requests and link checks made to these units since `since` (a store timestamp):
    both spend the detail budget."""
    units, params = in_list("unit_id", unit_ids)
    return db.execute(f"""SELECT COUNT(*) FROM fetches WHERE purpose IN ('detail', '{LINK_CHECK}')
                          AND fetched_at >= ? AND {units}""", [since, *params]).fetchone()[0]


def last_crawl(db: Database, unit_ids: list[str]) -> tuple[int, int]:
    """List-side requests (all but item detail pages and link checks) and new items of these units'
    latest crawl; (0, 0) before the first."""
    units, params = in_list("unit_id", unit_ids)
    run = db.execute(f"SELECT max(last_run) FROM columns WHERE {units}", params).fetchone()[0]
    if run is None:
        return 0, 0
    lists = db.execute(f"""SELECT COUNT(*) FROM fetches
                           WHERE run_id = ? AND purpose NOT IN ('detail', '{LINK_CHECK}') AND {units}""",
                       [run, *params]).fetchone()[0]
    new = db.execute(f"""SELECT COUNT(*) FROM items WHERE first_run = ?
                         AND column_id IN (SELECT id FROM columns WHERE {units})""", [run, *params]).fetchone()[0]
    return lists, new


class StoredLink(NamedTuple):
    """A link on a page of a unit (`links`): `gone` once that page was read again without it."""

    url: str
    unit_id: str
    page: str
    text: str | None
    checked_at: str | None
    gone: bool


def link_gone_at(alias: str) -> str:
    """SQL: when the page of the `links` row `alias` was read (answered 200, parsed) by a crawl after
    the last one that saw the link on it; NULL while it was not: the link is gone from it from then on."""
    return (f"(SELECT MAX(r.fetched_at) FROM fetches r WHERE r.url = {alias}.page AND r.outcome = 'ok'"
            f" AND r.run_id > {alias}.seen_run AND r.purpose IN ('site', 'list', 'page', 'report'))")


def record_links(db: Database, *, run_id: int | None, unit_id: str, page: str,
                 links: list[tuple[str, str]]) -> None:
    """(URL, text) of links a page read in this crawl shows (those no earlier page of it showed). A
    link keeps the unit and page it was first seen on while that page shows it (a site-wide menu is
    one unit's link, checked by one crawl worker); a page of the same unit, or any page once the
    first is read without it, takes it over."""
    now = utcnow()
    db.conn.executemany(
        f"""INSERT INTO links (url, unit_id, page, text, first_seen, seen_run) VALUES (?, ?, ?, ?, ?, ?)
            ON CONFLICT (url) DO UPDATE SET unit_id = excluded.unit_id, page = excluded.page,
                                            text = excluded.text, seen_run = excluded.seen_run
            WHERE links.unit_id = excluded.unit_id OR {link_gone_at("links")} IS NOT NULL""",
        [(url, unit_id, page, text[:MAX_TITLE] or None, now, run_id) for url, text in links])


def stored_links(db: Database, unit_ids: Iterable[str]) -> list[StoredLink]:
    """The links last seen on pages of these units."""
    units, params = in_list("k.unit_id", unit_ids)
    return [StoredLink(*row[:5], bool(row[5])) for row in db.execute(
        f"SELECT k.url, k.unit_id, k.page, k.text, k.checked_at, {link_gone_at('k')} IS NOT NULL FROM links k "
        f"WHERE {units}", params)]


def link_urls(db: Database) -> set[str]:
    """Every stored link's URL, whoever's pages show it."""
    return {url for (url,) in db.execute("SELECT url FROM links")}


def column_urls(db: Database) -> set[str]:
    """The URLs of every known column (each is read by the crawl of its unit)."""
    return {url for (url,) in db.execute("SELECT url FROM columns")}
