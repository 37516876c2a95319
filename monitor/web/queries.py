"""The dashboard's reads: SQL that filters, sorts, counts and pages inside SQLite.

Every function returns at most one page of rows, so a store with 100,000 columns costs the
same Python work as a small one; the long lists sort on small cached keys (monitor.web.listing).
"""
from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from datetime import date
from typing import Any, Callable

from sqlite_utils import Database

from monitor.checks.publication import PublicationStat, judge_each
from monitor.config import Config
from monitor.finding import Finding
from monitor.kinds import of_family, on_dashboard
from monitor.report_store import parse_stored
from monitor.reports import parse_report
from monitor.reports.years import expected_years
from monitor.months import Month
from monitor.stats import CountCache, load_publication, month_period, publication_versions
from monitor.web.listing import Key, sorted_keys, store_version

PAGE_SIZE = 200
REPORT_KINDS = on_dashboard(("reports",))


@dataclass(frozen=True)
class Filters:
    unit: str | None = None
    category: str | None = None
    kind: str | None = None


@dataclass
class Page:
    rows: list[Any]                  # findings, units or runs
    total: int
    number: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // PAGE_SIZE))


def _dicts(cursor) -> list[dict[str, Any]]:
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row)) for row in cursor.fetchall()]


def has_table(db: Database, name: str) -> bool:
    """Tables of later migrations (documents, outbox) may not exist in an older store."""
    return db.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", [name]).fetchone() is not None


def finding_rows(db: Database, kinds: tuple[str, ...], filters: Filters, order: Callable[[Key], tuple], *,
                 page: int = 1, limit: int | None = None) -> Page:
    """Open column findings of `kinds` (narrowed by the filters), one page of them, in `order`."""
    limit = limit or PAGE_SIZE
    if filters.kind in kinds:
        kinds = (filters.kind,)
    chosen = sorted_keys(db, kinds, order)
    if filters.unit or filters.category:
        chosen = [k for k in chosen if (not filters.unit or k.unit_id == filters.unit)
                  and (not filters.category or k.category == filters.category)]
    ids = [k.id for k in chosen[(page - 1) * limit: page * limit]]
    rows = {r["id"]: r for r in _dicts(db.execute(
        f"SELECT * FROM findings WHERE id IN ({','.join('?' * len(ids))})", ids))} if ids else {}
    return Page([Finding.from_row(rows[i]) for i in ids if i in rows], len(chosen), page)


def open_counts(db: Database) -> dict[str, int]:
    """Open findings per kind (the numbers in the page header)."""
    return dict(db.execute("SELECT kind, count(*) FROM findings WHERE status = 'open' GROUP BY kind").fetchall())


def units(db: Database) -> list[dict[str, Any]]:
    """Units for the filter and the report matrix; from findings when `check` never synced them."""
    rows = _dicts(db.execute("SELECT id, name, type FROM units ORDER BY type, id"))
    if rows:
        return rows
    return _dicts(db.execute("SELECT unit_id AS id, max(unit_name) AS name, NULL AS type FROM findings "
                             "GROUP BY unit_id ORDER BY unit_id"))


def unit_info(db: Database, unit_id: str) -> dict[str, Any] | None:
    rows = _dicts(db.execute("SELECT * FROM units WHERE id = ?", [unit_id]))
    if rows:
        return rows[0]
    rows = _dicts(db.execute("SELECT unit_id AS id, unit_name AS name FROM findings WHERE unit_id = ? LIMIT 1",
                             [unit_id]))
    return rows[0] if rows else None


def unit_columns(db: Database, unit_id: str) -> list[dict[str, Any]]:
    """The unit's columns, each with the open column finding that describes its state (if any)."""
    columns = _dicts(db.execute(
        """SELECT id, name, url, category, category_source, in_config, discovered, last_outcome,
                  last_http_status, last_fetch_at, item_count, newest_date, newest_title, page_kind,
                  in_config = 1 OR discovered > 0 AS active
           FROM columns WHERE unit_id = ? ORDER BY NOT active, name""", [unit_id]))
    states: dict[str, Finding] = {}
    kinds = of_family("column")
    for row in _dicts(db.execute(
            f"""SELECT * FROM findings
               WHERE unit_id = ? AND status = 'open' AND kind IN ({','.join('?' * len(kinds))})""",
            [unit_id, *kinds])):
        f = Finding.from_row(row)
        states[f.subject.get("url")] = f
    for col in columns:
        col["finding"] = states.get(col["url"])
    return columns


