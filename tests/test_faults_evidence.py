"""Issue 14, accusations without evidence (cases 1–3), on a real portal served on 127.0.0.1
(pytest-httpserver) and crawled by `python -m crawler.run` in a child process, then checked:

1. a `200` page that shows no list (binary, empty, a script challenge, a redirect to a login page)
   is unreadable — `uncertain` with the reason — not a blank column; an empty list or 暂无信息 stays
   `column_blank`; an article column (公开指南, 公开制度) is present, neither blank nor stale;
2. a column whose last successful read is older than `rules.max_observation_age` is not judged
   from that old read: `uncertain` with the read time, and its findings stay as they were;
3. a unit whose site page cannot be fetched on its first crawl gets one `site_unreachable`
   (`uncertain`), counted in the summary, resolved once the page can be read.
"""
from __future__ import annotations

import json
import random
import sqlite3
import zlib
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from werkzeug import Response

from monitor.config import parse_config
from monitor.evaluation import run_check
from monitor.store import open_db
from tests.test_spider import crawl

TODAY = datetime.now(ZoneInfo("Asia/Shanghai")).date()   # the crawl stamps reads with the real clock
STALE_NEWEST = TODAY - timedelta(days=60)                 # 工作动态: 14-day cycle


def frame(body: str, title: str = "栏目") -> str:
    return (f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{title}</title></head><body>'
            f'<div class="header"><a href="/">首页</a> | 衡山县人民政府</div>{body}'
            f'<div class="footer">主办单位：衡山县人民政府　湘ICP备05012345号</div></body></html>')


def list_page(prefix: str, newest: date, n: int = 4) -> str:
    rows = "".join(f'<li><a href="./{newest:%Y%m}/t{newest:%Y%m%d}_{100 + k}.html">关于第{k + 1}批工作事项的通知</a>'
                   f'<span>{newest - timedelta(days=7 * k):%Y-%m-%d}</span></li>' for k in range(n))
    return frame(f'<h2>{prefix}</h2><ul class="list">{rows}</ul>')


GUIDE = frame('<h1>衡山县财政局政府信息公开指南</h1><div class="info">发布时间：2025-03-01 09:00　来源：衡山县财政局</div>'
              '<div class="TRS_Editor"><p>为了更好地提供政府信息公开服务，根据《中华人民共和国政府信息公开条例》，编制本指南。</p>'
              '<p>一、主动公开。公开范围为本机关制作或获取的政府信息。</p><p>二、依申请公开。申请公开的政府信息不存在的，'
              '告知申请人无相关信息。</p></div>', "政府信息公开指南")
RULES_TEXT = frame('<h1>衡山县财政局政府信息公开制度</h1><div class="article">'
                   + "".join(f"<p>第{n}条　本局政府信息公开工作由办公室负责，按照条例规定的程序和时限办理，"
                             f"做好保密审查，及时更新公开目录。</p>" for n in range(1, 6)) + "</div>", "政府信息公开制度")
CHALLENGE = ('<html><head><script>var _0x1=["cookie","reload"];document[_0x1[0]]="waf_sc=5821;path=/";'
             'location[_0x1[1]]();</script></head><body></body></html>')
LOGIN = frame('<form action="/login" method="post"><input name="user"><input type="password" name="pwd">'
              '<button>登录</button></form>', "统一身份认证")


def binary_garbage() -> bytes:
    """What an image or archive looks like when a server labels it text/html."""
    return b"\x89PNG\r\n\x1a\n" + zlib.compress(random.Random(14).randbytes(6000), 0)[:6000]


# unit gk: every way a 200 page can show no list, two real blank columns and two article columns
COLUMNS = {   # path: (name, body, content type) on the first crawl
    "/gk/tzgg/": ("通知公告", frame('<h2>通知公告</h2><div class="no-data">暂无信息</div>'), "text/html; charset=utf-8"),
    "/gk/gzdt/": ("工作动态", frame('<h2>工作动态</h2><ul class="list"></ul>'), "text/html; charset=utf-8"),
    "/gk/zcwj/": ("政策文件", binary_garbage(), "text/html"),
    "/gk/rsxx/": ("人事信息", b"", "text/html; charset=utf-8"),
    "/gk/ghjh/": ("规划计划", CHALLENGE, "text/html; charset=utf-8"),
    "/gk/czyjs/": ("财政预决算公开", None, ""),                     # 302 to the login page
    "/gk/zn/": ("政府信息公开指南", GUIDE, "text/html; charset=utf-8"),
    "/gk/zd/": ("政府信息公开制度", RULES_TEXT, "text/html; charset=utf-8"),
}
UNREADABLE = {"/gk/zcwj/": "binary", "/gk/rsxx/": "empty_body", "/gk/ghjh/": "script_only", "/gk/czyjs/": "login"}


