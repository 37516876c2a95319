"""W12 broken links on the pages the crawl reads (issue 11 item 6): the links of a unit's site page,
list pages and report pages that lead to the county's hosts are checked at the end of a crawl (HEAD,
else a GET closed after its headers), with what the detail budget left; a 404/410 or a host name
that does not resolve is a `link_broken` fail naming the page and the link's text. Real crawls
(`python -m crawler.run`) against pytest-httpserver on 127.0.0.1."""
from __future__ import annotations

import time
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from crawler.links import Anchors, href_keys
from crawler.pages.html import parse_page
from monitor.checks.links import LinkFetch, check_links
from monitor.config import load_config
from monitor.crawl import crawl as crawl_all
from monitor.link_inputs import load_broken_links
from monitor.store import open_db
from tests.helpers import make_config
from tests.test_spider import crawl

UNIT = "衡山县行政审批服务局"
SITE = '''<html><head><meta charset="utf-8"><title>政府信息公开</title></head><body>
<div class="nav"><ul><li><a href="/u/tzgg/">通知公告</a></li><li><a href="/u/fdzdgknr/">法定主动公开内容</a></li></ul></div>
<div class="footer"><a href="/u/lxwm.html">联系我们</a></div></body></html>'''


NAVIGATION = '''<html><head><meta charset="utf-8"><title>法定主动公开内容</title></head><body>
<ul class="sub"><li><a href="jgzn/">机构职能</a></li><li><a href="zcfg/">政策法规</a></li></ul>
<div class="side"><a href="/u/zdgk.html">重点领域公开</a></div></body></html>'''
EMPTY = '<html><head><meta charset="utf-8"><title>栏目</title></head><body><div class="list">暂无信息</div></body></html>'


def list_page(other: str, extra: str = "") -> str:
    """Two items, a sidebar of links (dead, gone, HEAD refused, busy, slow, another host, a host name
    that does not resolve) and links that are no requests at all."""
    return f'''<html><head><meta charset="utf-8"><title>通知公告</title></head><body>
<ul class="list"><li><a href="a1.html">关于做好第一批政务公开工作的通知</a><span>2026-11-20</span></li>
<li><a href="a2.html">关于做好第二批政务公开工作的通知</a><span>2026-11-18</span></li></ul>
<div class="side"><a href="/u/dead.html"> 失效的 链接 </a> <a href="../old.html">已撤销的文件</a>
<a href="/u/nohead.html">不接受HEAD的页面</a> <a href="/u/busy.html">繁忙页面</a> <a href="/u/slow.html">很慢的页面</a>
<a href="http://{other}/x.html">外站链接</a> <a href="http://gone.invalid/p.html">旧系统</a>{extra}
<a href="javascript:void(0)">脚本</a> <a href="mailto:a@b.cn">邮件</a> <a href="tel:0734123">电话</a>
<a href="#top">顶部</a></div></body></html>'''


def config_text(base: str, db: Path, crawl_settings: str = "delay_seconds: 0", unit: str = "") -> str:
    return f"""\
county: 衡山县
supervisor: {{name: {UNIT}, email: zwgk@example.gov.cn}}
database: {db}
timezone: Asia/Shanghai
crawl: {{{crawl_settings}, per_site_concurrency: 4, timeout_seconds: 1, retries: 0, allowed_hosts: [gone.invalid]}}
units:
  - id: xzspj
    name: {UNIT}
    type: department
    {unit or f"site: {base}u/"}
"""


def results(config: Path, db: Path) -> dict[str, Any]:
    store = open_db(db)
    try:
        loaded = load_config(config)
        found = check_links(loaded, load_broken_links(store, [u.id for u in loaded.units]))
    finally:
        store.close()
    return {r.subject["url"].rsplit("/", 1)[-1]: r for r in found}


def asked(server: HTTPServer) -> list[tuple[str, str]]:
    return [(request.method, request.path) for request, _ in server.log]


