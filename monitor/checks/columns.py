"""Column checks (docs/rules.md §4 and §8: W2 stale, W3 overdue, W4 blank, W5 undated) and the
per-site 单项否决 thresholds.

Pure functions over (config, column observations, today). A column is in exactly one state, so
it gets exactly one result (pass included) that supersedes the other column kinds; that is how
reconciliation tells "fixed" from "not assessed": a column that could not be fetched yields only
`column_unreachable` (uncertain), and findings about it stay as they were. A site that cannot be
reached is never reported as stale. The same uncertain result stands for a page that was read but
shows no list (binary, empty, a login or script page: *unreadable*, not blank) and for a column
whose last successful read is older than `rules.max_observation_age` days (an old observation is
no evidence of today's state). An article page (公开指南, 机构职能) in a column without an update
cycle is content: present, neither blank nor stale.

Discovery must not accuse: a discovered column is judged only once a read of it was attempted
(before that it has no result at all; a failed first read is `uncertain`), a column page that is a
navigation of sub-columns is not judged itself (its sub-columns are), and a discovered column that
left the navigation gets one informational `column_removed` instead of turning stale.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timezone
from functools import lru_cache
from typing import Iterable
from zoneinfo import ZoneInfo

from monitor.categories import CATEGORY_LABELS, Cycle
from monitor.config import ColumnConfig, Config, UnitConfig, column_category
from monitor.kinds import KINDS, of_family
from monitor.observations import GONE, ColumnState, SiteState, column_id
from monitor.outcomes import REACHABLE, fetch_reason
from monitor.results import Result

KEY_CATEGORIES = frozenset({"dynamic", "notice", "policy"})   # W2: 动态要闻 + 通知公告/政策文件
COLUMN_KINDS = of_family("column")     # the states of a column: one result each, superseding the others
_OTHERS = {kind: tuple(k for k in COLUMN_KINDS if k != kind) for kind in COLUMN_KINDS}

#: why a page that was read shows no list (`columns.page_note` of an unreadable page, crawler.extract;
#: of a message board's page, crawler.messages)
PAGE_LABELS = {
    "empty_body": "页面内容为空", "binary": "页面内容不是文本", "login": "页面为登录页",
    "script_only": "页面须运行脚本才显示内容（可能是防火墙验证页）", "list_unrecognised": "页面有分页但未能识别信息列表",
    "no_list": "页面上没有信息列表", "article": "页面为单篇文章而非信息列表",
    "form": "页面为留言表单，未列出留言，不是留言列表", "no_messages": "页面未列出留言（留言时间、回复情况）",
}
#: states in which the column's list was read recently enough to judge it (the report checks use its items)
LISTED_STATES = frozenset({"blank", "undated", "stale", "due_soon", "fresh", "unchecked"})
#: states that are "could not be assessed": unreachable, read but no list, no recent read
UNASSESSED_STATES = frozenset({"unreachable", "unreadable", "not_recent"})
#: states of columns that are not monitored now: discovered but never requested yet (no result), a
#: navigation of sub-columns, gone from the navigation; the others count as monitored columns
UNMONITORED_STATES = frozenset({"pending", "navigation", "removed"})


@dataclass(slots=True)
class ColumnVerdict:
    """A column's state after the checks, used for site totals and the dashboard (not `frozen`,
    for the same reason as `Result`)."""

    column: ColumnState
    category: str
    category_source: str
    cycle: Cycle | None
    #: unreachable | unreadable | not_recent | content (an article) | blank | undated | stale | due_soon |
    #: fresh | unchecked (no cycle) | pending | navigation | removed (UNMONITORED_STATES)
    state: str
    results: tuple[Result, ...]

    @property
    def listed(self) -> bool:
        """Its list was read recently, so the items stored for it are today's listing."""
        return self.state in LISTED_STATES

    @property
    def monitored(self) -> bool:
        """A column the monitor checks now (read or tried), not a navigation or a gone one."""
        return self.state not in UNMONITORED_STATES


