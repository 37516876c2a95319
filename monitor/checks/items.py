"""Item checks (docs/rules.md §7–§8: A15, W8, W9, deletion): signs that review was skipped (先发后审).

Pure functions over (config, item observations, today). Every check gives at most one result
per item and only where the observations can say something: an item whose detail page was never
read has no A15 result, an item listed since the column's first crawl cannot be back-dated, a
news item without 成文日期 or 文号 is not a formal document W9 can be measured on.
"""
from __future__ import annotations

import difflib
from datetime import date, datetime, timedelta
from typing import Iterable
from zoneinfo import ZoneInfo

from monitor.config import Config, UnitConfig
from monitor.item_observations import ItemObservation, ItemVersion
from monitor.kinds import KINDS
from monitor.reports.years import report_year
from monitor.results import Result
from monitor.workdays import WorkCalendar

DIFF_MAX_LINES = 80
DIFF_MAX_CHARS = 6_000
LATE_WORKDAYS = 20            # 条例 第二十六条: within 20 working days of the information being formed
GONE = frozenset({404, 410})
EXCERPT = 300


def check_items(config: Config, items: Iterable[ItemObservation], today: date,
                calendar: WorkCalendar | None = None) -> list[Result]:
    """All item results for the configured units (items of other units are ignored)."""
    units = {u.id: u for u in config.units}
    calendar = calendar or WorkCalendar.from_config(config)
    zone = ZoneInfo(config.timezone)
    results: list[Result] = []
    for item in items:
        unit = units.get(item.unit_id)
        if unit is None:
            continue
        for result in (item_modified_after_publication(unit, item),
                       item_backdated(unit, item, config.rules.backdate_tolerance_days, zone),
                       item_deleted(unit, item),
                       item_late_disclosure(unit, item, calendar, today)):
            if result is not None:
                results.append(result)
    return results


def is_annual_report(item: ItemObservation) -> bool:
    return report_year(item.title) is not None


def _result(unit: UnitConfig, item: ItemObservation, rule: str, kind: str, status: str, message: str = "",
            severity: str | None = None, **evidence: object) -> Result:
    subject = {"item": item.title, "url": item.url}
    if status != "pass":
        evidence = {"column": item.column_name, "list_date": item.date, "first_seen": item.first_seen, **evidence}
    return Result(rule, kind, status, unit.id, unit.name, subject, message,  # type: ignore[arg-type]
                  severity or KINDS[kind].severity, evidence)


# ------------------------------------------------------------------------------------- A15

def item_modified_after_publication(unit: UnitConfig, item: ItemObservation) -> Result | None:
    """A15: the main text or title changed after we first read it (boilerplate is not stored)."""
    if not item.versions:
        return None
    kind = "item_modified_after_publication"
    if len(item.versions) == 1:
        return _result(unit, item, "A15", kind, "pass")
    first, last = item.versions[0], item.versions[-1]
    report = is_annual_report(item)
    label = "年度报告" if report else "信息"
    return _result(
        unit, item, "A15", kind, "fail",
        f"{label}《{item.title}》发布后正文被修改（共 {len(item.versions)} 个版本，"
        f"最近一次变化发现于 {last.first_fetched[:10]}）", "high" if report else "medium",
        versions=[{"first_fetched": v.first_fetched, "last_fetched": v.last_fetched, "title": v.title,
                   "text_hash": v.text_hash} for v in item.versions],
        diff=text_diff(first, last))


def text_diff(old: ItemVersion, new: ItemVersion) -> str:
    """A unified diff of two versions (title first), capped for the evidence."""
    def lines(v: ItemVersion) -> list[str]:
        return [f"标题：{v.title or ''}", *(v.text or "").splitlines()]
    diff = list(difflib.unified_diff(lines(old), lines(new), f"首次抓取 {old.first_fetched}",
                                     f"修改后 {new.first_fetched}", n=1, lineterm=""))
    text = "\n".join(diff[:DIFF_MAX_LINES])
    if len(diff) > DIFF_MAX_LINES or len(text) > DIFF_MAX_CHARS:
        text = text[:DIFF_MAX_CHARS] + "\n…（差异过长，已截断）"
    return text


# ------------------------------------------------------------------------------------- W8

