"""Soft table 二 checks: K8 / K9 roll-forward between consecutive years, K13 plausibility (2019 format).

Real pairs where the corpus has them (平潭 2021 → 2022 holds K8 exactly: 665 + 88 − 55 = 698);
single cells changed programmatically for the failing cases."""
from __future__ import annotations

import copy

from monitor.reports import ParsedReport
from tests.report_support import load, one, run


def set_t2(report: ParsedReport, item: str, column: str, raw: str) -> ParsedReport:
    changed = copy.deepcopy(report)
    (entry,) = [e for e in changed.table2.entries if e.item == item and e.column == column]
    entry.raw = raw
    return changed


def test_k8_real_consecutive_years_agree() -> None:
    result = one(run(load("pingtan_2022.txt"), previous=load("pingtan_2021.txt")), "K8")
    assert (result.status, result.kind) == ("pass", "report_rollforward_mismatch")
    assert result.evidence["checked"] == 2          # 规章 and 行政规范性文件


def test_k8_a_count_that_does_not_roll_forward_is_a_low_warning() -> None:
    now = set_t2(load("pingtan_2022.txt"), "行政规范性文件", "现行有效件数", "700")
    result = one(run(now, previous=load("pingtan_2021.txt")), "K8")
    assert (result.status, result.severity) == ("warning", "low")
    assert result.evidence["violations"] == [{"rule": "K8", "table": "二", "row": "行政规范性文件",
                                              "column": "现行有效件数", "expected": 698, "found": 700}]
    assert "698" in result.message and "700" in result.message


def test_k8_not_applicable_across_a_gap_or_a_format_change_and_uncertain_without_values() -> None:
    assert one(run(load("pingtan_2024.html"), previous=load("pingtan_2022.txt")), "K8").status == "not_applicable"
    format_change = run(load("pingtan_2021.txt"), previous=copy.deepcopy(load("hengshan_xzspj_2020_seed.txt")))
    assert one(format_change, "report_rollforward_mismatch").status == "not_applicable"
    blank = set_t2(load("pingtan_2021.txt"), "行政规范性文件", "现行有效件数", "")
    blank = set_t2(blank, "规章", "现行有效件数", "")
    assert one(run(load("pingtan_2022.txt"), previous=blank), "K8").status == "uncertain"


def as_next_year(report: ParsedReport) -> ParsedReport:
    """The same unit's report one year later, its 上一年项目数量 rolled forward from `report`."""
    following = copy.deepcopy(report)
    following.year_title = following.year_period = following.year_opening = report.year + 1
    for entry, before in zip(following.table2.entries, report.table2.entries):
        if entry.column == "上一年项目数量":
            increase = next(e.value for e in report.table2.entries
                            if (e.block, e.item, e.column) == (before.block, before.item, "本年增/减"))
            entry.raw = str(before.value + increase)
    return following


def test_k9_2019_format_pair_rolls_forward_and_a_wrong_count_is_flagged() -> None:
    before = set_t2(load("pingtan_2019.txt"), "行政处罚", "本年增/减", "-48")
    after = as_next_year(before)
    assert one(run(after, previous=before, year=2020), "K9").status == "pass"
    assert [e.raw for e in after.table2.entries if e.item == "行政处罚" and e.column == "上一年项目数量"] == ["2600"]
    wrong = set_t2(after, "行政处罚", "上一年项目数量", "2648")      # last year's figure copied unchanged
    result = one(run(wrong, previous=before, year=2020), "K9")
    assert (result.status, result.severity) == ("warning", "low")
    assert result.evidence["violations"] == [{"rule": "K9", "table": "二", "row": "行政处罚",
                                              "column": "上一年项目数量", "expected": 2600, "found": 2648}]


def test_k13_holds_on_every_2019_format_corpus_report() -> None:
    for name in ("pingtan_2019.txt", "shanghai_szfbgt_2019.html", "hengshan_xzspj_2020_seed.txt"):
        assert one(run(load(name)), "K13").status == "pass", name


def test_k13_total_below_this_years_new_is_a_low_warning() -> None:
    report = set_t2(load("shanghai_szfbgt_2019.html"), "规章", "对外公开总数量", "5")
    result = one(run(report), "K13")
    assert (result.status, result.severity, result.kind) == ("warning", "low", "report_table2_implausible")
    assert result.evidence["violations"] == [{"rule": "K13", "table": "二", "row": "规章", "column": "对外公开总数量",
                                              "minimum": 13, "found": 5}]


def test_k13_not_applicable_to_the_2021_format_and_uncertain_when_unreadable() -> None:
    assert one(run(load("pingtan_2022.txt")), "K13").status == "not_applicable"
    report = copy.deepcopy(load("pingtan_2019.txt"))
    report.table2.entries = [e for e in report.table2.entries if e.block != "一"]
    assert one(run(report), "K13").status == "uncertain"
