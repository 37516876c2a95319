"""CMS layouts as plug-ins (issue 10 item 3): the registry asks the families that match a page
first and the generic layout last; a new family is one module (here: one class) that declares its
URL patterns and hooks, with no change elsewhere. The families' real pages are read by
tests/test_realpages.py (one folder each)."""
from __future__ import annotations

import json
import random
from datetime import date
from pathlib import Path

import pytest

from crawler.extract import extract_list
from crawler.pages import layouts
from crawler.pages.html import Base, link
from crawler.pages.layouts import (Layout, Page, is_article_url, is_index_href, is_index_url, layouts_for, main_text,
                                   page_number)
from monitor.observations import canonical_url

DATA = Path(__file__).parent / "data" / "realpages"
TODAY = date(2026, 11, 26)


def test_the_families_are_registered_and_generic_comes_last():
    assert layouts.kinds() == ["hanweb", "trs", "jiyuehua", "vsb", "dedecms", "selectors", "generic"]


@pytest.mark.parametrize("folder, expected", [("hanweb", ["hanweb", "generic"]), ("trs_wcm", ["trs", "generic"]),
                                              ("trs_jiyuehua", ["jiyuehua", "generic"]),
                                              ("vsb", ["generic"])])
def test_the_registry_picks_the_family_from_the_page(folder, expected):
    truth = json.loads((DATA / folder / "truth.json").read_text(encoding="utf-8"))
    name, key = next(iter(truth.items()))
    page = Page(key["url"], (DATA / folder / name).read_text(encoding="utf-8"))
    assert [layout.__kind__ for layout in layouts_for(page)] == expected


def test_the_families_url_patterns():
    assert is_article_url("http://x.gov.cn/zwgk/202611/t20261120_123.html")      # TRS
    assert is_article_url("http://x.gov.cn/art/2026/1/15/art_1_2.html")          # Hanweb
    assert is_article_url("http://x.edu.cn/info/1535/298461.htm")                # VSB
    assert is_index_url("http://x.gov.cn/col/col12377/index.html?number=1")      # a Hanweb column
    assert not is_article_url("http://x.gov.cn/zwgk/index.html")
    assert page_number("http://x.gov.cn/a/index_2.html")[0] == 3                # TRS: index_2 is page 3
    assert page_number("http://x.gov.cn/a/index_2.html")[1](1) == "http://x.gov.cn/a/index.html"
    assert page_number("http://x.gov.cn/plus/list_7_3.html")[1](4) == "http://x.gov.cn/plus/list_7_4.html"   # DedeCMS
    assert page_number("http://x.gov.cn/a/?page=5")[1](6) == "http://x.gov.cn/a/?page=6"


def test_detail_containers_most_specific_family_first():
    """A TRS body inside a #zoom wrapper is the TRS body, whatever order the families registered in."""
    html = ('<html><body><div id="zoom"><p>字号 大 中 小</p><div class="TRS_Editor"><p>正文第一段。</p></div>'
            '</div></body></html>')
    assert main_text(html) == "正文第一段。"


@pytest.fixture
def new_family():
    """A CMS added as one class: its article URLs, its pager (a `data-next` attribute on the list)."""
    class Example(Layout):
        __kind__ = "example"
        article_url = r"/example-doc/\d+$"

        def matches(self, url: str, html_text: str) -> bool:
            return "data-next=" in html_text

        def next_page(self, root, page: Page, items: int):
            found = root.xpath("//*[@data-next]/@data-next")
            return (f"{page.url.rstrip('/')}/{found[0]}", None) if found else None

    yield Example
    layouts._REGISTRY[:] = [layout for layout in layouts._REGISTRY if layout.__kind__ != "example"]
    layouts._index()


def test_a_new_family_is_one_module(new_family):
    assert layouts.kinds()[-2:] == ["example", "generic"]
    rows = "".join(f'<li><a href="/example-doc/{i}">公告第{i}号</a><span>2026-11-{i:02d}</span></li>' for i in range(1, 6))
    html = f'<html><body><ul data-next="p2">{rows}</ul><a href="javascript:void(0)">下一页</a></body></html>'
    page = extract_list(html, "http://x.gov.cn/notices", today=TODAY)
    assert len(page.items) == 5 and page.next_page == "http://x.gov.cn/notices/p2"
    assert is_article_url("http://x.gov.cn/example-doc/42")
    without = extract_list(html.replace(' data-next="p2"', ""), "http://x.gov.cn/notices", today=TODAY)
    assert without.next_page is None                  # the generic layout answers when the family does not


