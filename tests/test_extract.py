"""The generic list extractor on the real 平潭 page and on generated pages of each layout and
encoding (decoded the way the crawler decodes them: Scrapy responses through
EncodingFixMiddleware)."""
from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from scrapy import Request
from scrapy.http import HtmlResponse

from crawler.extract import MAX_ITEMS, extract_list
from crawler.middlewares import EncodingFixMiddleware
from monitor.config import ListSelectors

TODAY = date(2026, 11, 26)
DATA = Path(__file__).parent / "data" / "portal_pages"
PINGTAN_LIST = Path(__file__).parent / "data" / "realpages" / "trs_jiyuehua" / "pingtan_zfxxgknb_list.html"
PINGTAN_URL = "https://www.pingtan.gov.cn/zwgk/zfxxgk/zfxxgknb/"
NAV = ('<div class="nav"><a href="/">网站首页</a><a href="/xxgk/">信息公开</a><a href="/xxgk/tzgg/index.html">通知公告</a>'
       '<a href="/col/col123/index.html">政策文件</a><a href="/xxgk/nb/nlist.htm">年报</a><a href="/lxwm.html">联系我们</a>'
       '<a href="/xxgk/tzgg/">更多&gt;&gt;</a></div>')


def page(body: str, head: str = '<meta charset="utf-8">') -> str:
    return f"<!DOCTYPE html><html><head>{head}<title>列表</title></head><body>{NAV}{body}</body></html>"


def decoded(body: bytes, url: str, content_type: str) -> str:
    """The text the spider would see for these bytes and this Content-Type header."""
    response = HtmlResponse(url, body=body, headers={"Content-Type": content_type}, request=Request(url))
    return EncodingFixMiddleware().process_response(response.request, response).text


def test_pingtan_real_page_ten_reports_nothing_from_the_template():
    html = PINGTAN_LIST.read_text(encoding="utf-8")
    result = extract_list(html, PINGTAN_URL, today=TODAY)
    assert [(i.title[7:11], i.date) for i in result.items] == [
        ("2025", "2026-03-10"), ("2024", "2025-03-10"), ("2023", "2024-03-08"), ("2022", "2023-02-20"),
        ("2021", "2022-02-08"), ("2020", "2021-03-05"), ("2019", "2020-01-20"), ("2018", "2019-01-10"),
        ("2017", "2018-01-23"), ("2016", "2017-01-18")]
    first = result.items[0]
    assert first.title == "平潭综合实验区2025年度政府信息公开工作年度报告"
    assert first.url == PINGTAN_URL + "202603/t20260313_105587.htm"   # the URL date (03-13) is not the shown one
    assert first.date_text == "2026-03-10"
    assert all(i.url.startswith(PINGTAN_URL) and i.title for i in result.items)
    assert result.next_page is None


def trs_rows(n: int = 5, date_fmt: str = "{y}-{m:02d}-{d:02d}") -> str:
    return "".join(
        f'<li><a href="./2026{m:02d}/t2026{m:02d}{d:02d}_{1000 + d}.html" title="关于第{d}批项目的公示">关于第{d}批项目的公示</a>'
        f"<span>{date_fmt.format(y=2026, m=m, d=d)}</span></li>" for m, d in ((11, 20 - i) for i in range(n)))


@pytest.mark.parametrize("fmt, first", [
    ("{y}-{m:02d}-{d:02d}", "2026-11-20"), ("{y}/{m}/{d}", "2026-11-20"), ("{y}.{m:02d}.{d:02d}", "2026-11-20"),
    ("{y}年{m}月{d}日", "2026-11-20"), ("[{m:02d}-{d:02d}]", "2026-11-20"), ("发布时间：{y}-{m:02d}-{d:02d} 10:30", "2026-11-20"),
])
def test_trs_list_date_formats(fmt, first):
    url = "http://x.gov.cn/xxgk/tzgg/"
    html = page(f'<ul class="list">{trs_rows(5, fmt)}</ul>'
                '<script>createPageHTML(4, 0, "index", "html");</script>')
    result = extract_list(html, url, today=TODAY)
    assert len(result.items) == 5
    assert result.items[0].date == first and result.items[0].url == url + "202611/t20261120_1020.html"
    assert result.next_page == url + "index_1.html"


def test_trs_paging_follows_the_current_page():
    url = "http://x.gov.cn/xxgk/tzgg/index_2.html"
    assert extract_list(page(f"<ul>{trs_rows()}</ul><script>createPageHTML(4, 2, 'index', 'shtml')</script>"),
                        url, today=TODAY).next_page == "http://x.gov.cn/xxgk/tzgg/index_3.shtml"
    assert extract_list(page(f"<ul>{trs_rows()}</ul><script>createPageHTML(4, 3, 'index', 'html')</script>"),
                        url, today=TODAY).next_page is None


