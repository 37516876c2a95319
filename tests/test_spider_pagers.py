"""Issue 10 case 4 in a real crawl (`python -m crawler.run` in a child process against 127.0.0.1):
the spider follows the next pages the list reader computes — a TRS `countPage`/`document.write`
pager, a `javascript:gotoCurrentPage()` pager, a Hanweb jpage datastore continued by
`dataproxy.jsp`, the JSON search API a TRS 动静结合 page names — and a list whose later pages
only a script can fetch, or whose next page fails, says so in its observation (`columns.page_note`)."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer

from tests.test_extract import hanweb_store, static_and_search
from tests.test_spider import crawl_served
from tests.test_spider_details import rows

PAGES = Path(__file__).parent / "data" / "realpages"
HTML = "text/html; charset=utf-8"


def later_page(prefix: str, first: int, pager: str = "") -> str:
    items = "".join(f'<li><a href="{prefix}/202601/t202601{d:02d}_{first + d}.html">后页第{d}条</a>'
                    f"<span>2026-01-{d:02d}</span></li>" for d in range(1, 4))
    return f"<html><head><meta charset='utf-8'><title>列表</title></head><body><ul>{items}</ul>{pager}</body></html>"


def serve(server: HTTPServer) -> None:
    server.expect_request("/robots.txt").respond_with_data("User-agent: *\nAllow: /\n", content_type="text/plain")
    server.expect_request("/zdgz/sctg/").respond_with_data(
        (PAGES / "trs_wcm" / "cnta_list_1.html").read_bytes(), content_type=HTML)
    server.expect_request("/zdgz/sctg/index_1.shtml").respond_with_data(
        later_page("/zdgz/sctg", 100, "<script>var currentPage=1;var countPage=2;</script>"), content_type=HTML)
    server.expect_request("/xxgk/gzdt/").respond_with_data(
        (PAGES / "js_pager" / "gzdt.html").read_bytes(), content_type=HTML)
    server.expect_request("/xxgk/gzdt/index_1.html").respond_with_data(later_page("/xxgk/gzdt", 200), content_type=HTML)
    server.expect_request("/col/col12377/index.html").respond_with_data(
        (PAGES / "hanweb" / "dingxi_col12377.html").read_bytes(), content_type=HTML)
    server.expect_request("/module/web/jpage/dataproxy.jsp").respond_with_data(
        f'<?xml version="1.0" encoding="UTF-8"?>{hanweb_store(5, 46, "<totalrecord>50</totalrecord>")}',
        content_type="text/xml; charset=utf-8")
    server.expect_request("/zwgk/gsgg/").respond_with_data(static_and_search(5, 40), content_type=HTML)
    docs = [{"doctitle": f"接口第{i}条", "docpuburl": f"/zwgk/gsgg/202510/t202510{i + 10}_{i}.htm",
             "docreltime": f"2025-10-{i + 10} 09:00:00"} for i in range(5)]
    server.expect_request("/fjdzapp/search", query_string={
        "channelid": "200210", "classsql": "chnlid=426", "sortfield": "-docorderpri,-docreltime", "page": "2",
        "prepage": "5"}).respond_with_data(json.dumps({"data": docs, "pageCount": 2}, ensure_ascii=False),
                                          content_type="application/json; charset=utf-8")
    script = '<script>$.getJSON("/api/list?channelId=12&pageNo=1&pageSize=15", show);</script>'
    server.expect_request("/xxgk/js/").respond_with_data(
        f"<html><head><meta charset='utf-8'></head><body><ul id='list'></ul>{script}</body></html>", content_type=HTML)
    rows = [{"title": f"接口条目{i}", "url": f"/xxgk/js/content_{9000 + i}.html", "pubDate": f"2026-11-{20 - i}"}
            for i in range(4)]
    server.expect_request("/api/list").respond_with_data(json.dumps({"result": {"list": rows, "totalPage": 1}}),
                                                         content_type="application/json")
    server.expect_request("/xxgk/bad/").respond_with_data(
        later_page("/xxgk/bad", 300, '<a href="index_1.html">下一页</a>'), content_type=HTML)
    server.expect_request("/xxgk/bad/index_1.html").respond_with_data("gone", status=404)
    server.expect_request("/xinghl/child/zwgk/index.jhtml").respond_with_data(
        (PAGES / "jeecms" / "xinghualing_list_1.html").read_bytes(), content_type=HTML)


def config_text(base: str, db: Path) -> str:
    columns = (("市场推广", "zdgz/sctg/"), ("工作动态", "xxgk/gzdt/"), ("通知公告", "col/col12377/index.html"),
               ("政策法规", "xinghl/child/zwgk/index.jhtml"), ("公示公告", "zwgk/gsgg/"), ("人事信息", "xxgk/bad/"))
    listed = "\n".join(f"      - {{name: {name}, url: {base}{path}, category: notice, max_pages: 3}}"
                       for name, path in columns)
    listed += f"\n      - {{name: 公告公示, url: {base}xxgk/js/, category: notice}}"     # one page wanted
    return f"""\
