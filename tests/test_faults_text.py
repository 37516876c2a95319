"""Faults in what portals send (issue 14, cases 4, 5, 6 and 14), in a real crawl (`python -m
crawler.run` in a child process) against a hostile portal on 127.0.0.1, then through the CLI:

- case 4: a control character after an inline `<script>` on a report page; a report PDF that
  cannot be parsed and a report page answering 500 are `uncertain`, never silence;
- case 5: the terminal table shows the result (违规 / 提醒 / 未能检测) in its own column; in the
  bulletin an uncertain finding is described by its own message, one line per report;
- case 6: a gzip bomb, a redirect loop and 200 MB bodies (streamed, and declared) get their true
  outcome and reason, and a robots.txt denial stays one (also for the requests that waited while
  robots.txt was downloading);
- case 14: ANSI/OSC escape sequences in scraped names and titles never reach the terminal.
"""
from __future__ import annotations

import gzip
import re
from pathlib import Path
from typing import Iterator

import pytest
from click.testing import CliRunner
from pytest_httpserver import HTTPServer
from werkzeug import Response

from monitor.cli import cli
from monitor.config import load_config
from monitor.evaluation import evaluate
from monitor.findings import reconcile
from monitor.observations import column_id, sync_units
from monitor.results import Result
from monitor.scraped import clean_markup, clean_text
from monitor.store import open_db
from tests.report_support import DATA
from tests.test_spider import TODAY, crawl_served
from tests.test_spider_details import rows

MAX_PAGE = 1_000_000
HUGE = 200 * 1024 * 1024
ESCAPES = ("\x1b", "\x07", "\x9b", "\x9d")
#: a title that sets the terminal's window title, clears the screen and hides a hyperlink
HOSTILE_TITLE = "\x1b]0;pwned\x07关于\x1b[2J做好\x1b]8;;http://evil.example/\x07安全生产\x1b]8;;\x07工作的通知"
SCANNED = "<html><head><meta charset='utf-8'><title>年度报告</title></head><body><img src='scan.jpg'></body></html>"


def page(body: str) -> str:
    return f"<html><head><meta charset='utf-8'><title>列表</title></head><body>{body}</body></html>"


def list_page(items: list[tuple[str, str, str]]) -> str:
    return page('<ul class="list">' + "".join(f'<li><a href="{href}">{title}</a><span>{day}</span></li>'
                                             for title, href, day in items) + "</ul>")


def report_with_control_character() -> str:
    """The 2024 report of the corpus with an inline script followed by one control character."""
    html = (DATA / "pingtan_2024.html").read_text(encoding="utf-8")
    assert "<body>" in html
    return html.replace("<body>", "<body><script>var views = 1;</script>\x01", 1)


def _stream(total: int, declared: bool) -> Response:
    chunk = b"<p>" + b"x" * 65_530 + b"</p>"

    def body() -> Iterator[bytes]:
        sent = 0
        while sent < total:
            yield chunk
            sent += len(chunk)
    headers = {"Content-Length": str(total)} if declared else {}
    return Response(body(), content_type="text/html; charset=utf-8", headers=headers)


