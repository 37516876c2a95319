"""HTML of the demo portal: unit site pages and column list pages in two CMS layouts.

The markup copies the structures crawlers meet on real county sites (TRS `createPageHTML`
paging, the 平潭 `rules_tabs_01` list with its hidden avalon template, Hanweb `col/colNNN`
lists with a 下一页 link, and the families of tests/data/realpages/: Hanweb JCMS jpage
datastores, 博达 VSB lists, a `gotoCurrentPage()` pager, a 公开目录 tree with tiles). Every link
is relative or root-relative so any port works.
"""
from __future__ import annotations

import zlib
from datetime import date
from html import escape

from monitor.demo.content import COUNTY
from monitor.demo.model import Column, Item, Unit

#: the 公开目录 node whose page is a navigation of sub-columns (on a `tree` site): name, path slug
TREE_ROOT = ("法定主动公开内容", "fdzdgknr")
#: where a Hanweb JCMS site answers jpage's requests for later records
DATAPROXY = "/module/web/jpage/dataproxy.jsp"
_SHOW = {"iso": "%Y-%m-%d", "slash": "%Y/%m/%d", "dot": "%Y.%m.%d", "short": "[%m-%d]", "label": "发布时间：%Y-%m-%d"}


def show_date(day: date, fmt: str) -> str:
    """A date as the unit's CMS prints it in lists."""
    if fmt == "cn":
        return f"{day.year}年{day.month}月{day.day}日"
    return day.strftime(_SHOW[fmt])


def column_path(unit: Unit | str, slug: str, cms: str, number: int) -> str:
    """Canonical list URL path of a column (TRS directory, Hanweb col/colNNN/index.html)."""
    uid = unit if isinstance(unit, str) else unit.id
    if cms == "vsb":
        return f"/{uid}/{slug}.htm"
    return f"/{uid}/{slug}/" if cms == "trs" else f"/{uid}/col/col{number}/index.html"


def column_number(col: Column) -> int:
    """The CMS's number of a column: Hanweb's colN, else (VSB's /info/N/ category) one from its slug."""
    if "/col/col" in col.path:
        return int(col.path.split("/col/col")[1].split("/")[0])
    return 1000 + zlib.crc32(col.slug.encode()) % 9000


def _href(unit: Unit, path: str, from_site: bool, depth: int = 1) -> str:
    """TRS links relative to the page: `depth` directories below the site (a column page 1, an
    article in its month directory 2)."""
    if unit.cms != "trs":
        return path
    return ("./" if from_site else "../" * depth) + path[len(unit.site_path):]


def _nav(unit: Unit, from_site: bool, depth: int = 1) -> str:
    # a tree site links its columns from its 公开目录 only; a VSB list page, as the family's pages
    # (tests/data/realpages/vsb), links no other column of the unit
    shown = unit.site_layout == "nav" and (from_site or unit.cms != "vsb")
    cols = [c for c in unit.columns if c.in_nav] if shown else []
    top = "".join(f'<li><a href="{_href(unit, c.path, from_site, depth)}">{escape(c.name)}</a></li>' for c in cols)
    left = []
    for c in cols:
        label = escape(c.name) if len(c.name) <= 6 else f"{escape(c.name[:4])}<br>{escape(c.name[4:])}"
        href = _href(unit, c.alt_path or c.path, from_site, depth)
        left.append(f'<li><h3><a href="{href}"><i class="trt-iconfont"></i><span>{label}</span></a></h3></li>')
    return (f'<div class="nav-wrap"><ul class="nav"><li><a href="/">首页</a></li>'
            f'<li><a href="{unit.site_path}">政务公开</a></li>{top}</ul></div>\n'
            f'<div class="left-nav"><ul>{"".join(left)}</ul></div>\n')


