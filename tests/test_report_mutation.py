"""Change one cell of table 三/四 at a time (every cell of every corpus report): exactly the
relations containing that cell must newly fail, nothing else may change."""
from __future__ import annotations

import copy

import pytest

from monitor.reports import parse_html
from monitor.reports.labels import RESULT_ROWS
from monitor.reports.model import T3_COLUMNS, T4_COLUMNS, ParsedReport
from monitor.reports.text import parse_number
from tests.report_support import COMPLETE, DATA, load, one, run, violation_keys

DELTA = 1000          # large enough never to repair an existing discrepancy by accident
T4_RULE = {"行政复议": "K4", "未经复议直接起诉": "K5", "复议后起诉": "K6"}


def all_violations(report: ParsedReport) -> set[tuple[str, str, str]]:
    results = run(report)
    return violation_keys(results, "arithmetic") | violation_keys(results, "not_reported")


def bumped(raw: str) -> str:
    return str((parse_number(raw).value or 0) + DELTA)


def t3_relations_of(row: str, col: int, fmt: str) -> set[tuple[str, str, str]]:
    name = T3_COLUMNS[col]
    keys = {("K3", row, "总计")}
    if row in ("new", "carried_in", "total", "carried_out"):
        keys.add(("K1", "total+carried_out", name))
    if row in RESULT_ROWS[fmt] or row == "total":
        keys.add(("K2", "total", name))
    return keys


@pytest.mark.parametrize("name", COMPLETE)
def test_every_table3_cell(name: str) -> None:
    base = load(name)
    baseline = all_violations(base)
    fmt = base.table3.format
    count = 0
    for row, cells in base.table3.rows.items():
        for col in range(7):
            mutated = copy.deepcopy(base)
            mutated.table3.rows[row][col] = bumped(cells[col])
            assert all_violations(mutated) == baseline | t3_relations_of(row, col, fmt), (row, col)
            count += 1
    assert count == {"2019": 161, "2021": 175}[fmt]


@pytest.mark.parametrize("name", COMPLETE)
def test_every_table4_cell(name: str) -> None:
    base = load(name)
    baseline = all_violations(base)
    for index, (group, _) in enumerate(T4_COLUMNS):
        mutated = copy.deepcopy(base)
        mutated.table4.cells[index] = bumped(base.table4.cells[index])
        assert all_violations(mutated) == baseline | {(T4_RULE[group], group, "总计")}, index


def test_source_level_mutation_message() -> None:
    html = (DATA / "shanghai_szfbgt_2019.html").read_text(encoding="utf-8")
    html = html.replace('<td><p align="center">767</p></td>', '<td><p align="center">760</p></td>')
    result = one(run(parse_html(html)), "report_inconsistent", "arithmetic")
    assert result.status == "fail" and result.severity == "high" and result.rule == "K1"
    assert "表三第（七）总计行“自然人”列：应为 767，实为 760" in result.message
    keys = {(v["rule"], v["row"], v["column"]) for v in result.evidence["violations"]}
    assert keys == {("K1", "total+carried_out", "自然人"), ("K2", "total", "自然人"), ("K3", "total", "总计")}


def test_negative_and_fractional_cells_are_k10() -> None:
    report = copy.deepcopy(load("pingtan_2024.html"))
    report.table3.rows["r_grant"][1] = "-1"
    report.table4.cells[0] = "2.5"
    result = one(run(report), "K10")
    assert result.status == "fail" and result.severity == "low"
    assert {(c["table"], c["reason"]) for c in result.evidence["cells"]} == {("三", "负数"), ("四", "非整数")}


def test_text_cell_makes_relations_unassessable_not_failed() -> None:
    report = copy.deepcopy(load("pingtan_2024.html"))
    report.table3.rows["r_grant"][0] = "见附件"
    results = run(report)
    main = one(results, "report_inconsistent", "arithmetic")
    assert main.status == "pass"
    assert {(v["rule"], v["row"]) for v in main.evidence["unassessable"]} >= {("K3", "r_grant"), ("K2", "total")}
    assert one(results, "K10").evidence["cells"][0]["reason"] == "非数字"