county: 衡山县
supervisor: {{name: 衡山县行政审批服务局, email: zwgk@example.gov.cn}}
database: {db}
timezone: Asia/Shanghai
crawl: {{delay_seconds: 0, per_site_concurrency: 4, timeout_seconds: 20, retries: 0}}
units:
  - id: pagers
    name: 衡山县分页局
    type: department
    discover: false
    columns:
{listed}
"""


@pytest.fixture(scope="module")
def crawled(tmp_path_factory) -> dict:
    db, _, base, asked = crawl_served(tmp_path_factory.mktemp("pagers"), serve, config_text)
    return {"db": db, "base": base, "asked": asked}


def column(crawled: dict, path: str) -> dict:
    (found,) = rows(crawled["db"], "SELECT * FROM columns WHERE url = ?", crawled["base"] + path)
    return found


@pytest.mark.parametrize("path, pages, items", [
    ("zdgz/sctg/", 2, 23),                    # countPage pager: index_1.shtml, which says it is the last
    ("xxgk/gzdt/", 2, 18),                    # javascript:gotoCurrentPage('2') -> index_1.html
    ("col/col12377/index.html", 2, 50),       # 45 records in the page, 5 more from dataproxy.jsp
    ("zwgk/gsgg/", 2, 10),                    # 5 static rows, 5 from the search API (page 2 of 2)
])
def test_the_spider_follows_computed_next_pages(crawled, path, pages, items):
    col = column(crawled, path)
    assert (col["pages_seen"], col["item_count"], col["page_note"]) == (pages, items, None)


def test_dataproxy_is_asked_for_the_records_after_the_page(crawled):
    proxy = [url for url in crawled["asked"] if "dataproxy.jsp" in url]
    assert len(proxy) == 1 and "columnid=12377" in proxy[0] and "startrecord=46&endrecord=90&perpage=15" in proxy[0]


def test_a_list_whose_later_pages_only_a_script_fetches_says_so(crawled):
    col = column(crawled, "xinghl/child/zwgk/index.jhtml")
    assert (col["pages_seen"], col["item_count"], col["page_kind"], col["page_note"]) == (1, 20, "list", "script_pager")


def test_a_next_page_that_fails_leaves_the_rest_unread(crawled):
    col = column(crawled, "xxgk/bad/")
    assert (col["pages_seen"], col["item_count"], col["page_note"]) == (1, 3, "next_unread")


def test_an_empty_page_is_read_from_the_json_its_script_names(crawled):
    col = column(crawled, "xxgk/js/")
    assert (col["pages_seen"], col["item_count"], col["page_kind"], col["page_note"]) == (2, 4, "list", None)
    (newest,) = rows(crawled["db"], "SELECT max(date) AS d FROM items WHERE column_id = ?", col["id"])
    assert newest["d"] == "2026-11-20"
