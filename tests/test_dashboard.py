"""The dashboard through Flask's test client, over a real store filled the way a crawl and two
daily checks fill it (observations → run_check → findings), plus annual-report findings."""
from __future__ import annotations

import base64
import csv
import hashlib
import io
import json
import re
import sqlite3
from datetime import date
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from monitor.checks.columns import fetch_reason
from monitor.config import parse_config
from monitor.evaluation import run_check
from monitor.findings import query_findings, reconcile
from monitor.observations import ListItem, column_id, record_discovery, record_fetch, record_list, sync_units
from monitor.reports.checks import check_presence
from monitor.results import Result
from monitor.runs import finish_run, start_run
from monitor.store import open_db, utcnow
from monitor.web import create_app, queries

HOSTILE = '<img src=x onerror=alert(1)>通知公告<script>alert("x")</script>'
EVIL_URL = "javascript:alert(document.domain)"
REPORTS = Path(__file__).parent / "data" / "reports"
CONFIG = parse_config("""\
county: 衡山县
supervisor: {name: 衡山县行政审批服务局, email: zwgk@example.gov.cn}
units:
  - {id: xzspj, name: 衡山县行政审批服务局, type: department, site: "http://127.0.0.1:9/xzspj/"}
  - {id: jyj, name: 衡山县教育局, type: department, site: "http://127.0.0.1:9/jyj/"}
  - {id: dtz, name: 衡山县东塘镇人民政府, type: township, site: "http://127.0.0.1:9/dtz/"}
""")
# unit -> (column name, newest item date or None for a blank list, or "down" for unreachable)
COLUMNS = {
    "xzspj": [("通知公告", "2026-04-12"), ("工作动态", "2026-10-20"), ("政策文件", "2026-11-20"),
              ("人事信息", "2025-11-28"), ("规划计划", None), ("政策解读", "down")],
    "jyj": [(HOSTILE, "2026-03-01"), ("教育动态", "2026-11-24")],
    "dtz": [("乡镇动态", "2026-11-01"), ("财政预决算", "2026-11-10")],
}
# expected at 2026-11-26: the hostile notice column (due 09-01) 86 days, 通知公告 45, 工作动态 23, then blank
OVERDUE_ORDER = [HOSTILE, "通知公告", "工作动态", "规划计划"]


def url_of(unit: str, name: str) -> str:
    return f"http://127.0.0.1:9/{unit}/{hashlib.sha1(name.encode()).hexdigest()[:8]}/"


def observe(db, run_id: int, unit: str, name: str, newest: str | None) -> None:
    cid = column_id(unit, url_of(unit, name))
    if newest == "down":
        record_fetch(db, run_id=run_id, url=url_of(unit, name), purpose="list", outcome="network_error",
                     unit_id=unit, column_id=cid, error="Connection refused")
        return
    items = [] if newest is None else [
        ListItem(f"关于{name}的第{i}条信息", url_of(unit, name) + f"t{i}.html", newest) for i in range(3)]
    if name == HOSTILE:
        items[0] = ListItem('<script>alert("item")</script>', EVIL_URL, newest)
    record_list(db, run_id=run_id, column_id=cid, items=items, pages_seen=1, http_status=200, etag=None,
                last_modified=None, body_hash=None)