def test_hanweb_list_with_next_link():
    url = "http://y.gov.cn/col/col3849/index.html"
    rows = "".join(f'<tr><td><a href="/art/20260115/i38499{d}.html" target="_blank">县发改局工作动态第{d}期</a></td>'
                   f"<td>2026-01-{d:02d}</td></tr>" for d in range(10, 16))
    html = page(f'<table class="list"><tbody>{rows}</tbody></table>'
                '<div class="page"><a href="/col/col3849/index.html">首页</a><a href="?uid=1&pageNum=2">下一页</a>'
                '<a href="?uid=1&pageNum=9">尾页</a></div>')
    result = extract_list(html, url, today=TODAY)
    assert [i.date for i in result.items] == [f"2026-01-{d}" for d in range(10, 16)]
    assert result.items[0].url == "http://y.gov.cn/art/20260115/i3849910.html"
    assert result.next_page == "http://y.gov.cn/col/col3849/index.html?uid=1&pageNum=2"


def test_dl_dd_layout_and_hidden_templates():
    rows = "".join(f'<dl><dd><a href="./202611/t202611{d}_{d}.htm">通知{d}</a></dd><dd>2026-11-{d}</dd></dl>'
                   for d in (20, 19, 18))
    hidden = ('<div style="display:none"><dl ms-repeat="list"><dd><a ms-attr-href="el.url" href="./202611/t20261125_9.htm">'
              '{{el.title}}</a></dd><dd ms-text="el.date">2026-11-25</dd></dl></div>'
              '<ul><li v-for="x in list"><a href="./202611/t20261126_8.htm">{{ x.title }}</a><span>2026-11-26</span></li></ul>'
              '<template><li><a href="./202611/t20261126_7.htm">模板标题</a><span>2026-11-26</span></li></template>'
              '<script>document.write(\'<li><a href="./202611/t20261126_6.htm">脚本标题</a>2026-11-26</li>\')</script>')
    result = extract_list(page(f'<div class="list">{rows}</div>{hidden}'), "http://x.gov.cn/xxgk/tzgg/", today=TODAY)
    assert [(i.title, i.date) for i in result.items] == [
        ("通知20", "2026-11-20"), ("通知19", "2026-11-19"), ("通知18", "2026-11-18")]


def test_blank_column_with_only_navigation_has_no_items():
    html = page('<div class="list"><p>暂无信息</p></div><div class="page"><a href="index_1.html">下一页</a>'
                '<a href="index.html">1</a><a href="javascript:void(0)">2</a></div>')
    assert extract_list(html, "http://x.gov.cn/xxgk/tzgg/", today=TODAY).items == []
    assert extract_list("", "http://x.gov.cn/", today=TODAY).items == []


def test_undated_items_have_no_date():
    rows = "".join(f'<li><a href="/xxgk/zcwj/content_5830{d}.html">县政府关于印发第{d}号文件的通知</a></li>' for d in range(4))
    result = extract_list(page(f"<ul>{rows}</ul>"), "http://x.gov.cn/xxgk/zcwj/", today=TODAY)
    assert len(result.items) == 4 and all(i.date is None and i.date_text is None for i in result.items)


def test_a_date_in_the_title_is_not_the_item_date():
    html = page('<ul><li><a href="/xxgk/tzgg/202611/t20261101_1.html">关于2026年11月20日停电的通知</a>'
                '<span>2026-11-01</span></li><li><a href="/xxgk/tzgg/202610/t20261001_2.html">'
                '关于2026年12月1日起施行新规的公告</a></li></ul>')
    items = extract_list(html, "http://x.gov.cn/xxgk/tzgg/", today=TODAY).items
    assert [(i.title, i.date) for i in items] == [("关于2026年11月20日停电的通知", "2026-11-01"),
                                                  ("关于2026年12月1日起施行新规的公告", None)]


def test_date_inside_the_link_and_month_day_year_from_url():
    html = page('<ul><li><a href="/gzdt/202512/t20251230_5.html">年终总结会召开<span class="date">12-30</span></a></li>'
                '<li><a href="/gzdt/202601/t20260104_6.html">新年第一次常务会<span class="date">01-04</span></a></li></ul>')
    items = extract_list(html, "http://x.gov.cn/gzdt/", today=date(2026, 1, 5)).items
    assert [(i.title, i.date) for i in items] == [("年终总结会召开", "2025-12-30"), ("新年第一次常务会", "2026-01-04")]