def evaluate_column(unit: UnitConfig, col: ColumnState, configured: ColumnConfig | None,
                    config: Config, today: date) -> ColumnVerdict:
    """One result per column: the state it is in, superseding the other column kinds."""
    category, source = column_category(configured, col.name)
    cycle = config.cycle_for(category, configured.cycle if configured else None)
    subject = {"column": col.name, "url": col.url}
    stale_rule = "W2" if category in KEY_CATEGORIES else "W3"

    def verdict(state: str, kind: str, rule: str, status: str, message: str = "", severity: str | None = None,
                **evidence: object) -> ColumnVerdict:
        if status != "pass":
            evidence = {"category": category, "category_source": source, "checked_url": col.url, **evidence}
        result = Result(rule=rule, kind=kind, status=status, unit_id=unit.id, unit_name=unit.name,
                        subject=subject, message=message, severity=severity or KINDS[kind].severity,
                        evidence=evidence,
                        supersedes=_OTHERS[kind] if status != "uncertain" else ())
        return ColumnVerdict(col, category, source, cycle, state, (result,))

    if not col.in_config and col.discovered == GONE:
        return verdict("removed", "column_removed", "W14", "warning",
                       f"{col.name}栏目已从导航中移除（最后一次在导航中见到是 "
                       f"{local_day(col.last_seen, config.timezone) if col.last_seen else '（无记录）'}），"
                       "请核实是否已撤销或迁移", "info", last_linked_at=col.last_seen)
    if not col.in_config and col.last_outcome is None:    # found, not requested yet: nothing to judge
        return ColumnVerdict(col, category, source, cycle, "pending", ())
    if col.last_outcome not in REACHABLE:
        return verdict("unreachable", "column_unreachable", "W6", "uncertain",
                       f"{col.name}栏目无法访问（{fetch_reason(col.last_outcome, col.last_http_status, col.last_error)}），"
                       "未能检测更新情况", "info",
                       outcome=col.last_outcome, http_status=col.last_http_status, error=col.last_error,
                       last_fetch_at=col.last_fetch_at)
    max_age = config.rules.max_observation_age
    if (col.last_fetch_at or "") < read_cutoff(today, max_age, config.timezone):
        read_on = local_day(col.last_fetch_at, config.timezone) if col.last_fetch_at else "（无记录）"
        return verdict("not_recent", "column_unreachable", "W6", "uncertain",
                       f"{col.name}栏目最近一次读取成功是在 {read_on}，已超过 {max_age} 天，本次未能读取，"
                       f"未能检测更新情况", "info", last_read_at=col.last_fetch_at, max_observation_age=max_age)
    if col.page_kind == "navigation":     # crawler.discover.NAVIGATION: its sub-columns are checked
        return verdict("navigation", "column_stale", stale_rule, "not_applicable", page_kind=col.page_kind,
                       sub_columns=col.page_note)
    if category == "interaction":     # a board's rows are messages, not publications: W7 judges them
        return verdict("unchecked", "column_stale", stale_rule, "not_applicable")
    if col.page_kind == "unreadable" or (col.page_kind == "article" and cycle is not None):
        note = col.page_note if col.page_kind == "unreadable" else "article"
        return verdict("unreadable", "column_unreachable", "W6", "uncertain",
                       f"{col.name}栏目页面可以访问但无法识别（{PAGE_LABELS.get(note, note)}），未能检测更新情况", "info",
                       page_kind=col.page_kind, reason=note, http_status=col.last_http_status,
                       last_fetch_at=col.last_fetch_at)
    if col.page_kind == "article":
        return verdict("content", "column_blank", "W4", "pass", page_kind="article", published=col.page_note)
    items, dated = col.item_count or 0, col.dated_count or 0
    if items == 0:
        return verdict("blank", "column_blank", "W4", "fail", f"{col.name}栏目为空白栏目（无任何信息）",
                       item_count=0, page_kind=col.page_kind, empty_notice=col.page_note)
    if dated == 0:
        return verdict("undated", "column_undated", "W5", "fail",
                       f"{col.name}栏目共 {items} 条信息均未标注发布日期，视为未更新", item_count=items)
    if cycle is None:
        return verdict("unchecked", "column_stale", stale_rule, "not_applicable")
    newest, due = _due(cycle, col.newest_date)
    left = (due - today).days
    if left > config.rules.warn_days_before:
        return verdict("fresh", "column_stale", stale_rule, "pass")
    timing = dict(newest_item_date=col.newest_date, newest_item_title=col.newest_title,
                  newest_item_url=col.newest_url, cycle=str(cycle), cycle_days=(due - newest).days,
                  due=due.isoformat())
    if left < 0:
        return verdict("stale", "column_stale", stale_rule, "fail",
                       f"{col.name}栏目（{CATEGORY_LABELS[category]}，更新周期{cycle.label()}）已超期 {-left} 天"
                       f"未更新，最新信息发布于 {col.newest_date}", days_overdue=-left, **timing)
    return verdict("due_soon", "column_due_soon", stale_rule, "warning",
                   f"{col.name}栏目将于 {due.isoformat()} 超期（还剩 {left} 天），请及时更新", "low",
                   days_left=left, **timing)


@lru_cache(maxsize=64)
def read_cutoff(today: date, max_age: int, tz: str) -> str:
    """The earliest stored read time (UTC ISO text, as `store.utcnow` writes it) that is within
    `max_age` local days of `today`; compared as text, so 100,000 columns parse no timestamps."""
    start = datetime.combine(date.fromordinal(today.toordinal() - max_age), time(), ZoneInfo(tz))
    return start.astimezone(timezone.utc).isoformat()