def build_store(path: Path) -> Path:
    """Two daily runs (11-25 and 11-26: 乡镇动态 is updated in between, so its finding resolves),
    annual-report findings and a document, one sent bulletin."""
    db = open_db(path)
    for unit, cols in COLUMNS.items():
        record_discovery(db, unit, [(name, url_of(unit, name)) for name, _ in cols])
    for day, updated in ((date(2026, 11, 25), {}), (date(2026, 11, 26), {("dtz", "乡镇动态"): "2026-11-26"})):
        crawl = start_run(db, "crawl")
        for unit, cols in COLUMNS.items():
            for name, newest in cols:
                observe(db, crawl, unit, name, updated.get((unit, name), newest))
        finish_run(db, crawl, "partial", {"line": f"crawl #{crawl} partial"}, units=3, pages=10, errors=1)
        run_check(CONFIG, db, day)
    today = date(2026, 11, 26)
    doc_id = db["documents"].insert({
        "unit_id": "xzspj", "url": "http://127.0.0.1:9/xzspj/nb2025.html", "title": "衡山县行政审批服务局2025年政府信息公开工作年度报告",
        "year": 2025, "published": "2026-01-20", "content_hash": "abc", "content_type": "text/html",
        "raw": (REPORTS / "pingtan_2024.html").read_bytes(),      # a real 2021-format report, parsed on display
        "first_fetched": utcnow(), "last_fetched": utcnow()}).last_pk
    violation = {"rule": "K3", "table": "三", "row": "total", "column": "总计", "expected": 767, "found": 760}
    reports = [
        *check_presence(unit_id="jyj", unit_name="衡山县教育局", unit_type="department", year=2025,
                        published=None, today=today),
        *check_presence(unit_id="xzspj", unit_name="衡山县行政审批服务局", unit_type="department", year=2025,
                        published=date(2026, 1, 20), today=today),
        Result("K3", "report_inconsistent", "fail", "dtz", "衡山县东塘镇人民政府",
               {"year": 2025, "url": "http://127.0.0.1:9/dtz/nb2025.html", "relation": "arithmetic"},
               "勾稽关系错误 1 处", "high", {"violations": [violation], "checked": 12}),
    ]
    reconcile(db, reports, today)
    db["outbox"].insert({"key": "bulletin:2026-10:zwgk@example.gov.cn", "kind": "bulletin", "period": "2026-10",
                         "recipient": "zwgk@example.gov.cn", "message_id": "<m1@gongkai>",
                         "subject": "【月度通报】2026年10月政务公开栏目更新情况", "eml": b"...", "status": "sent",
                         "attempts": 1, "created_at": utcnow(), "sent_at": "2026-11-01T00:05:00+00:00"})
    db.conn.close()
    assert doc_id == 1
    return path


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> Path:
    return build_store(tmp_path_factory.mktemp("dash") / "gongkai.db")


@pytest.fixture
def client(store):
    return create_app(store).test_client()


def soup(response) -> BeautifulSoup:
    assert response.status_code == 200, response.data[:500]
    return BeautifulSoup(response.data.decode(), "html.parser")


def main_columns(page: BeautifulSoup, section: str = "main-list") -> list[str]:
    return [tr.select("td")[1].get_text() for tr in page.select(f"#{section} tbody tr")]


def test_every_page_renders(client, store):
    finding_id = query_findings(open_db(store))[0].id
    pages = {"/": "超期栏目", "/due-soon": "即将超期", "/unreachable": "未能检测", "/unit/xzspj": "问题记录",
             "/unit/dtz": "东塘镇", "/reports": "年度报告", "/report/1": "表三", f"/finding/{finding_id}": "证据",
             "/trend": "未整改问题趋势", "/runs": "运行记录", "/?page=2": "超期栏目"}
    for url, text in pages.items():
        response = client.get(url)
        assert response.status_code == 200, url
        assert text in response.data.decode(), url
        assert response.headers["Content-Type"].startswith("text/html")
    assert client.get("/static/style.css").status_code == 200
    for missing in ("/unit/nobody", "/report/99", "/finding/nope", "/export/findings.xml"):
        assert client.get(missing).status_code == 404


def test_overdue_list_is_sorted_by_days_overdue_with_warnings_and_unreachable_apart(client):
    page = soup(client.get("/"))
    assert main_columns(page) == OVERDUE_ORDER
    days = [tr.select_one("td.days").get_text() for tr in page.select("#main-list tbody tr")]
    assert days == ["86", "45", "23", "—"]
    assert main_columns(page, "due_soon") == ["人事信息"]
    assert main_columns(page, "unreachable") == ["政策解读"]
    first = page.select_one("#main-list tbody tr").select("td")
    assert first[0].get_text() == "衡山县教育局" and first[2].get_text().startswith("通知公告类")
    assert [td.get_text() for td in first[4:]] == ["2026-03-01", "6个月", "86", "2026-11-25"]
    assert page.select_one("#main-list tbody tr td.col a")["href"] == url_of("jyj", HOSTILE)


@pytest.mark.parametrize("query, expected", [
    ("unit=xzspj", ["通知公告", "工作动态", "规划计划"]),
    ("category=dynamic", ["工作动态"]),
    ("kind=column_blank", ["规划计划"]),
    ("unit=jyj&category=notice", [HOSTILE]),
    ("unit=dtz", []),
    ("category=bogus&kind=bogus", OVERDUE_ORDER),      # unknown values are ignored, not errors
])
def test_filters(client, query, expected):
    page = soup(client.get(f"/?{query}"))
    assert main_columns(page) == expected
    if not expected:
        assert "没有超期或空白栏目" in page.get_text()


