"""A violation's evidence as one Chinese sentence: what a bulletin line or a warning says after
the unit and the subject (last update, cycle, days overdue; for reports the year and the relation
violated with its values). Each kind names its describer in `monitor.kinds`; a kind without one
is described by its finding's own message."""
from __future__ import annotations

from datetime import date
from typing import Any

from monitor.categories import Cycle
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


def stale(f: dict[str, Any], as_of: date) -> str:
    ev = f["evidence"]
    days = (as_of - date.fromisoformat(ev["due"])).days if ev.get("due") else 0
    days = days if days > 0 else ev.get("days_overdue", 0)
    title = f"《{ev['newest_item_title']}》" if ev.get("newest_item_title") else ""
    return (f"最新信息{title}发布于{cn_date(ev.get('newest_item_date'))}，更新周期{_cycle_label(ev.get('cycle'))}，"
            f"应于{cn_date(ev.get('due'))}前更新，截至{cn_date(as_of)}已超期{days}天")


def due_soon(f: dict[str, Any], as_of: date) -> str:
    ev = f["evidence"]
    left = (date.fromisoformat(ev["due"]) - as_of).days
    when = "今天" if left == 0 else f"还剩{left}天"
    return (f"最新信息发布于{cn_date(ev.get('newest_item_date'))}，更新周期{_cycle_label(ev.get('cycle'))}，"
            f"将于{cn_date(ev['due'])}超期（{when}），请及时更新")


def blank(f: dict[str, Any], as_of: date) -> str:
    return "栏目内无任何信息（空白栏目）"


def undated(f: dict[str, Any], as_of: date) -> str:
    return f"栏目内{f['evidence'].get('item_count', '')}条信息均未标注发布日期，视为未更新"


def site_failing(f: dict[str, Any], as_of: date) -> str:
    return f["message"].partition("单项否决：")[2] or f["message"]


def report_missing(f: dict[str, Any], as_of: date) -> str:
    ev = f["evidence"]
    return f"{f['subject'].get('year')}年度政府信息公开工作年度报告逾期未公开（公布期限{cn_date(ev.get('deadline'))}）"


def report_late(f: dict[str, Any], as_of: date) -> str:
    ev = f["evidence"]
    return (f"{f['subject'].get('year')}年度报告于{cn_date(ev.get('published'))}公开，逾期{ev.get('days_late', '')}天"
            f"（公布期限{cn_date(ev.get('deadline'))}）")


def _relation(v: dict[str, Any]) -> str:
    """One violated relation with its values; evidence the describer does not know stays readable."""
    try:
        return describe(v)
    except (KeyError, TypeError, ValueError):
        return (f"{v.get('rule', '')}表{v.get('table', '')}“{v.get('row', '')}”行“{v.get('column', '')}”列："
                f"应为{v.get('expected', '')}，实为{v.get('found', '未填报')}")


def report_inconsistent(f: dict[str, Any], as_of: date) -> str:
    violations = f["evidence"].get("violations") or []
    if not violations:
        return f["message"]
    listed = "；".join(_relation(v) for v in violations)
    if f["result"] == "warning":    # blank cells: not reported, not an arithmetic error
        return f"{f['subject'].get('year')}年度报告{len(violations)}处数据未填报：{listed}"
    return f"{f['subject'].get('year')}年度报告勾稽关系错误{len(violations)}处：{listed}"