def slowly(request: Request) -> Response:
    time.sleep(3)
    return Response("<html>slow</html>", content_type="text/html")


def trickle(request: Request) -> Response:
    """A GET whose body takes 5 s (the crawl's timeout is 1 s): read only to its headers, it answers."""
    def chunks():
        for _ in range(10):
            time.sleep(0.5)
            yield b"<p>" + b"x" * 100 + b"</p>"
    return Response(chunks(), content_type="text/html")


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """Run 1 on the portal as built; then dead.html is back, old.html answers 503 instead of 410,
    and the list page drops moved.html (404 in run 1); run 2."""
    tmp = tmp_path_factory.mktemp("pagelinks")
    db, config = tmp / "store.db", tmp / "config.yaml"
    server, other = HTTPServer(host="127.0.0.1", port=0, threaded=True), HTTPServer(host="127.0.0.1", port=0)
    other.expect_request("/x.html").respond_with_data("elsewhere")
    state = {"run": 1}
    extra = ' <a href="/u/moved.html">已搬走的页面</a>'
    page = {"html": list_page(f"localhost:{other.port}", extra)}
    server.expect_request("/robots.txt").respond_with_data("", status=404)
    server.expect_request("/u/").respond_with_data(SITE, content_type="text/html; charset=utf-8")
    server.expect_request("/u/tzgg/").respond_with_handler(
        lambda r: Response(page["html"], content_type="text/html; charset=utf-8"))
    for name in ("a1", "a2"):
        server.expect_request(f"/u/tzgg/{name}.html").respond_with_data("<html><h1>通知</h1></html>",
                                                                          content_type="text/html")
    server.expect_request("/u/lxwm.html").respond_with_data("", status=404)
    server.expect_request("/u/fdzdgknr/").respond_with_data(NAVIGATION, content_type="text/html; charset=utf-8")
    for sub in ("jgzn", "zcfg"):
        server.expect_request(f"/u/fdzdgknr/{sub}/").respond_with_data(EMPTY, content_type="text/html; charset=utf-8")
    server.expect_request("/u/zdgk.html").respond_with_data("", status=404)
    server.expect_request("/u/dead.html").respond_with_handler(
        lambda r: Response("" if state["run"] == 1 else "<html>ok</html>", status=404 if state["run"] == 1 else 200))
    server.expect_request("/u/old.html").respond_with_handler(
        lambda r: Response("", status=410 if state["run"] == 1 else 503))
    server.expect_request("/u/moved.html").respond_with_data("", status=404)
    server.expect_request("/u/nohead.html", method="HEAD").respond_with_data("", status=405)
    server.expect_request("/u/nohead.html", method="GET").respond_with_handler(trickle)
    server.expect_request("/u/busy.html").respond_with_data("", status=503)
    server.expect_request("/u/slow.html").respond_with_handler(slowly)
    server.start()
    other.start()
    try:
        base = server.url_for("/")
        config.write_text(config_text(base, db), encoding="utf-8")
        first = crawl(config, db, 1)
        after_first, asked_first = results(config, db), asked(server)
        server.clear_log()
        state["run"] = 2
        page["html"] = list_page(f"localhost:{other.port}")
        second = crawl(config, db, 2)
        after_second, asked_second = results(config, db), asked(server)
        other_asked = asked(other)
    finally:
        server.clear()
        server.stop()
        other.clear()
        other.stop()
    for code, _, stderr in (first, second):
        assert code == 0, stderr[-3000:]
    return {"first": after_first, "second": after_second, "asked": (asked_first, asked_second), "base": base,
            "other": other_asked, "events": (first[1][-1], second[1][-1]), "db": db}


def test_a_dead_link_on_a_list_page_names_its_page_and_text(runs):
    dead = runs["first"]["dead.html"]
    assert (dead.kind, dead.rule, dead.status, dead.severity) == ("link_broken", "W12", "fail", "low")
    assert dead.evidence["page"] == runs["base"] + "u/tzgg/" and dead.evidence["text"] == "失效的 链接"
    assert dead.evidence["http_status"] == 404 and "失效的 链接" in dead.message and "HTTP 404" in dead.message
    assert runs["base"] + "u/tzgg/" in dead.message


