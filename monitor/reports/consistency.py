"""勾稽关系 K1–K6 as data, evaluated with blank cells counted as 0.

A failing relation whose total side, or whose whole parts side, was left blank is "not reported"
(low severity, reported apart from arithmetic failures); blanks among filled parts count as 0.
A relation touching a non-numeric cell cannot be assessed.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from monitor.reports.labels import RESULT_ROWS, T3_LABELS, T3_ORDER
from monitor.reports.model import T3_COLUMNS, T4_COLUMNS, T4_FIELDS, T4_GROUPS, Table3, Table4
from monitor.reports.text import parse_number

Ref = tuple[str, int]          # (row id or table-4 group, column index)
RULE_ORDER = ("K1", "K2", "K3", "K4", "K5", "K6")


@dataclass(frozen=True, slots=True)
class Relation:
    rule: str
    table: str             # "三" / "四"
    row: str
    column: str
    parts: tuple[Ref, ...]     # expected = Σ parts
    whole: tuple[Ref, ...]     # found = Σ whole


def table3_relations(fmt: str) -> list[Relation]:
    results = RESULT_ROWS[fmt]
    relations = []
    for c, name in enumerate(T3_COLUMNS):
        relations.append(Relation("K1", "三", "total+carried_out", name,
                                  (("new", c), ("carried_in", c)), (("total", c), ("carried_out", c))))
        relations.append(Relation("K2", "三", "total", name, tuple((r, c) for r in results), (("total", c),)))
    for row in T3_ORDER[fmt]:
        relations.append(Relation("K3", "三", row, "总计", tuple((row, c) for c in range(6)), ((row, 6),)))
    return relations


TABLE4_RELATIONS: tuple[Relation, ...] = tuple(
    Relation(rule, "四", group, "总计",
             tuple((group, T4_COLUMNS.index((group, f))) for f in T4_FIELDS[:4]),
             ((group, T4_COLUMNS.index((group, "总计"))),))
    for rule, group in zip(("K4", "K5", "K6"), T4_GROUPS)
)


@dataclass(slots=True)
class Outcome:
    failed: list[dict[str, Any]]
    not_reported: list[dict[str, Any]]
    unassessable: list[dict[str, Any]]
    checked: int
    rules: list[str]           # the rules with at least one relation assessed, in RULE_ORDER


def _cell(table: Table3 | Table4, ref: Ref) -> str:
    if isinstance(table, Table3):
        return table.rows[ref[0]][ref[1]]
    return table.cells[ref[1]]


def evaluate(relations: list[Relation] | tuple[Relation, ...], table: Table3 | Table4) -> Outcome:
    outcome = Outcome([], [], [], 0, [])
    for rel in relations:
        numbers = {ref: parse_number(_cell(table, ref)) for ref in rel.parts + rel.whole}
        entry: dict[str, Any] = {"rule": rel.rule, "table": rel.table, "row": rel.row, "column": rel.column}
        if not all(n.valid for n in numbers.values()):
            outcome.unassessable.append(entry)
            continue
        outcome.checked += 1
        if rel.rule not in outcome.rules:
            outcome.rules.append(rel.rule)
        expected = sum(numbers[r].value or 0 for r in rel.parts)
        found_refs = [numbers[r] for r in rel.whole]
        found = sum(n.value or 0 for n in found_refs)
        if abs(expected - found) < 1e-9:
            continue
        blanks = [_ref_name(rel.table, r) for r, n in numbers.items() if n.blank]
        entry.update(expected=expected, found=None if len(found_refs) == 1 and found_refs[0].blank else found)
        if blanks:
            entry["blank_cells"] = blanks
        # "not reported" when one whole side was left blank; blanks among filled parts read as 0
        if all(numbers[r].blank for r in rel.parts):
            entry["parts_blank"] = True
            outcome.not_reported.append(entry)
        elif all(numbers[r].blank for r in rel.whole):
            outcome.not_reported.append(entry)
        else:
            outcome.failed.append(entry)
    return outcome


def _ref_name(table: str, ref: Ref) -> str:
    if table == "三":
        return f"{T3_LABELS[ref[0]]}/{T3_COLUMNS[ref[1]]}"
    group, name = T4_COLUMNS[ref[1]]
    return f"{group}/{name}"


def describe(v: dict[str, Any]) -> str:
    """Chinese one-liner, e.g. 表三第（七）总计行“自然人”列：应为 767，实为 760."""
    if v["table"] == "四":
        where = f"表四“{v['row']}”"
    elif v["rule"] == "K1":
        where = "表三第一项加第二项（应等于第三项加第四项）"
    else:
        where = f"表三第{T3_LABELS[v['row']]}行"
    if v.get("found") is None:
        return f"{where}“{v['column']}”列：合计未填报（分项之和为 {_fmt(v['expected'])}）"
    if v.get("parts_blank"):
        return f"{where}“{v['column']}”列：分项未填报，合计为 {_fmt(v['found'])}"
    return f"{where}“{v['column']}”列：应为 {_fmt(v['expected'])}，实为 {_fmt(v['found'])}"


def _fmt(value: float | int) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)
