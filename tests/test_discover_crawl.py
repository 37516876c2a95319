"""Discovery in the crawl (issue 10): a column page that is a navigation is followed one level, a
304 site page adds no request, and a column that leaves the navigation is reported as gone — never
as stale — by `crawler.run` against a real local server."""
from __future__ import annotations

import json
from pathlib import Path

from pytest_httpserver import HTTPServer
from click.testing import CliRunner
from werkzeug import Request, Response

from crawler.discover import FOUND_VIA
from monitor.cli import cli
from monitor.config import load_config
from monitor.evaluation import evaluate
from monitor.observations import GONE, LINKED, SUB
from monitor.store import open_db
from tests.test_faults_network import CRAWL, HTML, ITEMS, config_yaml, county_host, crawl_units, rows  # noqa: F401
from tests.test_spider import TODAY, crawl
from tests.test_spider_details import list_page

JEECMS = Path(__file__).parent / "data" / "realpages" / "jeecms"
TAB_PAGE = "/xinghl/child/zwgk/index.jhtml"
TAB_LIST = "/xinghl/child/zwgk/list_date_article.jhtml"
JSON_TABS = """<html><head><meta charset="utf-8"><script>
var showList = function (id) { $.ajax({ url: "/api/list.json?channelId=" + id, dataType: "json", success: fill }); };
</script></head><body><ul class="tabs"><li><a href="javascript:showList(12)">财政预决算</a></li></ul></body></html>"""

SITE = """<html><head><meta charset="utf-8"><title>政府信息公开</title></head><body>
<div class="top"><a href="/">首页</a><a href="/search/">搜索</a><a href="http://www.gov.cn/">中国政府网</a></div>
<ul class="nav">{links}<li><a href="fdzdgknr/">法定主动公开内容</a></li></ul></body></html>"""
NAV = """<html><head><meta charset="utf-8"><title>法定主动公开内容</title></head><body>
<ul><li><a href="jy/">教育</a></li><li><a href="yl/">医疗卫生</a></li></ul></body></html>"""


def conditional(body: str, etag: str):
    """A page with an ETag that answers 304 to it."""
    def handler(request: Request) -> Response:
        if request.headers.get("If-None-Match") == etag:
            return Response(status=304, headers={"ETag": etag})
        return Response(body, content_type=HTML, headers={"ETag": etag})
    return handler


def serve(server: HTTPServer, site_links: str, site_etag: str, nav: tuple[str, str] = (NAV, '"nav1"')) -> None:
    server.clear()
    server.no_handler_status_code = 404
    server.expect_request("/a/").respond_with_handler(conditional(SITE.format(links=site_links), site_etag))
    server.expect_request("/a/fdzdgknr/").respond_with_handler(conditional(*nav))
    for path in ("/a/zfgb/", "/a/fdzdgknr/jy/", "/a/fdzdgknr/yl/"):
        server.expect_request(path).respond_with_data(list_page(ITEMS), content_type=HTML)


def levels(db: Path) -> dict[str, int]:
    return {r["name"]: r["discovered"] for r in rows(db, "SELECT name, discovered FROM columns")}


def test_navigation_followed_304_costs_nothing_gone_is_not_stale(county_host: HTTPServer, tmp_path: Path):
    base = county_host.url_for("").rstrip("/")
    db, config_path = tmp_path / "store.db", tmp_path / "config.yaml"
    unit = f"  - id: a\n    name: 单位a\n    site: {base}/a/\n"
    config_path.write_text(config_yaml(db, unit, CRAWL + ", detail_budget_per_site: 0"), encoding="utf-8")
    config = load_config(config_path)

    serve(county_host, '<li><a href="zfgb/">政府公报</a></li>', '"s1"')
    code, _, stderr = crawl(config_path, db, 1)
    assert code == 0, stderr[-2000:]
    assert levels(db) == {"政府公报": LINKED, "法定主动公开内容": LINKED, "教育": SUB, "医疗卫生": SUB}
    first = sorted(r.path for r in (req for req, _ in county_host.log))
    (nav,) = rows(db, "SELECT page_kind, page_note FROM columns WHERE name = '法定主动公开内容'")
    assert nav == {"page_kind": "navigation", "page_note": "2"}

    county_host.clear_log()
    code, _, stderr = crawl(config_path, db, 2)          # site and navigation pages answer 304
    assert code == 0, stderr[-2000:]
    assert sorted(r.path for r in (req for req, _ in county_host.log)) == first   # not one request more
    assert levels(db) == {"政府公报": LINKED, "法定主动公开内容": LINKED, "教育": SUB, "医疗卫生": SUB}
    results, verdicts = evaluate(config, open_db(db), TODAY)
    states = {v.column.name: v.state for v in verdicts}
    assert states == {"政府公报": "fresh", "法定主动公开内容": "navigation", "教育": "fresh", "医疗卫生": "fresh"}

    serve(county_host, "", '"s2"')                      # 政府公报 left the navigation
    code, _, stderr = crawl(config_path, db, 3)
    assert code == 0, stderr[-2000:]
    assert levels(db)["政府公报"] == GONE
    results, verdicts = evaluate(config, open_db(db), TODAY.replace(year=TODAY.year + 1))   # a year later
    gone = [r for r in results if r.subject.get("column") == "政府公报"]
    assert [(r.kind, r.status) for r in gone] == [("column_removed", "warning")]

    serve(county_host, "", '"s2"', (list_page(ITEMS), '"nav2"'))   # the navigation became a list
    code, _, stderr = crawl(config_path, db, 4)
    assert code == 0, stderr[-2000:]
    assert levels(db) == {"政府公报": GONE, "法定主动公开内容": LINKED, "教育": GONE, "医疗卫生": GONE}
    (nav,) = rows(db, "SELECT page_kind, item_count FROM columns WHERE name = '法定主动公开内容'")
    assert nav == {"page_kind": "list", "item_count": len(ITEMS)}