def test_a_gone_link_410_and_dead_links_on_the_site_page_and_a_column_navigation(runs):
    assert runs["first"]["old.html"].status == "fail" and runs["first"]["old.html"].evidence["http_status"] == 410
    contact = runs["first"]["lxwm.html"]     # on the unit's site page, not a column (联系我们)
    assert contact.status == "fail" and contact.evidence["page"] == runs["base"] + "u/"
    assert contact.evidence["text"] == "联系我们"
    beside = runs["first"]["zdgk.html"]      # on a page of sub-columns (法定主动公开内容)
    assert beside.status == "fail" and beside.evidence["page"] == runs["base"] + "u/fdzdgknr/"


def test_a_host_name_that_does_not_resolve_is_broken(runs):
    gone = runs["first"]["p.html"]
    assert gone.status == "fail" and "域名无法解析" in gone.message and gone.evidence["text"] == "旧系统"


def test_head_refused_falls_back_to_a_get_closed_after_its_headers(runs):
    first, _ = runs["asked"]
    assert ("HEAD", "/u/nohead.html") in first and ("GET", "/u/nohead.html") in first
    # its body takes 5 s, the timeout is 1 s: only a GET read to its headers answers
    store = open_db(runs["db"])
    checks = list(store.execute("SELECT outcome, http_status FROM fetches WHERE url LIKE '%/nohead.html'"))
    store.close()
    assert checks == [("ok", 200), ("ok", 200)] and "nohead.html" not in runs["first"]
    assert ("HEAD", "/u/dead.html") in first and ("GET", "/u/dead.html") not in first


def test_links_to_other_hosts_and_non_links_are_never_requested(runs):
    assert runs["other"] == []
    first, second = runs["asked"]
    paths = {path for _, path in first + second}
    assert not {p for p in paths if "void" in p or "mailto" in p or "tel:" in p}
    assert paths <= {"/robots.txt", "/u/", "/u/tzgg/", "/u/tzgg/a1.html", "/u/tzgg/a2.html", "/u/lxwm.html",
                     "/u/fdzdgknr/", "/u/fdzdgknr/jgzn/", "/u/fdzdgknr/zcfg/", "/u/zdgk.html",
                     "/u/dead.html", "/u/old.html", "/u/moved.html", "/u/nohead.html", "/u/busy.html", "/u/slow.html"}
    # each link once per run, though the site page and the list page both show some
    assert sum(1 for method, path in first if path == "/u/dead.html") == 1


def test_a_5xx_or_a_timeout_is_never_broken(runs):
    first, second = runs["first"], runs["second"]
    assert "busy.html" not in first and "slow.html" not in first and "busy.html" not in second
    old = second["old.html"]             # 410, then 503: not known either way
    assert old.status == "uncertain" and "503" in old.message


def test_a_fixed_link_resolves_and_a_link_gone_from_its_page_is_not_checked(runs):
    first, second = runs["first"], runs["second"]
    assert first["dead.html"].status == "fail" and second["dead.html"].status == "pass"
    assert first["moved.html"].status == "fail"
    assert second["moved.html"].status == "pass" and "不在" in second["moved.html"].message
    assert "/u/moved.html" not in {path for _, path in runs["asked"][1]}


def test_the_crawl_summary_counts_the_links_checked(runs):
    done, _ = runs["events"]
    assert done["event"] == "done" and done["links_checked"] >= 8 and done["links_waiting"] == 0


# ----------------------------------------------------------------------------- the budget

