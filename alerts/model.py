"""The monthly bulletin (督查通报) as data, built from the store for a month M.

A pure function of (config, store, month, issue date): what it reports is the state at the end of
M (or on the issue date, for a month still running, as in the demo) — a finding counts when it
was first seen on or before that day and was not resolved by then — so re-building October's
bulletin in December gives the same problems. (The store keeps
one episode per finding: a finding resolved and re-opened since counts from its latest opening.)
Structure follows real bulletins (spec/rules.md §5): 一、总体情况, 二、主要问题 grouped by kind,
三、整改情况 (last month's problems fixed vs still open), 四、整改要求 with a deadline in working
days, and a score and ranking table. Results that could not be assessed are listed as 未能检测,
never as violations.
"""
from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlite_utils import Database

from alerts.entries import Entry, cn_date, entry, one_per_subject
from alerts.scoring import UnitScore, score_units, scoring_rules_text
from alerts.workdays import WorkCalendar
from monitor.config import Config
from monitor.findings import query_findings
from monitor.output import KIND_LABELS

#: order of the problem groups in 二、主要问题 (the kinds of DESIGN §4; others follow)
KIND_ORDER = list(KIND_LABELS)
REVIEW_PREFIX = "item_"
NOT_ADVISORY = frozenset({"column_due_soon"})   # a warning of the coming month, not a problem of M


@dataclass(frozen=True, slots=True)
class Month:
    year: int
    month: int

    @classmethod
    def parse(cls, text: str) -> "Month":
        try:
            year, month = (int(p) for p in text.split("-"))
            date(year, month, 1)
        except ValueError:
            raise ValueError(f"month should be YYYY-MM (got {text!r})") from None
        return cls(year, month)

    @classmethod
    def before(cls, day: date) -> "Month":
        """The month that ended before `day`'s month began (what a bulletin issued on `day` covers)."""
        last = day.replace(day=1) - timedelta(days=1)
        return cls(last.year, last.month)

    @property
    def first(self) -> date:
        return date(self.year, self.month, 1)

    @property
    def last(self) -> date:
        return date(self.year, self.month, calendar.monthrange(self.year, self.month)[1])

    @property
    def previous(self) -> "Month":
        return Month.before(self.first)

    @property
    def label(self) -> str:
        return f"{self.year}年{self.month}月"

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"


@dataclass(frozen=True, slots=True)
class KindGroup:
    label: str
    entries: list[Entry]


@dataclass(frozen=True, slots=True)
class UnitProgress:
    unit_name: str
    fixed: list[Entry]
    still_open: list[Entry]


