"""The `report check` click group, driven with CliRunner (files and a local HTTP server)."""
from __future__ import annotations

import json

from click.testing import CliRunner

from monitor.reports.cli import report
from tests.report_support import DATA


def invoke(*args: str):
    return CliRunner().invoke(report, ["check", *args])


def test_consistent_report_exits_0_with_json() -> None:
    result = invoke(str(DATA / "pingtan_2024.html"), "--format", "json", "--today", "2025-06-01")
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output)
    assert payload["report"] == {"title": "平潭综合实验区2024年度政府信息公开工作年度报告", "year": 2024, "format": "2021"}
    assert all("rule" in r and "evidence" in r for r in payload["results"])


def test_failing_report_exits_1() -> None:
    result = invoke(str(DATA / "shanghai_szfbgt_2019.html"), "--year", "2021")        # A3 fails
    assert result.exit_code == 1
    assert "A3" in result.output


def test_late_publication_for_unit_type(tmp_path) -> None:
    result = invoke(str(DATA / "pingtan_2021.txt"), "--unit-type", "department", "--format", "json")
    assert result.exit_code == 1
    late = [r for r in json.loads(result.output)["results"] if r["rule"] == "A2"]
    assert late[0]["status"] == "fail" and late[0]["evidence"]["deadline"] == "2022-01-31"


def test_unreadable_input_exits_2(tmp_path) -> None:
    junk = tmp_path / "x.bin"
    junk.write_bytes(b"\x00\x01 not a report")
    assert invoke(str(junk)).exit_code == 2
    assert invoke(str(tmp_path / "missing.html")).exit_code == 2


def test_url_with_gb18030_body(httpserver) -> None:
    html = (DATA / "pingtan_2024.html").read_text(encoding="utf-8").replace('charset="utf-8"', 'charset="gb2312"')
    httpserver.expect_request("/nb.html").respond_with_data(html.encode("gb18030"),
                                                            content_type="text/html; charset=GBK")
    result = invoke(httpserver.url_for("/nb.html"), "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["results"][0]["subject"]["url"].endswith("/nb.html")
