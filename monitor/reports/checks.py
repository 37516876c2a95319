"""Checks on one parsed report (and its predecessor): pure functions returning `Result`s.

Rules from spec §3/§8. Inferred rules (K7, K11, K12, A14) are reported as warnings, and so are the
soft table 二 rules (K8, K9, K13, low severity); anything that could not be read is `uncertain`,
never `fail`.
"""
from __future__ import annotations

import re
from datetime import date
from typing import Any

from monitor.reports.consistency import (
    RULE_ORDER, TABLE4_RELATIONS, Outcome, describe, evaluate, table3_relations,
)
from monitor.reports.deadlines import deadline_for
from monitor.reports.labels import RESULT_ROWS, SECTION_NAMES, T3_LABELS
from monitor.reports.model import T3_COLUMNS, T4_COLUMNS, ParsedReport, Table3
from monitor.reports.tables import cell_problems
from monitor.reports.text import parse_number, squash
from monitor.results import Result

SIMILARITY_THRESHOLD = 0.9


class _Emit:
    """Binds the unit and report subject so each check only states what it found."""

    def __init__(self, unit_id: str, unit_name: str, subject: dict[str, Any]) -> None:
        self.unit_id, self.unit_name, self.subject = unit_id, unit_name, subject

    def __call__(self, rule: str, kind: str, status: str, message: str, severity: str,
                 evidence: dict[str, Any], relation: str | None = None) -> Result:
        subject = dict(self.subject, relation=relation) if relation else dict(self.subject)
        return Result(rule, kind, status, self.unit_id, self.unit_name, subject, message,  # type: ignore[arg-type]
                      severity, evidence)  # type: ignore[arg-type]


# ---------------------------------------------------------------- A1 / A2
def check_presence(*, unit_id: str, unit_name: str, unit_type: str, year: int, published: date | None,
                   today: date, deadlines: dict[str, str] | None = None,
                   url: str | None = None) -> list[Result]:
    """A1 (missing after the deadline) and A2 (published after the deadline) for one unit-year."""
    emit = _Emit(unit_id, unit_name, {"year": year, **({"url": url} if url else {})})
    due = deadline_for(year, unit_type, deadlines)
    evidence: dict[str, Any] = {"unit_type": unit_type, "deadline": due and due.isoformat(),
                                "published": published and published.isoformat(), "today": today.isoformat()}
    if due is None:
        note = f"未配置“{unit_type}”类单位的年报公布期限"
        return [emit("A1", "report_missing", "uncertain", note, "info", evidence)]
    if published is None:
        if today <= due:
            return [emit("A1", "report_missing", "not_applicable",
                         f"{year}年度报告尚未到公布期限（{due.isoformat()}）", "info", evidence)]
        return [emit("A1", "report_missing", "fail",
                     f"{year}年度政府信息公开工作年度报告逾期未公布（期限 {due.isoformat()}）", "critical", evidence)]
    return [emit("A1", "report_missing", "pass", f"{year}年度报告已公布", "info", evidence),
            _timeliness(emit, year, published, due, evidence)]


def _timeliness(emit: _Emit, year: int, published: date, due: date, evidence: dict[str, Any]) -> Result:
    if published > due:
        days = (published - due).days
        return emit("A2", "report_late", "fail",
                    f"{year}年度报告于 {published.isoformat()} 公布，晚于期限 {due.isoformat()} {days} 天",
                    "high", dict(evidence, days_late=days))
    return emit("A2", "report_late", "pass", f"{year}年度报告按期公布", "info", evidence)


