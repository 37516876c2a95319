"""The monthly bulletin (督查通报) as data, built from the store for a month M.

A pure function of (config, store, month, issue date): what it reports is the state at the end of
M (or on the issue date, for a month still running, as in the demo) — a finding counts when it
was first seen on or before that day and was not resolved by then — so re-building October's
bulletin in December gives the same problems. (The store keeps
one episode per finding: a finding resolved and re-opened since counts from its latest opening.)
Structure follows real bulletins (docs/rules.md §5): 一、总体情况, 二、主要问题 grouped by kind,
三、整改情况 (last month's problems fixed vs still open), 四、整改要求 with a deadline in working
days, and a score and ranking table. Results that could not be assessed are listed as 未能检测,
never as violations.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlite_utils import Database

from alerts.entries import Entry, entry, one_per_subject
from alerts.scoring import UnitScore, score_units, scoring_rules_text
from monitor.checks.availability import MIN_DAILY_PROBES, WINDOW_DAYS, probe_targets
from monitor.checks.publication import PublicationStat, publication_stats
from monitor.config import Config, UnitConfig
from monitor.finding import Finding
from monitor.findings import query_findings
from monitor.kinds import KINDS, bulletin_section, label
from monitor.sentences import cn_date
from monitor.months import Month
from monitor.stats import load_publication, month_period
from monitor.workdays import WorkCalendar

#: order of the problem groups in 二、主要问题 (registry order; kinds it does not know follow)
KIND_ORDER = list(KINDS)


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
    failing: list[Finding]           # open violations (result `fail`) at `as_of`
    suspected: list[Finding]         # suspected problems (warnings): listed, not counted or scored
    uncertain: list[Finding]         # 未能检测 (but W6 for lack of probes: `availability`)
    last_month: list[Finding]        # violations open at the end of the previous month
    units: list[UnitConfig]          # in config order
    deadline: date
    rectify_workdays: int
    calendar_fallback: bool          # the deadline used the fallback calendar
    scoring_text: str
    previous: "MonthTotals | None"
    findings: list[Finding] = field(default_factory=list)   # for the CSV attachment
    publication: "Publication | None" = None                 # 信息发布情况
    availability: "AvailabilityNote | None" = None           # W6 not judged for lack of probes, for the county
    _lines: dict[str, Entry] = field(default_factory=dict, repr=False)

    def line(self, f: Finding) -> Entry:
        """The finding as people read it, with its evidence as of `as_of`: built once, when first
        rendered, and shared by every section that lists it."""
        if f.id not in self._lines:
            self._lines[f.id] = entry(f, self.as_of)
        return self._lines[f.id]

    @property
    def violations(self) -> list[Entry]:
        return [self.line(f) for f in self.failing]

    @property
    def advisories(self) -> list[Entry]:
        return [self.line(f) for f in self.suspected]

    @property
    def unassessed(self) -> list[Entry]:
        """未能检测, one line per subject."""
        return one_per_subject([self.line(f) for f in self.uncertain])

    @property
    def progress(self) -> list[UnitProgress]:
        """Last month's violations per unit: fixed since, or still open."""
        open_now = {f.id for f in self.failing}
        out = []
        for unit in self.units:
            own = [f for f in self.last_month if f.unit_id == unit.id]
            if own:
                out.append(UnitProgress(unit.name, fixed=[self.line(f) for f in own if f.id not in open_now],
                                        still_open=[self.line(f) for f in own if f.id in open_now]))
        return out

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
        return [e for e in self.violations + self.advisories if bulletin_section(e.kind) == "review"]

    @property
    def other_advisories(self) -> list[Entry]:
        return [e for e in self.advisories if bulletin_section(e.kind) != "review"]

    @property
    def groups(self) -> list[KindGroup]:
        kinds = sorted({e.kind for e in self.violations if bulletin_section(e.kind) != "review"},
                       key=lambda k: KIND_ORDER.index(k) if k in KIND_ORDER else len(KIND_ORDER))
        return [KindGroup(label(k), [e for e in self.violations if e.kind == k]) for k in kinds]

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
class AvailabilityNote:
    """W6 网站不可用 not judged for lack of probes (only `gongkai serve` probes): a fact about how the
    county is run, not about a unit, so the bulletin says it once in 总体情况 instead of a 未能检测
    line per site; the findings stay stored per site."""

    sites: list[str]          # the sites without enough probes, by name
    judged: int               # sites with enough probes (judged pass or fail)
    probed: bool              # any probe at all in the window

    @property
    def line(self) -> str:
        if self.judged:
            return (f"网站可用性：以下 {len(self.sites)} 个站点探测次数不足，未能判定（近 {WINDOW_DAYS} 天每天少于 "
                    f"{MIN_DAILY_PROBES} 次）：{'、'.join(self.sites)}")
        why = "探测次数不足" if self.probed else "仅 cron 运行，探测次数不足"
        return f"网站可用性：未能判定（{why}），{len(self.sites)} 个站点"


def _availability(config: Config, current: list[Finding]) -> AvailabilityNote | None:
    short = [f for f in current if f.probe_shortfall]
    if not short:
        return None
    order = list(probe_targets(config, portal_owner=config.portal_owner.id))    # the portal, then the units
    short.sort(key=lambda f: order.index(f.link) if f.link in order else len(order))
    names = [f"{config.county}人民政府门户网站" if f.evidence.get("county_portal") else f"{f.unit_name}网站"
             for f in short]
    return AvailabilityNote(names, max(len(order) - len(short), 0), any(f.probes for f in short))