def unit_history(db: Database, unit_id: str, page: int) -> Page:
    """Every finding of the unit, open ones first, newest first."""
    total = db.execute("SELECT count(*) FROM findings WHERE unit_id = ?", [unit_id]).fetchone()[0]
    rows = _dicts(db.execute(
        """SELECT * FROM findings WHERE unit_id = ?
           ORDER BY status != 'open', coalesce(resolved_at, last_seen) DESC, first_seen DESC, id
           LIMIT ? OFFSET ?""", [unit_id, PAGE_SIZE, (page - 1) * PAGE_SIZE]))
    return Page([Finding.from_row(r) for r in rows], total, page)


def finding(db: Database, finding_id: str) -> Finding | None:
    rows = _dicts(db.execute("SELECT * FROM findings WHERE id = ?", [finding_id]))
    return Finding.from_row(rows[0]) if rows else None


# ------------------------------------------------------------------------------- annual reports

def report_years(db: Database, today: date, span: int = 5) -> list[int]:
    """The report years the checks look at (the last three), plus years seen in documents or
    findings; the latest `span` of them."""
    years: set[int] = set()
    if has_table(db, "documents"):
        years |= {y for (y,) in db.execute("SELECT DISTINCT year FROM documents WHERE year IS NOT NULL")}
    years |= {int(y) for (y,) in db.execute(
        f"""SELECT DISTINCT json_extract(subject, '$.year') FROM findings
            WHERE status = 'open' AND kind IN ({','.join('?' * len(REPORT_KINDS))})
              AND json_extract(subject, '$.year') IS NOT NULL""", REPORT_KINDS)}
    years.update(expected_years(today))
    return sorted(years)[-span:]


def report_cells(db: Database, unit_ids: list[str], years: list[int],
                 ) -> tuple[dict[tuple[str, int], dict[str, Any]], dict[tuple[str, int], list[Finding]]]:
    """(latest document, open report findings) per (unit, year) for one page of units."""
    if not unit_ids or not years:
        return {}, {}
    units_in, years_in = ",".join("?" * len(unit_ids)), ",".join("?" * len(years))
    docs: dict[tuple[str, int], dict[str, Any]] = {}
    if has_table(db, "documents"):
        # bare columns with max(): SQLite returns them from the row holding the maximum
        for row in _dicts(db.execute(
                f"""SELECT id, unit_id, year, title, url, published, max(last_fetched) AS last_fetched
                    FROM documents WHERE unit_id IN ({units_in}) AND year IN ({years_in})
                    GROUP BY unit_id, year""", [*unit_ids, *years])):
            docs[(row["unit_id"], row["year"])] = row
    found: dict[tuple[str, int], list[Finding]] = {}
    for row in _dicts(db.execute(
            f"""SELECT * FROM findings WHERE status = 'open' AND kind IN ({','.join('?' * len(REPORT_KINDS))})
                AND unit_id IN ({units_in}) AND json_extract(subject, '$.year') IN ({years_in})
                ORDER BY kind, id""", [*REPORT_KINDS, *unit_ids, *years])):
        f = Finding.from_row(row)
        found.setdefault((f.unit_id, int(f.year)), []).append(f)
    return docs, found


def document(db: Database, doc_id: int) -> dict[str, Any] | None:
    """One report version without its raw bytes, with `parsed`: the report as the last check parsed
    it, else as parsed now within the default document limits (None when it cannot be read or is
    over a limit)."""
    if not has_table(db, "documents"):
        return None
    rows = _dicts(db.execute(
        """SELECT id, unit_id, column_id, url, title, year, published, content_type, raw,
                  first_fetched, last_fetched FROM documents WHERE id = ?""", [doc_id]))
    if not rows:
        return None
    doc = rows[0]
    raw = doc.pop("raw")
    try:
        report = (parse_stored(db, raw, doc["content_type"], doc["url"], remember=False)
                  if has_table(db, "report_parses") else parse_report(raw, doc["content_type"], name=doc["url"]))
        doc["parsed"] = json.loads(json.dumps(report.to_dict(), ensure_ascii=False, default=str))   # dates as text
    except ValueError:          # unreadable or over a limit
        doc["parsed"] = None
    return doc


