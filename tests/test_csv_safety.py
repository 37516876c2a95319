"""CSV exports opened in Excel or WPS: a scraped column name or message that starts a formula comes
out quoted (OWASP's formula-injection rule, plus the full-width triggers), in every CSV the
project writes — `findings --format csv`, the dashboard's export and the bulletin's attachment —
while plain text and plain negative numbers stay as they are."""
from __future__ import annotations

import csv
import email
import io
from datetime import date
from email import policy
from pathlib import Path

import pytest
from click.testing import CliRunner

from alerts.bulletin import write_bulletin
from alerts.model import Month
from monitor.cli import cli
from monitor.csvsafe import spreadsheet_cell
from monitor.findings import reconcile
from monitor.results import Result
from monitor.store import open_db
from monitor.web import create_app
from tests.test_bulletin import COUNTY_CONFIG, SITE, county_config, county_store

EVIL_COLUMN = '=HYPERLINK("http://evil.example/x","点击查看")'
EVIL_MESSAGE = "+cmd|' /C calc'!A0 栏目超期未更新"
WIDE_COLUMN = "＠SUM(1+1)"
WIDE_MESSAGE = "－1+2 栏目超期未更新"
TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")


@pytest.mark.parametrize("raw", ["=1+1", "+1+1", "-1+1", "@SUM(A1)", "\t=1+1", "\r=1+1", "＝1+1", "＋1", "－1+1",
                                 "＠SUM(A1)", "-", "-2e3", "-1,5", "-１"])
def test_a_cell_that_would_start_a_formula_is_quoted(raw: str):
    assert spreadsheet_cell(raw) == "'" + raw


@pytest.mark.parametrize("plain", ["通知公告", "http://127.0.0.1:9/xzspj/", "2026-10-31", "a=b", "'=1", "", " =x",
                                   "-3", "-12.5", -3, 2.5, None])
def test_plain_text_and_plain_negative_numbers_are_unchanged(plain):
    assert spreadsheet_cell(plain) == plain


@pytest.fixture
def hostile(tmp_path: Path) -> Path:
    """The county store plus two findings whose scraped column names and messages start formulas."""
    config = county_config()
    db = county_store(tmp_path / "g.db", config)
    reconcile(db, [
        Result("W2", "column_stale", "fail", "xzspj", "衡山县行政审批服务局",
               {"column": EVIL_COLUMN, "url": f"{SITE}/xzspj/evil/"}, EVIL_MESSAGE, "medium",
               {"days_overdue": 12, "newest_item_date": "2026-03-01"}),
        Result("W2", "column_stale", "fail", "jyj", "衡山县教育局",
               {"column": WIDE_COLUMN, "url": f"{SITE}/jyj/wide/"}, WIDE_MESSAGE, "medium",
               {"days_overdue": -3, "newest_item_date": "2026-10-01"}),
    ], date(2026, 10, 31))
    (tmp_path / "config.yaml").write_text(COUNTY_CONFIG, encoding="utf-8")
    return tmp_path


def _rows(text: str) -> list[dict[str, str]]:
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text[1:])))


def _assert_neutralised(text: str) -> None:
    rows = _rows(text)
    by_column = {(r["unit_id"], r["column"]): r for r in rows}
    evil, wide = by_column["xzspj", "'" + EVIL_COLUMN], by_column["jyj", "'" + WIDE_COLUMN]
    assert evil["message"] == "'" + EVIL_MESSAGE and wide["message"] == "'" + WIDE_MESSAGE
    assert wide["days_overdue"] == "-3" and evil["days_overdue"] == "12"       # numbers stay numbers
    plain = by_column["xzspj", "通知公告"]                                             # ordinary text is untouched
    assert plain["unit_name"] == "衡山县行政审批服务局" and plain["url"] == f"{SITE}/xzspj/tzgg/"
    assert not plain["message"].startswith("'")
    for row in rows:
        for value in row.values():
            assert not value.startswith(TRIGGERS) or value == "-3", value


def test_findings_csv_command_neutralises_formulas(hostile: Path):
    result = CliRunner().invoke(cli, ["--config", str(hostile / "config.yaml"), "--db", str(hostile / "g.db"),
                                      "findings", "--format", "csv"])
    assert result.exit_code == 0, result.output
    _assert_neutralised(result.output)


def test_dashboard_export_neutralises_formulas(hostile: Path):
    response = create_app(hostile / "g.db").test_client().get("/export/findings.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    _assert_neutralised(response.get_data(as_text=True))


def test_bulletin_attachment_neutralises_formulas(hostile: Path):
    files = write_bulletin(county_config(), open_db(hostile / "g.db"), Month(2026, 10), hostile / "out",
                           issue_date=date(2026, 11, 2))
    _assert_neutralised(files.csv.read_text(encoding="utf-8"))
    msg = email.message_from_bytes(files.eml.read_bytes(), policy=policy.default)
    attachment, _publication = list(msg.iter_attachments())   # 问题清单, 信息发布情况一览表
    _assert_neutralised(attachment.get_content())