# ---------------------------------------------------------------- report content
def check_report(report: ParsedReport, *, unit_id: str, unit_name: str, unit_type: str,
                 published: date | None, today: date, deadlines: dict[str, str] | None = None,
                 previous: ParsedReport | None = None, year: int | None = None,
                 url: str | None = None, timeliness: bool = True) -> list[Result]:
    """All content checks of one report; `year` is the year the caller expects (e.g. from the listing).

    `timeliness=False` leaves A2 to `check_presence`, which judges it from the column listing."""
    year = year or report.year
    emit = _Emit(unit_id, unit_name, {"year": year, "report": report.title, **({"url": url} if url else {})})
    results: list[Result] = []
    published = published or report.published
    due = deadline_for(year, unit_type, deadlines) if year and unit_type else None
    if timeliness and published and due and published <= today:
        results.append(_timeliness(emit, year, published, due,  # type: ignore[arg-type]
                                   {"unit_type": unit_type, "deadline": due.isoformat(),
                                    "published": published.isoformat()}))
    if report.unreadable:         # a scan: every content check is not assessable, none may guess a number
        return results + [emit(rule, kind, "uncertain", report.unreadable, "info", {"reason": report.unreadable})
                          for rule, kind in _CONTENT_RULES]
    results.append(_title(emit, report))
    results.append(_year(emit, report, year))
    results.append(_format(emit, report, year))
    results.append(_sections(emit, report, unit_type))
    results.extend(_consistency(emit, report))
    results.append(_cells(emit, report))
    results.append(_published_totals(emit, report))
    results.append(_narrative(emit, report))
    if previous is not None:
        results.append(_carryover(emit, report, previous, year))
        results.append(_rollforward(emit, report, previous, year))
        results.append(_duplicate(emit, report, previous))
    return results


_CONTENT_RULES = (("A16", "report_title_wrong"), ("K12", "report_year_mismatch"), ("A3", "report_outdated_format"),
                  ("A4", "report_sections_missing"), ("K1", "report_inconsistent"),
                  ("K10", "report_invalid_value"), ("K11", "report_narrative_mismatch"))


#: the name every annual report carries after the organ and the year (年度报告格式; 莆田 2010 named
#: units whose report was a "工作报告")
TITLE_NAME = "政府信息公开工作年度报告"
_TITLE_YEAR = re.compile(r"(?<!\d)(?:19|20)\d{2}\s*年度?")


def _title(emit: _Emit, report: ParsedReport) -> Result:
    """A16: the title names the organ, the year and 政府信息公开工作年度报告 (the organ: whatever the
    title says besides the year and the name, as organs abbreviate their own names)."""
    title = squash(report.title or "")
    evidence = {"title": report.title}
    if not title:
        return emit("A16", "report_title_wrong", "uncertain", "未能识别报告标题", "info", evidence)
    problems = []
    if not _TITLE_YEAR.search(title):
        problems.append("未写明年度")
    if TITLE_NAME not in title:
        problems.append("名称不是“政府信息公开工作年度报告”" + ("（写作“工作报告”）" if "工作报告" in title else ""))
    organ = re.sub(r"[\W_]", "", _TITLE_YEAR.sub("", title.replace(TITLE_NAME, "")))
    if len(organ) < 2:
        problems.append("未写明机关名称")
    if problems:
        return emit("A16", "report_title_wrong", "fail", f"年报标题不规范：{'；'.join(problems)}（标题：{title}）",
                    "low", evidence)
    return emit("A16", "report_title_wrong", "pass", "报告标题规范", "info", evidence)


def _year(emit: _Emit, report: ParsedReport, expected: int | None) -> Result:
    seen = {"标题": report.year_title, "统计期限": report.year_period, "总体情况首句": report.year_opening,
            "应报年度": expected}
    found = {k: v for k, v in seen.items() if v is not None}
    evidence = {"years": found}
    if len(found) < 2:
        return emit("K12", "report_year_mismatch", "uncertain", "报告中可比对的年度信息不足", "info", evidence)
    if len(set(found.values())) > 1:
        text = "，".join(f"{k} {v} 年" for k, v in found.items())
        return emit("K12", "report_year_mismatch", "warning", f"报告年度不一致：{text}", "medium", evidence)
    return emit("K12", "report_year_mismatch", "pass", "报告年度一致", "info", evidence)


def _format(emit: _Emit, report: ParsedReport, year: int | None) -> Result:
    markers = {"表二": report.table2.format, "表三": report.table3.format}
    evidence = {"format": report.format, "tables": markers, "year": year}
    if year is None or report.format == "unknown":
        return emit("A3", "report_outdated_format", "uncertain", "无法判断年报格式或年度", "info", evidence)
    if year >= 2021 and report.format == "2019":
        where = "、".join(k for k, v in markers.items() if v == "2019")
        return emit("A3", "report_outdated_format", "fail",
                    f"{year}年度报告仍使用2019年版格式（{where}），应使用国办公开办函〔2021〕30号格式", "medium", evidence)
    if year >= 2019 and report.format == "pre2019":
        return emit("A3", "report_outdated_format", "fail",
                    f"{year}年度报告仍使用2019年以前的结构（收费及减免/附表）", "medium", evidence)
    return emit("A3", "report_outdated_format", "pass", f"格式与年度相符（{report.format}年版）", "info", evidence)