def test_layout_hooks_answer_none_by_default():
    """A family overrides only what it writes differently: the base answers "not mine"."""
    base = Layout()
    assert (base.matches("http://x/", "<html/>"), base.find_list(None, "http://x/"),
            base.next_page(None, Page("http://x/", ""), 0), base.pages_by_script("")) == (False, None, None, False)


def test_an_href_taken_for_a_column_before_resolving_resolves_to_a_column():
    """List reading skips the links whose own path names a column (`is_index_href`) without
    resolving them; that is only right if every such href resolves to no URL or a column URL,
    from any page. Checked over generated hrefs of the pieces real ones are made of."""
    pieces = ["index", ".html", "/", "..", ".", "?", "#", "a", "nlist", "index_2", ".htm", "javascript:",
              "http://b.gov.cn", " ", "\t", "default", "t2020_1", "%2F", "中", "//c.gov.cn", "HTTP://", "{{", "\\"]
    rng, taken = random.Random(3), 0
    for page in ("http://a.gov.cn/x/y/list.html", "http://a.gov.cn/", "http://a.gov.cn/x?y=1",
                 "https://a.gov.cn:8443/x/index.html#f", "http://a.gov.cn/x/y"):
        base = Base(page)
        for _ in range(4000):
            href = "".join(rng.choice(pieces) for _ in range(rng.randint(1, 7)))
            if is_index_href(href):
                taken += 1
                url = link(href, base)
                assert url is None or is_index_url(url), (page, href, url)
    assert taken > 500         # the shortcut is taken often enough for the check to mean something


def test_an_article_url_is_an_article_in_any_spelling():
    """Discovery's sub-column test (`crawler.discover`) drops article links before spelling them
    canonically; that is only right if an article URL stays one once canonical. Checked over
    generated URLs of the pieces the families' article URLs are made of."""
    pieces = ["/", "t20240101_1", "content_12", "doc_ab12", "i12", "20240101", "art", "2024", "info", "3",
              ".html", ".shtml", ".pdf", "index", "nlist", ".htm", "a", "?x=1", ":80", "%2F"]
    rng, articles = random.Random(5), 0
    for _ in range(20000):
        url = "http://A.gov.cn" + "".join(rng.choice(pieces) for _ in range(rng.randint(1, 8)))
        if is_article_url(url):
            articles += 1
            assert is_article_url(canonical_url(url)), url
    assert articles > 100


def test_the_fast_url_splitter_splits_as_urlsplit_does():
    """`split_url` takes a shortcut for plain absolute URLs and hands everything else to
    `urlsplit`; over generated URLs of the pieces real ones are made of (with whitespace, control
    characters, non-ASCII, IPv6 hosts, other schemes) the two agree."""
    from urllib.parse import urlsplit

    from monitor.observations import split_url

    pieces = list("abcXY019/.?#:@[]%&=;-_ \t\n\x7f\x00中") + [
        "http://", "HTTPS://", "//", "index.html", ":80", "?q=1", "#f", "mailto:", "ftp://", "[::1]", "javascript:"]
    rng, shortcut = random.Random(7), 0
    for _ in range(50000):
        url = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 10)))
        try:
            expected = tuple(urlsplit(url))[:4]
        except ValueError:
            with pytest.raises(ValueError):
                split_url(url)
            continue
        assert tuple(split_url(url)) == expected, repr(url)
        shortcut += url.startswith(("http://", "HTTPS://")) and url.isascii() and url.isprintable()
    assert shortcut > 1000


def test_link_text_whitespace_collapses_as_the_whitespace_pattern_would():
    """`clean` collapses whitespace with `str.split`; it must know every character `\\s` does."""
    import re

    from crawler.pages.html import clean

    spaces = [chr(c) for c in range(0x3100) if re.fullmatch(r"\s", chr(c))]
    rng = random.Random(2)
    for _ in range(20000):
        text = "".join(rng.choice(spaces + list("ab中")) for _ in range(rng.randint(0, 12)))
        assert clean(text) == re.sub(r"\s+", " ", text).strip(), repr(text)