def test_filters_apply_to_the_warning_lists_too(client):
    page = soup(client.get("/?unit=jyj"))
    assert main_columns(page, "due_soon") == [] and main_columns(page, "unreachable") == []
    assert main_columns(soup(client.get("/due-soon?category=personnel")), "main-list") == ["人事信息"]


def test_pagination(client, monkeypatch):
    monkeypatch.setattr(queries, "PAGE_SIZE", 2)
    first, second = soup(client.get("/")), soup(client.get("/?page=2"))
    assert main_columns(first) + main_columns(second) == OVERDUE_ORDER
    assert "第 1 / 2 页（共 4 条）" in first.get_text()
    assert second.select_one(".pager a")["href"] == "/?page=1"


def test_hostile_scraped_text_is_escaped_and_never_a_script_or_a_javascript_link(client, store):
    stale = next(f for f in query_findings(open_db(store)) if f.column == HOSTILE)
    for url in ("/", "/unit/jyj", f"/finding/{stale.id}", "/?unit=jyj"):
        response = client.get(url)
        html = response.data.decode()
        assert "<script" not in html and "<img" not in html
        assert "&lt;img src=x onerror=alert(1)&gt;" in html
        page = soup(response)
        assert HOSTILE in page.get_text()
        assert not [a for a in page.select("a[href]") if a["href"].lower().startswith("javascript")]
        assert "script-src" not in response.headers["Content-Security-Policy"]      # default-src 'none'
        assert response.headers["Content-Security-Policy"].startswith("default-src 'none'")
    finding_page = client.get(f"/finding/{stale.id}").data.decode()
    assert EVIL_URL in finding_page                       # shown as text, the evidence stays visible


def test_csv_and_json_exports_agree_and_json_is_the_design_contract(client, store):
    json_rows = json.loads(client.get("/export/findings.json").data)
    assert json_rows == [f.to_json() for f in query_findings(open_db(store))]
    response = client.get("/export/findings.csv")
    assert response.headers["Content-Disposition"] == 'attachment; filename="gongkai-findings.csv"'
    text = response.data.decode("utf-8")
    assert text.startswith("\ufeff")
    csv_rows = list(csv.DictReader(io.StringIO(text[1:])))
    assert [r["id"] for r in csv_rows] == [f["id"] for f in json_rows]
    for row, f in zip(csv_rows, json_rows):
        assert (row["kind"], row["unit_id"], row["message"], row["first_seen"]) == \
            (f["kind"], f["unit"]["id"], f["message"], f["first_seen"])
        assert json.loads(row["evidence"]) == f["evidence"]
    keys = {"id", "rule", "kind", "severity", "status", "unit", "subject", "message", "evidence",
            "first_seen", "last_seen", "resolved_at"}
    assert all(keys <= set(f) for f in json_rows)
    only_jyj = json.loads(client.get("/export/findings.json?unit=jyj").data)
    assert only_jyj and {f["unit"]["id"] for f in only_jyj} == {"jyj"}
    with_resolved = json.loads(client.get("/export/findings.json?all=1").data)
    assert any(f["status"] == "resolved" for f in with_resolved) and len(with_resolved) > len(json_rows)


def test_unit_page_shows_columns_status_inferred_category_and_history(client):
    page = soup(client.get("/unit/xzspj"))
    rows = {tr.select("td")[0].get_text(): [td.get_text(" ", strip=True) for td in tr.select("td")]
            for tr in page.select("#columns tbody tr")}
    assert set(rows) == {name for name, _ in COLUMNS["xzspj"]}
    assert rows["通知公告"][1] == "栏目超期未更新 45 天"
    assert rows["通知公告"][3] == "通知公告类 按名称推断"
    assert rows["人事信息"][1] == "栏目即将超期（剩 2 天）"
    assert rows["规划计划"][1] == "空白栏目" and rows["政策解读"][1] == "未能检测"
    assert rows["政策文件"][1] == "正常"
    # six columns monitored; 政策解读 could not be read
    assert page.select_one("#columns h2").get_text(" ", strip=True) == "栏目 监测 6 个，可读取 5 个"
    history = soup(client.get("/unit/dtz"))
    states = [tr.select("td")[0].get_text(strip=True) for tr in history.select("#history tbody tr")]
    assert "已整改" in states                          # 乡镇动态 was updated on the second day


