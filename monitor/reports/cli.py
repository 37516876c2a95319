"""`report check PATH_OR_URL`: parse and check one annual report without any configuration.

Exit status: 0 no fail, 1 at least one fail, 2 unreadable input or over a document limit (the
default `Limits`).
"""
from __future__ import annotations

import json
import sys
import urllib.request
from datetime import date

import click

from monitor.reports.checks import check_report
from monitor.reports.deadlines import UNIT_TYPES
from monitor.reports.limits import DEFAULT_LIMITS, DocumentTooLarge
from monitor.reports.parse import parse_report


def fetch(target: str) -> tuple[bytes, str | None]:
    """Bytes and content type of a local path or an http(s) URL, read up to one byte past the
    size limit (`parse_report` refuses what is over it)."""
    cap = DEFAULT_LIMITS.document_bytes + 1
    if target.startswith(("http://", "https://")):
        request = urllib.request.Request(target, headers={"User-Agent": "gongkai-monitor/0.1"})
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 (http only)
            return response.read(cap), response.headers.get("Content-Type")
    with open(target, "rb") as file:
        return file.read(cap), None


@click.group("report")
def report() -> None:
    """政府信息公开工作年度报告：解析与检查。"""


@report.command("check")
@click.argument("target", metavar="PATH_OR_URL")
@click.option("--year", type=int, help="应报年度（默认取报告标题/统计期限）")
@click.option("--format", "output", type=click.Choice(["table", "json"]), default="table")
@click.option("--today", type=click.DateTime(["%Y-%m-%d"]), help="评估日期（默认今天）")
@click.option("--unit-type", type=click.Choice(UNIT_TYPES),
              help="单位类型（给出时才检查是否逾期公布）")
def check(target: str, year: int | None, output: str, today, unit_type: str | None) -> None:
    """Parse and check one report; exit 1 when a check fails, 2 when the input is unreadable."""
    try:
        data, content_type = fetch(target)
        parsed = parse_report(data, content_type, name=target)
    except DocumentTooLarge as error:
        click.echo(str(error), err=True)
        sys.exit(2)
    except (OSError, ValueError) as error:
        click.echo(f"无法读取：{error}", err=True)
        sys.exit(2)
    except Exception as error:  # noqa: BLE001 — any parser failure means "unreadable input"
        click.echo(f"无法解析：{type(error).__name__}: {error}", err=True)
        sys.exit(2)
    if not (parsed.unreadable or parsed.sections or parsed.table3.rows or parsed.table4.cells):
        click.echo("无法识别为政府信息公开工作年度报告", err=True)
        sys.exit(2)
    results = check_report(parsed, unit_id=target, unit_name=parsed.title or target, unit_type=unit_type or "",
                           published=None, today=today.date() if today else date.today(), year=year,
                           url=target if target.startswith("http") else None)
    if output == "json":
        payload = {"report": {"title": parsed.title, "year": year or parsed.year, "format": parsed.format},
                   "results": [{"rule": r.rule, "kind": r.kind, "status": r.status, "severity": r.severity,
                                "message": r.message, "subject": r.subject, "evidence": r.evidence}
                               for r in results]}
        click.echo(json.dumps(payload, ensure_ascii=False, indent=2, default=str))
    else:
        click.echo(f"{parsed.title or target}（{year or parsed.year or '未知'}年度，{parsed.format}格式）")
        for r in results:
            click.echo(f"{r.status:<15}{r.rule:<5}{r.severity:<9}{r.message}")
    sys.exit(1 if any(r.status == "fail" for r in results) else 0)
