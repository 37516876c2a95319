"""Findings: results that are not `pass`, reconciled across runs, in the stable JSON of docs/design.md §2.

Reconciliation: a failing result opens a finding (or refreshes `last_seen` of the open one with
the same fingerprint); an open finding whose subject was assessed again and now passes gets
`resolved_at` (so does one of a kind that a new result `supersedes`, e.g. stale → blank);
a finding whose subject could not be assessed this time (unreachable page,
`--unit` run of another unit) is left untouched — absence of evidence never closes or opens one.
"""
from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from datetime import date
from typing import Any, Iterable

import orjson
from sqlite_utils import Database

from monitor.finding import Finding
from monitor.results import Result, fingerprint, subject_key
from monitor.store import atomic


def _json(value: Any) -> str:
    """Compact UTF-8 JSON; orjson because encoding 100,000 findings with `json` took 0.7 s of a check."""
    return orjson.dumps(value, default=str).decode()


@dataclass(frozen=True, slots=True)
class ReconcileSummary:
    opened: int
    updated: int
    resolved: int
    open_total: int


def reconcile(db: Database, results: Iterable[Result], today: date, run_id: int | None = None,
              ) -> ReconcileSummary:
    """Merge this check run's results into the `findings` table in one transaction."""
    day = today.isoformat()
    with atomic(db):
        existing: dict[str, str] = {}
        # open findings by subject, so each result closes what it rules out without hashing
        # every (kind, subject) pair — the hot spot at 100,000 columns
        open_by_subject: dict[tuple[str, str], dict[str, str]] = {}
        stored: dict[str, tuple] = {}
        for fid, status, kind, unit_id, key, subject, *content in db.execute(
                "SELECT id, status, kind, unit_id, subject_key, subject, rule, severity, result, unit_name, message, "
                "CASE WHEN status = 'open' THEN evidence END FROM findings").fetchall():
            existing[fid] = status
            if status != "open":
                continue
            key = key if key is not None else subject_key(json.loads(subject))
            open_by_subject.setdefault((unit_id, key), {})[kind] = fid
            stored[fid] = (subject, key, *content)
        failing: dict[str, tuple[Result, str]] = {}
        assessed_ok: set[str] = set()
        for r in results:
            key = subject_key(r.subject)
            if r.is_finding:
                failing[fingerprint(r.kind, r.unit_id, key)] = (r, key)
            if r.status == "uncertain":
                continue
            kinds = open_by_subject.get((r.unit_id, key))
            if kinds:
                closes = r.supersedes if r.is_finding else (r.kind, *r.supersedes)
                assessed_ok.update(kinds[k] for k in closes if k in kinds)
        opened = sum(1 for fid in failing if existing.get(fid) != "open")
        changed, unchanged = [], []
        for fid, (r, key) in failing.items():
            row = (_json(r.subject), key, r.rule, r.severity, r.status, r.unit_name, r.message, _json(r.evidence))
            if stored.get(fid) == row:
                unchanged.append((day, run_id, fid))     # still open, same evidence: only seen again
            else:
                changed.append((fid, r.kind, r.unit_id, *row, day, day, run_id))
        db.conn.executemany("UPDATE findings SET last_seen = ?, check_run = ? WHERE id = ?", unchanged)
        db.conn.executemany(
            """INSERT INTO findings (id, kind, unit_id, subject, subject_key, rule, severity, result, unit_name,
                                     message, evidence, first_seen, last_seen, check_run, status, resolved_at)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'open', NULL)
               ON CONFLICT(id) DO UPDATE SET rule = excluded.rule, severity = excluded.severity,
                 result = excluded.result, unit_name = excluded.unit_name, subject = excluded.subject,
                 subject_key = excluded.subject_key,
                 message = excluded.message, evidence = excluded.evidence, last_seen = excluded.last_seen,
                 check_run = excluded.check_run,
                 first_seen = CASE WHEN findings.status = 'open' THEN findings.first_seen
                                   ELSE excluded.first_seen END,
                 status = 'open', resolved_at = NULL""", changed)
        to_resolve = [fid for fid in assessed_ok if fid not in failing]
        db.conn.executemany("UPDATE findings SET status = 'resolved', resolved_at = ? WHERE id = ?",
                            [(day, fid) for fid in to_resolve])
        counts = Counter(row[0] for row in db.execute(
            "SELECT kind FROM findings WHERE status = 'open'").fetchall())
        if run_id is not None:
            db.conn.executemany(
                "INSERT OR REPLACE INTO finding_history (run_id, day, kind, open_count) VALUES (?, ?, ?, ?)",
                [(run_id, day, kind, n) for kind, n in counts.items()])
    return ReconcileSummary(opened=opened, updated=len(failing) - opened, resolved=len(to_resolve),
                            open_total=sum(counts.values()))


SEVERITY_ORDER = {"critical": 0, "high": 1, "medium": 2, "low": 3, "info": 4}


def query_findings(db: Database, *, unit: str | None = None, kind: str | None = None,
                   include_resolved: bool = False) -> list[Finding]:
    """Findings (docs/design.md §2, typed), most severe and most overdue first."""
    where, params = [], []
    if not include_resolved:
        where.append("status = 'open'")
    if unit:
        where.append("unit_id = ?")
        params.append(unit)
    if kind:
        where.append("kind = ?")
        params.append(kind)
    sql = "SELECT * FROM findings" + (f" WHERE {' AND '.join(where)}" if where else "")
    rows = [Finding.from_row(dict(zip([d[0] for d in cur.description], r)))
            for cur in [db.execute(sql, params)] for r in cur.fetchall()]
    rows.sort(key=lambda f: (f.status != "open", SEVERITY_ORDER.get(f.severity, 9), -(f.days_overdue or 0),
                             f.unit_id, f.kind, json.dumps(f.subject, ensure_ascii=False)))
    return rows