def test_sidebar_list_does_not_mix_into_the_column():
    main = "".join(f'<li><a href="/xxgk/rsxx/2025{m:02d}/t2025{m:02d}01_{m}.html">人事任免{m}</a><span>2025-{m:02d}-01</span></li>'
                   for m in range(1, 7))
    side = "".join(f'<li><a href="/news/202611/t202611{d}_9{d}.html">要闻{d}</a><span>2026-11-{d}</span></li>' for d in (24, 25))
    html = page(f'<div class="main"><ul class="list">{main}</ul></div><div class="side"><ul class="hot">{side}</ul></div>')
    items = extract_list(html, "http://x.gov.cn/xxgk/rsxx/", today=TODAY).items
    assert len(items) == 6 and max(i.date for i in items) == "2025-06-01"


def test_custom_selectors():
    rows = "".join(f'<div class="news-item"><h4><a href="/x/{d}.html">消息{d}</a></h4><em class="pubdate">2026年11月{d}日</em>'
                   f'<p>摘要 2020-01-01</p></div>' for d in (3, 2))
    selectors = ListSelectors(item="div.news-item", title="h4 a", date="em.pubdate")
    items = extract_list(page(rows), "http://x.gov.cn/x/", today=TODAY, selectors=selectors).items
    assert [(i.title, i.url, i.date) for i in items] == [("消息3", "http://x.gov.cn/x/3.html", "2026-11-03"),
                                                         ("消息2", "http://x.gov.cn/x/2.html", "2026-11-02")]


def test_titles_prefer_title_attribute_collapse_whitespace_and_are_capped():
    long = "很长" * 400
    html = page(f'<ul><li><a href="/a/t20261120_1.html" title="  完整\n 标题  ">截断标题…</a><span>2026-11-20</span></li>'
                f'<li><a href="/a/t20261119_2.html">{long}</a><span>2026-11-19</span></li>'
                '<li><a href="/a/t20261118_3.html">&lt;script&gt;alert(1)&lt;/script&gt;标题</a><span>2026-11-18</span></li></ul>')
    items = extract_list(html, "http://x.gov.cn/a/", today=TODAY).items
    assert items[0].title == "完整 标题"
    assert len(items[1].title) == 500
    assert items[2].title == "<script>alert(1)</script>标题"   # plain text; escaped wherever it is shown


def test_items_per_page_are_capped():
    rows = "".join(f'<li><a href="/a/t20261120_{i}.html">标题{i}</a><span>2026-11-20</span></li>' for i in range(MAX_ITEMS + 50))
    assert len(extract_list(page(f"<ul>{rows}</ul>"), "http://x.gov.cn/a/", today=TODAY).items) == MAX_ITEMS


@pytest.mark.parametrize("encoding, head, content_type", [
    ("gbk", '<meta http-equiv="Content-Type" content="text/html; charset=gb2312">', "text/html"),
    ("gbk", '<meta charset="gbk">', "text/html; charset=GB2312"),
    ("gbk", '<meta charset="gb2312">', "text/html; charset=utf-8"),      # the header lies
    ("gbk", "", "text/html; charset=utf-8"),                              # lies, and no meta either
    ("utf-8", '<meta charset="utf-8">', "text/html; charset=utf-8"),
    ("utf-8", '<meta charset="utf-8">', "text/html"),
])
def test_encodings_decode_to_the_right_titles(encoding, head, content_type):
    rows = ('<li><a href="/a/t20261120_1.html">朱镕基同志王堃喆视察工作</a><span>2026-11-20</span></li>'
            '<li><a href="/a/t20261119_2.html">县政府信息公开年度报告</a><span>2026-11-19</span></li>')
    url = "http://x.gov.cn/a/"
    text = decoded(page(f"<ul>{rows}</ul>", head).encode(encoding), url, content_type)
    items = extract_list(text, url, today=TODAY).items
    assert [i.title for i in items] == ["朱镕基同志王堃喆视察工作", "县政府信息公开年度报告"]


def test_deeply_nested_and_broken_markup():
    deep = "<div>" * 5000 + '<a href="/a/t20261120_1.html">深层标题</a>2026-11-20' + "</div>" * 5000
    extract_list(page(deep), "http://x.gov.cn/a/", today=TODAY)   # must not raise
    broken = page('<ul><li><a href="/a/t20261120_1.html">未闭合<li><a href="/a/t20261119_2.html">标题二</a> 2026-11-19')
    items = extract_list(broken, "http://x.gov.cn/a/", today=TODAY).items
    assert [i.url[-8:] for i in items] == ["_1.html", "_2.html"] or len(items) == 2
    xml_declared = '<?xml version="1.0" encoding="gbk"?>' + page(f"<ul>{trs_rows(2)}</ul>")
    assert len(extract_list(xml_declared, "http://x.gov.cn/a/", today=TODAY).items) == 2