def site_page(links: dict[str, str]) -> str:
    nav = "".join(f'<li><a href="{path}">{name}</a></li>' for path, name in links.items())
    return frame(f'<ul class="nav">{nav}</ul><h2>政府信息公开</h2>', "政府信息公开")


def serve(server, pages: dict[str, tuple[object, str]]) -> None:
    """(Re)register the portal: path → (body or a werkzeug Response, content type)."""
    server.clear()
    server.expect_request("/robots.txt").respond_with_data("", status=404)
    for path, (body, content_type) in pages.items():
        if isinstance(body, Response):
            server.expect_request(path).respond_with_response(body)
        else:
            server.expect_request(path).respond_with_data(body, content_type=content_type)


def first_portal(server) -> dict[str, tuple[object, str]]:
    pages = {path: (body, ctype) for path, (_, body, ctype) in COLUMNS.items() if body is not None}
    pages["/gk/czyjs/"] = (Response(status=302, headers={"Location": server.url_for("/login?from=czyjs")}), "")
    pages["/login"] = (LOGIN, "text/html; charset=utf-8")
    pages["/gk/"] = (site_page({p: name for p, (name, _, _) in COLUMNS.items()}), "text/html; charset=utf-8")
    pages["/down/"] = (Response("<h1>503 Service Unavailable</h1>", status=503), "")
    return pages


def config_text(base: str, db: Path) -> str:
    return f"""\
county: 衡山县
supervisor: {{name: 衡山县人民政府办公室, email: zwgk@example.gov.cn}}
database: {db}
timezone: Asia/Shanghai
crawl: {{delay_seconds: 0, per_site_concurrency: 4, timeout_seconds: 5, retries: 0, detail_budget_per_site: 0}}
units:
  - {{id: gk, name: 衡山县财政局, type: department, site: '{base}gk/'}}
  - {{id: down, name: 衡山县林业局, type: department, site: '{base}down/'}}
"""


def findings(db_path: Path) -> dict[tuple[str, str], dict]:
    """(subject URL path, site path or report year, kind) → the finding row."""
    conn = sqlite3.connect(db_path)
    conn.row_factory = sqlite3.Row
    found = {}
    for row in conn.execute("SELECT * FROM findings"):
        subject = json.loads(row["subject"])
        where = subject.get("url") or subject.get("site")
        where = "/" + where.split("/", 3)[3] if where else f"{row['unit_id']}:{subject.get('year')}"
        found[(where, row["kind"])] = {**dict(row), "evidence": json.loads(row["evidence"])}
    conn.close()
    return found


@pytest.fixture(scope="module")
def portal(tmp_path_factory):
    """Crawl 1 and check; then 通知公告 turns into a script challenge, the 林业局 site comes up with
    a stale 工作动态 column; crawl 2 and check; then a check three days later without a crawl."""
    from pytest_httpserver import HTTPServer

    tmp = tmp_path_factory.mktemp("evidence")
    db_path, config_path = tmp / "store.db", tmp / "config.yaml"
    server = HTTPServer(host="127.0.0.1", port=0)
    server.start()
    try:
        config_path.write_text(config_text(server.url_for("/"), db_path), encoding="utf-8")
        config = parse_config(config_path.read_text(encoding="utf-8"))
        serve(server, first_portal(server))
        first = crawl(config_path, db_path, 1, today=TODAY)
        db = open_db(db_path)
        summaries = [run_check(config, db, TODAY)]
        after_first = findings(db_path)
        pages = first_portal(server)
        pages["/gk/tzgg/"] = (CHALLENGE, "text/html; charset=utf-8")
        pages["/down/"] = (site_page({"/down/gzdt/": "工作动态"}), "text/html; charset=utf-8")
        pages["/down/gzdt/"] = (list_page("工作动态", STALE_NEWEST), "text/html; charset=utf-8")
        serve(server, pages)
        second = crawl(config_path, db_path, 2, today=TODAY)
        summaries.append(run_check(config, db, TODAY))
        after_second = findings(db_path)
        summaries.append(run_check(config, db, TODAY + timedelta(days=3)))
        after_late = findings(db_path)
        db.close()
    finally:
        server.clear()
        server.stop()
    for code, _, stderr in (first, second):
        assert code == 0, stderr[-2000:]
    return {"summaries": summaries, "findings": (after_first, after_second, after_late)}