def _frame(unit: Unit, title: str, body: str, from_site: bool, depth: int = 1) -> str:
    charset = ('<meta charset="utf-8">' if unit.encoding == "utf-8" else
               '<meta http-equiv="Content-Type" content="text/html; charset=gb2312">')
    return (f"<!DOCTYPE html>\n<html>\n<head>\n{charset}\n<title>{escape(title)}</title>\n"
            f'<meta name="SiteName" content="{escape(unit.name)}">\n</head>\n<body>\n'
            f'<div class="header"><a href="/">首页</a> | <a href="http://www.gov.cn/" target="_blank">中国政府网</a>'
            f' | <span>{escape(unit.name)}</span></div>\n{_nav(unit, from_site, depth)}'
            f'<div class="main">\n{body}\n</div>\n'
            f'<div class="footer"><a href="{unit.site_path}lxwm.html">联系我们</a> | '
            f'<a href="{unit.site_path}wzdt.html">网站地图</a> | '
            f'相关链接：<a href="http://www.hengyang.gov.cn/xxgk/" target="_blank">衡阳市政府信息公开</a>'
            f'<p>主办单位：{escape(unit.name)}　湘ICP备05012345号　政府网站标识码4304230001</p></div>\n'
            f"</body>\n</html>\n")


def site_html(unit: Unit) -> str:
    """The unit's 政府信息公开 root: its columns are discovered from the navigation."""
    body = (f'<div class="position">当前位置：<a href="/">首页</a> &gt; 政府信息公开</div>\n'
            f"<h2>{escape(unit.name)}政府信息公开</h2>\n"
            f"<p>根据《中华人民共和国政府信息公开条例》，{escape(unit.name)}主动公开本单位政府信息。"
            f"如需依申请公开，请参阅政府信息公开指南。</p>")
    return _frame(unit, f"政府信息公开_{unit.name}", body, from_site=True)


def tree_site_html(unit: Unit) -> str:
    """A 政府信息公开 root whose columns are a 公开目录 tree (法定主动公开内容 leads to a page of
    sub-columns) and tiles whose name sits in an element beside their 更多 link (the blocks of
    tests/data/realpages/nav/cnta_nav_1.html)."""
    nodes = [(TREE_ROOT[0], f"{unit.site_path}{TREE_ROOT[1]}/")] * any(c.place == "sub" for c in unit.columns)
    nodes += [(c.name, c.path) for c in unit.columns if c.place == "" and c.in_nav]
    tree = "".join(f'<li class="tree-node"><i class="tree-icon"></i><a href="{escape(path)}">{escape(name)}</a></li>'
                   for name, path in nodes)
    tiles = "".join(f'<div class="tile"><div class="tile-name">{escape(c.name)}</div>'
                    f'<a class="more" href="{escape(c.path)}">更多</a></div>\n'
                    for c in unit.columns if c.place == "tile")
    body = (f'<div class="position">当前位置：<a href="/">首页</a> &gt; 政府信息公开</div>\n'
            f"<h2>{escape(unit.name)}政府信息公开目录</h2>\n"
            f'<div class="xxgk-tree"><ul>{tree}</ul></div>\n<div class="tiles">\n{tiles}</div>')
    return _frame(unit, f"政府信息公开_{unit.name}", body, from_site=True)


def sub_navigation_html(unit: Unit) -> str:
    """The 法定主动公开内容 page of a tree site: no list, a navigation of its sub-columns."""
    links = "".join(f'<li><a href="./{c.path.rstrip("/").rsplit("/", 1)[1]}/">{escape(c.name)}</a></li>'
                    for c in unit.columns if c.place == "sub")
    body = (f'<div class="position">当前位置：<a href="/">首页</a> &gt; <a href="{unit.site_path}">政府信息公开</a>'
            f" &gt; {TREE_ROOT[0]}</div>\n<h2>{TREE_ROOT[0]}</h2>\n<ul class=\"xxgk-subnav\">{links}</ul>")
    return _frame(unit, f"{TREE_ROOT[0]}_{unit.name}", body, from_site=False)


def static_html(unit: Unit, title: str, text: str) -> str:
    return _frame(unit, f"{title}_{unit.name}", f"<h2>{escape(title)}</h2>\n<p>{escape(text)}</p>", False)