def test_fast_link_resolution_agrees_with_urljoin():
    """The extractor's fast path for links must give exactly what urljoin gives."""
    import itertools
    from urllib.parse import urljoin

    from crawler.pages.html import Base

    bases = ["http://h:1/a/b/index.html", "http://h/a/b/", "http://h", "http://h/", "http://h/a/b.html?x=1/2",
             "https://h.cn/col/col3/index.html#x", "http://h/a?b", "http://h/a/b/c/d.html"]
    hrefs = ["c.html", "./c.html", "../c.html", "../../c.html", "../../../../c.html", "./../c.html", "/x/y.html",
             "//o.cn/z", "?page=2", "http://z/", "./202611/t20261120_1.html", "a/b/c", "/", "#top", "mailto:a@b",
             "javascript:;", "a.html?x=1", "/..", "..", "./", "../", "x/../y", "./x/./y", "../a/", ".hidden",
             "index.html#x"]
    for base, href in itertools.product(bases, hrefs):
        assert Base(base).join(href) == urljoin(base, href), (base, href)


# --- what a page without list items is (issue 14 case 1): the checks decide, the extractor says

GUIDE_TEXT = ("<p>为了更好地提供政府信息公开服务，根据《中华人民共和国政府信息公开条例》，编制本指南。</p>"
              "<p>申请公开的政府信息不存在的，告知申请人无相关信息。</p><p>一、主动公开。二、依申请公开。三、监督和救济。</p>")


@pytest.mark.parametrize("body, kind, note", [
    ('<h2>通知公告</h2><div class="no-data">暂无信息</div>', "empty", "暂无信息"),
    ("<h2>通知公告</h2><table><tr><td>  没有相关记录！ </td></tr></table>", "empty", "没有相关记录！"),
    ('<h2>工作动态</h2><ul class="news_list"></ul>', "empty", None),
    ('<ul id="list"></ul><script>createPageHTML(1, 0, "index", "html");</script>', "empty", None),
    ('<ul><li><a href="/x/a.html">甲</a></li></ul><script>createPageHTML(5, 0, "index", "html");</script>',
     "unreadable", "list_unrecognised"),
    (f'<h1>政府信息公开指南</h1><div>发布时间：2025-03-01 09:00</div><div class="TRS_Editor">{GUIDE_TEXT}</div>',
     "article", "2025-03-01"),
    ('<h1>机构职能</h1><div id="zoom">' + "<p>负责全县财政收支管理，拟订财政发展规划和政策并组织实施，管理政府性基金。</p>" * 7 + "</div>",
     "article", None),
    ('<form><input name="u"><input type="Password" name="p"><button>登录</button></form>', "unreadable", "login"),
    ("<h1>欢迎访问</h1><p>本站正在维护。</p>", "unreadable", "no_list"),
])
def test_what_a_page_without_items_is(body, kind, note):
    result = extract_list(page(body), "http://x/xxgk/tzgg/", today=TODAY)
    assert (result.items, result.kind, result.note) == ([], kind, note)


@pytest.mark.parametrize("text, note", [
    ("", "empty_body"), ("   \n", "empty_body"),
    ('<html><head><script>document.cookie="waf=1";location.reload();</script></head><body></body></html>',
     "script_only"),
])
def test_unreadable_pages_say_why(text, note):
    result = extract_list(text, "http://x/xxgk/tzgg/", today=TODAY)
    assert (result.kind, result.note) == ("unreadable", note)


@pytest.mark.parametrize("content_type", ["text/html", "text/html; charset=utf-8", "text/html; charset=gbk"])
def test_binary_served_as_html_is_unreadable(content_type):
    import random
    import zlib
    garbage = b"\x89PNG\r\n\x1a\n" + zlib.compress(random.Random(3).randbytes(8000), 0)
    result = extract_list(decoded(garbage, "http://x/xxgk/zcwj/", content_type), "http://x/xxgk/zcwj/", today=TODAY)
    assert (result.items, result.kind, result.note) == ([], "unreadable", "binary")


def test_a_list_page_is_a_list():
    result = extract_list(page(f'<ul class="list">{trs_rows(3)}</ul>'), "http://x/xxgk/tzgg/", today=TODAY)
    assert len(result.items) == 3 and (result.kind, result.note) == ("list", None)


# ------------------------------------------------------------------ issue 10: pagers (case 4)

def dated_rows(n: int = 5, prefix: str = "/xxgk/tzgg") -> str:
    return "".join(f'<li><a href="{prefix}/202611/t202611{20 - i:02d}_{300 + i}.html">通知第{i}号</a>'
                   f"<span>2026-11-{20 - i:02d}</span></li>" for i in range(n))