def item_backdated(unit: UnitConfig, item: ItemObservation, tolerance_days: int, zone: ZoneInfo) -> Result | None:
    """W8: first seen after an earlier crawl had read the column, with a date well before it.

    An item dated within what that earlier crawl listed would have been among it. One dated
    before everything listed then counts only when that listing was complete (it reached its
    end: no further page): otherwise it may simply have moved up from a page the crawler did not
    read, and nothing can be said (no result)."""
    shown = item.date or (item.latest.pub_date if item.latest else None)
    if item.previous_crawl_at is None or shown is None:
        return None
    kind = "item_backdated"
    previous = datetime.fromisoformat(item.previous_crawl_at).astimezone(zone).date()
    gap = (previous - date.fromisoformat(shown)).days
    if gap <= tolerance_days:
        return _result(unit, item, "W8", kind, "pass")
    below_listing = item.previous_oldest_date is not None and shown < item.previous_oldest_date
    if below_listing and not item.previous_list_complete:
        return None
    first = datetime.fromisoformat(item.first_seen).astimezone(zone).date()
    where = (f"当时该栏目列表已完整读取（最早一条为 {item.previous_oldest_date}），" if below_listing
             else "")
    return _result(
        unit, item, "W8", kind, "warning",
        f"《{item.title}》标注日期 {shown}，但 {previous.isoformat()} 抓取该栏目时尚未出现，{where}"
        f"{first.isoformat()} 才首次出现，疑似倒签发布日期，请人工核实", "medium",
        shown_date=shown, previous_crawl_at=item.previous_crawl_at, first_seen_date=first.isoformat(),
        days_before_previous_crawl=gap, tolerance_days=tolerance_days,
        previous_list_oldest_date=item.previous_oldest_date, previous_list_complete=item.previous_list_complete)


# ------------------------------------------------------------------------------------- deletion

def item_deleted(unit: UnitConfig, item: ItemObservation) -> Result | None:
    """An item that left its column and whose page now answers 404/410 was deleted."""
    if not item.left_list:
        return None
    kind = "item_deleted"
    report = is_annual_report(item)
    checked = item.detail_fetched_at is not None and item.detail_fetched_at >= item.left_list_at
    if checked and item.detail_status in GONE:
        latest = item.latest
        label = "年度报告" if report else "信息"
        return _result(
            unit, item, "A15", kind, "fail",
            f"{label}《{item.title}》已从{item.column_name}栏目撤下，原链接返回 HTTP {item.detail_status}",
            "high" if report else "medium", left_list_at=item.left_list_at, last_listed=item.last_seen,
            http_status=item.detail_status, detail_checked_at=item.detail_fetched_at,
            last_text_excerpt=(latest.text or "")[:EXCERPT] if latest else None,
            versions_kept=len(item.versions))
    if checked and item.detail_status is not None and item.detail_status < 400:
        return _result(unit, item, "A15", kind, "pass")
    return _result(
        unit, item, "A15", kind, "uncertain",
        f"《{item.title}》已不在{item.column_name}栏目中，尚未确认原链接是否仍可访问", "info",
        left_list_at=item.left_list_at, http_status=item.detail_status, detail_checked_at=item.detail_fetched_at)


# ------------------------------------------------------------------------------------- W9

def item_late_disclosure(unit: UnitConfig, item: ItemObservation, calendar: WorkCalendar,
                         today: date) -> Result | None:
    """W9: 发布日期 − 成文日期 > 20 working days (条例 第二十六条), counted with the official
    holiday calendar. Only for formal documents: a page showing a 成文日期 or a 文号 (a 索引号
    alone is on every catalogue item, news included, which has no 成文日期 to measure)."""
    latest = item.latest
    if latest is None or not (latest.written_date or latest.doc_no):
        return None
    kind = "item_late_disclosure"
    if not latest.written_date or not latest.pub_date:
        missing = "成文日期" if not latest.written_date else "发布日期"
        return _result(unit, item, "W9", kind, "uncertain", f"《{item.title}》未标注{missing}，无法判断是否及时公开",
                       "info", written_date=latest.written_date, pub_date=latest.pub_date)
    written, published = date.fromisoformat(latest.written_date), date.fromisoformat(latest.pub_date)
    if published > today or published < written:
        return _result(unit, item, "W9", kind, "uncertain",
                       f"《{item.title}》发布日期 {published} 与成文日期 {written} 不合理，无法判断是否及时公开",
                       "info", written_date=written.isoformat(), pub_date=published.isoformat())
    days = workdays_after(calendar, written, published)
    if days <= LATE_WORKDAYS:
        return _result(unit, item, "W9", kind, "pass")
    fallback = sorted(y for y in calendar.fallback_years if written.year <= y <= published.year)
    return _result(
        unit, item, "W9", kind, "fail",
        f"《{item.title}》成文日期 {written}，发布日期 {published}，相隔 {days} 个工作日，"
        f"超过条例规定的 {LATE_WORKDAYS} 个工作日", "medium",
        written_date=written.isoformat(), pub_date=published.isoformat(), workdays=days,
        limit_workdays=LATE_WORKDAYS, calendar_fallback_years=fallback)


def workdays_after(calendar: WorkCalendar, start: date, end: date) -> int:
    """Working days in (start, end]: the day the document was formed is not counted."""
    return sum(calendar.is_workday(start + timedelta(days=n)) for n in range(1, (end - start).days + 1))
