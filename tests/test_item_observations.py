"""Item observations on a real SQLite store: versions kept once per content, status and left-list
state, metadata and main text from real page texts and demo detail pages, and the demo's issue-6
scenarios end to end through the item checks."""
from __future__ import annotations

import codecs
import html as html_lib
from datetime import date
from pathlib import Path

import pytest

from monitor import observations
from monitor.checks.items import check_items
from monitor.config import parse_config
from monitor.demo import html
from monitor.demo.config import demo_config_yaml
from monitor.demo.generator import generate_county
from crawler.pages.html import item_metadata
from crawler.pages.layouts import main_text
from monitor.item_observations import load_item_observations, mark_left_list, record_item_status, record_item_version
from monitor.store import open_db

DATA = Path(__file__).parent / "data" / "portal_pages"
TODAY = date(2026, 11, 26)


def text_page(name: str) -> str:
    """A page text fixture (source header stripped) as HTML, one paragraph per line."""
    lines = [line for line in (DATA / name).read_text(encoding="utf-8").splitlines() if not line.startswith("#")]
    return "<html><body>" + "".join(f"<p>{html_lib.escape(line)}</p>" for line in lines) + "</body></html>"


@pytest.fixture()
def db(tmp_path):
    store = open_db(tmp_path / "t.db")
    yield store
    store.close()


def version(db, cid: str, url: str, text: str, title: str = "关于开展森林防火检查的通知", run: int = 1) -> bool:
    return record_item_version(db, column_id=cid, url=url, run_id=run, title=title, text=text, pub_date="2026-11-10",
                               written_date=None, publisher="衡山县行政审批服务局", index_no=None, doc_no=None)


def list_read(db, cid: str, run: int, items: list[observations.ListItem]) -> None:
    db["runs"].insert({"id": run, "kind": "crawl", "started_at": "x"}, replace=True)
    observations.record_fetch(db, run_id=run, url="http://h/c/", purpose="list", outcome="ok", column_id=cid)
    observations.record_list(db, run_id=run, column_id=cid, items=items, pages_seen=1, http_status=200, etag=None,
                             last_modified=None, body_hash=None)


def test_versions_are_kept_once_per_content(db):
    db["columns"].insert({"id": "c1", "unit_id": "xzspj", "name": "通知公告", "url": "http://h/c/", "first_seen": "x",
                          "last_seen": "x"})
    url = "http://h/c/t1.html"
    list_read(db, "c1", 1, [observations.ListItem("关于开展森林防火检查的通知", url, "2026-11-10")])
    assert version(db, "c1", url, "正文。") is True
    assert version(db, "c1", url, "正文。") is False
    assert version(db, "c1", url, "正文（修改）。") is True
    assert version(db, "c1", url, "正文。") is False                      # back to the first text: no new row
    assert version(db, "c1", url, "正文。", title="关于开展森林防火专项检查的通知") is True
    (obs,) = load_item_observations(db)
    assert len(obs.versions) == 3 and obs.latest.title == "关于开展森林防火专项检查的通知"
    assert obs.detail_status == 200 and not obs.left_list and obs.previous_crawl_at is None
    record_item_status(db, "c1", url, 404)
    mark_left_list(db, "c1", [url])
    (obs,) = load_item_observations(db)
    assert obs.detail_status == 404 and obs.left_list


def test_an_item_new_in_a_later_crawl_knows_the_previous_crawl(db):
    db["columns"].insert({"id": "c1", "unit_id": "xzspj", "name": "通知公告", "url": "http://h/c/", "first_seen": "x",
                          "last_seen": "x"})
    old = observations.ListItem("旧通知", "http://h/c/t0.html", "2026-09-01")
    list_read(db, "c1", 1, [old])
    db.execute("UPDATE fetches SET fetched_at = '2026-11-20T00:00:00+00:00'")
    db.execute("UPDATE items SET first_seen = '2026-11-20T00:00:00+00:00'")
    list_read(db, "c1", 2, [old, observations.ListItem("新通知", "http://h/c/t1.html", "2026-10-01")])
    by_title = {o.title: o for o in load_item_observations(db)}
    assert by_title["旧通知"].previous_crawl_at is None
    assert by_title["新通知"].previous_crawl_at == "2026-11-20T00:00:00+00:00"
    assert by_title["新通知"].previous_oldest_date == "2026-09-01"


