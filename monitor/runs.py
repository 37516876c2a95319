"""The `runs` table: one row per crawl / check / daily run, so a crash mid-run is visible
(status stays `running` until the next run marks it `interrupted`) and the dashboard can list
recent runs with their pages, errors and duration."""
from __future__ import annotations

import json
from typing import Any

from sqlite_utils import Database

from monitor.store import utcnow


def start_run(db: Database, kind: str, today: str | None = None) -> int:
    with db.atomic():
        db.execute("UPDATE runs SET status = 'interrupted', finished_at = ? WHERE status = 'running' "
                   "AND kind = ?", [utcnow(), kind])
        return db["runs"].insert({"kind": kind, "started_at": utcnow(), "status": "running",
                                  "today": today}).last_pk


def finish_run(db: Database, run_id: int, status: str, summary: dict[str, Any] | None = None,
               **counters: int) -> None:
    with db.atomic():
        db["runs"].update(run_id, {"finished_at": utcnow(), "status": status,
                                   "summary": json.dumps(summary or {}, ensure_ascii=False), **counters})
