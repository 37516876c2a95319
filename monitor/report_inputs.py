"""The report checks' inputs, loaded from the store: the listings of the units' report columns
(given the column verdicts, which say which report columns were read) and the best readable
stored version of each report year, parsed now so parser fixes apply to history."""
from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Iterable

from sqlite_utils import Database

from monitor.checks.columns import ColumnVerdict
from monitor.outcomes import REACHABLE, fetch_reason
from monitor.checks.report_columns import SUBJECTS, ColumnItem, UnitColumn
from monitor.checks.reports import ListedReport, ReportDocument, ReportListing
from monitor.report_store import parse_stored
from monitor.reports import UnreadableInput
from monitor.reports.limits import DEFAULT_LIMITS, DocumentTooLarge, Limits
from monitor.reports.parse import parser_version


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


def load_report_documents(db: Database, unit_ids: list[str], limits: Limits = DEFAULT_LIMITS,
                          ) -> dict[str, dict[int, ReportDocument]]:
    """The latest version of each report document, parsed (once per parser version, see
    `parse_stored`); per unit and year the document whose tables could be read best (a page or its
    attachment). A document over a limit ranks above one without a readable table 三, whose
    tables it may hold, so that its report says why it is not assessed."""
    db.execute("DELETE FROM report_parses WHERE parser != ?", [parser_version()])
    found: dict[str, dict[int, ReportDocument]] = defaultdict(dict)
    scores: dict[tuple[str, int], float] = {}
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
                report = parse_stored(db, raw, content_type, url, limits)
            except DocumentTooLarge as error:
                document, score = ReportDocument(year, url, error), 1.5
            except (UnreadableInput, ValueError) as error:
                if (unit_id, year) not in scores:     # said only when no document of the year can be read
                    scores[(unit_id, year)] = -1
                    found[unit_id][year] = ReportDocument(year, url, None, problem=str(error))
                continue
            else:
                document = ReportDocument(year, url, report)
                score = report.table3.readable * 2 + report.table4.readable + bool(report.sections)
            if score > scores.get((unit_id, year), -1):
                scores[(unit_id, year)] = score
                found[unit_id][year] = document
    return found


def load_subject_columns(db: Database, verdicts: Iterable[ColumnVerdict]) -> dict[str, list[UnitColumn]]:
    """Per unit: its columns that publish what table 二 counts (K14), with the items of their
    latest listing and each item's 文号 as its detail page last showed it."""
    words = {w for s in SUBJECTS for w in s.columns}
    found: dict[str, list[UnitColumn]] = defaultdict(list)
    for v in verdicts:
        c = v.column
        if v.state == "removed" or not any(w in c.name for w in words):
            continue
        column = UnitColumn(c.name, c.url, v.listed)
        if v.listed:
            for title, url, day, doc_no in db.execute(
                    """SELECT i.title, i.url, i.date, (SELECT v.doc_no FROM item_versions v WHERE v.url = i.url
                                                      ORDER BY v.last_fetched DESC LIMIT 1)
                       FROM items i JOIN columns c ON c.id = i.column_id
                       WHERE c.id = ? AND i.last_run IS c.last_run""", [c.id]).fetchall():
                column.items.append(ColumnItem(title, url, date.fromisoformat(day) if day else None, doc_no))
        found[c.unit_id].append(column)
    return found