def test_metadata_from_real_page_texts():
    assert item_metadata(text_page("weixian_article_header_pagetext.txt")) == {
        "index_no": "000226181/2022-13221", "publisher": "政府办", "written_date": None, "pub_date": "2022-02-16",
        "doc_no": None}
    assert item_metadata(text_page("nanxian_article_header_pagetext.txt"))["pub_date"] is None   # 归档时间 is not it
    pingtan = (DATA / "pingtan_article_detail_skeleton.html").read_text(encoding="utf-8")
    assert item_metadata(pingtan)["pub_date"] == "2022-02-08"
    assert item_metadata(pingtan.replace("时间：2022-02-08 16:34", ""))["pub_date"] == "2022-02-08"   # <meta PubDate>
    weixian = main_text(text_page("weixian_article_header_pagetext.txt"))
    assert "字体" not in weixian and "根据《中华人民共和国政府信息公开条例》" in weixian


def test_metadata_and_main_text_of_demo_detail_pages():
    county = generate_county(TODAY)
    col = county.columns["/fgj/col/col3952/index.html"] if "/fgj/col/col3952/index.html" in county.columns else next(
        c for c in county.columns.values() if c.unit_id == "fgj" and c.category == "policy" and c.items[0].written)
    item = col.items[0]
    page = county.pages[html.article_path(col, item)]
    meta = item_metadata(page.body)
    assert meta["written_date"] == item.written.isoformat() and meta["pub_date"] == item.date.isoformat()
    assert meta["publisher"] == "衡山县发展和改革局" and meta["doc_no"] == item.doc_no and meta["index_no"]
    text = main_text(page.body)
    assert text.startswith(item.title) and "浏览次数" not in text and "打印" not in text
    assert main_text(page.body.replace("浏览次数：1".encode(), "浏览次数：4711".encode())) == text


_CONTAINER_CASES = [
    '<div class="main"><div class="x TRS_Editor y">正文</div></div>',
    '<div id="zoom">一</div><div class="TRS_Editor">二</div>',             # the first container listed wins
    '<div class="TRS_Editor_x">不是</div><div id="content">是</div>',       # a word inside another word is not it
    '<nav><div class="TRS_Editor">导航里</div></nav><div class="content">正文</div>',   # pruned with the nav
    '<div class="share"><div id="zoom">分享栏里</div></div><article>正文</article>',  # pruned with its furniture
    '<div class="left-nav"><p>栏目</p></div><div class="article_content">正文</div>',
    '<div id="x" class="a article-content">正文</div>',
    '<div class="nav\nheader"><p>两个词</p></div><div class="header"></div><div class="pager-x">正文</div>',
    '<div><p>无容器</p></div>',
]


def test_the_main_text_container_is_the_one_a_scan_of_every_element_finds():
    """body_text tries a container's XPath on the elements whose class or id holds its words only;
    it finds what the XPath finds over the whole pruned tree, on the saved real pages and the demo's
    detail and report pages. The furniture words of all class and id values are found in one scan."""
    from lxml import etree

    from crawler.pages import html as page_html
    from crawler.pages import layouts

    pages = [p.read_text(encoding="utf-8", errors="replace") for p in (DATA.parent).rglob("*.htm*")]
    county = generate_county(TODAY)
    pages += [served.body.decode("utf-8", "replace") for path, served in county.pages.items()
              if "html" in (served.content_type or "") and "/art/" in path][:300]
    pages += [f"<html><body>{case}</body></html>" for case in _CONTAINER_CASES]
    found = 0
    for text in pages:
        root = page_html.parse_page(text)
        if root is None:
            continue
        etree.strip_elements(root, *page_html._FURNITURE_TAGS, with_tail=False)
        values = page_html._CLASS_OR_ID(root)
        furniture = page_html._lines_matching(page_html._FURNITURE_WORDS, values)   # one scan of them all
        assert furniture == [n for n, value in enumerate(values) if page_html._FURNITURE_WORDS.search(value)]
        for n in furniture:
            page_html.drop_element(values[n].getparent())
        scanned = next((hits[0] for xpath in layouts._DETAIL_BODY if (hits := root.xpath(xpath))), None)
        assert page_html._container(root, values, layouts._DETAIL_BODY) is scanned, text[:200]
        found += scanned is not None
    assert found > 100