def home_html(units: list[Unit], news: list[Item]) -> str:
    """The county portal root: its 要闻 block (dated items) and a link to every unit's disclosure site."""
    links = "".join(f'<li><a href="{u.site_path}">{escape(u.name)}</a></li>' for u in units)
    rows = "".join(f'<li><a href="{escape(i.href)}">{escape(i.title)}</a><span>{i.date:%Y-%m-%d}</span></li>'
                   for i in news if i.date)
    return (f'<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>{COUNTY}人民政府门户网站</title></head>'
            f'<body><h1>{COUNTY}人民政府</h1><h2>要闻动态</h2><ul class="news">{rows}</ul>'
            f'<h2>部门和乡镇信息公开目录</h2><ul class="units">{links}</ul></body></html>\n')


# ------------------------------------------------------------------------------ list markup

def _date_text(unit: Unit, item: Item) -> str:
    return show_date(item.date, unit.date_format) if item.date else ""


def _ul(unit: Unit, items: list[Item]) -> str:
    rows = []
    for it in items:
        shown = it.title if len(it.title) <= 30 else it.title[:28] + "..."
        day = f'<span class="date">{_date_text(unit, it)}</span>' if it.date else ""
        rows.append(f'<li><a href="{escape(it.href)}" target="_blank" title="{escape(it.title)}">'
                    f"{escape(shown)}</a>{day}</li>")
    return '<ul class="list">\n' + "\n".join(rows) + "\n</ul>"


def _table(unit: Unit, items: list[Item]) -> str:
    rows = "".join(f'<tr><td class="title"><a href="{escape(it.href)}" title="{escape(it.title)}">'
                   f'{escape(it.title)}</a></td><td class="date">{_date_text(unit, it)}</td></tr>\n'
                   for it in items)
    return (f'<table class="list-table" width="100%" cellspacing="0">\n<tr><th>标题</th><th>发布日期</th></tr>\n'
            f"{rows}</table>")


def _board(items: list[Item]) -> str:
    """A 领导信箱 board as county portals show one: 信件标题 / 留言时间 / 回复时间 / 办理状态 (W7), with full
    dates whatever the unit's lists show."""
    rows = "".join(f'<tr><td>{n}</td><td class="title"><a href="{escape(it.href)}">{escape(it.title)}</a></td>'
                   f'<td>{it.date:%Y-%m-%d}</td><td>{f"{it.replied:%Y-%m-%d}" if it.replied else ""}</td>'
                   f'<td>{"已回复" if it.replied else "办理中"}</td></tr>\n' for n, it in enumerate(items, 1))
    return ('<table class="xxlist" width="100%">\n<tr><th>序号</th><th>信件标题</th><th>留言时间</th><th>回复时间</th>'
            f"<th>办理状态</th></tr>\n{rows}</table>")


_AVALON_TEMPLATE = """<div class="rules_tabs_01 rules_tabs_no_bg" ms-visible="!showStatic" style="display: none">
    <div ms-if="list.length==0"><div ms-if="!error" class="loading"></div><div ms-if="error" ms-text="error|html"></div></div>
    <dl ms-if="list.length>0" ms-repeat="list" ms-if-loop="$index<10">
        <dd class="trt-col-sm-24 slb-trt-col-24 text_align_left">
            <a ms-attr-href="el.chnldocurl" ms-attr-title="el.doctitle" ms-text="el.doctitle|html" target="_blank"></a>
        </dd>
        <dd class="trt-col-4 trt-col-sm-24 slb-trt-col-24 text_align_left" ms-text="el.docreltime|date('yyyy-MM-dd')">
        </dd>
    </dl>
</div>
<div class="page_base mar_t_base" ms-controller="list_pagebar" ms-include-src="pgTemp" ms-if="pageCount>0"></div>"""


