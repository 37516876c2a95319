"""Findings rendered for people (a table) and for scripts (JSON as docs/design.md §2, CSV)."""
from __future__ import annotations

import json
from datetime import date
from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from monitor.categories import CATEGORY_LABELS
from monitor.csvsafe import csv_text
from monitor.finding import Finding
from monitor.kinds import label
from monitor.scraped import clean_text

#: a finding's result in words: `uncertain` is never a violation, so the table says which is which
RESULT_LABELS = {"fail": "违规", "warning": "提醒", "uncertain": "未能检测"}
CSV_FIELDS = ["id", "rule", "kind", "severity", "result", "status", "unit_id", "unit_name", "column", "url",
              "message", "days_overdue", "newest_item_date", "first_seen", "last_seen", "resolved_at",
              "evidence"]


def findings_json(findings: list[Finding]) -> str:
    return json.dumps([f.to_json() for f in findings], ensure_ascii=False, indent=2)


def findings_csv(findings: list[Finding]) -> str:
    """The findings for a spreadsheet: the dashboard's export, `findings --format csv`, the bulletin's attachment."""
    return csv_text(CSV_FIELDS, (_csv_row(f) for f in findings))


def _iso(day: date | None) -> str:
    return day.isoformat() if day else ""


def _csv_row(f: Finding) -> dict[str, Any]:
    return {
        "id": f.id, "rule": f.rule, "kind": f.kind, "severity": f.severity,
        "result": f.result, "status": f.status, "unit_id": f.unit_id,
        "unit_name": f.unit_name, "column": f.column or "",
        "url": f.subject.get("url", f.subject.get("site", "")), "message": f.message,
        "days_overdue": "" if f.days_overdue is None else f.days_overdue, "newest_item_date": _iso(f.newest_item_date),
        "first_seen": f.first_seen.isoformat(), "last_seen": f.last_seen.isoformat(), "resolved_at": _iso(f.resolved_at),
        "evidence": json.dumps(f.evidence, ensure_ascii=False),
    }


def findings_table(findings: list[Finding], console: Console, *, title: str = "问题清单") -> None:
    """The table of overdue sections an operator reads in a terminal or a cron mail."""
    table = Table(title=title, show_lines=False, header_style="bold")
    for name in ("单位", "栏目", "类别", "问题", "结果", "最新更新", "周期", "超期天数", "首次发现"):
        table.add_column(name, overflow="fold")
    for f in findings:
        cells = (
            f.unit_name, f.subject.get("column", f.subject.get("site", "")),
            CATEGORY_LABELS.get(f.category or "", ""), label(f.kind),
            RESULT_LABELS.get(f.result, f.result),
            _iso(f.newest_item_date), f.cycle or "",
            "" if f.days_overdue is None else str(f.days_overdue), f.first_seen,
        )
        # Text: scraped names are never rich markup; clean_text: nor terminal escapes (a store
        # filled before scraped text was cleaned may still hold them)
        table.add_row(*(Text(clean_text(str(c))) for c in cells))
    console.print(table)