#: units named as the best and as the lowest publishers
PUBLICATION_EXTREMES = 3


@dataclass(frozen=True, slots=True)
class Publication:
    """信息发布情况 of the month (issue 11): per-unit counts by the date each item shows, judged
    against the standard; the attachment table 各单位信息发布情况一览表 is `stats`."""

    stats: list[PublicationStat]
    complete: bool          # the month has ended; a month still running (the demo's) is counted, not judged

    def meets(self, stat: PublicationStat) -> str:
        """是否达标 in the attachment table."""
        return stat.meets if self.complete else "本月未结束"

    @property
    def total(self) -> int:
        return sum(s.items for s in self.stats)

    @property
    def dynamic(self) -> int:
        return sum(s.dynamic for s in self.stats)

    @property
    def disclosure(self) -> int:
        return sum(s.disclosure for s in self.stats)

    def _ranked(self) -> list[PublicationStat]:
        """Units whose every column was read, most items first (a partial count ranks nowhere)."""
        return sorted((s for s in self.stats if s.all_read), key=lambda s: (-s.items, s.unit_id))

    def _extremes(self) -> int:
        """How many units to name at each end: at most PUBLICATION_EXTREMES, and no unit at both."""
        return min(PUBLICATION_EXTREMES, len(self._ranked()) // 2)

    @property
    def best(self) -> list[PublicationStat]:
        return self._ranked()[:self._extremes()]

    @property
    def lowest(self) -> list[PublicationStat]:
        return self._ranked()[::-1][:self._extremes()]

    @property
    def below(self) -> list[PublicationStat]:
        return [s for s in self.stats if self.complete and s.meets == "否"]

    @property
    def zero(self) -> list[PublicationStat]:
        return [s for s in self.stats if self.complete and s.status == "zero"]

    @property
    def not_counted(self) -> list[PublicationStat]:
        return [s for s in self.stats if self.complete and s.status == "not_counted"]


@dataclass(frozen=True, slots=True)
class MonthTotals:
    """Last month's headline numbers, for 'change since last month'."""

    violations: int
    pass_rate: float | None


def _state_at(config: Config, findings: list[Finding], columns: dict[str, int], day: date,
              ) -> tuple[list[Finding], set[str]]:
    """Findings open at the end of `day`, and the units with at least one column that could be checked."""
    current = [f for f in findings if f.open_at(day)]
    unreachable: dict[str, int] = {}
    for f in current:
        if f.kind == "column_unreachable":
            unreachable[f.unit_id] = unreachable.get(f.unit_id, 0) + 1
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


def build_bulletin(config: Config, db: Database, month: Month, issue_date: date) -> Bulletin:
    """The bulletin of `month`, issued on `issue_date` (which sets the rectification deadline)."""
    unit_ids = {u.id for u in config.units}
    findings = [f for f in query_findings(db, include_resolved=True) if f.unit_id in unit_ids]
    columns = _column_counts(db, min(month.last, issue_date))
    as_of = min(month.last, issue_date)
    current, assessed = _state_at(config, findings, columns, as_of)
    fails = [f for f in current if f.result == "fail"]

    prev_month = month.previous
    before, assessed_before = _state_at(config, findings, _column_counts(db, prev_month.last), prev_month.last)
    prev_fails = [f for f in before if f.result == "fail"]
    scoring = config.bulletin.scoring
    previous = None
    if _check_days(db, prev_month):
        prev_scores = score_units(scoring, config.units, prev_fails, assessed_before)
        n = sum(1 for s in prev_scores if s.assessed)
        previous = MonthTotals(len(prev_fails), sum(1 for s in prev_scores if s.passed) / n if n else None)

    work = WorkCalendar.from_config(config)
    deadline = work.add_workdays(issue_date, config.rules.rectify_workdays)
    issuer = config.bulletin.issuer or config.supervisor.name
    resolved_in_month = [f for f in findings if f.resolved_at and month.first <= f.resolved_at <= as_of]
    return Bulletin(
        county=config.county, month=month, issue_date=issue_date, as_of=as_of, issuer=issuer,
        addressees=config.bulletin.addressees,
        report_to=issuer + (f"（{config.supervisor.email}）" if config.supervisor.email else ""),
        units_total=len(config.units), units_assessed=len(assessed),
        columns_checked=sum(columns.get(u, 0) for u in unit_ids), columns_read=_columns_read(db, unit_ids, as_of),
        pages_fetched=_pages_fetched(db, month, ZoneInfo(config.timezone)), check_days=_check_days(db, month),
        scores=score_units(scoring, config.units, fails, assessed),
        failing=fails,
        suspected=[f for f in current if f.result == "warning" and bulletin_section(f.kind) is not None],
        uncertain=[f for f in current if f.result == "uncertain" and not f.probe_shortfall],
        last_month=prev_fails, units=config.units,
        deadline=deadline, rectify_workdays=config.rules.rectify_workdays,
        calendar_fallback=bool(work.fallback_years), scoring_text=scoring_rules_text(scoring),
        previous=previous, findings=current + resolved_in_month,
        publication=_publication(config, db, month, issue_date), availability=_availability(config, current),
    )


def _publication(config: Config, db: Database, month: Month, issue_date: date) -> Publication:
    return Publication(publication_stats(config, load_publication(db, config, (month,), issue_date),
                                         month_period(month)), complete=issue_date > month.last)
