"""Annual-report observations in the store: versions of report documents (every fetched version
kept, A15) and the listings of the units' report columns, loaded for the report checks."""
from __future__ import annotations

import hashlib
import logging
from collections import defaultdict
from datetime import date
from typing import Iterable

from sqlite_utils import Database

from monitor.checks.columns import REACHABLE, ColumnVerdict, fetch_reason
from monitor.checks.reports import ListedReport, ReportDocument, ReportListing
from monitor.reports import UnreadableInput, parse_report
from monitor.store import utcnow

log = logging.getLogger("gongkai.reports")


def record_document(db: Database, *, unit_id: str, column_id: str | None, url: str, title: str | None,
                    year: int | None, published: str | None, content_type: str | None, raw: bytes,
                    etag: str | None = None, last_modified: str | None = None,
                    main_text: str | None = None) -> bool:
    """Keep this version of a report document; returns True when it is a new version. A page's
    version is its main text (`main_text`, boilerplate removed) when given, so a view counter or
    a changed sidebar is not a new version; a file's is its bytes. Parsing waits for the checks
    (they parse the latest versions on every run, so parser fixes apply to history)."""
    digest = hashlib.sha256(main_text.encode() if main_text is not None else raw).hexdigest()
    now = utcnow()
    with db.atomic():
        known = db.execute("SELECT id FROM documents WHERE url = ? AND content_hash = ?", [url, digest]).fetchone()
        if known:
            db.execute("UPDATE documents SET last_fetched = ?, etag = ?, last_modified = ? WHERE id = ?",
                       [now, etag, last_modified, known[0]])
            return False
        db["documents"].insert({
            "unit_id": unit_id, "column_id": column_id, "url": url, "title": title, "year": year,
            "published": published, "content_type": content_type, "content_hash": digest, "raw": raw,
            "etag": etag, "last_modified": last_modified, "first_fetched": now, "last_fetched": now,
        })
        return True


def load_report_listings(db: Database, verdicts: Iterable[ColumnVerdict]) -> dict[str, ReportListing]:
    """Per unit: its report column(s), whether they were read, and the items currently listed."""
    listings: dict[str, ReportListing] = defaultdict(ReportListing)
    reachable_ids = []
    for v in verdicts:
        if v.category != "report" or v.state == "removed":    # one that left the navigation is not found
            continue
        listing = listings[v.column.unit_id]
        listing.found = True
        if v.listed:
            listing.reachable = True
            reachable_ids.append(v.column.id)
    for start in range(0, len(reachable_ids), 500):
        chunk = reachable_ids[start:start + 500]
        marks = ','.join('?' * len(chunk))
        for unit_id, title, url, day in db.execute(
                f"""SELECT c.unit_id, i.title, i.url, i.date FROM items i JOIN columns c ON c.id = i.column_id
                    WHERE c.id IN ({marks}) AND i.last_run IS c.last_run""", chunk).fetchall():
            listings[unit_id].items.append(ListedReport(title, url, date.fromisoformat(day) if day else None))
        # report pages are requested once their list is read: the fetches since then, last one wins
        for unit_id, url, outcome, status in db.execute(
                f"""SELECT c.unit_id, f.url, f.outcome, f.http_status FROM fetches f JOIN columns c ON c.id = f.column_id
                    WHERE c.id IN ({marks}) AND f.purpose = 'report' AND f.fetched_at >= c.last_fetch_at
                    ORDER BY f.fetched_at, f.id""", chunk).fetchall():
            unread = listings[unit_id].unread
            if outcome in REACHABLE:
                unread.pop(url, None)
            else:
                unread[url] = f"页面无法读取（{fetch_reason(outcome, status)}）"
    return listings


def load_report_documents(db: Database, unit_ids: list[str]) -> dict[str, dict[int, ReportDocument]]:
    """The latest version of each report document, parsed again (so parser fixes apply to history);
    per unit and year the document whose tables could be read best (a page or its attachment)."""
    found: dict[str, dict[int, ReportDocument]] = defaultdict(dict)
    scores: dict[tuple[str, int], int] = {}
    seen_urls: set[str] = set()
    for start in range(0, len(unit_ids), 500):
        chunk = unit_ids[start:start + 500]
        rows = db.execute(
            f"""SELECT unit_id, year, url, content_type, raw FROM documents
                WHERE year IS NOT NULL AND unit_id IN ({','.join('?' * len(chunk))})
                ORDER BY last_fetched DESC, id DESC""", chunk).fetchall()
        for unit_id, year, url, content_type, raw in rows:
            if url in seen_urls:
                continue   # an older version of a document already taken
            seen_urls.add(url)
            try:
                report = parse_report(raw, content_type, name=url)
            except (UnreadableInput, ValueError) as error:
                if (unit_id, year) not in scores:     # said only when no document of the year can be read
                    scores[(unit_id, year)] = -1
                    found[unit_id][year] = ReportDocument(year, url, None, problem=str(error))
                continue
            score = report.table3.readable * 2 + report.table4.readable + bool(report.sections)
            if score > scores.get((unit_id, year), -1):
                scores[(unit_id, year)] = score
                found[unit_id][year] = ReportDocument(year, url, report)
    return found