def _sections(emit: _Emit, report: ParsedReport, unit_type: str) -> Result:
    missing = [SECTION_NAMES[k] for k in SECTION_NAMES if k not in report.sections]
    evidence: dict[str, Any] = {"found": report.sections, "missing": missing}
    if unit_type == "government" and not re.search(r"考核|评议|责任追究", report.text):
        missing = missing + ["工作考核、社会评议和责任追究结果情况"]
        evidence["missing"] = missing
    if len(report.sections) == 0 and not report.text.strip():
        return emit("A4", "report_sections_missing", "uncertain", "未能读取报告正文", "info", evidence)
    # a table read without a single figure is "未填报": content missing, the same for every table, never a pass
    blank = [name for name, table in (("表二", report.table2), ("表三", report.table3), ("表四", report.table4))
             if table.readable and not table.has_figures]
    evidence["blank_tables"] = blank
    unfilled = [f"{name}未填报（表中没有任何数字）" for name in blank]
    if missing:
        return emit("A4", "report_sections_missing", "fail", "年报缺少：" + "；".join(missing + unfilled), "medium",
                    evidence)
    if unfilled:
        return emit("A4", "report_sections_missing", "warning", "；".join(unfilled), "medium", evidence)
    return emit("A4", "report_sections_missing", "pass", "六个部分齐全", "info", evidence)


_TABLE_RULES = {"表三": ("K1", "K2", "K3"), "表四": ("K4", "K5", "K6")}


def _consistency(emit: _Emit, report: ParsedReport) -> list[Result]:
    """Results that each name the rules they cover: a table that cannot be read is `uncertain`; the arithmetic
    of the tables with figures passes or fails; a table without any figure is not checked (A4 says 未填报)."""
    out: list[Result] = []
    outcomes: list[Outcome] = []
    for name, table in (("表三", report.table3), ("表四", report.table4)):
        rules = list(_TABLE_RULES[name])
        if not table.readable:
            out.append(emit(rules[0], "report_inconsistent", "uncertain",
                            f"{name}无法读取，勾稽关系（{'、'.join(rules)}）未检查：" + "；".join(table.problems), "info",
                            {"table": name, "rules": rules, "problems": table.problems}, relation=f"{name}无法读取"))
        elif table.has_figures:
            relations = table3_relations(table.format or "2019") if isinstance(table, Table3) else TABLE4_RELATIONS
            outcomes.append(evaluate(relations, table))
    if not outcomes:
        return out
    positional = [{"row": T3_LABELS[rid], "label": label} for rid, label in report.table3.by_position.items()]
    out.append(_arithmetic(emit, outcomes, positional))
    blank = [v for o in outcomes for v in o.not_reported]
    if blank:
        rule = min((v["rule"] for v in blank), key=RULE_ORDER.index)
        message = f"{len(blank)} 处数据未填报（空白，不视为计算错误）：" + "；".join(describe(v) for v in blank[:3])
        out.append(emit(rule, "report_inconsistent", "warning", message, "low", {"violations": blank}, "not_reported"))
    return out


def _arithmetic(emit: _Emit, outcomes: list[Outcome], positional: list[dict[str, str]]) -> Result:
    """Pass or fail of the relations actually assessed; the rule and message name them."""
    rules = sorted({r for o in outcomes for r in o.rules}, key=RULE_ORDER.index)
    failed = sorted((v for o in outcomes for v in o.failed), key=lambda v: RULE_ORDER.index(v["rule"]))
    evidence: dict[str, Any] = {"violations": failed, "rules": rules, "checked": sum(o.checked for o in outcomes),
                                "unassessable": [v for o in outcomes for v in o.unassessable]}
    if positional:      # damaged row labels read by their number in the group
        evidence["matched_by_position"] = positional
    if failed:
        rule = min((v["rule"] for v in failed), key=RULE_ORDER.index)
        message = f"勾稽关系错误 {len(failed)} 处：" + "；".join(describe(v) for v in failed[:3])
        return emit(rule, "report_inconsistent", "fail", message, "high", evidence, "arithmetic")
    if not rules:
        return emit("K1", "report_inconsistent", "uncertain", "勾稽关系涉及的单元格均不是数字，无法核对", "info",
                    evidence, "arithmetic")
    tables = "、".join(name for name, table_rules in _TABLE_RULES.items() if set(table_rules) & set(rules))
    message = f"已核对{tables}勾稽关系（{'、'.join(rules)}）{evidence['checked']} 项，无计算错误"
    return emit(rules[0], "report_inconsistent", "pass", message, "info", evidence, "arithmetic")