def _dl(unit: Unit, items: list[Item]) -> str:
    rows = "".join(
        f'\n    <dl>\n        <dd class="trt-col-sm-24 slb-trt-col-24 text_align_left">\n'
        f'            <a href="{escape(it.href)}" target="_blank" title="{escape(it.title)}">{escape(it.title)}</a>\n'
        f'        </dd>\n        <dd class="trt-col-4 trt-col-sm-24 slb-trt-col-24 text_align_left">\n'
        f"            {_date_text(unit, it)}\n        </dd>\n    </dl>\n" for it in items)
    return ('<div class="rules_tabs_01 none_sm slb_none rules_tabs_no_bg">\n    <dl><dt class="trt-col-sm-24">标题</dt>'
            '<dt class="trt-col-4 trt-col-sm-24 text_align_left">发布日期</dt></dl>\n</div>\n'
            f'<div class="rules_tabs_01 rules_tabs_no_bg" ms-visible="showStatic">{rows}</div>\n{_AVALON_TEMPLATE}')


def _custom(unit: Unit, items: list[Item]) -> str:
    rows = "".join(f'<div class="news-item"><h4><a href="{escape(it.href)}">{escape(it.title)}</a></h4>'
                   f'<p class="summary">{escape(it.title)}。详情请点击查看。</p>'
                   f'<em class="pubdate">{_date_text(unit, it)}</em></div>\n' for it in items)
    return f'<div class="news-list">\n{rows}</div>'


def _vsb(unit: Unit, items: list[Item]) -> str:
    """博达 VSB rows (the family's documented markup, tests/data/realpages/vsb/tzgg.html)."""
    rows = "".join(f'<li id="line_u7_{n}"><a href="{escape(it.href)}" target="_blank" title="{escape(it.title)}">'
                   f"{escape(it.title)}</a><span>{_date_text(unit, it)}</span></li>\n" for n, it in enumerate(items))
    return f'<div class="list"><ul>\n{rows}</ul>'


def _records(unit: Unit, items: list[Item]) -> str:
    """Hanweb jpage rows: one CDATA `<record>` each, as in the real datastore of
    tests/data/realpages/hanweb/dingxi_col12377.html."""
    return "".join(f'<record><![CDATA[\n<li class="clearfix">    <a target="_blank" href="{escape(it.href)}" '
                   f'title="{escape(it.title)}">{escape(it.title)}</a>    <b>{_date_text(unit, it)}</b></li>]]></record>\n'
                   for it in items)


def _datastore(unit: Unit, col: Column, items: list[Item]) -> str:
    """The first records of a Hanweb JCMS column in `<script type="text/xml">` inside the jpage
    container; the `nextgroup` link names dataproxy.jsp, which jpage asks for the records after them
    (built, like the page around the fixture's real datastore, from the family's documented markup)."""
    number = column_number(col)
    proxy = f"{DATAPROXY}?page=1&appid=1&webid=1&path=/&columnid={number}&unitid={number + 30000}&permissiontype=0"
    return (f'<div class="bt-list" id="{number + 30000}"><script type="text/xml"><datastore>\n'
            f'<nextgroup><![CDATA[<a href="{proxy}"></a>]]></nextgroup>\n<recordset>\n'
            f"{_records(unit, items)}</recordset>\n</datastore>\n</script>\n"
            f'<script language="javascript" src="/module/web/jpage/jpage.js"></script>\n'
            f'<script>$("#{number + 30000}").jpage({{ perPage: {col.per_page}, groupSize: 1, '
            f'totalRecord: {len(col.items)}, proxyUrl: "{DATAPROXY}" }});</script>\n</div>')


def dataproxy_xml(unit: Unit, col: Column, start: int, end: int) -> str:
    """dataproxy.jsp's answer: the records `start`…`end` (1-based) of a JCMS column and their total."""
    return (f'<?xml version="1.0" encoding="UTF-8"?><datastore><totalrecord>{len(col.items)}</totalrecord>'
            f"<totalpage>{col.pages}</totalpage><recordset>\n{_records(unit, col.items[start - 1:end])}"
            f"</recordset></datastore>")


_MARKUP = {"ul": _ul, "table": _table, "dl": _dl, "custom": _custom, "vsb": _vsb}


