"""Shared helpers for the annual-report tests (no tests here): corpus files and expected.json."""
from __future__ import annotations

import json
from datetime import date
from functools import lru_cache
from pathlib import Path

from monitor.reports import ParsedReport, check_report, parse_report
from monitor.results import Result

DATA = Path(__file__).parent / "data" / "reports"
COMPLETE = ("pingtan_2019.txt", "pingtan_2021.txt", "pingtan_2022.txt", "pingtan_2024.html",
            "shanghai_szfbgt_2019.html")
PARTIAL = tuple(sorted(p.name for p in (DATA / "partial").iterdir()))

#: oracle row names → our stable row ids
ORACLE_ROWS = {
    "一、本年新收政府信息公开申请数量": "new", "二、上年结转政府信息公开申请数量": "carried_in",
    "四、结转下年度继续办理": "carried_out", "（一）予以公开": "r_grant", "（二）部分公开": "r_partial",
    "（三）1.属于国家秘密": "r_deny_secret", "（三）2.其他法律行政法规禁止公开": "r_deny_law",
    "（三）3.危及“三安全一稳定”": "r_deny_safety", "（三）4.保护第三方合法权益": "r_deny_third",
    "（三）5.属于三类内部事务信息": "r_deny_internal", "（三）6.属于四类过程性信息": "r_deny_process",
    "（三）7.属于行政执法案卷": "r_deny_case", "（三）8.属于行政查询事项": "r_deny_query",
    "（四）1.本机关不掌握相关政府信息": "r_unable_none", "（四）2.没有现成信息需要另行制作": "r_unable_create",
    "（四）3.补正后申请内容仍不明确": "r_unable_unclear", "（五）1.信访举报投诉类申请": "r_refuse_petition",
    "（五）2.重复申请": "r_refuse_repeat", "（五）3.要求提供公开出版物": "r_refuse_publication",
    "（五）4.无正当理由大量反复申请": "r_refuse_mass", "（五）5.要求行政机关确认或重新出具已获取信息": "r_refuse_confirm",
    "（六）其他处理（2019年版为单行）": "r_other", "（六）1.申请人无正当理由逾期不补正": "r_other_nocorrect",
    "（六）2.申请人逾期未按收费通知要求缴纳费用": "r_other_nofee", "（六）3.其他": "r_other_else",
    "（七）总计": "total",
}
ORACLE_CHECKS = {"T3-A": "K1", "T3-B": "K3", "T3-C": "K2"}
T4_RULES = {"行政复议": "K4", "未经复议直接起诉": "K5", "复议后起诉": "K6"}


@lru_cache
def expected() -> dict[str, dict]:
    data = json.loads((DATA / "expected.json").read_text(encoding="utf-8"))
    return {Path(r["file"]).name: r for r in data["reports"]}


def load(name: str) -> ParsedReport:
    path = DATA / name if (DATA / name).exists() else DATA / "partial" / name
    return parse_report(path.read_bytes(), name=name)


def run(report: ParsedReport, **overrides) -> list[Result]:
    args = dict(unit_id="u1", unit_name="测试单位", unit_type="government", published=None,
                today=date(2026, 6, 1), deadlines={"township": "02-20"})
    args.update(overrides)
    return check_report(report, **args)


def one(results: list[Result], rule_or_kind: str, relation: str | None = None) -> Result:
    found = [r for r in results if rule_or_kind in (r.kind, r.rule)
             and (relation is None or r.subject.get("relation") == relation)]
    assert len(found) == 1, found
    return found[0]


def violation_keys(results: list[Result], relation: str) -> set[tuple[str, str, str]]:
    """(rule, row, column) of every 勾稽 violation in the result with the given relation."""
    keys = set()
    for r in results:
        if r.kind == "report_inconsistent" and r.subject.get("relation") == relation:
            keys |= {(v["rule"], v["row"], v["column"]) for v in r.evidence.get("violations", [])}
    return keys


def oracle_key(v: dict) -> tuple[str, str, str]:
    if v["check"].startswith("T4"):
        group = v.get("group") or v.get("row")
        return T4_RULES[group], group, "总计"
    rule = ORACLE_CHECKS[v["check"].split()[0]]
    row = {"K1": "total+carried_out", "K2": "total"}.get(rule) or ORACLE_ROWS[v["row"]]
    return rule, row, v["column"]