def local_day(stamp: str, tz: str) -> str:
    return datetime.fromisoformat(stamp).astimezone(ZoneInfo(tz)).date().isoformat()


@lru_cache(maxsize=8192)
def _due(cycle: Cycle, newest_date: str) -> tuple[date, date]:
    """(newest, due): a county's columns share a few hundred newest dates, so this is cached."""
    newest = date.fromisoformat(newest_date)
    return newest, cycle.due(newest)


def site_result(unit: UnitConfig, verdicts: list[ColumnVerdict], config: Config) -> Result:
    """单项否决 (docs/rules.md §4.2 item 4): ≥5 stale key columns, ≥10 overdue columns, or ≥5 blank ones.

    A threshold that unreachable columns could still tip over is `uncertain`, not pass."""
    t = config.rules.thresholds
    verdicts = [v for v in verdicts if v.monitored]
    stale_key = [v for v in verdicts if v.state == "stale" and v.category in KEY_CATEGORIES]
    overdue = [v for v in verdicts if v.state == "stale" or (v.state == "undated" and v.cycle)]
    blank = [v for v in verdicts if v.state == "blank"]
    unknown = sum(1 for v in verdicts if v.state in UNASSESSED_STATES)
    tests = [("W2", "动态要闻类及通知公告、政策文件类栏目未按期更新", stale_key, t.stale_key_columns),
             ("W3", "应更新栏目超期未更新", overdue, t.overdue_columns),
             ("W4", "空白栏目", blank, t.blank_columns)]
    evidence = {
        "counts": {rule: len(cols) for rule, _, cols, _ in tests},
        "thresholds": {rule: limit for rule, _, _, limit in tests},
        "unreachable_columns": unknown, "columns_checked": len(verdicts),
        "columns": {rule: [v.column.name for v in cols] for rule, _, cols, _ in tests if cols},
    }
    subject = {"site": unit.site or unit.id}
    failed = [(rule, text, len(cols), limit) for rule, text, cols, limit in tests if len(cols) >= limit]
    if failed:
        message = "；".join(f"{text}{n}个（达到单项否决标准{limit}个）" for _, text, n, limit in failed)
        return Result(failed[0][0], "site_failing", "fail", unit.id, unit.name, subject,
                      f"{unit.name}网站单项否决：{message}", "critical", evidence)
    if any(len(cols) + unknown >= limit for _, _, cols, limit in tests):
        return Result("W2", "site_failing", "uncertain", unit.id, unit.name, subject,
                      f"{unit.name}网站有 {unknown} 个栏目无法访问，未能判定是否达到单项否决标准",
                      "info", evidence)
    return Result("W2", "site_failing", "pass", unit.id, unit.name, subject)


def site_reachability(unit: UnitConfig, site: SiteState) -> Result:
    """Whether the unit's site page (its columns' source) could be read at its latest request: a
    unit whose site fails on its first crawl has no columns, and this is then its only result."""
    subject = {"site": site.site}
    if site.outcome in REACHABLE:
        return Result("W6", "site_unreachable", "pass", unit.id, unit.name, subject)
    return Result("W6", "site_unreachable", "uncertain", unit.id, unit.name, subject,
                  f"{unit.name}网站信息公开页面无法访问（{fetch_reason(site.outcome, site.http_status)}），"
                  f"未能发现和检测其栏目", "info",
                  {"checked_url": site.site, "outcome": site.outcome, "http_status": site.http_status,
                   "error": site.error, "last_fetch_at": site.fetch_at})


def check_columns(config: Config, columns: Iterable[ColumnState], today: date,
                  sites: dict[str, SiteState] | None = None) -> tuple[list[Result], list[ColumnVerdict]]:
    """All column and site results for the configured units (`sites`: the latest site page
    fetch per unit, for `site_unreachable`)."""
    by_unit: dict[str, list[ColumnState]] = {}
    for col in columns:
        by_unit.setdefault(col.unit_id, []).append(col)
    results: list[Result] = []
    verdicts_all: list[ColumnVerdict] = []
    for unit in config.units:
        configured = {column_id(unit.id, c.url): c for c in unit.columns}
        verdicts = [evaluate_column(unit, col, configured.get(col.id), config, today)
                    for col in by_unit.get(unit.id, []) if col.id in configured or unit.takes_discovered(col.name)]
        for verdict in verdicts:
            results.extend(verdict.results)
        if any(v.monitored for v in verdicts):
            results.append(site_result(unit, verdicts, config))
        if sites and unit.id in sites:
            results.append(site_reachability(unit, sites[unit.id]))
        verdicts_all.extend(verdicts)
    return results, verdicts_all
