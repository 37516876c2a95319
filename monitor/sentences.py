"""A violation's evidence as one Chinese sentence: what a bulletin line or a warning says after
the unit and the subject (last update, cycle, days overdue; for reports the year and the relation
violated with its values). Each kind names its describer in `monitor.kinds`; a kind without one
is described by its finding's own message."""
from __future__ import annotations

from datetime import date
from typing import Any

from monitor.categories import Cycle
from monitor.finding import Finding
from monitor.reports.consistency import describe


def cn_date(value: date | str | None) -> str:
    """2026-04-12 → 2026年4月12日 (the form formal documents use)."""
    if not value:
        return ""
    d = date.fromisoformat(value) if isinstance(value, str) else value
    return f"{d.year}年{d.month}月{d.day}日"


def _cycle_label(text: str | None) -> str:
    try:
        return Cycle.parse(text).label() if text else ""
    except ValueError:
        return str(text)


def stale(f: Finding, as_of: date) -> str:
    days = (as_of - f.due).days if f.due else 0
    days = days if days > 0 else f.days_overdue or 0
    title = f"《{f.newest_item_title}》" if f.newest_item_title else ""
    return (f"最新信息{title}发布于{cn_date(f.newest_item_date)}，更新周期{_cycle_label(f.cycle)}，"
            f"应于{cn_date(f.due)}前更新，截至{cn_date(as_of)}已超期{days}天")


def due_soon(f: Finding, as_of: date) -> str:
    left = (f.due - as_of).days
    when = "今天" if left == 0 else f"还剩{left}天"
    return (f"最新信息发布于{cn_date(f.newest_item_date)}，更新周期{_cycle_label(f.cycle)}，"
            f"将于{cn_date(f.due)}超期（{when}），请及时更新")


def blank(f: Finding, as_of: date) -> str:
    return "栏目内无任何信息（空白栏目）"


def undated(f: Finding, as_of: date) -> str:
    return f"栏目内{f.item_count or ''}条信息均未标注发布日期，视为未更新"


def site_failing(f: Finding, as_of: date) -> str:
    return f.message.partition("单项否决：")[2] or f.message


def report_missing(f: Finding, as_of: date) -> str:
    return f"{f.year}年度政府信息公开工作年度报告逾期未公开（公布期限{cn_date(f.deadline)}）"


def report_late(f: Finding, as_of: date) -> str:
    return (f"{f.year}年度报告于{cn_date(f.published)}公开，逾期{f.days_late or ''}天"
            f"（公布期限{cn_date(f.deadline)}）")


def _relation(v: dict[str, Any]) -> str:
    """One violated relation with its values; evidence the describer does not know stays readable."""
    try:
        return describe(v)
    except (KeyError, TypeError, ValueError):
        return (f"{v.get('rule', '')}表{v.get('table', '')}“{v.get('row', '')}”行“{v.get('column', '')}”列："
                f"应为{v.get('expected', '')}，实为{v.get('found', '未填报')}")


def report_inconsistent(f: Finding, as_of: date) -> str:
    if not f.violations:
        return f.message
    listed = "；".join(_relation(v) for v in f.violations)
    if f.result == "warning":    # blank cells: not reported, not an arithmetic error
        return f"{f.year}年度报告{len(f.violations)}处数据未填报：{listed}"
    return f"{f.year}年度报告勾稽关系错误{len(f.violations)}处：{listed}"
