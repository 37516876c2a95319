"""Daily early warnings (预警): after each daily check, one digest per liaison listing the
columns of their units that go overdue within `rules.warn_days_before` days and the violations
found since the previous check run. At most one per liaison endpoint per day (outbox key
`warning:YYYY-MM-DD:address`, `warning:YYYY-MM-DD:apprise:URL`); nothing is sent to a liaison
with nothing to report."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlite_utils import Database

from alerts.channels import Notice
from alerts.entries import Entry, entry
from alerts.outbox import queue_notice
from alerts.render import dashboard_link, markdown, render
from alerts.routing import liaisons
from monitor.config import Config
from monitor.findings import query_findings


@dataclass(frozen=True, slots=True)
class WarningSection:
    name: str
    due_soon: list[Entry]
    new: list[Entry]


def previous_check_day(db: Database, today: date) -> date | None:
    """The day of the last completed check before `today` (findings first seen after it are new)."""
    row = db.execute("SELECT max(today) FROM runs WHERE kind = 'check' AND status = 'ok' AND today < ?",
                     [today.isoformat()]).fetchone()
    return date.fromisoformat(row[0]) if row and row[0] else None


def queue_daily_warnings(config: Config, db: Database, today: date) -> int:
    """Queue today's digests; returns how many were queued (0 on a re-run the same day)."""
    since = previous_check_day(db, today)
    iso = today.isoformat()
    findings = [f for f in query_findings(db) if f.first_seen <= today]
    due_soon = [f for f in findings if f.kind == "column_due_soon"]
    new = [f for f in findings if f.result == "fail" and (since is None or f.first_seen > since)]
    lines = {f.id: entry(f, today) for f in due_soon + new}     # each described once, whoever reads it
    issuer = config.bulletin.issuer or config.supervisor.name
    queued = 0
    for liaison in liaisons(config):
        sections = [WarningSection(u.name, [lines[f.id] for f in due_soon if f.unit_id == u.id],
                                   [lines[f.id] for f in new if f.unit_id == u.id])
                    for u in liaison.units]
        sections = [s for s in sections if s.due_soon or s.new]
        if not sections:
            continue
        subject = f"【预警】{today.month}月{today.day}日政府信息公开栏目监测提醒（{'、'.join(s.name for s in sections)}）"
        notice = Notice(subject,
                        full=lambda: render("warning", sections=sections, subject=subject, greeting=liaison.greeting,
                                            issuer=issuer, today=today, warn_days=config.rules.warn_days_before),
                        short=lambda: markdown("warning", sections=sections, today=today,
                                               link=dashboard_link(config, [u.id for u in liaison.units])))
        queued += queue_notice(config, db, "warning", iso, liaison.endpoint, notice)
    return queued