def _cells(emit: _Emit, report: ParsedReport) -> Result:
    bad: list[dict[str, Any]] = []
    if report.table3.readable:
        for row, cells in report.table3.rows.items():
            for c, raw in enumerate(cells):
                if reason := cell_problems(raw):
                    bad.append({"table": "三", "row": row, "column": T3_COLUMNS[c], "found": raw, "reason": reason})
    if report.table4.readable:
        for (group, name), raw in zip(T4_COLUMNS, report.table4.cells):
            if reason := cell_problems(raw):
                bad.append({"table": "四", "row": group, "column": name, "found": raw, "reason": reason})
    for entry in report.table2.entries:
        if entry.block == "八" and "万元" in entry.column and (entry.value or 0) < 0:
            bad.append({"table": "二", "row": entry.item, "column": entry.column, "found": entry.raw, "reason": "负数"})
    evidence = {"cells": bad}
    if not (report.table3.readable or report.table4.readable):
        return emit("K10", "report_invalid_value", "uncertain", "表三、表四无法读取", "info", evidence)
    if bad:
        listed = "；".join(f"表{b['table']}{_row_name(b)}“{b['column']}”：{b['found']}（{b['reason']}）" for b in bad[:3])
        return emit("K10", "report_invalid_value", "fail", f"{len(bad)} 个单元格不是非负整数：{listed}", "low", evidence)
    return emit("K10", "report_invalid_value", "pass", "单元格均为非负整数或空白", "info", evidence)


def _row_name(entry: dict[str, Any]) -> str:
    return T3_LABELS.get(entry["row"], entry["row"])


# ---------------------------------------------------------------- K11
def _row_total(table: Table3, row: str) -> int | float:
    """The row's 总计 cell, or the sum of its applicant cells when 总计 was left blank."""
    cells = [parse_number(raw) for raw in table.rows[row]]
    return cells[6].value if not cells[6].blank and cells[6].value is not None else sum(n.value or 0 for n in cells[:6])


def _table_facts(report: ParsedReport) -> dict[str, list[int | float]]:
    """Accepted table values per narrative key (several readings are legitimate for 收到)."""
    facts: dict[str, list[int | float]] = {}
    t3, t4 = report.table3, report.table4
    if t3.readable and t3.has_figures:
        total = lambda rows: sum(_row_total(t3, r) for r in rows if r in t3.rows)  # noqa: E731
        results = RESULT_ROWS[t3.format or "2019"]
        group = lambda prefix: [r for r in results if r.startswith(prefix)]  # noqa: E731
        new, carried_in = total(["new"]), total(["carried_in"])
        facts.update(received=[new, new + carried_in, total(["total"])], carried_in=[carried_in],
                     carried_out=[total(["carried_out"])], answered=[total(["total"])],
                     granted_or_partial=[total(["r_grant", "r_partial"])], granted=[total(["r_grant"])],
                     denied=[total(group("r_deny"))], unable=[total(group("r_unable"))],
                     refused=[total(group("r_refuse"))], other=[total(group("r_other"))])
    if t4.readable and t4.has_figures:
        value = lambda g: t4.value(g, "总计") or 0  # noqa: E731
        facts.update(review_total=[value("行政复议")],
                     litigation_total=[value("未经复议直接起诉") + value("复议后起诉"), value("未经复议直接起诉")])
        not_upheld = sum(t4.value(g, f) or 0 for g, f in T4_COLUMNS if f in ("结果纠正", "其他结果", "尚未审结"))
        facts["all_upheld"] = [0] if not_upheld == 0 else []
        facts["_not_upheld"] = [not_upheld]
    return facts