def serve(server: HTTPServer) -> None:
    html = "text/html; charset=utf-8"
    server.expect_request("/robots.txt").respond_with_data("User-agent: *\nDisallow: /private/\n", content_type="text/plain")
    # case 6
    bomb = gzip.compress(b"<html><body>" + b"\0" * (50 * MAX_PAGE))
    server.expect_request("/f/bomb/").respond_with_data(bomb, content_type=html, headers={"Content-Encoding": "gzip"})
    for a, b in (("/f/loop/", "/f/loop2/"), ("/f/loop2/", "/f/loop/"), ("/f/nb/", "/f/nb2/"), ("/f/nb2/", "/f/nb/")):
        server.expect_request(a).respond_with_data("", status=302, headers={"Location": b})
    server.expect_request("/f/stream/").respond_with_handler(lambda request: _stream(HUGE, declared=False))
    server.expect_request("/f/declared/").respond_with_handler(lambda request: _stream(HUGE, declared=True))
    server.expect_request("/private/").respond_with_data(list_page([]), content_type=html)
    # case 4 (and 5): report pages
    reports = [("2025年政府信息公开工作年度报告", "/nb/t2025.html", "2026-01-20"),
               ("2024年政府信息公开工作年度报告", "/nb/t2024.html", "2025-01-20"),
               ("2023年政府信息公开工作年度报告", "/nb/t2023.pdf", "2024-01-20"),
               ("2022年政府信息公开工作年度报告", "/nb/t2022.html", "2023-01-20")]
    server.expect_request("/nb/").respond_with_data(list_page(reports), content_type=html)
    server.expect_request("/nb/t2025.html").respond_with_data(SCANNED, content_type=html)
    server.expect_request("/nb/t2024.html").respond_with_data(report_with_control_character(), content_type=html)
    server.expect_request("/nb/t2023.pdf").respond_with_data(b"%PDF-1.4\n%broken", content_type="application/pdf")
    server.expect_request("/nb/t2022.html").respond_with_data("error", status=500, content_type=html)
    # case 14: escape sequences in navigation names (raw and as character references) and titles
    nav = ('<a href="/esc/tzgg/">\x1b[31m通知公告\x1b[0m</a> <a href="/esc/gzdt/">\x1b]0;x\x07工作动态</a> '
           '<a href="/esc/zcwj/">&#27;[2J政策文件</a>')
    server.expect_request("/esc/").respond_with_data(page(nav), content_type=html)
    for path in ("/esc/tzgg/", "/esc/gzdt/", "/esc/zcwj/"):
        server.expect_request(path).respond_with_data(
            list_page([(HOSTILE_TITLE, f"{path}t20260101_1.html", "2026-01-01")]), content_type=html)


def config_text(base: str, db: Path) -> str:
    return f"""\
county: 衡山县
supervisor: {{name: 衡山县行政审批服务局, email: zwgk@example.gov.cn}}
database: {db}
timezone: Asia/Shanghai
crawl: {{delay_seconds: 0, per_site_concurrency: 4, timeout_seconds: 20, retries: 0, max_page_bytes: {MAX_PAGE}}}
units:
  - id: faults
    name: 衡山县故障局
    type: department
    discover: false
    columns:
      - {{name: 通知公告, url: {base}f/bomb/, category: notice}}
      - {{name: 工作动态, url: {base}f/loop/, category: dynamic}}
      - {{name: 政策文件, url: {base}f/stream/, category: policy}}
      - {{name: 人事信息, url: {base}f/declared/, category: personnel}}
      - {{name: 规划计划, url: {base}private/, category: planning}}
      - {{name: 政府信息公开年报, url: {base}f/nb/, category: report}}
  - id: nb
    name: 衡山县年报局
    type: department
    discover: false
    columns:
      - {{name: 政府信息公开年报, url: {base}nb/, category: report}}
  - id: esc
    name: 衡山县转义局
    type: department
    site: {base}esc/
"""


@pytest.fixture(scope="module")
def portal(tmp_path_factory) -> dict:
    db, config, base, _ = crawl_served(tmp_path_factory.mktemp("faults"), serve, config_text)
    result = invoke(config, db, "check", "--today", TODAY.isoformat())
    assert result.exit_code == 0, result.output
    return {"db": db, "config": config, "base": base.rstrip("/")}


def invoke(config: Path, db: Path, *args: str):
    return CliRunner().invoke(cli, ["--config", str(config), "--db", str(db), *args], catch_exceptions=False)


def results_of(portal: dict, unit: str):
    db = open_db(portal["db"])
    try:
        results, _ = evaluate(load_config(portal["config"]), db, TODAY, unit_ids=[unit])
    finally:
        db.conn.close()
    return results


# ------------------------------------------------------------------------------------- case 6

def column(portal: dict, path: str) -> dict:
    (found,) = rows(portal["db"], "SELECT * FROM columns WHERE url = ?", portal["base"] + path)
    return found


def test_gzip_bomb_is_too_large_not_robots(portal):
    col = column(portal, "/f/bomb/")
    assert col["last_outcome"] == "too_large", col
    assert "decompress" in col["last_error"], col["last_error"]