def test_outcome_labels_come_from_the_one_table(store):
    """The unit page and the checks' messages name a fetch outcome alike, the newer outcomes too."""
    label = create_app(store).jinja_env.filters["outcome_label"]
    for outcome in ("network_error", "redirect_loop", "parse_error", "offsite", None):
        assert label(outcome) == fetch_reason(outcome), outcome
    assert label("parse_error") == "页面无法解析" and label("ok") == "正常"


def test_report_matrix_uses_the_configured_deadlines(tmp_path):
    """The matrix's 未到期 follows `rules.report_deadlines`, as the checks do (not the statutory
    dates alone): with 12-31 in the config, last year's report of a township or a department is
    not due yet on any day of this year."""
    config = parse_config("county: 衡山县\nsupervisor: {name: 局}\n"
                          "rules: {report_deadlines: {township: '12-31', department: '12-31'}}\nunits:\n"
                          "  - {id: dtz, name: 东塘镇, type: township, site: 'http://127.0.0.1:9/dtz/'}\n"
                          "  - {id: jyj, name: 教育局, type: department, site: 'http://127.0.0.1:9/jyj/'}\n")
    db = open_db(tmp_path / "g.db")
    sync_units(db, config.units)
    db.conn.close()
    page = soup(create_app(tmp_path / "g.db", config=config).test_client().get("/reports"))
    last_year = {tr.select_one("th").get_text(): tr.select("td")[-1]["class"]
                 for tr in page.select("table.matrix tbody tr")}
    assert last_year == {"东塘镇": ["cell", "notdue"], "教育局": ["cell", "notdue"]}


def test_annual_report_matrix(client):
    page = soup(client.get("/reports"))
    # the matrix always shows the three report years the checks look at
    assert [th.get_text() for th in page.select("table.matrix thead th")][1:] == ["2023 年度", "2024 年度", "2025 年度"]
    cells = {tr.select_one("th").get_text(): tr.select("td")[-1] for tr in page.select("table.matrix tbody tr")}
    assert cells["衡山县行政审批服务局"]["class"] == ["cell", "ontime"]
    assert cells["衡山县行政审批服务局"].select_one("a")["href"] == "/report/1"
    assert cells["衡山县教育局"]["class"] == ["cell", "missing"]
    earlier = page.select_one("table.matrix tbody tr").select("td")[0]
    assert earlier["class"] == ["cell", "unknown"] and earlier.get_text(strip=True) == "未检测"
    inconsistent = cells["衡山县东塘镇人民政府"]
    assert inconsistent["class"] == ["cell", "inconsistent"]
    relation = inconsistent.select_one("a.rel")
    assert relation.get_text() == "K3" and relation["href"].endswith("#v1")
    violation = soup(client.get(relation["href"].split("#")[0])).select_one("tr#v1")
    assert [td.get_text() for td in violation.select("td")] == ["K3", "表三", "total", "总计", "767", "760"]
    report = soup(client.get("/report/1"))
    assert "一、本年新收政府信息公开申请数量" in report.get_text() and "2021年版" in report.get_text()


def test_report_pages_tolerate_a_store_without_documents(tmp_path):
    db = open_db(tmp_path / "g.db")
    db.execute("DROP TABLE documents")
    db.execute("DROP TABLE outbox")
    db.conn.close()
    client = create_app(tmp_path / "g.db").test_client()
    for url in ("/reports", "/runs", "/trend", "/"):
        assert client.get(url).status_code == 200, url
    assert client.get("/report/1").status_code == 404


def test_trend_chart_is_inline_svg(client):
    page = soup(client.get("/trend"))
    lines = page.select("svg polyline")
    assert lines and all(len(line["points"].split()) == 2 for line in lines)     # two check days
    assert "栏目超期未更新" in page.select_one("figcaption").get_text()
    assert len(page.select(".scroll tbody tr")) == 2


def test_runs_and_sent_bulletins(client):
    page = soup(client.get("/runs"))
    kinds = [tr.select("td")[1].get_text() for tr in page.select("#runs tbody tr")]
    assert kinds.count("抓取") == 2 and kinds.count("检查") == 2
    assert "【月度通报】2026年10月" in page.select_one("#mail").get_text()