@dataclass
class Bulletin:
    county: str
    month: Month
    issue_date: date
    as_of: date                      # end of the month, or the issue date of a month still running
    issuer: str
    addressees: str
    report_to: str                   # who receives the rectification reports, with the address
    units_total: int
    units_assessed: int
    columns_checked: int
    columns_read: int                # of those, columns whose page could be read at the last crawl
    pages_fetched: int
    check_days: int                  # days of M with a completed check run
    scores: list[UnitScore]
    violations: list[Entry]
    advisories: list[Entry]          # suspected problems (warnings): listed, not counted or scored
    unassessed: list[Entry]          # 未能检测, one line per subject
    progress: list[UnitProgress]
    deadline: date
    rectify_workdays: int
    calendar_fallback: bool          # the deadline used the fallback calendar
    scoring_text: str
    previous: "MonthTotals | None"
    findings: list[dict[str, Any]] = field(default_factory=list)   # for the CSV attachment

    @property
    def title(self) -> str:
        return f"关于{self.month.label}全县政府信息公开栏目更新情况的通报"

    @property
    def period(self) -> str:
        return f"{cn_date(self.month.first)}至{cn_date(self.month.last)}"

    @property
    def units_passed(self) -> int:
        return sum(1 for s in self.scores if s.passed)

    @property
    def pass_rate(self) -> float | None:
        return self.units_passed / self.units_assessed if self.units_assessed else None

    @property
    def veto_units(self) -> list[str]:
        return [s.unit_name for s in self.scores if s.veto]

    @property
    def review(self) -> list[Entry]:
        """发布审核与时效 (issue 6): edits after publication, back-dating, deletion, late disclosure —
        a section of their own, violations and suspected cases together."""
        return [e for e in self.violations + self.advisories if e.kind.startswith(REVIEW_PREFIX)]

    @property
    def other_advisories(self) -> list[Entry]:
        return [e for e in self.advisories if not e.kind.startswith(REVIEW_PREFIX)]

    @property
    def groups(self) -> list[KindGroup]:
        kinds = sorted({e.kind for e in self.violations if not e.kind.startswith(REVIEW_PREFIX)},
                       key=lambda k: KIND_ORDER.index(k) if k in KIND_ORDER else len(KIND_ORDER))
        return [KindGroup(KIND_LABELS.get(k, k), [e for e in self.violations if e.kind == k]) for k in kinds]

    @property
    def fixed_count(self) -> int:
        return sum(len(p.fixed) for p in self.progress)

    @property
    def still_open_count(self) -> int:
        return sum(len(p.still_open) for p in self.progress)

    def unit_entries(self, unit_id: str) -> tuple[list[Entry], list[Entry]]:
        """(violations, unassessed) of one unit, for its liaison's message."""
        return ([e for e in self.violations if e.unit_id == unit_id],
                [e for e in self.unassessed if e.unit_id == unit_id])

    def score_of(self, unit_id: str) -> UnitScore:
        return next(s for s in self.scores if s.unit_id == unit_id)


@dataclass(frozen=True, slots=True)
class MonthTotals:
    """Last month's headline numbers, for 'change since last month'."""

    violations: int
    pass_rate: float | None


def _open_at(f: dict[str, Any], day: date) -> bool:
    iso = day.isoformat()
    return f["first_seen"] <= iso and (f["resolved_at"] is None or f["resolved_at"] > iso)


def _state_at(config: Config, findings: list[dict[str, Any]], columns: dict[str, int], day: date,
              ) -> tuple[list[dict[str, Any]], set[str]]:
    """Findings open at the end of `day`, and the units with at least one column that could be checked."""
    current = [f for f in findings if _open_at(f, day)]
    unreachable: dict[str, int] = {}
    for f in current:
        if f["kind"] == "column_unreachable":
            unreachable[f["unit"]["id"]] = unreachable.get(f["unit"]["id"], 0) + 1
    assessed = {u.id for u in config.units if columns.get(u.id, 0) > unreachable.get(u.id, 0)}
    return current, assessed


#: columns monitored: configured or linked from the navigation, not a navigation of sub-columns
_MONITORED = "(in_config = 1 OR discovered > 0) AND coalesce(page_kind, '') != 'navigation'"


def _column_counts(db: Database, last_day: date) -> dict[str, int]:
    rows = db.execute(f"SELECT unit_id, count(*) FROM columns WHERE {_MONITORED} "
                      "AND substr(first_seen, 1, 10) <= ? GROUP BY unit_id", [last_day.isoformat()]).fetchall()
    return dict(rows)


def _columns_read(db: Database, unit_ids: set[str], last_day: date) -> int:
    """Monitored columns whose list page was read at their last fetch (a page with no list is not)."""
    rows = db.execute(f"SELECT unit_id FROM columns WHERE {_MONITORED} AND last_outcome IN ('ok', 'not_modified') "
                      "AND coalesce(page_kind, '') != 'unreadable' AND substr(first_seen, 1, 10) <= ?",
                      [last_day.isoformat()]).fetchall()
    return sum(1 for (unit_id,) in rows if unit_id in unit_ids)


