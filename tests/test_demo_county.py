"""The demo county: deterministic, dated relative to today, served with real-portal HTTP quirks."""
from __future__ import annotations

import re
import time
from datetime import date, timedelta
from pathlib import Path

import pytest
import requests
from bs4 import BeautifulSoup

from monitor.config import parse_config
from monitor.demo.config import DEMO_PORT, demo_config_yaml
from monitor.demo.generator import generate_county
from monitor.demo.model import STATUSES
from monitor.demo.server import DemoServer

TODAY = date(2026, 11, 26)
REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def county():
    return generate_county(TODAY)


@pytest.fixture()
def server(county):
    with DemoServer(county, slow_seconds=1.5) as running:
        yield running


def _path(county, unit_id: str, name: str) -> str:
    return next(p for p, e in county.expected.items() if e.unit_id == unit_id and e.name == name)


def test_same_seed_same_county_other_seed_other_titles(county):
    again = generate_county(TODAY)
    assert {p: pg.body for p, pg in again.pages.items()} == {p: pg.body for p, pg in county.pages.items()}
    assert again.expected == county.expected
    other = generate_county(TODAY, seed=2)
    assert other.pages["/xzspj/tzgg/"].body != county.pages["/xzspj/tzgg/"].body


def test_dates_follow_today(county):
    later = generate_county(TODAY + timedelta(days=400))
    for path in ("/xzspj/tzgg/", _path(county, "zjj", "工作动态")):
        assert county.expected[path].status == later.expected[path].status
    shift = later.expected["/xzspj/gzdt/"].newest_date - county.expected["/xzspj/gzdt/"].newest_date
    assert abs(shift.days - 400) <= 14


def test_every_status_and_quirk_present(county):
    counts = county.counts()
    for status in STATUSES:
        assert counts[status] >= 1, status
    kinds = {e.kind for e in county.expected.values()}
    assert {"http_404", "http_500", "slow_timeout", "robots", "flaky_503"} <= kinds
    assert county.failing_units() == ["zjj"]
    # the scenario units fix the states; the seed only changes titles and exact dates. Unchecked:
    # the 年报 columns and the required 指南/制度/法定主动公开内容 (W10) the units lack otherwise, but jyj's 指南
    # and the tree unit's 法定主动公开内容 (its tree's own page); and xzspj's 领导信箱 and rsj's 局长信箱 boards (W7)
    assert counts == generate_county(TODAY - timedelta(days=77), seed=9).counts() == {
        "fresh": 75, "stale": 16, "unchecked": 15 + 3 * 15 - 2 - 1 + 2, "due_soon": 8, "unreachable": 4, "undated": 3,
        "blank": 3}
    assert len(county.units) == 15 and all(len(u.columns) >= 8 for u in county.units)
    assert any(e.pages == 3 for e in county.expected.values())


def test_freshness_is_newest_date_not_first_item(county):
    unit = county.unit("xzspj")
    col = next(c for c in unit.columns if c.name == "政策解读")
    assert col.items[0].date < max(i.date for i in col.items) == county.expected[col.path].newest_date


def test_gbk_unit_needs_gb18030(county):
    body = county.pages["/jyj/gzdt/"].body
    assert b'charset=gb2312' in body and county.pages["/jyj/gzdt/"].content_type == "text/html"
    with pytest.raises(UnicodeDecodeError):
        body.decode("gb2312")
    text = body.decode("gb18030")
    assert any(name in text for name in ("王镕", "李堃", "张喆"))


def test_server_http_behaviour(county, server):
    get = lambda path, **kw: requests.get(server.base_url + path.lstrip("/"), timeout=10, **kw)  # noqa: E731
    first = get("/xzspj/gzdt/", headers={"User-Agent": "gongkai-test/1"})
    assert first.status_code == 200 and first.headers["ETag"].startswith('"')
    assert get("/xzspj/gzdt/", headers={"If-None-Match": first.headers["ETag"]}).status_code == 304
    assert get("/xzspj/gzdt/", headers={"If-Modified-Since": first.headers["Last-Modified"]}).status_code == 304
    assert get("/xzspj/gzdt/index_2.html").status_code == 200
    assert get(_path(county, "sthj", "政策文件")).status_code == 404
    assert get(_path(county, "sthj", "规划计划")).status_code == 500
    flaky = _path(county, "wjj", "通知公告")
    assert [get(flaky).status_code for _ in range(2)] == [503, 200]
    robots = get("/robots.txt").text
    assert _path(county, "nyncj", "政策解读").rsplit("/", 1)[0] + "/" in robots
    lying = get("/czj/")
    assert lying.headers["Content-Type"] == "text/html; charset=utf-8"
    with pytest.raises(UnicodeDecodeError):
        lying.content.decode("utf-8")
    log = server.requests
    assert any(r.path == "/robots.txt" for r in log)
    assert any(r.status == 304 for r in log)
    assert any(r.headers.get("User-Agent") == "gongkai-test/1" for r in log)


def test_slow_column_outlasts_a_short_timeout(county, server):
    with pytest.raises(requests.Timeout):
        requests.get(server.base_url + _path(county, "wjj", "政策文件").lstrip("/"), timeout=0.5)


def test_touch_changes_etag_and_expected(server):
    county = generate_county(TODAY)
    with DemoServer(county) as own:
        url = own.base_url + "kyz/gzdt/"
        before = requests.get(url, timeout=5)
        assert county.expected["/kyz/gzdt/"].status == "stale"
        county.touch("/kyz/gzdt/", "关于做好2026年冬季安全生产工作的通知")
        after = requests.get(url, headers={"If-None-Match": before.headers["ETag"]}, timeout=5)
    assert after.status_code == 200 and "关于做好2026年冬季安全生产工作的通知" in after.text
    assert county.expected["/kyz/gzdt/"].status == "fresh"
    assert county.expected["/kyz/gzdt/"].newest_date == TODAY


