"""Scenarios of the demo county beyond the columns: annual reports (issue 3) and signs that
review was skipped (issue 6), each with the finding a correct crawl + check should reach.

Reports: every unit's 年报 column lists its reports from 2019 on, each detail page carrying the
report (2021 format from 2021, 2019 format before); a few units break one thing (REPORT_CASES).
Items: policy documents carry 成文日期 and 文号 so W9 can be measured, two of them at the edge.
"""
from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from importlib import resources
from typing import Callable

from monitor.checks.items import workdays_after
from monitor.demo import html
from monitor.demo.model import Column, Item, Page, Unit
from monitor.demo.pdf import minimal_pdf
from monitor.demo.reports import ReportData, make_report, report_html, report_lines
from monitor.reports import deadline_for
from monitor.reports.years import report_year
from monitor.workdays import WorkCalendar

#: unit id -> what is wrong with its reports; `L` is the newest report year listed
REPORT_CASES = {
    "fgj": "late",          # the L−1 report published on 03-05 of L (department deadline 01-31)
    "bgz": "late",          # township: the L−1 report published on 02-25 of L (demo deadline 02-20)
    "jyj": "missing",       # no report for L; the listing reaches back to 2019
    "czj": "outdated",      # the L report in the 2019 format
    "rsj": "k1",            # the L report: one more 自然人 application received than handled + carried over
    "zjj": "blank_totals",  # the L report: 总计 left blank on the 办理结果 rows
    "wjj": "pdf",           # the L report page links the report as a PDF attachment
}
SEED_UNIT, SEED_YEAR, SEED_PUBLISHED = "xzspj", 2020, date(2021, 1, 21)
REPORT_VS_COLUMN_UNIT = "kyz"       # its newest report counts far more 规范性文件 than its 政策文件 column shows (K14)
BROKEN_ATTACHMENT_UNIT = "dmz"      # its newest report page links an attachment that answers 404 (W12)
DEAD_LINK_UNIT = "bgz"              # a list page of its first plain column links a page nobody serves (W12)
LATE_POLICY_UNIT = "fgj"            # its 政策文件: item 0 published 25 working days after 成文, item 1 exactly 20
DEMO_DEADLINES = {"department": "01-31", "government": "03-31", "township": "02-20"}
_CALENDAR = WorkCalendar()
#: the unit and name of the demo's 领导信箱 board (W7), and what the checks should conclude on it
BOARD = ("xzspj", "领导信箱")
#: a board only discovery finds (linked from the unit's navigation, not in the config): the same messages
DISCOVERED_BOARD = ("rsj", "局长信箱")
BOARD_TRUTH = {"interaction_unanswered": ("fail", 1), "interaction_late_replies": ("warning", 2)}


@dataclass(frozen=True)
class ReportTruth:
    """What the checks should conclude for one unit-year report: kind -> status of the
    non-passing results (empty: on time and consistent)."""

    unit_id: str
    year: int
    case: str
    findings: dict[str, str]
    url_path: str | None


def seed_text() -> bytes:
    return resources.files("monitor.demo").joinpath("data/hengshan_xzspj_2020_seed.txt").read_bytes()


def shape_reports(units: list[Unit], today: date, seed: int, modified: Callable[[date], datetime],
                  ) -> tuple[dict[str, Page], dict[tuple[str, int], ReportTruth], dict[str, ReportData]]:
    """Give every listed report its content (item bodies); returns the pages that are not
    rendered from an item (the seed text, PDF attachments), the truth per unit-year and the
    generated data by detail page path."""
    pages: dict[str, Page] = {}
    truths: dict[tuple[str, int], ReportTruth] = {}
    data_by_path: dict[str, ReportData] = {}
    for unit in units:
        col = next((c for c in unit.columns if c.category == "report" and c.items), None)
        if col is None or col.status == "unreachable":
            continue
        case = REPORT_CASES.get(unit.id, "on_time")
        newest = _shape_listing(unit, col, case)
        case_year = newest - 1 if case == "late" else newest
        rng = random.Random(f"{seed}-{unit.id}")
        carried, valid = [0] * 6, rng.randint(5, 40)
        for item in sorted(col.items, key=_year):
            year = _year(item)
            path = html.article_path(col, item)
            own = case if year == case_year else "on_time"
            if unit.id == SEED_UNIT and year == SEED_YEAR:
                pages[path] = Page(seed_text(), "text/plain; charset=utf-8", modified=modified(item.date))
                carried = [0] * 6
                truths[(unit.id, year)] = ReportTruth(unit.id, year, "seed", {
                    "report_narrative_mismatch": "uncertain", "report_title_wrong": "fail"}, path)  # "…工作报告"
                continue
            fmt = "2019" if year < 2021 or own == "outdated" else "2021"
            data = make_report(rng, unit.name, year, fmt, carried, valid)
            carried, valid = data.t3["carried_out"], data.valid_rules
            if own == "k1":
                data.t3["new"][0] += 1
            data.blank_totals = own == "blank_totals"
            data_by_path[path] = data
            item.body = report_html(data, unit.type)
            if own == "pdf":
                name = f"P0{year}{unit.id}.pdf"
                item.body = (f"<p>{data.title}全文见附件。</p>"
                             f'<p>附件：<a href="{name}">{data.title}.pdf</a></p>')
                pages[path.rsplit("/", 1)[0] + "/" + name] = Page(
                    minimal_pdf(report_lines(data, unit.type)), "application/pdf", modified=modified(item.date))
            truths[(unit.id, year)] = ReportTruth(unit.id, year, own, _report_findings(own, unit, year, item, today),
                                                  path)
        if case == "missing":
            due = _due(unit, newest)
            truths[(unit.id, newest)] = ReportTruth(unit.id, newest, "missing", {"report_missing": "fail"}
                                                    if due and today > due else {}, None)
    return pages, truths, data_by_path


