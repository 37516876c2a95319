"""A3 format-for-year, A4 sections, K12 years, partial reports and flattened tables."""
from __future__ import annotations

import pytest

from monitor.reports import parse_text
from tests.report_support import DATA, PARTIAL, load, one, run


def test_a3_2021_report_in_2019_format_fails() -> None:
    source = (DATA / "pingtan_2019.txt").read_text(encoding="utf-8").replace("2019年", "2021年")
    report = parse_text(source)
    assert report.year == 2021 and report.format == "2019"
    result = one(run(report), "A3")
    assert (result.status, result.severity) == ("fail", "medium")
    assert result.evidence["tables"] == {"表二": "2019", "表三": "2019"}


def test_a3_expected_year_from_caller() -> None:
    assert one(run(load("shanghai_szfbgt_2019.html"), year=2021), "A3").status == "fail"
    assert one(run(load("pingtan_2024.html")), "A3").status == "pass"


def test_a3_pre2019_structure() -> None:
    report = parse_text("某局2020年政府信息公开工作年度报告\n一、概述\n统计期限自2020年1月1日起\n"
                        "四、政府信息公开的收费及减免情况\n无\n七、附表")
    assert report.format == "pre2019"
    assert one(run(report), "A3").status == "fail"


def test_a4_missing_sections_and_government_content() -> None:
    source = (DATA / "pingtan_2021.txt").read_text(encoding="utf-8")
    source = source.replace("六、其他需要报告的事项", "").replace("考核", "").replace("评议", "").replace("责任追究", "")
    result = one(run(parse_text(source), unit_type="government"), "A4")
    assert result.status == "fail"
    assert result.evidence["missing"] == ["六、其他需要报告的事项", "工作考核、社会评议和责任追究结果情况"]


def test_k12_year_mismatch() -> None:
    source = (DATA / "pingtan_2021.txt").read_text(encoding="utf-8")
    report = parse_text(source.replace("自2021年1月1日起", "自2020年1月1日起"))
    result = one(run(report), "K12")
    assert (result.status, result.evidence["years"]["统计期限"]) == ("warning", 2020)


@pytest.mark.parametrize("name", PARTIAL)
def test_partial_reports_are_uncertain_never_failed(name: str) -> None:
    report = load(name)
    assert not report.table3.readable and not report.table4.readable
    results = run(report)
    consistency = [r for r in results if r.kind in ("report_inconsistent", "report_invalid_value")]
    assert consistency and all(r.status == "uncertain" for r in consistency)
    assert one(results, "K10").status == "uncertain"


@pytest.mark.parametrize("name", ["pingtan_2019.txt", "pingtan_2021.txt"])
def test_flattened_appendix_is_unreadable(name: str) -> None:
    source = (DATA / name).read_text(encoding="utf-8")
    appendix = source[source.index("==================== 附"):].split("\n", 1)[1]
    report = parse_text(appendix)
    assert not report.table3.readable
    assert all(r.status != "fail" for r in run(report) if r.kind == "report_inconsistent")


def test_hengshan_pipe_text_with_trailing_cells() -> None:
    report = load("hengshan_xzspj_2020_seed.txt")
    assert report.table3.readable and report.table4.readable and report.format == "2019"
    assert len(report.table2.entries) == 22