def test_the_dashboard_cannot_write_and_leaves_the_store_untouched(store, tmp_path):
    before = store.read_bytes()
    app = create_app(store)
    with app.test_request_context("/"):
        from monitor.web.app import db

        with pytest.raises(sqlite3.OperationalError, match="readonly"):
            db().execute("DELETE FROM findings")
    for url in ("/", "/unit/xzspj", "/reports", "/trend", "/runs", "/export/findings.csv"):
        app.test_client().get(url)
    assert store.read_bytes() == before
    missing = create_app(tmp_path / "none.db").test_client().get("/")
    assert missing.status_code == 503 and "gongkai run" in missing.data.decode()
    assert not (tmp_path / "none.db").exists()


def test_optional_login(store):
    client = create_app(store, login=("jiandu", "密码 123")).test_client()
    assert client.get("/").status_code == 401
    assert client.get("/").headers["WWW-Authenticate"].startswith("Basic")

    def auth(user: str, password: str) -> dict[str, str]:
        return {"Authorization": "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()}

    assert client.get("/", headers=auth("jiandu", "wrong")).status_code == 401
    assert client.get("/export/findings.json", headers=auth("jiandu", "wrong")).status_code == 401
    assert client.get("/", headers=auth("jiandu", "密码 123")).status_code == 200


def test_login_comes_only_from_the_environment(monkeypatch):
    from monitor.web.serve import login_from_env

    monkeypatch.delenv("GONGKAI_DASHBOARD_USER", raising=False)
    monkeypatch.delenv("GONGKAI_DASHBOARD_PASSWORD", raising=False)
    assert login_from_env() is None
    monkeypatch.setenv("GONGKAI_DASHBOARD_USER", "jiandu")
    assert login_from_env() is None                    # half a login is no login (and a warning)
    monkeypatch.setenv("GONGKAI_DASHBOARD_PASSWORD", "s3cret")
    assert login_from_env() == ("jiandu", "s3cret")


def test_unit_page_names_the_item_of_a_review_finding(tmp_path):
    """Issue 6 findings are about an item, not a column: the unit page shows the item's title (escaped)."""
    db = open_db(tmp_path / "g.db")
    config = parse_config("county: 衡山县\nsupervisor: {name: 局}\n"
                          "units: [{id: xzspj, name: 衡山县行政审批服务局, site: 'http://127.0.0.1:9/xzspj/'}]\n")
    run_check(config, db, date(2026, 11, 26))
    item = {"item": "关于<b>调整</b>审批事项的公告", "url": "http://127.0.0.1:9/xzspj/tzgg/t9.html"}
    reconcile(db, [Result("A15", "item_modified_after_publication", "fail", "xzspj", "衡山县行政审批服务局", item,
                          "发布后正文被修改", "medium", {"diff": "-旧\n+新"})], date(2026, 11, 26), None)
    db.conn.close()
    page = create_app(tmp_path / "g.db").test_client().get("/unit/xzspj")
    assert page.status_code == 200
    cell = soup(page).find("a", href="http://127.0.0.1:9/xzspj/tzgg/t9.html")
    assert cell is not None and cell.get_text() == "关于<b>调整</b>审批事项的公告"


@pytest.mark.timeout(30)       # a server that ignores the signal fails here instead of hanging
def test_a_signal_during_requests_stops_the_server_and_restores_the_handlers(store):
    """SIGTERM while connections open and close must end serving (it used to be swallowed by waitress)."""
    import os
    import signal
    import threading
    import time
    import urllib.request

    from monitor.web.serve import dashboard_url, make_server, serve_until_signal

    server = make_server(store, "127.0.0.1", 0)
    url, answered = dashboard_url(server), []

    def hammer() -> None:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(url + "runs", timeout=2) as response:
                    answered.append(response.status)
            except OSError:
                return                                  # the server has stopped listening
            if len(answered) == 3:
                os.kill(os.getpid(), signal.SIGTERM)    # lands while later requests are in flight

    before = signal.getsignal(signal.SIGTERM)
    client = threading.Thread(target=hammer, daemon=True)
    client.start()
    started = time.monotonic()
    try:
        assert serve_until_signal(server) == "SIGTERM"
    finally:
        server.close()
    assert time.monotonic() - started < 8
    assert answered[:3] == [200, 200, 200]
    assert signal.getsignal(signal.SIGTERM) is before
    client.join(5)


def test_unit_page_shows_navigation_pages_and_columns_gone_from_the_navigation(tmp_path):
    """A column page that is a navigation is not counted as a monitored column; a column that left
    the navigation says so instead of a state it no longer has."""
    db = open_db(tmp_path / "g.db")
    sync_units(db, CONFIG.units)
    nav, gone = url_of("xzspj", "法定主动公开内容"), url_of("xzspj", "常务会议")
    record_discovery(db, "xzspj", [("法定主动公开内容", nav), ("常务会议", gone)])
    record_list(db, run_id=1, column_id=column_id("xzspj", nav), items=[], pages_seen=1, http_status=200,
                etag=None, last_modified=None, body_hash=None, page_kind="navigation", page_note="2")
    observe(db, 1, "xzspj", "常务会议", "2026-11-20")
    record_discovery(db, "xzspj", [("法定主动公开内容", nav)])
    page = soup(create_app(tmp_path / "g.db").test_client().get("/unit/xzspj"))
    rows = {tr.select("td")[0].get_text(): tr.select("td")[1].get_text(strip=True)
            for tr in page.select("#columns tbody tr")}
    assert rows == {"法定主动公开内容": "子栏目导航（不单独检测）", "常务会议": "已从导航中移除"}
    assert page.select_one("#columns h2").get_text(" ", strip=True) == "栏目 监测 0 个，可读取 0 个"


def test_publication_page_colours_sorts_and_exports(tmp_path: Path):
    """发布统计 (issue 11): units × 12 months, a cell's class is its status, sortable, CSV/JSON export;
    without the config (types and standards) the page says what is missing."""
    from tests.test_publication import CONFIG, LAST, day_in, items, listing

    config = parse_config(CONFIG)
    db = open_db(tmp_path / "p.db")
    sync_units(db, config.units)
    for unit, names in {"a": ("工作动态", "通知公告"), "b": ("工作动态",)}.items():
        record_discovery(db, unit, [(n, f"http://127.0.0.1:9/{unit}/{n}/") for n in names])
    listing(db, "a", "工作动态", items(*(day_in(LAST, d) for d in (1, 2, 3, 4, 5)), prefix="a/d"))
    listing(db, "a", "通知公告", items(day_in(LAST + -1), prefix="a/n"))
    listing(db, "b", "工作动态", items(day_in(LAST + -4), prefix="b/d"))
    db.conn.close()
    client = create_app(tmp_path / "p.db", config=config).test_client()
    page = client.get("/publication")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert html.count('class="num pub pub-') == 3 * 12
    cells = re.findall(r'<tr><td><a href="/unit/(\w)">.*?</tr>', html, re.S)
    assert cells == ["a", "b", "c"]
    row_a = re.search(r'/unit/a".*?</tr>', html, re.S).group(0)
    assert 'pub-ok" title="达标：动态类 5，信息公开类 0，最低标准 4">5<' in row_a
    assert re.search(r'pub-zero" title="动态信息为零：动态类 0，信息公开类 1，最低标准 4，至少连续\d+个月无动态信息">1<', row_a)
    row_b = re.search(r'/unit/b".*?</tr>', html, re.S).group(0)
    assert "连续3个月无动态信息" in row_b and "pub-zero" in row_b
    assert "pub-not_counted" in re.search(r'/unit/c".*?</tr>', html, re.S).group(0)
    by_total = client.get("/publication?sort=total&order=desc").get_data(as_text=True)
    assert re.findall(r'<tr><td><a href="/unit/(\w)">', by_total)[0] == "a"
    by_month = client.get(f"/publication?sort={LAST}").get_data(as_text=True)
    assert re.findall(r'<tr><td><a href="/unit/(\w)">', by_month)[-1] == "a"
    exported = json.loads(client.get("/export/publication.json").get_data(as_text=True))
    assert len(exported) == 3 * 12 and {r["status"] for r in exported} >= {"ok", "zero", "not_counted"}
    assert client.get("/export/publication.csv").get_data(as_text=True).lstrip("\ufeff").startswith("unit_id,")
    assert create_app(tmp_path / "p.db").test_client().get("/publication").status_code == 503
