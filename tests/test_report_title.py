"""A16: a report's title names the organ, the year and 政府信息公开工作年度报告 (莆田 2010 named units
whose report was a "工作报告"). The seed report of the demo county is one of them."""
from dataclasses import replace

import pytest

from tests.report_support import COMPLETE, load, one, run


def test_the_seed_report_titled_work_report_fails_with_its_title():
    result = one(run(load("hengshan_xzspj_2020_seed.txt")), "report_title_wrong")
    assert result.status == "fail" and result.rule == "A16" and result.severity == "low"
    assert result.evidence["title"] == "衡山县行政审批服务局2020年政府信息公开工作报告"
    assert "写作“工作报告”" in result.message and result.evidence["title"] in result.message


@pytest.mark.parametrize("name", COMPLETE)
def test_real_annual_report_titles_pass(name):
    assert one(run(load(name)), "report_title_wrong").status == "pass"


@pytest.mark.parametrize("title,problem", [
    ("衡山县教育局政府信息公开工作年度报告", "未写明年度"),
    ("2020年政府信息公开工作年度报告", "未写明机关名称"),
    ("衡山县教育局2020年度政务公开工作总结", "名称不是"),
])
def test_a_title_missing_a_part_fails(title, problem):
    report = replace(load("pingtan_2021.txt"), title=title)
    result = one(run(report), "report_title_wrong")
    assert result.status == "fail" and problem in result.message


def test_no_title_or_an_unreadable_report_is_uncertain():
    report = load("pingtan_2021.txt")
    assert one(run(replace(report, title=None)), "report_title_wrong").status == "uncertain"
    scan = replace(report, unreadable="扫描件，无法识别文字")
    assert one(run(scan), "report_title_wrong").status == "uncertain"