def tab_rows() -> str:
    """BUILT from the real page's markup: the 9 rows of `<ul id="dataGrid">` in the saved 杏花岭区
    政策法规 list (`xinghualing_list_2.html`, browser DOM of 2018-07-07), unchanged and alone, as the
    HTML fragment of rows the page's pager plugin loads from its list data address into #dataGrid.
    The site's own answer to that request was not saved."""
    page = (JEECMS / "xinghualing_list_2.html").read_text(encoding="utf-8")
    start = page.index(">", page.index('<ul id="dataGrid">') + 1) + 1
    return page[start:page.index("</ul>", start)]


def serve_tabs(server: HTTPServer) -> None:
    """The real 杏花岭区 政务公开 page, whose five tabs open by `javascript:changeClass(…)`, and the
    rows of its 政策法规 tab (`tab_rows`) at the list data address its script builds; the other
    tabs' lists were not saved (404)."""
    server.no_handler_status_code = 404
    server.expect_request(TAB_PAGE).respond_with_data((JEECMS / "xinghualing_list_1.html").read_bytes(),
                                                      content_type=HTML)
    server.expect_request(TAB_LIST, query_string="classid=3fa1f2b954ca41e38a7aecd726bfa90e").respond_with_data(
        tab_rows(), content_type="text/html; charset=utf-8")
    server.expect_request("/js/").respond_with_data(JSON_TABS, content_type=HTML)
    docs = [{"title": f"{2026 - n}年财政预算公开", "url": f"/js/content_{n}.html", "pubDate": f"{2026 - n}-03-0{n + 1}"}
            for n in range(3)]
    server.expect_request("/api/list.json", query_string="channelId=12").respond_with_data(
        json.dumps({"data": {"list": docs}}, ensure_ascii=False), content_type="application/json; charset=utf-8")


def test_a_tab_opened_by_script_is_crawled_at_its_list_data_address(county_host: HTTPServer, tmp_path: Path):
    """The crawl takes each tab as a column at the address the page's script computes, asks for it,
    and reads what is served there as the column's list: an HTML fragment of rows, or JSON."""
    serve_tabs(county_host)
    base = county_host.url_for("").rstrip("/")
    units = (f"  - id: xhl\n    name: 杏花岭区政府\n    site: {base}{TAB_PAGE}\n"
             f"  - id: js\n    name: 财政局\n    site: {base}/js/\n")
    db, config_path = crawl_units(tmp_path, units)
    assert levels(db) == dict.fromkeys(["政策法规", "应急管理", "人事任免", "工作报告", "统计数据", "财政预决算"], LINKED)
    (json_tab,) = rows(db, "SELECT url, page_kind, item_count, newest_date FROM columns WHERE name = '财政预决算'")
    assert json_tab == {"url": f"{base}/api/list.json?channelId=12", "page_kind": "list", "item_count": 3,
                        "newest_date": "2026-03-01"}
    (tab,) = rows(db, "SELECT url, last_outcome, page_kind, item_count, newest_date, newest_title FROM columns "
                      "WHERE name = '政策法规'")
    assert tab == {"url": f"{base}{TAB_LIST}?classid=3fa1f2b954ca41e38a7aecd726bfa90e", "last_outcome": "ok",
                   "page_kind": "list", "item_count": 9, "newest_date": "2014-03-11",
                   "newest_title": "弘扬雷锋精神 传承传统美德"}
    asked = [(r.path, r.args.get("classid")) for r, _ in county_host.log if r.path == TAB_LIST]
    assert sorted(c for _, c in asked) == sorted(["3fa1f2b954ca41e38a7aecd726bfa90e", "ed4861f0cc9a4a7fa507d46dc88f59e2",
                                                  "cacb176898e54e8da41dbf833e1bb4fa", "c93194fe269d44178800cfebc88feb21",
                                                  "2101cc110adf465b9851298e03b6af75"])


def test_discover_shows_a_tab_found_by_its_script_and_reads_its_list(county_host: HTTPServer, tmp_path: Path):
    serve_tabs(county_host)
    url = county_host.url_for(TAB_PAGE)
    result = CliRunner().invoke(cli, ["--config", str(tmp_path / "none.yaml"), "discover", url, "--read-columns"])
    assert result.exit_code == 0, result.output
    assert "发现 5 个栏目" in result.output and FOUND_VIA["script"] in result.output
    assert "政策法规  " + county_host.url_for(TAB_LIST) + "?classid=3fa1f2b954ca41e38a7aecd726bfa90e" in result.output
    assert "读到 9 条，最新 2014-03-11，下一页 无" in result.output