def _year(item: Item) -> int:
    return report_year(item.title) or 0


def _due(unit: Unit, year: int) -> date | None:
    return deadline_for(year, unit.type, DEMO_DEADLINES)


def _shape_listing(unit: Unit, col: Column, case: str) -> int:
    """Reports from 2019 on (the seed unit from its seed year); the seed year at its real date; the late and missing cases.
    Returns the newest report year listed before a missing one was taken away."""
    first = SEED_YEAR if unit.id == SEED_UNIT else 2019      # nothing to carry into the seed report
    col.items[:] = [i for i in col.items if _year(i) >= first]
    for item in col.items:
        if unit.id == SEED_UNIT and _year(item) == SEED_YEAR:
            item.date = SEED_PUBLISHED
    newest = max(_year(i) for i in col.items)
    if case == "missing":
        col.items[:] = [i for i in col.items if _year(i) != newest]
    elif case == "late":
        late = next(i for i in col.items if _year(i) == newest - 1)
        late.date = date(newest, 3, 5) if unit.type == "department" else date(newest, 2, 25)
    return newest


def _report_findings(case: str, unit: Unit, year: int, item: Item, today: date) -> dict[str, str]:
    due = _due(unit, year)
    if case == "late" or (item.date and due and item.date > due):
        return {"report_late": "fail"}
    return {"outdated": {"report_outdated_format": "fail"}, "k1": {"report_inconsistent": "fail"},
            "blank_totals": {"report_inconsistent": "warning"}}.get(case, {})


# ------------------------------------------------------------------------------------- items

def date_policy_items(units: list[Unit]) -> dict[str, dict[str, str]]:
    """成文日期 and 文号 on policy documents (a few working days before publication); the two
    edge cases in LATE_POLICY_UNIT. Returns the W9 truth per detail page path."""
    truths: dict[str, dict[str, str]] = {}
    for unit in units:
        for col in unit.columns:
            if col.category != "policy" or col.status in ("unreachable", "undated"):
                continue
            for n, item in enumerate(col.items):
                if item.date is None:
                    continue
                lag = 2 + n % 6
                if unit.id == LATE_POLICY_UNIT and n < 2:
                    lag = (25, 20)[n]
                item.written = workdays_before(item.date, lag)
                item.doc_no = f"衡{unit.name[3:5]}发〔{item.written.year}〕{n + 1}号"
                truths[html.article_path(col, item)] = {"item_late_disclosure": "fail" if lag > 20 else "pass"}
    return truths


def workdays_before(day: date, count: int) -> date:
    """The day from which `day` is `count` working days later (the official calendar)."""
    start = day - timedelta(days=count)
    while workdays_after(_CALENDAR, start, day) < count:
        start -= timedelta(days=1)
    return start


def board_messages(today: date) -> list[Item]:
    """The demo board's messages, newest first: one asked 10 days ago still pending (not yet overdue),
    one answered the next working day, two answered a month after they were asked (late: BOARD_TRUTH)
    and one asked 4 months ago and never answered (单项否决)."""
    def message(title: str, days_ago: int, replied: date | None | int, n: int) -> Item:
        asked = today - timedelta(days=days_ago)
        reply = asked + timedelta(days=replied) if isinstance(replied, int) else replied
        return Item(title, asked, f"./{asked:%Y%m}/t{asked:%Y%m%d}_{7000 + n}.html", replied=reply)

    on_time = today - timedelta(days=40)
    while not _CALENDAR.is_workday(on_time):
        on_time -= timedelta(days=1)
    return [message("关于小区路灯不亮的问题", 10, None, 1),
            message("咨询不动产登记办理材料", (today - on_time).days, _CALENDAR.add_workdays(on_time, 1), 2),
            message("农村道路硬化何时施工", 70, 30, 3),
            message("学校周边交通拥堵问题", 100, 31, 4),
            message("反映集贸市场占道经营", 120, None, 5)]
