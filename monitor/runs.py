"""The `runs` table: one row per crawl / check / daily run, so a crash mid-run is visible
(status stays `running` until the next run marks it `interrupted`) and the dashboard can list
recent runs with their pages, errors and duration."""
from __future__ import annotations

import json
import logging
from typing import Any

from sqlite_utils import Database

from monitor.store import atomic, utcnow


log = logging.getLogger("gongkai.runs")


def start_run(db: Database, kind: str, today: str | None = None) -> int:
    """A new run; every run still `running` is a leftover of a crash (writers hold the store's
    lock, monitor/daily.py, so none can really be going on) and becomes `interrupted`."""
    with atomic(db):
        db.execute("UPDATE runs SET status = 'interrupted', finished_at = ? WHERE status = 'running'", [utcnow()])
        return db["runs"].insert({"kind": kind, "started_at": utcnow(), "status": "running",
                                  "today": today}).last_pk


def finish_run(db: Database, run_id: int, status: str, summary: dict[str, Any] | None = None,
               **counters: int) -> None:
    with atomic(db):
        db["runs"].update(run_id, {"finished_at": utcnow(), "status": status,
                                   "summary": json.dumps(summary or {}, ensure_ascii=False), **counters})


def fail_run(db: Database, run_id: int, line: str, **counters: int) -> None:
    """Mark a run `failed` on the way out of an error; when the store cannot take even that (disk
    full), the row stays `running` and the next run marks it `interrupted`."""
    try:
        finish_run(db, run_id, "failed", {"line": line}, **counters)
    except Exception as exc:  # noqa: BLE001 - the original error is the one to report
        log.error("run #%d could not be marked failed: %s", run_id, exc)