def _pages_fetched(db: Database, month: Month, tz: ZoneInfo) -> int:
    total = 0
    for started, pages in db.execute("SELECT started_at, pages FROM runs WHERE kind = 'crawl'").fetchall():
        if month.first <= datetime.fromisoformat(started).astimezone(tz).date() <= month.last:
            total += pages or 0
    return total


def _check_days(db: Database, month: Month) -> int:
    return db.execute("SELECT count(DISTINCT today) FROM runs WHERE kind = 'check' AND status = 'ok' "
                      "AND today BETWEEN ? AND ?", [month.first.isoformat(), month.last.isoformat()]).fetchone()[0]


def _progress(config: Config, previous: list[dict[str, Any]], current_ids: set[str], as_of: date,
              ) -> list[UnitProgress]:
    out = []
    for unit in config.units:
        own = [f for f in previous if f["unit"]["id"] == unit.id]
        if own:
            out.append(UnitProgress(
                unit.name,
                fixed=[entry(f, as_of) for f in own if f["id"] not in current_ids],
                still_open=[entry(f, as_of) for f in own if f["id"] in current_ids]))
    return out


def build_bulletin(config: Config, db: Database, month: Month, issue_date: date) -> Bulletin:
    """The bulletin of `month`, issued on `issue_date` (which sets the rectification deadline)."""
    unit_ids = {u.id for u in config.units}
    findings = [f for f in query_findings(db, include_resolved=True) if f["unit"]["id"] in unit_ids]
    columns = _column_counts(db, min(month.last, issue_date))
    as_of = min(month.last, issue_date)
    current, assessed = _state_at(config, findings, columns, as_of)
    fails = [f for f in current if f["result"] == "fail"]
    violations = [entry(f, as_of) for f in fails]

    prev_month = month.previous
    before, assessed_before = _state_at(config, findings, _column_counts(db, prev_month.last), prev_month.last)
    prev_fails = [f for f in before if f["result"] == "fail"]
    scoring = config.bulletin.scoring
    previous = None
    if _check_days(db, prev_month):
        prev_scores = score_units(scoring, config.units, [entry(f, prev_month.last) for f in prev_fails],
                                  assessed_before)
        n = sum(1 for s in prev_scores if s.assessed)
        previous = MonthTotals(len(prev_fails), sum(1 for s in prev_scores if s.passed) / n if n else None)

    work = WorkCalendar.from_config(config)
    deadline = work.add_workdays(issue_date, config.rules.rectify_workdays)
    issuer = config.bulletin.issuer or config.supervisor.name
    resolved_in_month = [f for f in findings
                         if f["resolved_at"] and month.first.isoformat() <= f["resolved_at"] <= as_of.isoformat()]
    return Bulletin(
        county=config.county, month=month, issue_date=issue_date, as_of=as_of, issuer=issuer,
        addressees=config.bulletin.addressees,
        report_to=issuer + (f"（{config.supervisor.email}）" if config.supervisor.email else ""),
        units_total=len(config.units), units_assessed=len(assessed),
        columns_checked=sum(columns.get(u, 0) for u in unit_ids), columns_read=_columns_read(db, unit_ids, as_of),
        pages_fetched=_pages_fetched(db, month, ZoneInfo(config.timezone)), check_days=_check_days(db, month),
        scores=score_units(scoring, config.units, violations, assessed),
        violations=violations,
        advisories=[entry(f, as_of) for f in current
                    if f["result"] == "warning" and f["kind"] not in NOT_ADVISORY],
        unassessed=one_per_subject([entry(f, as_of) for f in current if f["result"] == "uncertain"]),
        progress=_progress(config, prev_fails, {f["id"] for f in fails}, as_of),
        deadline=deadline, rectify_workdays=config.rules.rectify_workdays,
        calendar_fallback=bool(work.fallback_years), scoring_text=scoring_rules_text(scoring),
        previous=previous, findings=current + resolved_in_month,
    )