def test_generated_config_validates(county):
    config = parse_config(demo_config_yaml("http://127.0.0.1:9999/", slow_timeout=1.0, county=county))
    assert len(config.units) == len(county.units) and config.crawl.timeout_seconds == 1.0
    assert config.unit("wjj").selectors is not None
    assert any(c.cycle == "7d" for c in config.unit("xzspj").columns)


def test_repository_config_is_the_demo_config():
    text = (REPO / "config.yaml").read_text(encoding="utf-8")
    assert text == demo_config_yaml(f"http://127.0.0.1:{DEMO_PORT}/")
    parse_config(text)


def test_scale_mode_is_quick():
    start = time.perf_counter()
    big = generate_county(TODAY, units=200, columns_per_unit=20, scale=True)
    assert time.perf_counter() - start < 10     # 2.6 s here; it also renders 1,000 annual reports
    assert len(big.units) == 200 and len(big.expected) >= 200 * 20


def test_hostile_unit_is_opt_in():
    assert "/hostile/" not in generate_county(TODAY).pages
    county = generate_county(TODAY, hostile=True)
    assert len(county.pages["/hostile/gzdt/"].body) >= 10_000_000
    assert county.expected["/hostile/gzdt/"].kind == "oversize"
    assert b"<div>" * 10_000 in county.pages["/hostile/tzgg/"].body
    body = county.pages["/hostile/zcwj/"].body
    assert b"<script>alert(1)</script>" not in body and b"&lt;script&gt;alert(1)&lt;/script&gt;" in body
    titles = [a["title"] for a in BeautifulSoup(body, "html.parser").select("ul.list a")]
    assert titles and all(t.startswith("<script>alert(1)</script>") for t in titles)


def test_items_link_to_detail_pages(county):
    col = county.columns["/xzspj/zfxxgknb/"]
    item = col.items[0]
    assert f"t{item.date + timedelta(days=3):%Y%m%d}_" in item.href   # URL day ≠ shown day, as on 平潭
    detail = county.pages[col.path + item.href[2:]].body.decode()
    assert item.title in detail and f'content="{item.date:%Y-%m-%d} 10:30"' in detail


def test_site_page_links_columns_and_other_pages(county):
    site = BeautifulSoup(county.pages["/xzspj/"].body, "html.parser")
    nav = {a.get_text(): a["href"] for a in site.select("ul.nav a")}
    assert nav["首页"] == "/" and nav["工作动态"] == "./gzdt/" and nav["政府信息公开年报"] == "./zfxxgknb/"
    assert "./zfxxgknb/nlist.htm" in [a["href"] for a in site.select(".left-nav a")]
    hrefs = [a["href"] for a in site.find_all("a")]
    assert "/xzspj/lxwm.html" in hrefs and any(h.startswith("http://www.gov.cn") for h in hrefs)
    assert county.pages["/xzspj/zfxxgknb/nlist.htm"] is county.pages["/xzspj/zfxxgknb/"]
    listing = county.pages["/xzspj/gzdt/index_1.html"].body.decode()
    assert 'createPageHTML(3, 1, "index", "html")' in listing and 'ms-repeat="list"' in listing
    assert 'href="../tzgg/"' in listing    # every list page carries the column navigation


def test_real_portal_layouts_are_served_as_their_families_write_them(county, server):
    """The JCMS, VSB and tree units serve the markup of tests/data/realpages/ (hanweb, vsb, js_pager, nav)."""
    get = lambda path: requests.get(server.base_url + path.lstrip("/"), timeout=10)  # noqa: E731
    paged = {county.unit(c.unit_id).cms: c for c in county.columns.values() if c.max_pages}
    jcms = paged["jcms"]
    first = get(jcms.path).text
    assert '<script type="text/xml"><datastore>' in first and first.count("<record>") == jcms.per_page
    proxy = re.search(r'<nextgroup><!\[CDATA\[<a href="([^"]*dataproxy\.jsp[^"]*)"', first).group(1)
    answer = get(f"{proxy}&startrecord=16&endrecord=30&perpage=15")
    assert answer.headers["Content-Type"].startswith("text/xml") and answer.text.count("<record>") == 15
    assert f'href="{jcms.items[15].href}"' in answer.text and f"<totalrecord>{len(jcms.items)}<" in answer.text
    assert get(proxy.replace("columnid=", "columnid=9")).status_code == 404
    vsb = paged["vsb"]                          # pages numbered downwards: page 2 of 3 is tzgg/2.htm
    assert 'href="tzgg/2.htm" class="Next">下页' in get(vsb.path).text and 'id="line_u7_0"' in get(vsb.path).text
    assert vsb.items[15].title in get("/qxj/tzgg/2.htm").text
    trs = paged["trs"]
    assert "javascript:gotoCurrentPage('2')" in get(trs.path).text and trs.items[15].title in get(
        trs.path + "index_1.html").text
    site = BeautifulSoup(get(f"/{trs.unit_id}/").text, "html.parser")
    links = {a["href"]: a.get_text() for a in site.find_all("a")}
    subs = [c for c in county.unit(trs.unit_id).columns if c.place == "sub"]
    assert links[f"/{trs.unit_id}/fdzdgknr/"] == "法定主动公开内容" and not any(c.path in links for c in subs)
    assert [t.find_previous_sibling().get_text() for t in site.select(".tile a")] == [
        c.name for c in county.unit(trs.unit_id).columns if c.place == "tile"]
    tree = get(f"/{trs.unit_id}/fdzdgknr/").text
    assert all(f'href="./{c.path.split("/")[-2]}/">{c.name}<' in tree for c in subs) and len(subs) >= 2