def test_redirect_loop_is_a_redirect_loop_not_robots(portal):
    col = column(portal, "/f/loop/")
    assert col["last_outcome"] == "redirect_loop", col
    assert "/f/loop2/" in col["last_error"], col["last_error"]


def test_streamed_and_declared_200_mb_bodies_are_too_large(portal):
    for path in ("/f/stream/", "/f/declared/"):
        col = column(portal, path)
        assert col["last_outcome"] == "too_large", col


def test_robots_denial_is_still_robots(portal):
    assert column(portal, "/private/")["last_outcome"] == "robots"


def test_unreachable_columns_say_their_true_reason(portal):
    messages = {r.subject.get("column"): r.message for r in results_of(portal, "faults")
                if r.kind == "column_unreachable"}
    assert "页面过大" in messages["通知公告"] and "页面过大" in messages["政策文件"] and "页面过大" in messages["人事信息"]
    assert "重定向循环" in messages["工作动态"]
    assert "robots.txt" in messages["规划计划"]
    assert not any("robots.txt" in m or "网络错误" in m for name, m in messages.items() if name != "规划计划")


# ------------------------------------------------------------------------------------- case 4

def test_control_character_after_script_keeps_the_report_readable(portal):
    (fetch,) = rows(portal["db"], "SELECT outcome, error FROM fetches WHERE url LIKE '%/nb/t2024.html'")
    assert fetch["outcome"] == "ok", fetch
    assert rows(portal["db"], "SELECT 1 FROM documents WHERE url LIKE '%/nb/t2024.html'")
    content = [r for r in results_of(portal, "nb") if r.subject.get("year") == 2024 and r.subject.get("url")]
    tables = {r.kind: r.status for r in content}
    assert tables.get("report_inconsistent") in ("pass", "fail") and tables.get("report_sections_missing") == "pass"


def test_unparseable_and_unreadable_reports_are_uncertain_not_silent(portal):
    found = {r.subject["year"]: r for r in results_of(portal, "nb")
             if r.kind == "report_sections_missing" and r.status == "uncertain"}
    assert "无法解析" in found[2023].message and found[2023].subject["url"].endswith("/nb/t2023.pdf")
    assert "HTTP 500" in found[2022].message and found[2022].subject["url"].endswith("/nb/t2022.html")
    assert 2024 not in found


# ------------------------------------------------------------------------------------- case 5

def table_rows(output: str) -> list[list[str]]:
    """The header and body rows of a rich table, as cell texts."""
    return [[cell.strip() for cell in re.split("[│┃]", line)[1:-1]] for line in output.splitlines()
            if len(re.findall("[│┃]", line)) > 2]


def test_findings_table_shows_the_result_in_its_own_column(portal):
    result = invoke(portal["config"], portal["db"], "findings")
    assert result.exit_code == 0, result.output
    header, *lines = table_rows(result.output)
    at = header.index("结果")
    by_kind = {}
    for line in lines:
        if line[0]:
            by_kind.setdefault((line[0], line[header.index("问题")]), []).append(line[at])
    # the unreachable report column: 年报未公开 is only 未能检测; stale columns are violations
    assert by_kind[("衡山县故障局", "年报未公开")] == ["未能检测"]
    assert by_kind[("衡山县转义局", "栏目超期未更新")] == ["违规"] * 3
    # the two reports that could not be read (2023, 2022) beside the scanned 2025 one
    assert sorted(by_kind[("衡山县年报局", "年报要素缺失")]) == ["未能检测", "未能检测", "违规"]


def test_bulletin_describes_uncertain_findings_by_their_message_one_line_per_report(portal):
    result = invoke(portal["config"], portal["db"], "bulletin", "--month", "2026-11", "--today", "2026-11-27")
    assert result.exit_code == 0, result.output
    text = result.output
    unassessed = text.split("未能检测，不计入问题", 1)[1].split("二、主要问题", 1)[0]
    lines = [line.strip() for line in unassessed.splitlines() if line.strip() and "链接：" not in line]
    faults = [line for line in lines if "衡山县故障局“2025年度报告”" in line]
    assert len(faults) == 1 and "年报栏目无法访问" in faults[0] and "逾期未公开" not in faults[0]
    scanned = [line for line in lines if "衡山县年报局“2025年度报告”" in line]
    assert len(scanned) == 1, lines          # one line, all its reasons
    assert "表三、表四无法读取" in scanned[0] and "无法判断年报格式或年度" in scanned[0]
    assert sum("衡山县年报局“20" in line for line in lines) == 3       # 2025, 2023 and 2022
    # its column list is the configured one only (discover: false): W10 not assessable, one line
    assert sum("衡山县年报局" in line and "未启用栏目发现" in line for line in lines) == 1