def report_findings(db: Database, unit_id: str, year: int) -> list[Finding]:
    return [Finding.from_row(r) for r in _dicts(db.execute(
        f"""SELECT * FROM findings WHERE unit_id = ? AND kind IN ({','.join('?' * len(REPORT_KINDS))})
            AND json_extract(subject, '$.year') = ? ORDER BY status != 'open', kind, id""",
        [unit_id, *REPORT_KINDS, year]))]


# ------------------------------------------------------------------------------- trend and runs

def trend(db: Database, days: int = 180) -> tuple[list[str], dict[str, list[int]]]:
    """(days, kind -> open count per day): the last check run of each day, last `days` days."""
    rows = db.execute(
        """SELECT h.day, h.kind, h.open_count FROM finding_history h
           JOIN (SELECT day, max(run_id) AS run_id FROM finding_history GROUP BY day
                 ORDER BY day DESC LIMIT ?) last USING (day, run_id)
           ORDER BY h.day""", [days]).fetchall()
    day_list = sorted({d for d, _, _ in rows})
    index = {d: i for i, d in enumerate(day_list)}
    series: dict[str, list[int]] = {}
    for day, kind, count in rows:
        series.setdefault(kind, [0] * len(day_list))[index[day]] = count
    return day_list, series


def recent_runs(db: Database, page: int) -> Page:
    total = db.execute("SELECT count(*) FROM runs").fetchone()[0]
    rows = _dicts(db.execute(
        """SELECT *, (julianday(finished_at) - julianday(started_at)) * 86400.0 AS seconds
           FROM runs ORDER BY id DESC LIMIT ? OFFSET ?""", [PAGE_SIZE, (page - 1) * PAGE_SIZE]))
    for row in rows:
        try:
            row["line"] = json.loads(row["summary"] or "{}").get("line", "")
        except (json.JSONDecodeError, AttributeError):
            row["line"] = ""
    return Page(rows, total, page)


def sent_mail(db: Database, limit: int = 100) -> list[dict[str, Any]]:
    """Bulletins and warnings delivered (outbox rows with status `sent`), newest first."""
    if not has_table(db, "outbox"):
        return []
    return _dicts(db.execute(
        """SELECT kind, period, recipient, subject, sent_at, attempts FROM outbox
           WHERE status = 'sent' ORDER BY sent_at DESC LIMIT ?""", [limit]))


# ------------------------------------------------------------------------------------- 发布统计

@dataclass(frozen=True)
class PublicationRow:
    unit_id: str
    unit_name: str
    cells: list[PublicationStat]      # one per month shown, oldest first

    @property
    def total(self) -> int:
        return sum(c.items for c in self.cells)


_publication_lock = threading.Lock()
#: database path -> ((version of the counted data, today, config), months, rows)
_publication_cache: dict[str, tuple[tuple, list[Month], list[PublicationRow]]] = {}
#: database path -> the items' counts of the grid's last count
_count_caches: dict[str, CountCache] = {}


def publication_grid(conn: Database, config: Config, today: date, months: int = 12,
                     ) -> tuple[list[Month], list[PublicationRow]]:
    """Units × the last `months` complete months, each cell judged as `gongkai stats` judges a month
    (a month still running would show as too low); judged again only when the items or columns
    changed (in a store before migration 17, any write), the items counted again only when those
    shown in these months or what a column counts as changed."""
    path = conn.execute("PRAGMA database_list").fetchone()[2]
    versions = publication_versions(conn)
    key = (store_version(path) if versions is None else tuple(sorted(versions.items())), today, id(config))
    with _publication_lock:
        cached = _publication_cache.get(path)
        if cached is None or cached[0] != key:
            shown = [Month.before(today) + k for k in range(1 - months, 1)]
            pubs = load_publication(conn, config, tuple(shown), today,
                                    cache=_count_caches.setdefault(path, CountCache()))
            periods = [month_period(m) for m in shown]
            rows = [PublicationRow(p.unit_id, p.unit_name, judge_each(config, p, periods)) for p in pubs]
            cached = _publication_cache[path] = (key, shown, rows)
        return cached[1], cached[2]
