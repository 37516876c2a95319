"""Findings rendered for people (a table) and for scripts (JSON as DESIGN §4, CSV)."""
from __future__ import annotations

import json
from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from monitor.categories import CATEGORY_LABELS
from monitor.csvsafe import csv_text
from monitor.scraped import clean_text

KIND_LABELS = {
    "column_stale": "栏目超期未更新", "column_due_soon": "栏目即将超期", "column_blank": "空白栏目",
    "column_undated": "未标注发布日期", "column_unreachable": "未能检测", "site_failing": "单项否决",
    "site_unreachable": "网站无法访问", "column_removed": "已从导航中移除",
    "report_missing": "年报未公开", "report_late": "年报逾期公开", "report_inconsistent": "年报勾稽错误",
    "report_outdated_format": "年报格式过时", "report_sections_missing": "年报要素缺失",
    "report_carryover_mismatch": "年报跨年结转不符", "report_narrative_mismatch": "年报文字与表格不符",
    "report_year_mismatch": "年报年份不符", "item_modified_after_publication": "发布后修改",
    "item_backdated": "疑似倒填发布日期", "item_deleted": "已发布信息被删除",
    "item_late_disclosure": "信息公开不及时（超20个工作日）", "report_invalid_value": "年报数据不规范",
    "report_duplicate": "年报与上年雷同", "report_table2_implausible": "年报表二数量不合理",
    "report_rollforward_mismatch": "年报表二跨年数量不符",
}
#: a finding's result in words: `uncertain` is never a violation, so the table says which is which
RESULT_LABELS = {"fail": "违规", "warning": "提醒", "uncertain": "未能检测"}
CSV_FIELDS = ["id", "rule", "kind", "severity", "result", "status", "unit_id", "unit_name", "column", "url",
              "message", "days_overdue", "newest_item_date", "first_seen", "last_seen", "resolved_at",
              "evidence"]


def findings_json(findings: list[dict[str, Any]]) -> str:
    return json.dumps(findings, ensure_ascii=False, indent=2)


def findings_csv(findings: list[dict[str, Any]]) -> str:
    """The findings for a spreadsheet: the dashboard's export, `findings --format csv`, the bulletin's attachment."""
    return csv_text(CSV_FIELDS, (_csv_row(f) for f in findings))


def _csv_row(f: dict[str, Any]) -> dict[str, Any]:
    ev = f["evidence"]
    return {
        "id": f["id"], "rule": f["rule"], "kind": f["kind"], "severity": f["severity"],
        "result": f["result"], "status": f["status"], "unit_id": f["unit"]["id"],
        "unit_name": f["unit"]["name"], "column": f["subject"].get("column", ""),
        "url": f["subject"].get("url", f["subject"].get("site", "")), "message": f["message"],
        "days_overdue": ev.get("days_overdue", ""), "newest_item_date": ev.get("newest_item_date", ""),
        "first_seen": f["first_seen"], "last_seen": f["last_seen"], "resolved_at": f["resolved_at"] or "",
        "evidence": json.dumps(ev, ensure_ascii=False),
    }


def findings_table(findings: list[dict[str, Any]], console: Console, *, title: str = "问题清单") -> None:
    """The table of overdue sections an operator reads in a terminal or a cron mail."""
    table = Table(title=title, show_lines=False, header_style="bold")
    for name in ("单位", "栏目", "类别", "问题", "结果", "最新更新", "周期", "超期天数", "首次发现"):
        table.add_column(name, overflow="fold")
    for f in findings:
        ev = f["evidence"]
        cells = (
            f["unit"]["name"], f["subject"].get("column", f["subject"].get("site", "")),
            CATEGORY_LABELS.get(ev.get("category", ""), ""), KIND_LABELS.get(f["kind"], f["kind"]),
            RESULT_LABELS.get(f["result"], f["result"]),
            ev.get("newest_item_date", "") or "", ev.get("cycle", "") or "",
            str(ev["days_overdue"]) if "days_overdue" in ev else "", f["first_seen"],
        )
        # Text: scraped names are never rich markup; clean_text: nor terminal escapes (a store
        # filled before scraped text was cleaned may still hold them)
        table.add_row(*(Text(clean_text(str(c))) for c in cells))
    console.print(table)
