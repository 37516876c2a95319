"""Annual-report observations in the store: versions of report documents (every fetched version
kept, A15). The report checks' inputs are loaded by `monitor.report_inputs`, above the checks."""
from __future__ import annotations

import hashlib
import json
from dataclasses import asdict

from sqlite_utils import Database

from monitor.reports import ParsedReport, UnreadableInput, parse_report
from monitor.reports.limits import DEFAULT_LIMITS, DocumentTooLarge, Limits
from monitor.reports.parse import parser_version
from monitor.store import atomic, in_list, insert_row, utcnow


def record_document(db: Database, *, unit_id: str, column_id: str | None, url: str, title: str | None,
                    year: int | None, published: str | None, content_type: str | None, raw: bytes,
                    etag: str | None = None, last_modified: str | None = None,
                    main_text: str | None = None) -> bool:
    """Keep this version of a report document; returns True when it is a new version. A page's
    version is its main text (`main_text`, boilerplate removed) when given, so a view counter or
    a changed sidebar is not a new version; a file's is its bytes. Parsing waits for the checks
    (they parse the latest versions, and `parse_stored` keeps the result per parser version, so
    parser fixes apply to history)."""
    digest = hashlib.sha256(main_text.encode() if main_text is not None else raw).hexdigest()
    now = utcnow()
    with atomic(db):
        known = db.execute("SELECT id FROM documents WHERE url = ? AND content_hash = ?", [url, digest]).fetchone()
        if known:
            db.execute("UPDATE documents SET last_fetched = ?, etag = ?, last_modified = ? WHERE id = ?",
                       [now, etag, last_modified, known[0]])
            return False
        insert_row(db, "documents", {
            "unit_id": unit_id, "column_id": column_id, "url": url, "title": title, "year": year,
            "published": published, "content_type": content_type, "content_hash": digest, "raw": raw,
            "etag": etag, "last_modified": last_modified, "first_fetched": now, "last_fetched": now,
        })
        return True


def stored_documents(db: Database, unit_ids: list[str]) -> list[tuple[str, str | None, int | None, str | None, str | None]]:
    """(url, column id, year, etag, last_modified) of every stored document version of these
    units, oldest fetch first: for a URL the last one is its latest version."""
    units, params = in_list("unit_id", unit_ids)
    return db.execute(f"SELECT url, column_id, year, etag, last_modified FROM documents WHERE {units} "
                      "ORDER BY last_fetched, id", params).fetchall()


def parse_stored(db: Database, raw: bytes, content_type: str | None, url: str,
                 limits: Limits = DEFAULT_LIMITS, *, remember: bool = True) -> ParsedReport:
    """`parse_report` through the store's `report_parses`: a document version is parsed once per
    parser version (an over-limit verdict once per set of limits), not on every check; raises as
    `parse_report` does. `remember=False` for a read-only store (the dashboard)."""
    key = hashlib.sha256(f"{content_type}\n{url}\n".encode() + raw).hexdigest()
    version = parser_version()
    limits_json = json.dumps(asdict(limits), sort_keys=True)
    row = db.execute("SELECT outcome, limits, result FROM report_parses WHERE key = ? AND parser = ?",
                     [key, version]).fetchone()
    if row and not (row[0] == "too_large" and row[1] != limits_json):
        outcome, _, result = row
        if outcome == "too_large":
            raise DocumentTooLarge(*json.loads(result))
        if outcome == "unreadable":
            raise UnreadableInput(result)
        return ParsedReport.from_dict(json.loads(result))
    error: ValueError | None = None
    try:
        report = parse_report(raw, content_type, name=url, limits=limits)
        outcome, result = "parsed", json.dumps(report.to_dict(), ensure_ascii=False)
    except DocumentTooLarge as exc:
        outcome, result, error = "too_large", json.dumps([exc.limit, exc.detail], ensure_ascii=False), exc
    except ValueError as exc:       # UnreadableInput included
        outcome, result, error = "unreadable", str(exc), exc
    if remember:
        db.execute("INSERT OR REPLACE INTO report_parses (key, parser, outcome, limits, result, parsed_at) "
                   "VALUES (?, ?, ?, ?, ?, ?)",
                   [key, version, outcome, limits_json if outcome == "too_large" else None, result, utcnow()])
    if error is not None:
        raise error
    return report
