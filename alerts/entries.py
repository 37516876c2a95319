"""Findings as the lines people read in a bulletin or a warning: who, which column or report,
what is wrong, and the evidence (last update, days overdue, link; for reports the year and the
relation violated with its values)."""
from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from monitor.categories import Cycle
from monitor.finding import Finding
from monitor.output import KIND_LABELS
from monitor.reports.consistency import describe
from monitor.scraped import clean_text

_BREAKS = re.compile(r"[\t\n\u2028\u2029]+")     # what `clean_text` keeps of line structure


def one_line(text: str | None) -> str:
    """Scraped text as one line: no line breaks or control characters to forge lines with."""
    return _BREAKS.sub(" ", clean_text(text or "")).strip()


@dataclass(frozen=True, slots=True)
class Entry:
    unit_id: str
    unit_name: str
    kind: str
    label: str          # Chinese name of the kind
    subject: str        # column name, "2025年度报告", "网站"
    detail: str         # the evidence, one sentence
    url: str | None
    result: str         # fail | warning | uncertain
    due: date | None = None  # the day the column had to be / will have to be updated, the report published


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


def _stale(f: Finding, as_of: date) -> str:
    days = (as_of - f.due).days if f.due else 0
    days = days if days > 0 else f.days_overdue or 0
    title = f"《{f.newest_item_title}》" if f.newest_item_title else ""
    return (f"最新信息{title}发布于{cn_date(f.newest_item_date)}，更新周期{_cycle_label(f.cycle)}，"
            f"应于{cn_date(f.due)}前更新，截至{cn_date(as_of)}已超期{days}天")


def _due_soon(f: Finding, as_of: date) -> str:
    left = (f.due - as_of).days
    when = "今天" if left == 0 else f"还剩{left}天"
    return (f"最新信息发布于{cn_date(f.newest_item_date)}，更新周期{_cycle_label(f.cycle)}，"
            f"将于{cn_date(f.due)}超期（{when}），请及时更新")


def _report_missing(f: Finding, as_of: date) -> str:
    return f"{f.year}年度政府信息公开工作年度报告逾期未公开（公布期限{cn_date(f.deadline)}）"


def _report_late(f: Finding, as_of: date) -> str:
    return (f"{f.year}年度报告于{cn_date(f.published)}公开，逾期{f.days_late or ''}天"
            f"（公布期限{cn_date(f.deadline)}）")


def _relation(v: dict[str, Any]) -> str:
    """One violated relation with its values; evidence the describer does not know stays readable."""
    try:
        return describe(v)
    except (KeyError, TypeError, ValueError):
        return (f"{v.get('rule', '')}表{v.get('table', '')}“{v.get('row', '')}”行“{v.get('column', '')}”列："
                f"应为{v.get('expected', '')}，实为{v.get('found', '未填报')}")


def _report_inconsistent(f: Finding, as_of: date) -> str:
    if not f.violations:
        return f.message
    listed = "；".join(_relation(v) for v in f.violations)
    if f.result == "warning":    # blank cells: not reported, not an arithmetic error
        return f"{f.year}年度报告{len(f.violations)}处数据未填报：{listed}"
    return f"{f.year}年度报告勾稽关系错误{len(f.violations)}处：{listed}"


_DETAILS = {
    "column_stale": _stale, "column_due_soon": _due_soon,
    "column_blank": lambda f, as_of: "栏目内无任何信息（空白栏目）",
    "column_undated": lambda f, as_of: f"栏目内{f.item_count or ''}条信息均未标注发布日期，视为未更新",
    "site_failing": lambda f, as_of: f.message.partition("单项否决：")[2] or f.message,
    "report_missing": _report_missing, "report_late": _report_late, "report_inconsistent": _report_inconsistent,
}


def _subject(f: Finding) -> str:
    """What the finding is about, quoted after the unit; empty for an item, whose detail names it."""
    if "item" in f.subject:
        return ""
    if f.column is not None:
        return f.column
    if f.year is not None:
        return f"{f.year}年度报告"
    return "网站"


def entry(f: Finding, as_of: date) -> Entry:
    """One finding as a bulletin line, with its evidence as of `as_of`. The
    evidence sentences describe violations; an uncertain finding says what could not be checked
    in its own message (an uncertain `report_missing` is not 逾期未公开)."""
    detail = _DETAILS.get(f.kind) if f.result != "uncertain" else None
    url = one_line(f.link)
    return Entry(unit_id=f.unit_id, unit_name=one_line(f.unit_name), kind=f.kind,
                 label=KIND_LABELS.get(f.kind, f.kind), subject=one_line(_subject(f)),
                 detail=one_line(detail(f, as_of) if detail else f.message),
                 url=url if re.match(r"https?://", url, re.I) else None,   # never a javascript: link
                 result=f.result,
                 due=None if f.result == "uncertain" else f.due or f.deadline)


def one_per_subject(entries: list[Entry]) -> list[Entry]:
    """One line per unit and subject (a report year, a column, the site; an item by its URL) with
    all its reasons: a report that cannot be read is uncertain in every content check, and one
    line saying so is clearer than five."""
    merged: dict[tuple[str, str], Entry] = {}
    for e in entries:
        key = (e.unit_id, e.subject or e.url or "")
        first = merged.get(key)
        if first is None:
            merged[key] = e
        elif e.detail not in first.detail.split("；"):
            merged[key] = replace(first, detail=f"{first.detail}；{e.detail}", url=first.url or e.url)
    return list(merged.values())