def test_pages_without_a_list_are_unreadable_not_blank(portal):
    found = portal["findings"][0]
    for path, reason in UNREADABLE.items():
        assert (path, "column_blank") not in found, path
        finding = found[(path, "column_unreachable")]
        assert finding["result"] == "uncertain" and finding["evidence"]["reason"] == reason, (path, finding)
        assert "无法识别" in finding["message"]
    summary = portal["summaries"][0]
    assert summary.states["unreadable"] == len(UNREADABLE) and summary.states["blank"] == 2
    assert f"unreadable {len(UNREADABLE)}" in summary.line()


def test_empty_lists_stay_blank(portal):
    found = portal["findings"][0]
    for path in ("/gk/tzgg/", "/gk/gzdt/"):
        assert found[(path, "column_blank")]["result"] == "fail"
    assert found[("/gk/tzgg/", "column_blank")]["evidence"]["empty_notice"] == "暂无信息"


def test_article_columns_are_present_not_blank(portal):
    found = portal["findings"][0]
    for path in ("/gk/zn/", "/gk/zd/"):      # discovered from the site page
        assert not [kind for (where, kind) in found if where == path], path
    assert portal["summaries"][0].states["content"] == 2


def test_an_unreadable_page_leaves_the_blank_finding_as_it_was(portal):
    first, second, _ = portal["findings"]
    blank = second[("/gk/tzgg/", "column_blank")]
    assert blank["status"] == "open" and blank["result"] == "fail" and blank["resolved_at"] is None
    assert blank["last_seen"] == first[("/gk/tzgg/", "column_blank")]["last_seen"]
    assert second[("/gk/tzgg/", "column_unreachable")]["evidence"]["reason"] == "script_only"


def test_a_site_unreachable_on_its_first_crawl_is_one_uncertain_result(portal):
    found, summary = portal["findings"][0], portal["summaries"][0]
    down = {key: f for key, f in found.items() if f["unit_id"] == "down"}
    # the site page is where W1 (its newest item) and W10 (its columns) are read: 未能判定 too, one each;
    # W6 (availability) needs the probes of `gongkai serve`, which a crawl alone does not make
    assert sorted(key for key in down if not key[1].startswith("report_")) == [
        ("/down/", "site_column_missing"), ("/down/", "site_home_stale"), ("/down/", "site_unavailable"),
        ("/down/", "site_unreachable")]
    assert all(f["result"] == "uncertain" for f in down.values())     # the report check: 未能判定 too
    assert all("无法访问" in f["message"] for key, f in down.items() if key[1] != "site_unavailable")
    assert "探测次数不足" in down[("/down/", "site_unavailable")]["message"]
    finding = down[("/down/", "site_unreachable")]
    assert finding["result"] == "uncertain" and finding["evidence"]["http_status"] == 503
    assert "HTTP 503" in finding["message"]
    assert summary.sites_unreachable == 1 and "sites unreachable 1" in summary.line()
    assert summary.statuses[("site_unreachable", "uncertain")] == 1


def test_a_site_read_again_resolves_site_unreachable(portal):
    second, summary = portal["findings"][1], portal["summaries"][1]
    assert second[("/down/", "site_unreachable")]["status"] == "resolved"
    assert second[("/down/gzdt/", "column_stale")]["result"] == "fail"
    assert summary.sites_unreachable == 0


def test_an_old_read_judges_nothing(portal):
    _, second, late = portal["findings"]
    summary = portal["summaries"][2]
    stale = late[("/down/gzdt/", "column_stale")]
    assert stale == second[("/down/gzdt/", "column_stale")]       # not refreshed, not re-measured
    unread = late[("/down/gzdt/", "column_unreachable")]
    assert unread["result"] == "uncertain" and unread["evidence"]["max_observation_age"] == 2
    assert unread["evidence"]["last_read_at"] and TODAY.isoformat() in unread["message"]
    blank = late[("/gk/gzdt/", "column_blank")]
    assert blank == second[("/gk/gzdt/", "column_blank")]
    assert summary.states["not_recent"] == summary.columns and summary.states["stale"] == 0