# ------------------------------------------------------------------------------------ case 14

def test_escape_sequences_never_reach_the_terminal_from_findings_and_validate(portal):
    stored = rows(portal["db"], "SELECT c.name, i.title FROM items i JOIN columns c ON c.id = i.column_id "
                                "WHERE c.unit_id = 'esc'")
    assert {r["name"] for r in stored} == {"通知公告", "工作动态", "政策文件"}
    assert {r["title"] for r in stored} == {"关于做好安全生产工作的通知"}
    for args in (("findings",), ("validate",), ("findings", "--format", "csv")):
        output = invoke(portal["config"], portal["db"], *args).output
        assert "通知公告" in output and not any(c in output for c in ESCAPES), (args, output)


def test_escape_sequences_never_reach_the_terminal_from_report_check(tmp_path):
    html = (DATA / "pingtan_2024.html").read_text(encoding="utf-8")
    hostile = html.replace('name="ArticleTitle" content="', 'name="ArticleTitle" content="\x1b]0;pwned\x07\x1b[2J', 1)
    hostile = hostile.replace("一、总体情况", "一、总体情况\x1b]8;;http://evil.example/\x07&#27;[5m", 1)
    path = tmp_path / "nb.html"
    path.write_text(hostile, encoding="utf-8")
    result = CliRunner().invoke(cli, ["report", "check", str(path), "--today", "2026-11-26"])
    assert result.exit_code in (0, 1), result.output
    assert "年度报告" in result.output and not any(c in result.output for c in ESCAPES), result.output


def test_findings_and_validate_of_a_store_filled_before_cleaning_stay_clean(portal, tmp_path):
    """Names scraped before this fix are still in old stores: the terminal outputs clean them too."""
    db_path = tmp_path / "old.db"
    db = open_db(db_path)
    config = load_config(portal["config"])
    sync_units(db, config.units)
    dirty = "\x1b]0;x\x07通知公告\x1b[0m"
    cid = column_id("esc", portal["base"] + "/esc/old/")
    db["columns"].insert({"id": cid, "unit_id": "esc", "name": dirty, "url": portal["base"] + "/esc/old/",
                          "discovered": 1, "in_config": 0, "first_seen": "2026-01-01T00:00:00+00:00",
                          "last_seen": "2026-01-01T00:00:00+00:00"})
    reconcile(db, [Result("W4", "column_blank", "fail", "esc", "衡山县转义局", {"column": dirty, "url": "u"},
                          f"{dirty}栏目为空白栏目", "medium", {})], TODAY)
    db.conn.close()
    for args in (("findings",), ("validate",)):
        output = invoke(portal["config"], db_path, *args).output
        assert "通知公告" in output and not any(c in output for c in ESCAPES), (args, output)


@pytest.mark.parametrize("raw, text, markup", [
    ("a\x1b[31mred\x1b[0m", "ared", "ared"),                                   # CSI as a whole
    ("\x1b]8;;http://e.cn\x07link\x1b]8;;\x1b\\.", "link.", "link."),          # OSC 8, BEL and ST ends
    ("\x1b]unterminated 通知公告", "unterminated 通知公告", "unterminated 通知公告"),   # text after stays
    ("a\x01b\x7fc\x85d", "abcd", "abcd"),                                       # C0, DEL, C1
    ("行一\r\n行二\r行三\t列", "行一\n行二\n行三\t列", "行一\r\n行二\r行三\t列"),     # structure kept
    ("&#27;[2J标题&#x7;&#9;&#20013;&#155;", "&#27;[2J标题&#x7;&#9;&#20013;&#155;", "标题&#9;&#20013;&#155;"),
])
def test_clean_text_and_markup(raw, text, markup):
    assert clean_text(raw) == text and clean_markup(raw) == markup
