"""Annual-report observations in the store: versions of report documents (every fetched version
kept, A15). The report checks' inputs are loaded by `monitor.report_inputs`, above the checks."""
from __future__ import annotations

import hashlib

from sqlite_utils import Database

from monitor.store import utcnow

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