def test_trs_count_page_pager_written_by_document_write():
    script = ('<script>var currentPage={cur};var prevPage=currentPage-1;var nextPage=currentPage+1;var countPage={n};'
              'document.write("<a href=\\"index.shtml\\">首页</a>");'
              'if(countPage>1&&currentPage!=(countPage-1))document.write("<a class=\'tow\' href=\\"index"+"_"+nextPage'
              '+"."+"shtml\\">下一页</a>");</script>')
    url = "http://x.gov.cn/zdgz/sctg/"
    html = page(f'<ul>{dated_rows()}</ul>{script.format(cur=0, n=11)}')
    assert extract_list(html, url, today=TODAY).next_page == url + "index_1.shtml"
    html = page(f'<ul>{dated_rows()}</ul>{script.format(cur=3, n=11)}')
    assert extract_list(html, url + "index_3.shtml", today=TODAY).next_page == url + "index_4.shtml"
    html = page(f'<ul>{dated_rows()}</ul>{script.format(cur=10, n=11)}')     # the last page
    assert extract_list(html, url + "index_10.shtml", today=TODAY).next_page is None


@pytest.mark.parametrize("page_url, expected", [
    ("http://x.gov.cn/xxgk/tzgg/index_1.html", "http://x.gov.cn/xxgk/tzgg/index_2.html"),
    ("http://x.gov.cn/xxgk/tzgg/column-index-2.shtml", "http://x.gov.cn/xxgk/tzgg/column-index-3.shtml"),
    ("http://x.gov.cn/a/xxgk/list_5_2.html", "http://x.gov.cn/a/xxgk/list_5_3.html"),
    ("http://x.gov.cn/list.jsp?catId=3&pageNo=2", "http://x.gov.cn/list.jsp?catId=3&pageNo=3"),
    ("http://x.gov.cn/list.aspx?PageIndex=2&c=1", "http://x.gov.cn/list.aspx?PageIndex=3&c=1"),
    ("http://x.gov.cn/list?page=2", "http://x.gov.cn/list?page=3"),
])
def test_javascript_pager_call_follows_the_page_url_scheme(page_url, expected):
    """`javascript:goPage(3)` with no URL-building function: the page number goes into this page's own scheme."""
    html = page(f'<ul>{dated_rows()}</ul><div class="pager"><a href="javascript:goPage(1)">1</a>'
                '<span>2</span><a href="javascript:goPage(3)">下一页</a></div>')
    result = extract_list(html, page_url, today=TODAY)
    assert (result.next_page, result.unreachable) == (expected, None)


def test_javascript_pager_built_by_its_function_and_numbered_links():
    url = "http://x.gov.cn/xxgk/gzdt/"
    script = '<script>function gotoCurrentPage(p){ location.href = "list_" + (p - 1) + ".htm"; }</script>'
    html = page(f'{script}<ul>{dated_rows()}</ul><a href="javascript:gotoCurrentPage(\'2\')">下一页</a>')
    assert extract_list(html, url, today=TODAY).next_page == url + "list_1.htm"
    # no 下一页: the link to the page after this one (same column only)
    html = page(f'<ul>{dated_rows()}</ul><div class="page"><span>1</span><a href="index_1.html">2</a>'
                '<a href="index_2.html">3</a><a href="index_9.html">尾页</a></div>')
    assert extract_list(html, url, today=TODAY).next_page == url + "index_1.html"
    html = page(f'<ul>{dated_rows()}</ul><div class="page"><a href="index.html">1</a><span>2</span>'
                '<a href="index_2.html">3</a><a href="index_9.html">尾页</a></div>')
    assert extract_list(html, url + "index_1.html", today=TODAY).next_page == url + "index_2.html"


@pytest.mark.parametrize("pager, reason", [
    ('<a href="javascript:void(0);" class="goNext">下一页</a>', "script_pager"),      # live, only a script follows it
    ('<a href="javascript:void(0);" class="goNext disable">下一页</a>', None),       # the last page
    ('<script>$("#pageShow").pagination({dataUrl: "list_date_article.jhtml?classid=3f"});</script>', "ajax_pager"),
    ('<script>listModel({ quickMode: "动静结合", maxStaticIndex: 1, pagebar: { prepage: 5, recordCount: \'40\' } })'
     '</script>', "search_api"),
    ('<script>listModel({ quickMode: "动静结合", maxStaticIndex: 1, pagebar: { prepage: 5, recordCount: \'5\' } })'
     '</script>', None),                                                            # all rows are static
    ('<div class="page"><a href="index_1.html">下一页</a></div>', None),
])
def test_later_pages_that_cannot_be_fetched_are_said_so(pager, reason):
    result = extract_list(page(f"<ul>{dated_rows()}</ul>{pager}"), "http://x.gov.cn/xxgk/tzgg/", today=TODAY)
    assert len(result.items) == 5 and result.unreachable == reason
    assert (result.next_page is None) == (reason is not None or "disable" in pager or "动静结合" in pager)