def _narrative(emit: _Emit, report: ParsedReport) -> Result:
    facts = _table_facts(report)
    mismatches: list[dict[str, Any]] = []
    unassessed: list[dict[str, Any]] = []
    for number in report.narrative:
        stated = {"key": number.key, "stated": number.value, "sentence": number.sentence,
                  **({"raw": number.raw} if number.raw else {})}
        if number.key not in facts:
            unassessed.append(stated)
        elif number.key == "all_upheld":
            if not facts["all_upheld"]:
                mismatches.append(dict(stated, stated="均维持", table=f"表四中纠正/其他/尚未审结合计 {facts['_not_upheld'][0]} 件"))
        elif number.value not in facts[number.key]:
            mismatches.append(dict(stated, table=facts[number.key][0]))
    mismatches.extend(_narrative_sum(report))
    evidence = {"mismatches": mismatches, "unassessed": unassessed, "statements": len(report.narrative)}
    if mismatches:
        first = mismatches[0]
        message = (f"正文与表格不一致 {len(mismatches)} 处，如“{first['sentence']}”（正文 {first['stated']}，"
                   f"表格 {first['table']}）")
        return emit("K11", "report_narrative_mismatch", "warning", message, "medium", evidence)
    if not report.narrative or unassessed:
        return emit("K11", "report_narrative_mismatch", "uncertain", "正文数字无法与表格比对", "info", evidence)
    return emit("K11", "report_narrative_mismatch", "pass", "正文数字与表格一致", "info", evidence)


_PARTS = ("granted_or_partial", "denied", "unable", "refused", "other")


def _narrative_sum(report: ParsedReport) -> list[dict[str, Any]]:
    """The narrative's own breakdown (予以公开…其他处理) must add up to the 答复 number it states."""
    stated = {n.key: n for n in report.narrative if n.value is not None}
    if "answered" not in stated or not all(k in stated for k in _PARTS):
        return []
    parts = sum(stated[k].value or 0 for k in _PARTS)
    answered = stated["answered"]
    if parts == answered.value:
        return []
    return [{"key": "narrative_sum", "stated": answered.value, "table": parts, "sentence": answered.sentence,
             "note": "正文各项办理结果相加为 %d 件，与正文答复总数不符" % parts}]


# ---------------------------------------------------------------- cross-year
def _carryover(emit: _Emit, report: ParsedReport, previous: ParsedReport, year: int | None) -> Result:
    evidence: dict[str, Any] = {"year": year, "previous_year": previous.year}
    if year is None or previous.year != year - 1:
        return emit("K7", "report_carryover_mismatch", "not_applicable", "上一年度报告不是相邻年度", "info", evidence)
    now, before = report.table3, previous.table3
    if not (now.readable and before.readable):
        return emit("K7", "report_carryover_mismatch", "uncertain", "本年或上年表三无法读取", "info", evidence)
    diffs = []
    for c, name in enumerate(T3_COLUMNS):
        expected, found = before.value("carried_out", c) or 0, now.value("carried_in", c) or 0
        if expected != found:
            diffs.append({"rule": "K7", "column": name, "expected": expected, "found": found})
    evidence["violations"] = diffs
    if diffs:
        d = next((d for d in diffs if d["column"] == "总计"), diffs[0])
        return emit("K7", "report_carryover_mismatch", "warning",
                    f"{year}年“上年结转”{d['column']}列为 {d['found']}，{previous.year}年“结转下年度”为 {d['expected']}",
                    "medium", evidence)
    return emit("K7", "report_carryover_mismatch", "pass", "上年结转与上年度结转下年度一致", "info", evidence)


def _table2_values(report: ParsedReport, blocks: tuple[str, ...]) -> dict[tuple[str, str], dict[str, Any]]:
    """Table 二 values by (block, item) and canonical column; items keyed by their squashed label."""
    values: dict[tuple[str, str], dict[str, Any]] = {}
    for entry in report.table2.entries:
        if entry.block in blocks:
            values.setdefault((entry.block, squash(entry.item)), {"item": entry.item})[entry.column] = entry.value
    return values


