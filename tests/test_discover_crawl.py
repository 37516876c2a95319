"""Discovery in the crawl (issue 10): a column page that is a navigation is followed one level, a
304 site page adds no request, and a column that leaves the navigation is reported as gone — never
as stale — by `crawler.run` against a real local server."""
from __future__ import annotations

from pathlib import Path

from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from monitor.config import load_config
from monitor.evaluation import evaluate
from monitor.observations import GONE, LINKED, SUB
from monitor.store import open_db
from tests.test_faults_network import CRAWL, HTML, ITEMS, config_yaml, county_host, rows  # noqa: F401
from tests.test_spider import TODAY, crawl
from tests.test_spider_details import list_page

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
