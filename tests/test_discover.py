"""Column discovery on a unit's site page: navigation links named like disclosure columns,
same host only, no articles, one entry per URL and per name."""
from __future__ import annotations

from pathlib import Path

from crawler.extract import discover_columns

DATA = Path(__file__).parent / "data" / "portal_pages"


def test_pingtan_left_nav_with_br_in_names():
    html = (DATA / "pingtan_zfxxgknb_list.html").read_text(encoding="utf-8")
    found = discover_columns(html, "https://www.pingtan.gov.cn/zwgk/zfxxgk/")
    assert found == [
        ("法定主动公开内容", "https://www.pingtan.gov.cn/zwgk/zfxxgk/fdzdgknr/"),
        ("政府信息公开年报", "https://www.pingtan.gov.cn/zwgk/zfxxgk/zfxxgknb/nlist.htm"),
        ("政府信息公开申请", "https://www.pingtan.gov.cn/zwgk/zfxxgk/zfxxgksq/"),
    ]


def test_the_page_itself_is_not_one_of_its_columns():
    html = (DATA / "pingtan_zfxxgknb_list.html").read_text(encoding="utf-8")
    names = [n for n, _ in discover_columns(html, "https://www.pingtan.gov.cn/zwgk/zfxxgk/zfxxgknb/")]
    assert "政府信息公开年报" not in names   # nlist.htm and …/zfxxgknb/ are one column


def test_same_host_no_articles_no_plain_nav_first_wins():
    html = """<html><body><ul class="nav">
      <li><a href="/">网站首页</a></li>
      <li><a href="tzgg/">通 知<br/>公 告</a></li>
      <li><a href="tzgg/index.html">通知公告（旧）</a></li>
      <li><a href="/col/col3950/index.html">政策文件</a></li>
      <li><a href="/col/col3951/index.html">政策文件</a></li>
      <li><a href="http://www.gov.cn/zhengce/">国务院政策文件库</a></li>
      <li><a href="tzgg/202611/t20261120_1.html">关于公示的通知</a></li>
      <li><a href="/art/20260115/i3849993.html">人事任免公示</a></li>
      <li><a href="javascript:void(0)">政府信息公开指南</a></li>
      <li><a href="zfxxgkzn.html" title="政府信息公开指南"><img src="x.png"></a></li>
      <li><a href="lxwm.html">联系我们</a></li>
      <li><a href="gzdt/">工作动态</a></li>
    </ul><script>var x = '<a href="/js/">通知公告</a>';</script></body></html>"""
    found = discover_columns(html, "http://127.0.0.1:8640/xzspj/")
    assert found == [
        ("通知公告", "http://127.0.0.1:8640/xzspj/tzgg/"),
        ("政策文件", "http://127.0.0.1:8640/col/col3950/index.html"),
        ("政府信息公开指南", "http://127.0.0.1:8640/xzspj/zfxxgkzn.html"),
        ("工作动态", "http://127.0.0.1:8640/xzspj/gzdt/"),
    ]


def test_nothing_to_discover():
    assert discover_columns("", "http://x.gov.cn/") == []
    assert discover_columns("<html><body><p>建设中</p></body></html>", "http://x.gov.cn/") == []