def _published_totals(emit: _Emit, report: ParsedReport) -> Result:
    """K13 (2019 format, soft): 对外公开总数量 is never below 本年新公开数量."""
    evidence: dict[str, Any] = {"format": report.table2.format}
    if report.table2.format != "2019":
        return emit("K13", "report_table2_implausible", "not_applicable", "仅适用于2019版表二", "info", evidence)
    rows = _table2_values(report, ("一",)).values()
    pairs = [(r["item"], r.get("本年新公开数量"), r.get("对外公开总数量")) for r in rows]
    readable = [(item, new, total) for item, new, total in pairs if new is not None and total is not None]
    if not readable:
        return emit("K13", "report_table2_implausible", "uncertain", "表二第二十条第（一）项无法读取", "info", evidence)
    bad = [{"rule": "K13", "table": "二", "row": item, "column": "对外公开总数量", "minimum": new, "found": total}
           for item, new, total in readable if total < new]
    evidence["violations"] = bad
    if bad:
        b = bad[0]
        return emit("K13", "report_table2_implausible", "warning",
                    f"表二“{b['row']}”对外公开总数量 {b['found']:g} 小于本年新公开数量 {b['minimum']:g}", "low",
                    evidence)
    return emit("K13", "report_table2_implausible", "pass", "表二对外公开总数量不小于本年新公开数量", "info", evidence)


#: soft roll-forward of table 二 between consecutive years, per format: (rule, blocks, how `now` follows)
_ROLLFORWARD = {
    # K8: 现行有效件数_Y = 现行有效件数_{Y-1} + 本年制发件数_Y − 本年废止件数_Y
    "2021": ("K8", ("一",), "现行有效件数",
             lambda now, before: before["现行有效件数"] + now["本年制发件数"] - now["本年废止件数"]),
    # K9: 上一年项目数量_Y = 上一年项目数量_{Y-1} + 本年增/减_{Y-1}
    "2019": ("K9", ("五", "六", "八"), "上一年项目数量",
             lambda now, before: before["上一年项目数量"] + before["本年增/减"]),
}


def _rollforward(emit: _Emit, report: ParsedReport, previous: ParsedReport, year: int | None) -> Result:
    """K8 / K9 (soft): this year's table 二 counts follow from last year's."""
    fmt = report.table2.format
    rule, blocks, column, expected_of = _ROLLFORWARD.get(fmt or "", ("K8", (), "", None))
    evidence: dict[str, Any] = {"year": year, "previous_year": previous.year, "format": fmt}
    if year is None or previous.year != year - 1 or expected_of is None or previous.table2.format != fmt:
        return emit(rule, "report_rollforward_mismatch", "not_applicable", "上一年度报告不是相邻年度或表二格式不同",
                    "info", evidence)
    now, before = _table2_values(report, blocks), _table2_values(previous, blocks)
    diffs, checked = [], 0
    for key, values in now.items():
        try:
            expected = expected_of(values, before[key])
        except (KeyError, TypeError):          # item not in last year's table, or a blank cell
            continue
        checked += 1
        if values[column] != expected:
            diffs.append({"rule": rule, "table": "二", "row": values["item"], "column": column,
                          "expected": expected, "found": values[column]})
    evidence.update(violations=diffs, checked=checked)
    if not checked:
        return emit(rule, "report_rollforward_mismatch", "uncertain", "本年或上年表二无法比对", "info", evidence)
    if diffs:
        d = diffs[0]
        return emit(rule, "report_rollforward_mismatch", "warning",
                    f"表二“{d['row']}”{d['column']}为 {d['found']:g}，按{previous.year}年报告推算应为 {d['expected']:g}",
                    "low", evidence)
    return emit(rule, "report_rollforward_mismatch", "pass", "表二数量与上年报告衔接一致", "info", evidence)


def similarity(a: str, b: str, n: int = 4) -> float:
    """Jaccard similarity of character n-gram sets (fast, order-insensitive near-duplicate test)."""
    grams = [{t[i:i + n] for i in range(max(len(t) - n + 1, 0))} for t in (squash(a), squash(b))]
    union = grams[0] | grams[1]
    return len(grams[0] & grams[1]) / len(union) if union else 0.0


def _duplicate(emit: _Emit, report: ParsedReport, previous: ParsedReport) -> Result:
    if not report.text.strip() or not previous.text.strip():
        return emit("A14", "report_duplicate", "uncertain", "报告正文为空，无法比对", "info", {})
    score = round(similarity(report.text, previous.text), 3)
    evidence = {"similarity": score, "threshold": SIMILARITY_THRESHOLD, "previous_year": previous.year,
                "previous_title": previous.title}
    if score >= SIMILARITY_THRESHOLD:
        return emit("A14", "report_duplicate", "warning",
                    f"与{previous.year}年度报告正文相似度 {score:.0%}，疑似照搬", "medium", evidence)
    return emit("A14", "report_duplicate", "pass", f"与上年报告相似度 {score:.0%}", "info", evidence)
