"""Every complete corpus report against the oracle's expected.json: violations, tables, narrative."""
from __future__ import annotations

import json

import pytest

from monitor.reports.model import T3_COLUMNS, T4_COLUMNS
from monitor.reports.text import parse_number
from tests.report_support import (
    COMPLETE, ORACLE_ROWS, expected, load, one, oracle_key, run, violation_keys,
)


@pytest.mark.parametrize("name", COMPLETE)
def test_violations_match_oracle(name: str) -> None:
    results = run(load(name))
    exp = expected()[name]
    blank = {oracle_key(v) for v in exp["violations"] if v["involves_empty_cell"]}
    arithmetic = {oracle_key(v) for v in exp["violations"] if not v["involves_empty_cell"]}
    assert violation_keys(results, "arithmetic") == arithmetic
    assert violation_keys(results, "not_reported") == blank
    assert one(results, "report_inconsistent", "arithmetic").status == ("fail" if arithmetic else "pass")


def test_shanghai_blank_totals_are_low_severity_not_failures() -> None:
    results = run(load("shanghai_szfbgt_2019.html"))
    blank = one(results, "report_inconsistent", "not_reported")
    assert (blank.status, blank.severity) == ("warning", "low")
    by_row = {(v["rule"], v["row"]): v for v in blank.evidence["violations"]}
    assert by_row[("K3", "r_grant")]["expected"] == 272 and by_row[("K3", "r_grant")]["found"] is None
    assert by_row[("K2", "total")]["found"] == 805
    assert not any(r.status == "fail" and r.kind == "report_inconsistent" for r in results)


@pytest.mark.parametrize("name", COMPLETE)
def test_table3_cell_by_cell(name: str) -> None:
    report = load(name)
    exp = expected()[name]["table3"]
    assert report.table3.readable
    assert set(report.table3.rows) == {ORACLE_ROWS[label] for label in exp}
    for label, cells in exp.items():
        ours = report.table3.rows[ORACLE_ROWS[label]]
        for column, want, got in zip(T3_COLUMNS, cells, ours):
            number = parse_number(got)
            # the oracle writes blank cells as "" and numbers as strings
            assert (None if number.blank else str(number.value)) == (want or None), (label, column)


@pytest.mark.parametrize("name", COMPLETE)
def test_table4_cell_by_cell(name: str) -> None:
    report = load(name)
    exp = expected()[name]["table4"]
    assert report.table4.readable
    for group, field in T4_COLUMNS:
        assert (report.table4.value(group, field) or 0) == exp[group][field], (group, field)


def test_shanghai_table4_blanks_stay_blank() -> None:
    report = load("shanghai_szfbgt_2019.html")
    assert report.table4.value("行政复议", "结果纠正") is None
    assert report.table4.value("行政复议", "结果维持") == 5


def test_shanghai_narrative_contradictions_found() -> None:
    result = one(run(load("shanghai_szfbgt_2019.html")), "K11")
    assert result.status == "warning" and result.severity == "medium"
    found = {(m["key"], m["stated"], m["table"]) for m in result.evidence["mismatches"]}
    assert ("granted_or_partial", 258, 275) in found
    assert ("unable", 265, 337) in found
    assert ("narrative_sum", 805, 716) in found
    upheld = [m for m in result.evidence["mismatches"] if m["key"] == "all_upheld"]
    assert upheld and "均获维持" in upheld[0]["sentence"]
    assert "258" in result.message and "予以公开及部分公开258件" in result.message


@pytest.mark.parametrize("name", ["pingtan_2021.txt", "pingtan_2022.txt", "pingtan_2024.html"])
def test_consistent_narratives_pass(name: str) -> None:
    result = one(run(load(name)), "K11")
    assert result.status == "pass", result.evidence


@pytest.mark.parametrize("name", COMPLETE + ("hengshan_xzspj_2020_seed.txt",))
def test_structure(name: str) -> None:
    report = load(name)
    assert set(report.sections) == {"一", "二", "三", "四", "五", "六"}
    assert report.year_title == report.year_period or report.year_period is None
    json.dumps(report.to_dict(), ensure_ascii=False)
    results = run(report)
    assert one(results, "A4").status == "pass"
    assert one(results, "K12").status == "pass"
    assert all(r.evidence for r in results)


def test_formats_and_table2() -> None:
    assert [load(n).format for n in COMPLETE] == ["2019", "2021", "2021", "2021", "2019"]
    shanghai = {(e.block, e.item, e.column): e for e in load("shanghai_szfbgt_2019.html").table2.entries}
    purchase = shanghai[("九", "政府集中采购", "采购总金额")]
    assert (purchase.value, purchase.raw) == (251000, "251000元")
    assert shanghai[("一", "规章", "对外公开总数量")].value == 524
    pingtan = {(e.block, e.item, e.column): e.value for e in load("pingtan_2021.txt").table2.entries}
    assert pingtan[("八", "行政事业性收费", "本年收费金额（单位：万元）")] == pytest.approx(24252.311082)
    assert pingtan[("一", "行政规范性文件", "现行有效件数")] == 665


def test_heading_typo_tolerated() -> None:
    assert "行政法复议" in load("pingtan_2022.txt").sections["四"]


def test_blank_cells_are_described_as_not_reported_not_as_wrong_sums():
    """上海 2019 left the 总计 of the result rows blank: the messages say so instead of '应为 …，实为 0'."""
    from datetime import date as _date
    from pathlib import Path as _Path

    from monitor.reports import check_report, parse_report

    raw = (_Path(__file__).parent / "data" / "reports" / "shanghai_szfbgt_2019.html").read_bytes()
    results = check_report(parse_report(raw, "text/html"), unit_id="sh", unit_name="上海市人民政府办公厅",
                           unit_type="government", published=None, today=_date(2020, 6, 1))
    (blank,) = [r for r in results if r.kind == "report_inconsistent" and r.status == "warning"]
    assert "合计未填报（分项之和为 272）" in blank.message
    assert "分项未填报，合计为 805" in blank.message and "实为 0" not in blank.message