def _pager(unit: Unit, col: Column, page: int) -> str:
    """Paging as the CMS announces it: TRS by script, Hanweb by 下一页 links (JCMS: its datastore)."""
    if unit.cms == "jcms":
        return ""
    if unit.cms == "vsb":
        return _vsb_pager(col, page) if col.pages > 1 else ""
    if unit.cms == "trs" and unit.paging == "js":
        return _js_pager(col, page)
    if unit.cms == "trs":
        return f'<div class="page"></div>\n<script>createPageHTML({col.pages}, {page}, "index", "html");</script>'
    if col.pages == 1:
        return ""
    links = [f'<a href="{_hanweb_page(unit, col, 1)}">首页</a>']
    if page > 0:
        links.append(f'<a href="{_hanweb_page(unit, col, page)}">上一页</a>')
    if page + 1 < col.pages:
        links.append(f'<a href="{_hanweb_page(unit, col, page + 2)}">下一页</a>')
    links.append(f'<a href="{_hanweb_page(unit, col, col.pages)}">尾页</a>')
    return f'<div class="pagination">{" ".join(links)} 共{col.pages}页 第{page + 1}页</div>'


def _vsb_pager(col: Column, page: int) -> str:
    """VSB's fanye table (tests/data/realpages/vsb/tzgg.html): 共N条 page/pages, 下页 and 尾页 links to
    pages numbered downwards (page 2 of 3 is `tzgg/2.htm`, relative to the column's `tzgg.htm`)."""
    def link(number: int) -> str:     # page `number` (1-based, as shown), relative to the current page
        if number == 1:
            return f"../{col.slug}.htm" if page else f"{col.slug}.htm"
        return f"{'' if page else col.slug + '/'}{col.pages - number + 1}.htm"
    nav = [f'<a href="{link(1)}">首页</a>' if page else '<span class="Disabled">首页</span>',
           f'<a href="{link(page)}">上页</a>' if page else '<span class="Disabled">上页</span>',
           f'<a href="{link(page + 2)}" class="Next">下页</a>' if page + 1 < col.pages else '<span class="Disabled">下页</span>',
           f'<a href="{link(col.pages)}" class="Next">尾页</a>' if page + 1 < col.pages else '<span class="Disabled">尾页</span>']
    return (f'<table cellspacing="0" cellpadding="0" border="0"><tr><td nowrap align="left" width="1%" '
            f'id="fanye{column_number(col)}">共{len(col.items)}条&nbsp;&nbsp;{page + 1}/{col.pages}&nbsp;</td>'
            f'<td nowrap align="left"><div>&nbsp;&nbsp;{"&nbsp;".join(nav)}&nbsp;</div></td></tr></table>')


def _js_pager(col: Column, page: int) -> str:
    """A pager of `javascript:gotoCurrentPage('N')` calls whose function opens index_(N-1).html
    (tests/data/realpages/js_pager/gzdt.html; page 1 is index.html)."""
    calls = [f"<span>{n}</span>" if n == page + 1 else f"<a href=\"javascript:gotoCurrentPage('{n}')\">{n}</a>"
             for n in range(1, col.pages + 1)]
    if page + 1 < col.pages:
        calls.append(f"<a href=\"javascript:gotoCurrentPage('{page + 2}')\">下一页</a>")
    calls.append(f"<a href=\"javascript:gotoCurrentPage('{col.pages}')\">尾页</a>")
    return ('<script>function gotoCurrentPage(page) { var url = "index.html"; if (page > 1) url = "index_" + '
            '(page - 1) + ".html"; window.location.href = url; }</script>\n'
            f'<div class="pager">{"".join(calls)}</div>')


def _hanweb_page(unit: Unit, col: Column, number: int) -> str:
    if number == 1:
        return "index.html"
    return f"?page={number}" if unit.paging == "query" else f"index_{number}.html"


def page_path(unit: Unit, col: Column, page: int) -> str:
    """URL path (with query, if any) of list page `page` (0-based) of a column."""
    if page == 0:
        return col.path
    if unit.cms == "vsb":
        return f"{col.path.removesuffix('.htm')}/{col.pages - page}.htm"
    if unit.cms == "trs":
        return f"{col.path}index_{page}.html"
    base = col.path.rsplit("/", 1)[0] + "/"
    link = _hanweb_page(unit, col, page + 1)
    return col.path + link if link.startswith("?") else base + link