def test_links_the_budget_cannot_afford_wait_for_the_next_run(tmp_path):
    """delay 0.25 s and a window of 0.01 minutes: 2 requests a run, less the list page: one link
    check a run, the never-checked first, so each of the three is checked within three runs, then
    the one checked longest ago."""
    db, config = tmp_path / "store.db", tmp_path / "config.yaml"
    server = HTTPServer(host="127.0.0.1", port=0, threaded=True)
    dead = "".join(f'<a href="/u/dead{n}.html">失效链接{n}</a>' for n in range(3))
    items = ('<ul class="list"><li><a href="http://localhost:9/a.html">外站的通知</a><span>2026-11-20</span></li>'
             '<li><a href="http://localhost:9/b.html">外站的公告</a><span>2026-11-19</span></li></ul>')
    server.expect_request("/robots.txt").respond_with_data("", status=404)
    server.expect_request("/u/tzgg/").respond_with_data(f'<html><body>{items}<div class="side">{dead}</div></body></html>',
                                                        content_type="text/html; charset=utf-8")
    for n in range(3):
        server.expect_request(f"/u/dead{n}.html").respond_with_data("", status=404)
    server.start()
    checked, waiting = [], []
    try:
        column = f"discover: false\n    columns: [{{name: 通知公告, url: {server.url_for('/')}u/tzgg/}}]"
        config.write_text(config_text(server.url_for("/"), db, "delay_seconds: 0.25, window_minutes: 0.01", column),
                          encoding="utf-8")
        for run in (1, 2, 3, 4):
            server.clear_log()
            code, events, stderr = crawl(config, db, run)
            assert code == 0, stderr[-3000:]
            checked.append(sorted(p for _, p in asked(server) if "dead" in p))
            waiting.append((events[-1]["links_checked"], events[-1]["links_waiting"]))
            if run == 1:
                assert set(results(config, db)) == {checked[0][0].rsplit("/", 1)[-1]}
    finally:
        server.clear()
        server.stop()
    assert [len(c) for c in checked] == [1, 1, 1, 1] and len({c[0] for c in checked[:3]}) == 3
    assert checked[3] == checked[0]      # then the longest unchecked again
    assert waiting == [(1, 2)] * 4       # every run: one checked, two left for a later run
    assert {r.status for r in results(config, db).values()} == {"fail"} and len(results(config, db)) == 3


# ----------------------------------------------------------------------------- pieces

@pytest.mark.parametrize("page", ["http://h.cn/a/b/index.html", "http://h.cn/a/b/", "http://h.cn/a/b/list.jsp?x=1",
                                  "http://h.cn/", "http://h.cn/a/c/index.html"])
def test_equal_keys_name_equal_urls(page):
    """`href_keys` spares resolving an href met before: hrefs from any pages whose keys are equal resolve
    to the same URL."""
    hrefs = ["../x/", "../../y.html", "./z.html", "z.html", "/r.html", "?page=2", "#top", "//k.cn/p",
             "http://o.cn/q", "index_1.html"]
    others = ["http://h.cn/a/b/index.html", "http://h.cn/a/b/list.jsp?x=2", "http://h.cn/a/d/", "http://k.cn/a/b/"]
    by_key: dict[str, str] = {}
    for url in [page, *others]:
        for key, href in href_keys(hrefs, url).items():
            assert by_key.setdefault(key, urljoin(url, href)) == urljoin(url, href), (url, href)


def test_the_crawl_s_own_request_of_a_link_judges_it():
    """A link the crawl followed itself (a column) and also checked as a link of a page: one result."""
    own = LinkFetch("xzspj", "http://h/zcwj/", "list", "ok", 200, None, "2026-11-26T02:00:00", "http://h/", "政策文件",
                    None)
    checked = LinkFetch("xzspj", "http://h/zcwj/", "link", "http_error", 404, "HTTP 404", "2026-11-26T01:00:00",
                        "http://h/tzgg/", "政策文件", None)
    [result] = check_links(make_config(), [own, checked])
    assert result.status == "pass" and result.evidence["purpose"] == "list"
    [result] = check_links(make_config(), [checked])
    assert result.status == "fail" and "页面链接“政策文件”" in result.message


