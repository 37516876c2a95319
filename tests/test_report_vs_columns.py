"""K14 (issue 11 item 7): table 二's 2021 counts against what the unit's own columns published."""
from __future__ import annotations

import copy
from datetime import date

import pytest

from monitor.checks.report_columns import ColumnItem, UnitColumn, check_report_columns, is_normative, large_gap
from monitor.checks.reports import ReportDocument
from tests.helpers import make_config
from tests.report_support import load

UNIT = make_config().units[0]
REPORT = load("pingtan_2021.txt")     # 规范性文件 本年制发件数 69, 行政许可 2293, 行政处罚 1282


def normative(n: int, year: int = 2021) -> list[ColumnItem]:
    return [ColumnItem(f"关于印发《管理办法{k}》的通知", f"http://x/zc/{year}/{k}.html", date(year, 3, 1 + k % 28),
                       f"岚政发〔{year}〕{k}号") for k in range(n)]


def others(n: int) -> list[ColumnItem]:
    return [ColumnItem(f"关于召开第{k}次会议的通知", f"http://x/zc/h{k}.html", date(2021, 5, 1)) for k in range(n)]


OLD = normative(1, year=2020)        # shows the listing reaches back before 2021


def policy(items: list[ColumnItem], *, read: bool = True, name: str = "政策文件") -> UnitColumn:
    return UnitColumn(name, "http://x/zc/", read, items)


def run(columns: list[UnitColumn], report=REPORT, years: tuple[int, ...] = (2021,)) -> dict[str, object]:
    documents = {y: ReportDocument(y, f"http://x/nb{y}.html", report) for y in years}
    results = check_report_columns(UNIT, documents, columns)
    assert all(r.kind == "report_numbers_vs_columns" and r.rule == "K14" for r in results)
    return {(r.subject["what"] if len(years) == 1 else (r.subject["what"], r.subject["year"])): r for r in results}


def test_matching_column_passes_and_only_normative_items_count():
    result = run([policy(normative(67) + others(40) + normative(5, year=2020))])["规范性文件"]
    assert result.status == "pass"
    assert (result.evidence["reported"], result.evidence["published"]) == (69, 67)


def test_large_gap_is_a_warning_with_the_items_as_evidence():
    result = run([policy(normative(4) + others(80) + OLD)])["规范性文件"]
    assert result.status == "warning" and result.severity == "low"
    assert result.evidence["published"] == 4 and len(result.evidence["items"]) == 4
    assert result.evidence["items"][0]["doc_no"] == "岚政发〔2021〕0号"
    assert "69" in result.message and "4" in result.message


def test_unread_column_is_uncertain_once_on_the_newest_report():
    results = run([policy(normative(80) + OLD, read=False)], years=(2021, 2022))
    assert {k: r.status for k, r in results.items()} == {("规范性文件", 2022): "uncertain"}
    assert "未能读取" in results[("规范性文件", 2022)].message


def test_a_year_the_listing_does_not_reach_back_before_is_not_assessed():
    assert run([policy(normative(10))]) == {}
    # an item dated before the year shows the listing reached back far enough
    assert run([policy(normative(69) + OLD)])["规范性文件"].status == "pass"
    results = run([policy(normative(69, year=2022) + normative(2, year=2021))], years=(2021, 2022))
    assert set(results) == {("规范性文件", 2022)} and results[("规范性文件", 2022)].status == "pass"


def test_unreadable_cell_is_uncertain():
    report = copy.deepcopy(REPORT)
    for entry in report.table2.entries:
        if "规范性文件" in entry.item:
            entry.raw = ""
    assert run([policy(normative(69) + OLD)], report)["规范性文件"].status == "uncertain"


def test_permits_and_penalties_only_where_the_unit_has_such_columns():
    permits = UnitColumn("行政许可公示", "http://x/xk/", True,
                         [ColumnItem(f"许可决定{k}", f"http://x/xk/{k}", date(2021, 6, 1)) for k in range(2293)] + OLD)
    results = run([permits])
    assert set(results) == {"行政许可"} and results["行政许可"].status == "pass"
    penalties = UnitColumn("行政处罚", "http://x/cf/", True,
                           [ColumnItem(f"处罚决定{k}", f"http://x/cf/{k}", date(2021, 6, 1)) for k in range(10)] + OLD)
    assert run([penalties])["行政处罚"].status == "warning"


def test_2019_format_and_unparsed_reports_are_not_compared():
    assert run([policy(normative(1))], load("pingtan_2019.txt")) == {}
    assert check_report_columns(UNIT, {2021: ReportDocument(2021, "u", None, "bad")}, [policy([])]) == []


@pytest.mark.parametrize(("title", "doc_no", "expected"), [
    ("关于公布现行有效行政规范性文件目录的通知", None, True),
    ("关于印发《实施办法》的通知", "县政办发〔2021〕12号", True),
    ("关于印发《实施办法》的通知", "县规〔2021〕1号", True),
    ("县政发[2021]3号 关于……的通知", None, True),
    ("关于同意设立的批复", "县政函〔2021〕3号", False),
    ("关于召开全县安全生产会议的通知", None, False),
])
def test_normative_heuristic_is_conservative(title, doc_no, expected):
    assert is_normative(ColumnItem(title, "u", date(2021, 1, 1), doc_no)) is expected


@pytest.mark.parametrize(("reported", "published", "large"), [
    (69, 67, False), (5, 2, True), (2, 0, False), (100, 60, False), (100, 49, True), (0, 3, True)])
def test_large_gap_threshold(reported, published, large):
    assert large_gap(reported, published) is large