def hanweb_store(records: int, first: int = 1, total: str = "") -> str:
    rows = "".join(f'<record><![CDATA[<li><a href="/art/2026/11/{(first + i) % 28 + 1}/art_12_{first + i}.html" '
                   f'title="公告{first + i}">公告{first + i}</a><b>2026-11-{(first + i) % 28 + 1:02d}</b></li>]]></record>'
                   for i in range(records))
    return (f'<datastore>{total}<nextgroup><![CDATA[<a href="/module/web/jpage/dataproxy.jsp?page=1&webid=1&'
            f'columnid=12&unitid=7"></a>]]></nextgroup><recordset>{rows}</recordset></datastore>')


def test_hanweb_jpage_datastore_and_its_dataproxy_pages():
    url = "http://h.gov.cn/col/col12/index.html"
    html = page(f'<div id="7"><script type="text/xml">{hanweb_store(45)}</script></div>'
                '<script>$("#7").jpage({ perPage: 15, totalRecord: 50 });</script>')
    result = extract_list(html, url, today=TODAY)
    assert len(result.items) == 45 and result.items[0].url == "http://h.gov.cn/art/2026/11/2/art_12_1.html"
    proxy = "http://h.gov.cn/module/web/jpage/dataproxy.jsp?page=1&webid=1&columnid=12&unitid=7"
    assert result.next_page == proxy + "&startrecord=46&endrecord=90&perpage=15"
    # the dataproxy answer (XML): the next range while records remain
    answer = f'<?xml version="1.0" encoding="UTF-8"?>{hanweb_store(45, 46, "<totalrecord>200</totalrecord>")}'
    result = extract_list(answer, result.next_page, today=TODAY)
    assert len(result.items) == 45 and result.next_page == proxy + "&startrecord=91&endrecord=135&perpage=15"
    last = f'<?xml version="1.0" encoding="UTF-8"?>{hanweb_store(5, 46, "<totalrecord>50</totalrecord>")}'
    assert extract_list(last, proxy + "&startrecord=46&endrecord=90&perpage=15", today=TODAY).next_page is None


# ------------------------------------------------------------------ issue 10: which group is the list (case 5)

def test_a_hidden_tab_of_another_column_never_wins():
    other = dated_rows(6, "/xxgk/zcwj")
    own = dated_rows(6, "/xxgk/tzgg")
    for hidden in ('class="tab hide"', 'style="display: none"', 'class="hidden"', "hidden"):
        html = page(f'<div {hidden}><ul class="list">{other}</ul></div><div class="tab"><ul class="list">{own}</ul></div>')
        items = extract_list(html, "http://x.gov.cn/xxgk/tzgg/", today=TODAY).items
        assert {i.url.split("/")[4] for i in items} == {"tzgg"}, hidden


def test_off_site_links_and_undated_link_blocks_never_win():
    widget = "".join(f'<li><a href="http://www.s{i}.gov.cn/art/2026/1/1/art_1_{900 + i}.html">部门网站{i}</a></li>'
                     for i in range(42))
    related = "".join(f'<li><a href="/xxgk/zt/content_{7000 + i}.html">专题报道第{i}篇</a></li>' for i in range(9))
    html = page(f'<ul class="links">{widget}</ul><ul class="rel">{related}</ul><ul class="list">{dated_rows(5)}</ul>')
    items = extract_list(html, "http://x.gov.cn/xxgk/tzgg/", today=TODAY).items
    assert len(items) == 5 and all(i.url.startswith("http://x.gov.cn/xxgk/tzgg/") and i.date for i in items)
    # a list of off-site items alone is still read (a column of links to other sites)
    assert len(extract_list(page(f'<ul>{widget}</ul>'), "http://x.gov.cn/xxgk/lj/", today=TODAY).items) == 42


def test_the_group_under_the_column_heading_wins_a_tie():
    block = '<div class="box"><h3>{name}</h3><ul class="list">{rows}</ul></div>'
    html = ('<html><head><meta charset="utf-8"><title>人事信息_某县人民政府</title></head><body>'
            + block.format(name="通知公告", rows=dated_rows(5, "/xxgk/tzgg"))
            + block.format(name="人事信息", rows=dated_rows(5, "/xxgk/rsxx")) + "</body></html>")
    items = extract_list(html, "http://x.gov.cn/xxgk/rsxx/", today=TODAY).items
    assert {i.url.split("/")[4] for i in items} == {"rsxx"}
    # without a heading the first of equal groups stays the list
    items = extract_list(html.replace("人事信息_", "某栏目_"), "http://x.gov.cn/xxgk/rsxx/", today=TODAY).items
    assert {i.url.split("/")[4] for i in items} == {"tzgg"}