def list_html(unit: Unit, col: Column, page: int, tail: str = "") -> str:
    """List page `page` of a column; `tail` is appended raw (hostile padding)."""
    items = col.items[page * col.per_page:(page + 1) * col.per_page]
    listing = (_board(items) if col.category == "interaction" else _datastore(unit, col, items)
               if unit.cms == "jcms" else _MARKUP[unit.markup](unit, items)) \
        if items else '<div class="no-data">暂无信息</div>'
    body = (f'<div class="position">当前位置：<a href="/">首页</a> &gt; <a href="{unit.site_path}">政府信息公开</a>'
            f" &gt; {escape(col.name)}</div>\n<h2 class=\"column-title\">{escape(col.name)}</h2>\n"
            f"{listing}\n{_pager(unit, col, page)}{tail}")
    return _frame(unit, f"{col.name}_{unit.name}", body, from_site=False)


def article_path(col: Column, item: Item) -> str:
    """Absolute path of an item's detail page (TRS hrefs are relative to the column directory)."""
    return col.path + item.href[2:] if item.href.startswith("./") else item.href


def index_number(item: Item) -> str:
    """索引号 as 公开目录 codes it: organisation code / year-serial (from the document id in the URL)."""
    serial = "".join(ch for ch in item.href.rsplit("/", 1)[-1] if ch.isdigit())[-5:]
    return f"430423001/{item.date.year if item.date else 2025}-{serial:0>5}"


VIEWS = "浏览次数：1"


def _metadata(unit: Unit, item: Item) -> str:
    """The 信息公开目录 metadata block (索引号 / 发布机构 / 成文日期 / 发布日期 / 文号)."""
    cells = [("索引号", index_number(item)), ("发布机构", unit.name),
             ("成文日期", f"{item.written:%Y-%m-%d}" if item.written else ""),
             ("发布日期", f"{item.date:%Y-%m-%d}" if item.date else ""), ("文号", item.doc_no or "")]
    rows = "".join(f"<tr><th>{label}：</th><td>{escape(value)}</td></tr>" for label, value in cells)
    return f'<table class="xxgk-meta">{rows}</table>\n'


def article_html(unit: Unit, col: Column, item: Item) -> str:
    """A detail page with the national 政府网站 meta set (as on the 平潭 skeleton), the 公开目录
    metadata block and a view counter outside the main text."""
    shown = f"{item.date:%Y-%m-%d} 10:30" if item.date else ""
    depth = article_path(col, item)[len(unit.site_path):].count("/")
    text = item.body if item.body is not None else (
        f"<p>{escape(item.title)}。</p><p>为深入贯彻落实上级有关部署，现将有关事项公开如下。（正文略）</p>")
    body = (f'<div class="breadcrumb">当前位置：<a href="/">首页</a> &gt; <a href="{unit.site_path}">政府信息公开</a>'
            f' &gt; <a href="{_href(unit, col.path, False, depth)}">{escape(col.name)}</a></div>\n'
            f'<div class="article"><h1 class="article_title">{escape(item.title)}</h1>\n{_metadata(unit, item)}'
            f'<div class="article_extend"><span class="article_source">来源：{escape(unit.name)}</span> '
            f'<span class="article_time">时间：{shown}</span> <span class="views">{VIEWS}</span></div>\n'
            f'<div class="article_content"><div class="TRS_Editor">{text}</div></div>\n'
            f'<div class="article_tools"><a href="javascript:window.print()">【打印】</a>'
            f'<a href="javascript:window.close()">【关闭】</a></div></div>')
    meta = (f'<meta name="ColumnName" content="{escape(col.name)}">\n'
            f'<meta name="ArticleTitle" content="{escape(item.title)}">\n<meta name="PubDate" content="{shown}">\n')
    return _frame(unit, f"{item.title}_{col.name}_{unit.name}", body, from_site=False, depth=depth).replace(
        "</title>\n", "</title>\n" + meta, 1)