def test_page_bytes_decode_as_the_crawler_decodes_them():
    """Stored page bytes read as the crawler reads responses (monitor.charset): a byte-order mark,
    or GB18030 when no charset is declared, give the text of the UTF-8 page."""
    page = text_page("weixian_article_header_pagetext.txt")
    for body in (codecs.BOM_UTF8 + page.encode(), page.encode("gb18030")):
        assert main_text(body) == main_text(page) and item_metadata(body) == item_metadata(page)


def test_deeply_nested_page_keeps_its_text():
    """An article inside 300 unclosed <div>s: lxml's default depth limit (255) dropped it silently."""
    page = text_page("weixian_article_header_pagetext.txt")
    deep = page.replace("<body>", "<body>" + "<div>" * 300)
    assert main_text(deep) == main_text(page) != "" and item_metadata(deep) == item_metadata(page)


def test_demo_review_skipped_scenarios_reach_their_truths(db):
    """Two crawls of the demo through this API (the crawler's part done by hand) and the checks."""
    county = generate_county(TODAY)
    config = parse_config(demo_config_yaml("http://h/", county=county))
    paths = ["/xzspj/zcjd/", "/xzspj/tzgg/", "/kyz/gzdt/"]
    paths += [c.path for c in county.columns.values() if c.unit_id == "fgj" and c.category in ("report", "policy")]
    ids = {p: observations.column_id(county.columns[p].unit_id, "http://h" + p) for p in paths}
    for p in paths:
        db["columns"].insert({"id": ids[p], "unit_id": county.columns[p].unit_id, "name": county.columns[p].name,
                              "url": "http://h" + p, "first_seen": "x", "last_seen": "x"})

    def crawl(run: int) -> None:
        for p in paths:
            col = county.columns[p]
            listed = [(html.article_path(col, i), i) for i in col.items[:col.per_page]]
            db["runs"].insert({"id": run, "kind": "crawl", "started_at": "x"}, replace=True)
            observations.record_fetch(db, run_id=run, url="http://h" + p, purpose="list", outcome="ok",
                                      column_id=ids[p])
            before = {r[0] for r in db.execute("SELECT url FROM items WHERE column_id = ?", [ids[p]])}
            observations.record_list(db, run_id=run, column_id=ids[p], pages_seen=1, http_status=200, etag=None,
                                     last_modified=None, body_hash=None,
                                     items=[observations.ListItem(i.title, path, i.date and i.date.isoformat())
                                            for path, i in listed])
            mark_left_list(db, ids[p], before - {path for path, _ in listed})
            for path in before | {path for path, _ in listed}:
                page = county.pages.get(path)
                if page is None or page.status != 200:
                    record_item_status(db, ids[p], path, 404)
                elif "html" in page.content_type:
                    record_item_version(db, column_id=ids[p], url=path, run_id=run, title=None,
                                        text=main_text(page.body), **item_metadata(page.body))

    crawl(1)
    db.execute("UPDATE fetches SET fetched_at = '2026-11-25T00:00:00+00:00'")
    db.execute("UPDATE items SET first_seen = '2026-11-25T00:00:00+00:00'")
    done = county.skip_review()
    crawl(2)
    found = {(r.subject["url"], r.kind): r.status for r in check_items(config, load_item_observations(db), TODAY)}
    for path, truths in county.expected_items.items():
        for kind, status in truths.items():
            if any(path.startswith(p.rsplit("/", 1)[0]) for p in paths):
                assert found.get((path, kind)) == status, (path, kind, found.get((path, kind)))
    assert found[(done["edited_report"], "item_modified_after_publication")] == "fail"
    assert not any(status == "fail" for (url, kind), status in found.items()
                   if kind == "item_modified_after_publication" and url not in (done["edited"], done["edited_report"]))