# ------------------------------------------------------------------ issue 10: the year of a month-day (case 6)

def test_the_year_of_a_month_day_from_a_comment_a_hidden_element_or_the_list_order():
    today = date(2018, 7, 7)
    rows = ('<li><a href="/a/8a80.jhtml">甲条目标题</a><span class="date"><!-- 2018-->07-04</span></li>'
            '<li><a href="/a/8a81.jhtml">乙条目标题</a><span class="date"><!--\t2017-->07-04</span></li>'
            '<li><a href="/a/8a82.jhtml">丙条目标题</a><span class="date"><span style="display:none">2015</span>06-16</span></li>'
            '<li><a href="/a/8a83.jhtml">丁条目标题</a><span class="date">12-20</span></li>'
            '<li><a href="/a/8a84.jhtml">戊条目标题</a><span class="date">03-02</span></li>'
            '<li><a href="/a/8a85.jhtml">己条目标题</a><span class="date"><!-- 2013-->11-11</span></li>')
    items = extract_list(page(f'<ul class="list">{rows}</ul>'), "http://x.gov.cn/a/", today=today).items
    # the comment's year, the hidden element's year, and between two known rows the list's order
    assert [i.date for i in items] == ["2018-07-04", "2017-07-04", "2015-06-16", "2014-12-20", "2014-03-02",
                                       "2013-11-11"]
    # with no year anywhere, today's guess stays (the latest year not after today)
    plain = rows.replace("<!-- 2018-->", "").replace("<!--\t2017-->", "").replace(
        '<span style="display:none">2015</span>', "").replace("<!-- 2013-->", "")
    items = extract_list(page(f'<ul class="list">{plain}</ul>'), "http://x.gov.cn/a/", today=today).items
    assert [i.date for i in items] == ["2018-07-04", "2018-07-04", "2018-06-16", "2017-12-20", "2018-03-02",
                                       "2017-11-11"]


def test_a_list_served_as_json():
    """The JSON a list page fills itself from (a column configured with its API URL): records with
    a title and a URL, dates as text or epoch milliseconds, the next page while the page count allows."""
    docs = [{"DOCTITLE": f"关于第{i}批项目的公示", "docpuburl": f"/xxgk/gsgg/202611/t202611{20 - i}_{i}.htm",
             "docreltime": f"2026-11-{20 - i} 10:00:00"} for i in range(3)]
    docs.append({"doctitle": "毫秒时间戳", "docpuburl": "https://x.gov.cn/a/9.htm", "docreltime": 1763596800000})
    answer = json.dumps({"code": 200, "data": {"pageCount": 4, "docs": docs, "links": [{"name": "首页"}]}},
                        ensure_ascii=False)
    url = "http://x.gov.cn/api/search?channelid=1&page=1&prepage=15"
    result = extract_list(answer, url, today=TODAY)
    assert [(i.title, i.url, i.date) for i in result.items] == [
        ("关于第0批项目的公示", "http://x.gov.cn/xxgk/gsgg/202611/t20261120_0.htm", "2026-11-20"),
        ("关于第1批项目的公示", "http://x.gov.cn/xxgk/gsgg/202611/t20261119_1.htm", "2026-11-19"),
        ("关于第2批项目的公示", "http://x.gov.cn/xxgk/gsgg/202611/t20261118_2.htm", "2026-11-18"),
        ("毫秒时间戳", "https://x.gov.cn/a/9.htm", "2025-11-20")]
    assert result.next_page == "http://x.gov.cn/api/search?channelid=1&page=2&prepage=15"
    assert extract_list(answer, url.replace("page=1", "page=4"), today=TODAY).next_page is None
    broken = extract_list('{"data": [', url, today=TODAY)
    assert (broken.items, broken.kind) == ([], "unreadable")


def static_and_search(rows: int, records: int, api: bool = True) -> str:
    """A TRS 集约化 动静结合 list page: `rows` static rows, `records` in all, the search API named or not."""
    named = 'listApi: { url: "/fjdzapp/search" }, ' if api else ""
    return page(f"<ul>{dated_rows(rows)}</ul><script>var SiteInfo = {{ searchId: 200210 }};"
                f'var pageChnlInfo={{ quickMode:"动静结合", maxStaticIndex: 1, classsql: "" || "chnlid=426", '
                f"recordCount:'{records}', prepage:{rows} }};"
                f"listModel({{ quickMode: pageChnlInfo.quickMode, listArgs: {{ channelid: SiteInfo.searchId, "
                f"classsql: pageChnlInfo.classsql }}, {named}pagebar: {{ prepage: pageChnlInfo.prepage }} }});</script>")