def test_two_workers_check_a_link_of_both_their_units_once(tmp_path):
    """A footer link on the pages of units crawled by two workers (one host) is checked by one of
    them: new, by the worker its URL falls to; then by the worker of the unit that keeps it."""
    db, config_path = tmp_path / "store.db", tmp_path / "config.yaml"
    server = HTTPServer(host="127.0.0.1", port=0, threaded=True)
    server.expect_request("/robots.txt").respond_with_data("", status=404)
    for unit in ("a", "b"):
        server.expect_request(f"/{unit}/tzgg/").respond_with_data(
            f'<html><body><div class="list">暂无信息</div><div class="footer"><a href="/{unit}/own.html">本单位</a>'
            '<a href="/common/dead.html">全站失效链接</a></div></body></html>', content_type="text/html; charset=utf-8")
        server.expect_request(f"/{unit}/own.html").respond_with_data("", status=404)
    server.expect_request("/common/dead.html").respond_with_data("", status=404)
    server.start()
    base = server.url_for("/")
    units = "".join(f"""  - id: {u}
    name: 单位{u}
    type: department
    discover: false
    columns: [{{name: 通知公告, url: {base}{u}/tzgg/}}]
""" for u in ("a", "b"))
    config_path.write_text(config_text(base, db, "delay_seconds: 0, workers: 2").split("units:")[0] + "units:\n"
                           + units, encoding="utf-8")
    heads = []
    try:
        config = load_config(config_path)
        store = open_db(db)
        for _ in range(2):
            server.clear_log()
            summary = crawl_all(config, store, db)
            assert summary.completed, summary.line()
            heads.append(sorted(path for method, path in asked(server) if method == "HEAD"))
        store.close()
    finally:
        server.clear()
        server.stop()
    # run 1: the shared link once; a link only one worker's pages show is checked now if its URL falls
    # to that worker, else in run 2, stored as its unit's: then every link once, by its unit's worker
    assert heads[0].count("/common/dead.html") == 1 and set(heads[0]) <= set(heads[1])
    assert heads[1] == ["/a/own.html", "/b/own.html", "/common/dead.html"]
    found = results(config_path, db)
    assert found["dead.html"].status == "fail" and found["dead.html"].evidence["text"] == "全站失效链接"


def test_anchors_are_collected_once_per_crawl_from_the_parsed_tree():
    """The county's links of a page, each once in a crawl (a menu of relative links on every column
    page too); not a list's items (but the same URL as a plain link elsewhere), scripts, mail,
    phone numbers, fragments, other hosts or links a visitor cannot see."""
    anchors = Anchors({"h.cn"})
    menu = '<a href="../zcwj/">政策文件</a><a href="/lxwm.html"><img src="t.png" alt="联系我们"></a>'
    first = parse_page(f'''<html><body>{menu}<ul><li><a href="t1.html">通知一</a></li></ul>
        <a href="javascript:go()">脚本</a><a href="mailto:a@h.cn">邮件</a><a href="tel:1">电话</a><a href="#top">顶部</a>
        <a href="http://other.cn/x.html">外站</a><a href="x.html"></a></body></html>''')
    item = next(a for a in first.iter("a") if a.get("href") == "t1.html")
    anchors.collect(first, {item}, unit_id="u", page_url="http://h.cn/a/tzgg/")
    assert anchors.take("http://h.cn/a/tzgg/") == [("http://h.cn/a/zcwj/", "政策文件"), ("http://h.cn/lxwm.html", "联系我们")]
    second = parse_page(f'<html><body>{menu}<a href="../tzgg/t1.html">热点：通知一</a></body></html>')
    anchors.collect(second, (), unit_id="u", page_url="http://h.cn/a/gzdt/index.html")
    assert anchors.take("http://h.cn/a/gzdt/index.html") == [("http://h.cn/a/tzgg/t1.html", "热点：通知一")]
    assert anchors.pages == {"http://h.cn/a/tzgg/", "http://h.cn/a/gzdt/index.html"}