def test_a_static_and_search_list_continues_on_the_search_api_it_names():
    url = "http://x.gov.cn/zwgk/gsgg/"
    result = extract_list(static_and_search(5, 40), url, today=TODAY)
    assert (len(result.items), result.unreachable) == (5, None)
    assert result.next_page == ("http://x.gov.cn/fjdzapp/search?channelid=200210&classsql=chnlid%3D426"
                                "&sortfield=-docorderpri%2C-docreltime&page=2&prepage=5")
    unnamed = extract_list(static_and_search(5, 40, api=False), url, today=TODAY)
    assert (unnamed.next_page, unnamed.unreachable) == (None, "search_api")
    complete = extract_list(static_and_search(5, 5), url, today=TODAY)
    assert (complete.next_page, complete.unreachable) == (None, None)


def test_an_undated_column_list_is_not_replaced_by_a_small_dated_sidebar():
    own = "".join(f'<li><a href="/xxgk/zcwj/content_{5830 + i}.html">县政府关于印发第{i}号文件的通知</a></li>' for i in range(12))
    side = "".join(f'<li><a href="/news/202611/t202611{d}_9{d}.html">要闻{d}</a><span>2026-11-{d}</span></li>'
                   for d in (21, 22, 23, 24, 25))
    html = page(f'<div class="side"><h3>最新信息</h3><ul class="hot">{side}</ul></div><ul class="list">{own}</ul>')
    items = extract_list(html, "http://x.gov.cn/xxgk/zcwj/", today=TODAY).items
    assert len(items) == 12 and all(i.date is None for i in items)


def test_menus_breadcrumbs_and_footers_are_never_the_list():
    menu = "".join(f'<div class="panel-row"><a href="/view/ItemDetail.html?docId={121000 + i}">要闻第{i}条</a></div>'
                   for i in range(10))
    crumb = ('<div class="breadcrumb"><a href="/">首页</a> <a href="/view/ItemList.html?itemId=4113">总局机关</a></div>')
    foot = '<footer><a href="http://www.beian.gov.cn/portal/registerSystemInfo?recordcode=11010202008000">京公网安备</a></footer>'
    article = "<div class='article'><h1>行政处罚信息公开表</h1><p>发布时间：2024-07-12</p><p>" + "当事人名称及违法事实。" * 30 + "</p></div>"
    html = page(f'<div class="nav-panel">{menu}</div>{crumb}{article}{foot}')
    result = extract_list(html, "http://x.gov.cn/view/ItemDetail.html?docId=1170162", today=TODAY)
    assert (result.items, result.kind, result.note) == ([], "article", "2024-07-12")
    # the same links outside such containers are a list
    listed = extract_list(page(f'<div class="list">{menu}</div>'), "http://x.gov.cn/view/", today=TODAY)
    assert len(listed.items) == 10


def test_an_empty_list_filled_by_a_script_names_its_data_url():
    script = ('<script>$.getJSON("/api/list?channelId=12&pageNo=1&pageSize=15", function (d) {'
              ' $("#list").html(render(d)); });</script>')
    html = page(f'<ul id="list" class="list"></ul>{script}')
    result = extract_list(html, "http://x.gov.cn/xxgk/tzgg/", today=TODAY)
    assert (result.items, result.next_page) == ([], "http://x.gov.cn/api/list?channelId=12&pageNo=1&pageSize=15")
    # a page that lists its rows does not go to a script's URL
    listed = extract_list(page(f'<ul class="list">{dated_rows()}</ul>{script}'), "http://x.gov.cn/xxgk/tzgg/",
                          today=TODAY)
    assert (len(listed.items), listed.next_page) == (5, None)


def test_a_dated_row_linking_to_another_sites_home_page_is_an_item():
    rows = ('<li><a href="http://www.zgdaoyou.com/"><span>2016-11-09</span>导游云课堂研修培训</a></li>'
            + dated_rows(4) + '<li><a href="http://www.gov.cn/">中国政府网</a></li>')
    items = extract_list(page(f'<ul class="list">{rows}</ul>'), "http://x.gov.cn/xxgk/tzgg/", today=TODAY).items
    assert [i.url for i in items][:2] == ["http://www.zgdaoyou.com/", "http://x.gov.cn/xxgk/tzgg/202611/t20261120_300.html"]
    assert len(items) == 5 and items[0].date == "2016-11-09"
