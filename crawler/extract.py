"""Generic extraction of list pages, on lxml trees (column navigation: `crawler.discover`).

One extractor has to read every county CMS (TRS, Hanweb, VSB, home-grown tables) without
per-site selectors, and it runs on every fetched page, so it works on raw lxml elements
(BeautifulSoup is ~5× slower, docs/design.md §7.3). The idea: a list item is a link to
an article-like URL (or a link in a row that shows a date); its *row* is the largest ancestor
that holds no other item link; the rows of the largest group of sibling containers are the
list, so a sidebar does not mix into the column. Template markup (avalon `ms-*`, Vue `v-for`,
`<template>`, `<script>`) and navigation links are never content; a hidden group (another
column's tab) or a group of off-site links never wins, and a dated group counts double.
The next page is read from the pager the CMS writes (a link, a TRS `createPageHTML`/`countPage`
script, a `javascript:` call whose target can be computed, a Hanweb jpage datastore); a pager
whose pages only a script can fetch makes the page say that later pages are unreachable.
"""
from __future__ import annotations

import json
import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from functools import lru_cache
from typing import Callable
from urllib.parse import urlencode, urljoin, urlsplit

from lxml import etree
from lxml.cssselect import CSSSelector

from crawler.dates import find_date, shows_year, year_from_url, years_from_order
from monitor.config import ListSelectors
from monitor.item_observations import drop_element, item_metadata, main_text, parse_page
from monitor.observations import MAX_TITLE, ListItem, canonical_url

MAX_ITEMS = 1000
_ROW_DEPTH = 8  # a row is at most this many levels above its title link
_MAX_ROW_TEXT = 600  # characters beside the title in a list row (a date, a source, a summary)

_NOT_CONTENT_TAGS = ("script", "style", "template", "noscript")
_TEMPLATE_CANDIDATES = etree.XPath("//*[@*[starts-with(name(), 'ms-') or starts-with(name(), 'v-')]]")
_TEMPLATE_ATTR = re.compile(r"^(?:ms-(?:repeat|for|each|text|html|attr-)|v-for$|v-bind:)")
_WS = re.compile(r"\s+")
_INDEX_STEMS = {"index", "nlist", "list", "default", "main"}
_HANWEB_COLUMN = re.compile(r"/col/col\d+/")
_NAV_TEXT = re.compile(r"^(?:网站首页|首页|返回首页|返回|更多|more|上一页|下一页|上页|下页|前页|后页|尾页|末页|跳转|go"
                       r"|\d{1,4}|[<>«»‹›.…]+)[\s>»]*$", re.I)
_DATE_LIKE = re.compile(r"\d{1,4}\s*[-/.年月]\s*\d{1,2}")
_NEXT_TEXT = re.compile(r"^(?:下一页|下页|后页|next)\s*[>»›]*$", re.I)
_NEXT_HINT = re.compile(r"下一页|下页|后页|next|&#|尾页|末页", re.I)   # a pager can be there only if the page has one
_ITEM_URL = re.compile(r"\d{4,}|[0-9a-f]{16,}", re.I)
_DOCUMENT = re.compile(r"\.(?:pdf|docx?|xlsx?|wps|et|ofd|zip|rar)$", re.I)
# known CMS article URL shapes: TRS t20261120_123.htm, Hanweb /20260115/i3849993.html and
# /art/2026/1/15/art_1_2.html, VSB /info/1535/298461.htm, /content_123.html, /doc_<hex>.html
_ARTICLE_URL = re.compile(
    r"/t\d{8}_\d+\.\w+$|/\d{8}/i\d+\.\w+$|/art/\d{4}/|/info/\d+/\d+\.\w+$|content_\d+\.\w+$|/doc_[0-9a-f]+\.\w+$",
    re.I,
)
_TRS_PAGER = re.compile(
    r"createPageHTML\(\s*(?:['\"][^'\"]*['\"]\s*,\s*)?(\d+)\s*,\s*(\d+)\s*,\s*['\"]([\w-]+)['\"]\s*,\s*['\"](\w+)['\"]"
)
# TRS pagers written by document.write: `var countPage=11; var currentPage=0;` and hrefs built as
# "index"+"_"+nextPage+"."+"shtml" (the first page's own link names the stem and extension)
_COUNT_PAGE = re.compile(r"\bcountPage\s*=\s*(\d+)")
_CURRENT_PAGE = re.compile(r"\bcurrentPage\s*=\s*(\d+)")
_PAGER_FILE = re.compile(r"[\"']([\w-]+)(?:[\"']\s*\+\s*[\"'])?\.(?:[\"']\s*\+\s*[\"'])?(s?html?|jsp|php|aspx?)\b")
# a javascript: pager call (`gotoCurrentPage('2')`, `goPage(3)`) and the URL its function builds
_JS_CALL = re.compile(r"([A-Za-z_$][\w$.]*)\(\s*['\"]?(\d+)['\"]?\s*[,)]")
_JS_URL = r"['\"]([^'\"]*)['\"]\s*\+\s*\(?\s*{arg}\s*(?:([-+])\s*(\d+))?\s*\)?\s*\+\s*['\"]([^'\"]*)['\"]"
# the page number in a list URL: TRS index_N (0-based), column-index-N, DedeCMS list_C_N, query parameters
_URL_PAGE = re.compile(r"(?P<stem>/index)_(?P<trs>\d+)(?P<ext>\.\w+)$|(?P<col>/column-index-)(?P<n1>\d+)(?P<ext1>\.\w+)$"
                       r"|(?P<dede>/list_\d+_)(?P<n2>\d+)(?P<ext2>\.\w+)$")
_QUERY_PAGE = re.compile(r"(?<![\w])((?:page|pageNo|pageNum|pageIndex|PageIndex|cur_page|curPage|currentPage|p)=)(\d+)")
# script pagers that fetch their pages by AJAX (tpc.pagination, laypage, jqPaginator, TRS 集约化 listApi)
_AJAX_PAGERS = ("dataUrl", ".pagination(", "laypage", "jqPaginator", "listApi")   # substring tests: fast
_STATIC_AND_SEARCH = re.compile(r"quickMode\s*:\s*['\"]动静结合['\"]")
_RECORD_COUNT = re.compile(r"recordCount\s*:\s*['\"]?(\d+)")
# … and the search API the page names for the rows after its static ones (TRS list2.trsapi listModel)
_LIST_API = re.compile(r"listApi\s*:\s*\{\s*url\s*:\s*['\"]([^'\"]+)")
_CHANNEL = re.compile(r"channelid\s*:\s*['\"]?(\d+)|\bsearchId\s*:\s*['\"]?(\d+)")
_CLASS_SQL = re.compile(r"classsql\s*:\s*(?:(['\"])\1\s*\|\|\s*)?['\"]([^'\"]+)['\"]")
_SORT_FIELD = re.compile(r"sortfield\s*:\s*['\"]([^'\"]+)['\"]")
_MAX_STATIC = re.compile(r"maxStaticIndex\s*:\s*(\d+)")
_PREPAGE = re.compile(r"prepage\s*:\s*['\"]?(\d+)")
_DISABLED = re.compile(r"disable", re.I)
# a data URL a script fills an empty list from: a string literal with a page parameter
_DATA_URL = re.compile(r"""["']((?:https?:/)?/?[\w./-]*\?[^"'\s<>]*?(?<![\w])(?:page|pageNo|pageNum|pageIndex|curPage)"""
                       r"""=\d+[^"'\s<>]*)["']""")
# Hanweb jpage: rows as CDATA <record>s inside <script type="text/xml">, later rows from dataproxy.jsp
_CDATA = re.compile(r"<!\[CDATA\[(.*?)\]\]>", re.S)
_XML_SCRIPT = re.compile(r"<script[^>]*text/xml[^>]*>(\s*<datastore>.*?</datastore>\s*)</script>", re.S | re.I)
_NEXT_GROUP = re.compile(r"<nextgroup>\s*(?:<!\[CDATA\[)?\s*<a[^>]*href=[\"']([^\"']+)", re.I)
_TOTAL_RECORD = re.compile(r"totalRecord\W{1,3}(\d+)", re.I)
_PER_PAGE = re.compile(r"perPage\W{1,3}(\d+)", re.I)
_RECORD_RANGE = re.compile(r"startrecord=(\d+)&endrecord=(\d+)", re.I)
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)
_HIDDEN_CLASS = re.compile(r"(?:^|\s)(?:hide|hidden)(?:\s|$)", re.I)
# a navigation container's class or id, a whole token: nav, navbar, nav-panel, mainnav, submenu, menu,
# the breadcrumb (当前位置: breadcrumb, crumbs, position, location, curpos, dqwz) and the footer
_NAV_CLASS = re.compile(r"(?:^|\s)(?:(?:main|sub|top|site|mega)?-?nav(?:bar|-?panel|-?menu)?(?:-container)?"
                        r"|(?:sub|mega|main|top)?-?menu|bread-?crumbs?|crumbs?|position|location|curpos|dqwz"
                        r"|footer|foot|copyright)(?:\s|$)", re.I)
_NAV_TAGS = ("nav", "footer")
_COLUMN_META = etree.XPath("string(//meta[@name='ColumnName']/@content)")


#: why a list's later pages cannot be fetched: a `javascript:` pager whose target cannot be computed,
#: a pager fetching its pages by AJAX, a 动静结合 list whose later pages come only from a search API
#: the page does not fully name; and (set by the spider) a next page that failed or listed nothing
UNREACHABLE_REASONS = ("script_pager", "ajax_pager", "search_api", "next_unread")

#: what a list page IS (the checks decide what that means): `list` (items read), `empty` (a column
#: page showing an empty-list notice or an empty list container), `article` (one text, `note` its
#: 发布日期 when shown), `unreadable` (no list structure; `note` says why, one of PAGE_REASONS)
PAGE_KINDS = ("list", "empty", "article", "unreadable")
PAGE_REASONS = ("empty_body", "binary", "login", "script_only", "list_unrecognised", "no_list")


@dataclass(slots=True)
class ListPage:
    items: list[ListItem] = field(default_factory=list)
    next_page: str | None = None
    kind: str = "list"              # one of PAGE_KINDS
    note: str | None = None         # the empty-list notice, the article's date, or the reason
    unreachable: str | None = None  # later pages exist but cannot be fetched: UNREACHABLE_REASONS


# --------------------------------------------------------------------------------- public API

def extract_list(html_text: str, page_url: str, *, today: date,
                 selectors: ListSelectors | None = None) -> ListPage:
    """The items of a column's list page, the URL of its next page (None on the last), and what
    the page is when it lists nothing (only then: the hot path pays nothing for it)."""
    if html_text[:1] in ("{", "[") or html_text.lstrip()[:1] in ("{", "["):
        return _json_list(html_text, page_url, today)
    datastore = _Datastore.of(html_text) if "<datastore" in html_text else None
    if datastore is not None:
        html_text = datastore.html
    root = parse_page(html_text)
    if root is None:
        return _unparsed(html_text)
    _drop_hidden(root, html_text)
    rows = _selected_rows(root, page_url, selectors) if selectors else _generic_rows(root, page_url)
    items: list[ListItem] = []
    guessed: list[bool] = []
    seen: set[str] = set()
    for row, anchor, url in rows:
        if url in seen:
            continue
        seen.add(url)
        made = _make_item(row, anchor, url, today, selectors)
        if made is not None:
            items.append(made[0])
            guessed.append(made[1])
            if len(items) >= MAX_ITEMS:
                break
    if any(guessed) and not all(guessed):
        _dates_from_order(items, guessed)
    next_page, unreachable = _pager(root, html_text, page_url, datastore, len(items))
    if items:
        return ListPage(items, next_page, unreachable=unreachable)
    return ListPage([], next_page, *_page_without_items(root, html_text, next_page), unreachable=unreachable)


@lru_cache(maxsize=65536)       # every link of every list page; a unit's navigation repeats on each
def is_index_url(url: str) -> bool:
    """Links to a column (directory, index.*, nlist.*, Hanweb /col/colN/) rather than an article."""
    path = urlsplit(url).path
    if not path or path.endswith("/") or _HANWEB_COLUMN.search(path):
        return True
    stem = path.rpartition("/")[2].rpartition(".")[0].lower()
    return stem in _INDEX_STEMS or stem.startswith("index_")


def is_article_url(url: str) -> bool:
    """URLs of the shapes CMSs give articles and attached documents."""
    path = urlsplit(url).path
    return bool(_ARTICLE_URL.search(path) or _DOCUMENT.search(path))


# --------------------------------------------------------------------------------- internals

#: an empty-list notice is the whole text of its element (a 公开指南 may well say 无相关信息 in a sentence)
_EMPTY_NOTICE = re.compile(r"[\W_]*(?:暂无|暂时没有|没有(?:找到)?|无)(?:相关|任何|符合条件的)?"
                           r"(?:信息|数据|内容|记录|文章|文件|公开信息)[\W_]*")
_LIST_WORDS = re.compile(r"list|(?<![a-z])lb(?![a-z])|news", re.I)
_CONTAINER_TAGS = ("ul", "ol", "dl", "table", "tbody", "div")
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffd]")
_PASSWORD = etree.XPath("//input[translate(@type, 'PASWORD', 'pasword') = 'password']")
ARTICLE_MIN_TEXT = 200       # characters of main text that make a page without a list an article
DATED_ARTICLE_MIN_TEXT = 50  # … or this many with a labelled 发布日期


def _unparsed(html_text: str) -> ListPage:
    """A page lxml gives no tree for: nothing at all, or bytes that are no text."""
    if not html_text.strip():
        return ListPage(kind="unreadable", note="empty_body")
    return ListPage(kind="unreadable", note="binary" if _looks_binary(html_text) else "no_list")


def _looks_binary(html_text: str) -> bool:
    """Bytes that are no text (an image or archive served as text/html) decode to control and
    replacement characters; a page of text has almost none."""
    head = html_text[:4096]
    return len(_CONTROL.findall(head)) > len(head) // 20


def _page_without_items(root: etree._Element, html_text: str, next_page: str | None) -> tuple[str, str | None]:
    """(kind, note) of a page where no list item was found: a column page saying it is empty, an
    article, or a page that shows no list at all (with the likely reason)."""
    if _looks_binary(html_text):
        return "unreadable", "binary"
    if _PASSWORD(root):
        return "unreadable", "login"
    body = root.find("body")
    body = body if body is not None else root
    for el in body.iter():
        for text in (el.text, el.tail):
            if text and len(text) < 40 and _EMPTY_NOTICE.fullmatch(text.strip()):
                return "empty", text.strip()
    if next_page is not None:        # a pager announcing more pages: a list we cannot read
        return "unreadable", "list_unrecognised"
    if _TRS_PAGER.search(html_text):  # TRS column paging on its only page
        return "empty", None
    visible = len(_WS.sub("", _text(body)))
    published = item_metadata(root)["pub_date"]
    article = len(_WS.sub("", main_text(root)))      # prunes navigation and furniture from the tree,
    if article >= ARTICLE_MIN_TEXT or (published and article >= DATED_ARTICLE_MIN_TEXT):
        return "article", published
    if _empty_list_container(root):                   # so this container is not a sidebar's
        return "empty", None
    if visible < DATED_ARTICLE_MIN_TEXT and "<script" in html_text.lower():
        return "unreadable", "script_only"
    return "unreadable", "no_list"


def _empty_list_container(root: etree._Element) -> bool:
    """A list-named element (class or id with list/lb/news) holding neither links nor text."""
    for el in root.iter(*_CONTAINER_TAGS):
        if _LIST_WORDS.search(f"{el.get('class', '')} {el.get('id', '')}") \
                and next(el.iter("a"), None) is None and not _text(el).strip():
            return True
    return False


def _drop_hidden(root: etree._Element, html_text: str) -> None:
    """Remove scripts and client-side template markup; the raw text gates the costly XPaths."""
    etree.strip_elements(root, *_NOT_CONTENT_TAGS, with_tail=False)
    if "ms-" not in html_text and "v-" not in html_text:
        return
    for el in _TEMPLATE_CANDIDATES(root):
        if any(_TEMPLATE_ATTR.match(name) for name in el.keys()):
            drop_element(el)   # the text that follows it stays


def _text(el: etree._Element) -> str:
    return "".join(el.itertext())


def _host(url: str) -> str:
    return canonical_url(url).split("/")[2] if "//" in url else ""


def _link(href: str | None, base: "_Base") -> str | None:
    """The http(s) URL a link's href names, without its fragment; None for scripts, mail, anchors."""
    href = (href or "").strip()
    if not href or href.startswith("#") or "{{" in href:
        return None
    scheme = href.partition(":")[0].lower() if ":" in href[:12] else ""
    if scheme and scheme not in ("http", "https"):
        return None
    url = base.join(href).partition("#")[0]
    return url if url.startswith(("http://", "https://")) else None


class _Base:
    """A page URL split once for resolving its links: urljoin, with fast paths for the shapes
    list pages use (urljoin was a third of the extraction time): absolute URLs, root-relative
    paths, and relative names with leading `./` or `../` segments only."""

    __slots__ = ("url", "origin", "directory", "path_start")

    def __init__(self, page_url: str):
        self.url = page_url
        host_start = page_url.find("//") + 2
        self.path_start = page_url.find("/", host_start) if host_start >= 2 else -1
        if self.path_start >= 0:
            cut = [i for i in (page_url.find("?"), page_url.find("#")) if i >= 0]
            self.origin = page_url[:self.path_start]
            self.directory = page_url[:page_url.rfind("/", self.path_start, min(cut, default=len(page_url))) + 1]

    def join(self, href: str) -> str:
        if href.startswith(("http://", "https://")):
            return href
        if self.path_start < 0 or href.startswith(("//", "?", "#")) or ":" in href:
            return urljoin(self.url, href)
        if href.startswith("/"):
            return self.origin + href if "/." not in href else urljoin(self.url, href)
        base, original = self.directory, href
        while True:
            if href.startswith("./"):
                href = href[2:]
            elif href.startswith("../") and len(base) > self.path_start + 1:
                href, base = href[3:], base[:base.rfind("/", self.path_start, len(base) - 1) + 1]
            else:
                break
        if href.startswith(".") or "/." in href:
            return urljoin(self.url, original)
        return base + href


def _clean(text: str) -> str:
    return _WS.sub(" ", text).strip()


def _is_item_link(anchor: etree._Element, url: str) -> bool:
    if is_index_url(url):
        return False
    text = _clean(anchor.get("title") or _text(anchor))
    return len(text) >= 2 and not _NAV_TEXT.match(text)


Row = tuple[etree._Element, etree._Element, str]


def _generic_rows(root: etree._Element, page_url: str) -> list[Row]:
    """(row, title link, URL) of the page's list: the best group of sibling rows (`_group_rank`)."""
    own = canonical_url(page_url)
    base = _Base(page_url)
    candidates: list[tuple[etree._Element, str]] = []
    for anchor in root.iter("a"):
        url = _link(anchor.get("href"), base)
        if url and _is_item_link(anchor, url) and canonical_url(url) != own:
            candidates.append((anchor, url))
    if not candidates:
        return []
    links_under: dict[etree._Element, int] = defaultdict(int)
    for anchor, _ in candidates:
        for ancestor in anchor.iterancestors():
            links_under[ancestor] += 1
    groups: dict[tuple, list[Row]] = defaultdict(list)
    for anchor, url in candidates:
        row = _row_of(anchor, links_under)
        if not (_looks_like_item_url(url) or _date_outside(row, anchor) or _date_inside(anchor)):
            continue
        parent = row.getparent()
        grand = parent.getparent() if parent is not None else None
        key = (parent.tag if parent is not None else None, parent.get("class") if parent is not None else None,
               id(grand))
        groups[key].append((row, anchor, url))
    placed = {key: _placement(rows[0][0]) for key, rows in groups.items()}
    groups = {key: rows for key, rows in groups.items() if placed[key] != "navigation"}
    if len(groups) <= 1:
        return _with_off_site_rows(next(iter(groups.values()), []), base)
    host = _host(page_url)
    ranks = {key: _group_rank(rows, host, placed[key] == "hidden") for key, rows in groups.items()}
    best = max(ranks.values())
    tied = [groups[key] for key, rank in ranks.items() if rank == best]   # document order
    return _with_off_site_rows(_under_heading(root, tied) if len(tied) > 1 else tied[0], base)


def _with_off_site_rows(rows: list[Row], base: "_Base") -> list[Row]:
    """The list's rows plus its dated rows linking to another site's home page (a pinned 导游云课堂
    → http://www.zgdaoyou.com/): such a URL looks like a column, so it was no candidate."""
    if not rows or rows[0][0] is rows[0][1]:
        return rows
    parent = rows[0][0].getparent()
    if parent is None or len(parent) <= len(rows):
        return rows
    listed = {row for row, _, _ in rows}
    extra: list[Row] = []
    for child in parent:
        if child in listed or not isinstance(child.tag, str):
            continue
        anchors = list(child.iter("a"))
        url = _link(anchors[0].get("href"), base) if len(anchors) == 1 else None
        if url and not url.startswith(base.origin) and is_index_url(url) \
                and (_date_outside(child, anchors[0]) or _date_inside(anchors[0])):
            extra.append((child, anchors[0], url))
    if not extra:
        return rows
    order = {child: i for i, child in enumerate(parent)}
    return sorted([*rows, *extra], key=lambda row: order.get(row[0], len(order)))


def _group_rank(rows: list[Row], host: str, hidden: bool) -> tuple[bool, bool, int, int]:
    """Which group is the list: a visible one, of this site's links, then the largest, a dated group
    counting double. Another column's tab hidden by `display:none`/`hide` and a widget of links to
    other sites never win; an undated link block (related links, a menu of article-like URLs) loses
    to a dated list unless it is over twice its size: a column whose own list shows no dates must
    not be judged by a small dated sidebar (最新信息) next to it."""
    on_host = sum(_host(url) == host for _, _, url in rows)
    dated = sum(_date_outside(row, anchor) or _date_inside(anchor) for row, anchor, _ in rows)
    weight = 2 if dated * 2 >= len(rows) else 1
    return not hidden, on_host * 2 >= len(rows), len(rows) * weight, len(rows)


def _placement(row: etree._Element) -> str | None:
    """`navigation` when the row sits in a <nav>, a menu or navigation panel (a mega-menu's news
    links are not the page's list), the breadcrumb or the footer; `hidden` when it or a container is hidden (`display:none`,
    `visibility:hidden`, class `hide`/`hidden`, the `hidden` attribute: another column's tab)."""
    for el in (row, *row.iterancestors()):
        if el.tag in _NAV_TAGS or _NAV_CLASS.search(f"{el.get('class') or ''} {el.get('id') or ''}"):
            return "navigation"
        if el.get("hidden") is not None or _HIDDEN_CLASS.search(el.get("class") or "") \
                or ((style := el.get("style")) and _HIDDEN_STYLE.search(style)):
            return "hidden"
    return None


def _column_heading(root: etree._Element) -> str:
    """The column's name as the page states it: the ColumnName meta, else the <title>'s first part."""
    name = _COLUMN_META(root).strip()
    if not name:
        title = root.find(".//title")
        name = re.split(r"[-_|｜—–]", _text(title))[0].strip() if title is not None else ""
    return _WS.sub("", name)


def _under_heading(root: etree._Element, tied: list[list[Row]]) -> list[Row]:
    """Of equal groups, the one closest below an element naming the column (its heading, the
    breadcrumb's last link); the first one when no group has the name above it."""
    heading = _column_heading(root)
    if not heading:
        return tied[0]
    position = {el: i for i, el in enumerate(root.iter())}
    named = [position[el] for el in root.iter() if el.text and el.tag != "title" and _WS.sub("", el.text) == heading]

    def distance(rows: list[Row]) -> float:
        start = position[rows[0][0]]
        return min((start - at for at in named if at < start), default=float("inf"))
    return min(tied, key=distance)     # min() keeps the first of equal distances


def _looks_like_item_url(url: str) -> bool:
    """Article ids are long numbers or hashes (in the path or query); documents count too."""
    parts = urlsplit(url)
    return bool(_ITEM_URL.search(f"{parts.path}?{parts.query}") or _DOCUMENT.search(parts.path))


def _row_of(anchor: etree._Element, links_under: dict[etree._Element, int]) -> etree._Element:
    row = anchor
    for depth, ancestor in enumerate(anchor.iterancestors()):
        if depth >= _ROW_DEPTH or links_under[ancestor] > 1 or ancestor.tag in ("body", "html"):
            break
        row = ancestor
    return row


@lru_cache(maxsize=256)
def _css(selector: str) -> CSSSelector:
    return CSSSelector(selector, translator="html")


def _selected_rows(root: etree._Element, page_url: str,
                   selectors: ListSelectors) -> list[tuple[etree._Element, etree._Element, str]]:
    rows = []
    base = _Base(page_url)
    for row in _css(selectors.item)(root):
        title = next(iter(_css(selectors.title)(row)), None) if selectors.title else row
        if title is None:
            continue
        anchor = title if title.tag == "a" else next(title.iter("a"), None)
        url = _link(anchor.get("href"), base) if anchor is not None else None
        if url:
            rows.append((row, anchor, url))
    return rows


def _text_outside(row: etree._Element, anchor: etree._Element) -> str:
    """The row's text without the title link's own text (a title may contain a date)."""
    if row is anchor:
        return (anchor.tail or "")[:80]
    # pieces joined by a space: a hidden year next to the month-day (`<i>2015</i>06-16`) stays apart
    return " ".join(row.itertext()).replace(" ".join(anchor.itertext()), " ", 1)


def _date_outside(row: etree._Element, anchor: etree._Element) -> bool:
    """A date in the row beside the title; a "row" of a whole article (a lone header link on a
    detail page grows up to the article's date) is no list row."""
    outside = _text_outside(row, anchor)
    return len(outside) <= _MAX_ROW_TEXT and _DATE_LIKE.search(outside) is not None


def _date_inside(anchor: etree._Element) -> bool:
    """A date in an element of its own inside the title link (`<a><span>2017-10-14</span>…`)."""
    return any(isinstance(el.tag, str) and 0 < len(t := _text(el).strip()) <= 25 and _DATE_LIKE.search(t)
               for el in anchor.iterdescendants())


def _make_item(row: etree._Element, anchor: etree._Element, url: str, today: date,
               selectors: ListSelectors | None) -> tuple[ListItem, bool] | None:
    """The item, and whether its date's year is only a guess from today (a month-day shown
    with no year in the row, its URL or a comment in it)."""
    context_year = year_from_url(url)
    if selectors and selectors.date:
        date_text = " ".join(_text(el) for el in _css(selectors.date)(row))
    else:
        date_text = _text_outside(row, anchor)
    found = find_date(date_text, today=today, context_year=context_year)
    if found and context_year is None and not shows_year(date_text):
        # the year kept in a comment next to the month-day (`<span><!-- 2018-->07-04</span>`)
        comments = " ".join(c.text or "" for c in row.iter(etree.Comment))
        if shows_year(comments):
            date_text = f"{comments} {date_text}"
            found = find_date(date_text, today=today)
    shown = _clean(_text(anchor))
    if found is None:  # some CMSs put the date in a <span> inside the title link
        for el in anchor.iterdescendants():
            text = _text(el) if isinstance(el.tag, str) else ""
            if 0 < len(text.strip()) <= 25 and (found := find_date(text, today=today, context_year=context_year)):
                shown = _clean(shown.replace(_clean(text), " "))
                break
    title = _clean(anchor.get("title") or "") or shown
    if not title:
        return None
    guessed = found is not None and context_year is None and not shows_year(date_text) \
        and not shows_year(found[1])
    return ListItem(title=title[:MAX_TITLE], url=url, date=found[0].isoformat() if found else None,
                    date_text=_clean(found[1]) if found else None), guessed


def _dates_from_order(items: list[ListItem], guessed: list[bool]) -> None:
    """Years of guessed month-days from the known years of the rows around them (`years_from_order`)."""
    dates = years_from_order([date.fromisoformat(i.date) if i.date else None for i in items], guessed)
    for item, found in zip(items, dates):
        if found is not None:
            item.date = found.isoformat()


# fields of the JSON list APIs CMSs fill their list pages from (TRS 集约化 search answers, common names)
_JSON_TITLE = ("title", "doctitle", "articletitle", "infotitle", "name", "bt")
_JSON_URL = ("url", "docpuburl", "chnldocurl", "docurl", "link", "href", "articleurl", "puburl")
_JSON_DATE = ("docreltime", "pubdate", "publishdate", "publishtime", "releasetime", "reltime", "fbrq", "date",
              "time", "createtime", "crtime")
_JSON_PAGES = ("pagecount", "totalpage", "totalpages", "pages", "pagetotal")


def _json_list(text: str, page_url: str, today: date) -> ListPage:
    """A list served as JSON (the endpoint a page fills its list from): the largest array of
    records that have a title and a URL; the next page by this URL's page number while the
    answer's page count says there are more."""
    try:
        data = json.loads(text)
    except ValueError:
        return ListPage(kind="unreadable", note="no_list")
    records, pages = _json_records(data), _json_number(data, _JSON_PAGES)
    base = _Base(page_url)
    items = []
    for record in records[:MAX_ITEMS]:
        fields = {key.lower(): value for key, value in record.items()}
        title = next((v for k in _JSON_TITLE if isinstance(v := fields.get(k), str) and v.strip()), None)
        href = next((v for k in _JSON_URL if isinstance(v := fields.get(k), str) and v.strip()), None)
        url = _link(href, base) if href else None
        if title is None or url is None:
            continue
        shown = next((v for k in _JSON_DATE if (v := fields.get(k)) not in (None, "")), None)
        if isinstance(shown, (int, float)) and shown > 10 ** 11:   # epoch milliseconds
            shown = datetime.fromtimestamp(shown / 1000, timezone.utc).date().isoformat()
        found = find_date(str(shown), today=today, context_year=year_from_url(url)) if shown is not None else None
        items.append(ListItem(title=_clean(title)[:MAX_TITLE], url=url, date=found[0].isoformat() if found else None,
                              date_text=_clean(found[1]) if found else None))
    current, numbered = _page_number(page_url)
    next_page = numbered(current + 1) if numbered and pages and current < pages and items else None
    return ListPage(items, next_page) if items else ListPage([], next_page, "unreadable", "list_unrecognised")


def _json_records(data: object, depth: int = 0) -> list[dict]:
    """The largest list of objects in the answer (`data`, `docs`, `result.list` …)."""
    if depth > 4:
        return []
    if isinstance(data, list):
        own = [r for r in data if isinstance(r, dict)]
        nested = max((_json_records(r, depth + 1) for r in own[:1]), key=len, default=[])
        return own if len(own) >= len(nested) else nested
    if isinstance(data, dict):
        return max((_json_records(v, depth + 1) for v in data.values() if isinstance(v, (list, dict))),
                   key=len, default=[])
    return []


def _json_number(data: object, names: tuple[str, ...], depth: int = 0) -> int | None:
    """The first integer field named like one of `names` (any case), searched breadth-first."""
    if not isinstance(data, dict) or depth > 3:
        return None
    for key, value in data.items():
        if key.lower() in names and str(value).isdigit():
            return int(value)
    return next((n for v in data.values() if (n := _json_number(v, names, depth + 1)) is not None), None)


class _Datastore:
    """A Hanweb jpage list: its rows are CDATA `<record>`s of a `<datastore>` (inside `<script
    type="text/xml">` on the column page, the whole body of a `dataproxy.jsp` answer); the rows
    beyond it come from dataproxy.jsp, asked for by record range."""

    __slots__ = ("html", "next_group", "records", "total", "per_page")

    def __init__(self, html: str, next_group: str | None, records: int, total: int | None, per_page: int):
        self.html, self.next_group, self.records, self.total, self.per_page = html, next_group, records, total, per_page

    @classmethod
    def of(cls, html_text: str) -> "_Datastore | None":
        if "<record" not in html_text:
            return None
        next_group = _NEXT_GROUP.search(html_text)
        total = _TOTAL_RECORD.search(html_text)
        per_page = _PER_PAGE.search(html_text)
        html = _XML_SCRIPT.sub(lambda m: f"<div class=\"datastore\">{m.group(1)}</div>", html_text)
        return cls(_CDATA.sub(lambda m: m.group(1), html), next_group.group(1) if next_group else None,
                   html_text.count("<record>"), int(total.group(1)) if total else None,
                   int(per_page.group(1)) if per_page else 15)

    def next_page(self, page_url: str) -> str | None:
        if self.records == 0:
            return None
        shown = _RECORD_RANGE.search(page_url)
        if shown:            # a dataproxy answer: the next range of the same size
            start, end = int(shown.group(1)), int(shown.group(2))
            if (self.total is not None and end >= self.total) or (self.total is None and self.records <= end - start):
                return None
            size = end - start + 1
            return f"{page_url[:shown.start()]}startrecord={end + 1}&endrecord={end + size}{page_url[shown.end():]}"
        if self.next_group is None or (self.total is not None and self.records >= self.total):
            return None
        base = urljoin(page_url, self.next_group.replace("&amp;", "&"))
        return (f"{base}{'&' if '?' in base else '?'}startrecord={self.records + 1}"
                f"&endrecord={2 * self.records}&perpage={self.per_page}")


def _pager(root: etree._Element, html_text: str, page_url: str, datastore: _Datastore | None,
           items: int) -> tuple[str | None, str | None]:
    """(the next page's URL, why later pages cannot be fetched): from a Hanweb datastore, a TRS
    pager script, the data URL a script fills an empty list from, a pager link (an href or a
    computable `javascript:` call, else a page-number link), or a script pager that fetches
    pages itself."""
    if datastore is not None:
        return datastore.next_page(page_url), None
    next_page = _trs_next_page(html_text, page_url)
    if next_page is not None:
        return next_page, None
    if "动静结合" in html_text and _STATIC_AND_SEARCH.search(html_text):
        return _search_api_page(html_text, page_url, items)
    if not items and "<script" in html_text and (data := _DATA_URL.search(html_text)) is not None:
        return urljoin(page_url, data.group(1).replace("&amp;", "&")), None   # read as JSON when it is
    reason = None
    if _NEXT_HINT.search(html_text):                # most list pages have no pager at all
        next_page, reason = _next_link(root, html_text, page_url)
        if next_page is not None or reason == "last":
            return next_page, None
    if reason is None and items and any(marker in html_text for marker in _AJAX_PAGERS):
        reason = "ajax_pager"
    return None, reason


def _search_api_page(html_text: str, page_url: str, items: int) -> tuple[str | None, str | None]:
    """TRS 集约化 动静结合: the first `maxStaticIndex` pages of `prepage` rows are static (on this
    page), the rest of `recordCount` come from the search API (JSON). Its page after the static
    ones, when the page names the API, the channel and the column's classsql; else unreachable."""
    total = _RECORD_COUNT.search(html_text)
    if not total or int(total.group(1)) <= items:
        return None, None
    api, channel, sql = _LIST_API.search(html_text), _CHANNEL.search(html_text), _CLASS_SQL.search(html_text)
    if not (api and channel and sql):
        return None, "search_api"
    static, prepage = _MAX_STATIC.search(html_text), _PREPAGE.search(html_text)
    sort = _SORT_FIELD.search(html_text)
    query = urlencode({"channelid": channel.group(1) or channel.group(2), "classsql": sql.group(2),
                       "sortfield": sort.group(1) if sort else "-docorderpri,-docreltime",
                       "page": int(static.group(1)) + 1 if static else 2,
                       "prepage": prepage.group(1) if prepage else 15})
    return urljoin(page_url, f"{api.group(1)}?{query}"), None


def _trs_next_page(html_text: str, page_url: str) -> str | None:
    """TRS paging: createPageHTML(pages, current, "index", "html"), or `var countPage=N;
    currentPage=C` and document.write building "index_"+(C+1)+".shtml"; page 0 is index.html."""
    # a regex search over the whole page costs ~0.1 ms: find the script's name first
    m = _TRS_PAGER.search(html_text, at) if (at := html_text.find("createPageHTML")) >= 0 else None
    if m:
        pages, current, stem, ext = int(m.group(1)), int(m.group(2)), m.group(3), m.group(4)
    elif (at := html_text.find("countPage")) >= 0 \
            and (count := _COUNT_PAGE.search(window := html_text[max(0, at - 2000):at + 4000])) is not None:
        current_m, file_m = _CURRENT_PAGE.search(window), _PAGER_FILE.search(window, count.start())
        pages, current = int(count.group(1)), int(current_m.group(1)) if current_m else 0
        stem, ext = file_m.groups() if file_m else ("index", "html")
    else:
        return None
    if current + 1 >= pages:
        return None
    return urljoin(page_url, f"{stem}_{current + 1}.{ext}")


def _next_link(root: etree._Element, html_text: str, page_url: str) -> tuple[str | None, str | None]:
    """The pager's next link: 下一页 with an href, or with a `javascript:` call whose target can be
    computed; else the link to the page number after this one. A live 下一页 that only a script
    follows makes the later pages unreachable; a disabled one (reason `last`) says this is the last."""
    own = canonical_url(page_url)
    base = _Base(page_url)
    current, numbered = _page_number(page_url)
    scripted = None
    for anchor in root.iter("a"):
        text = _clean(_text(anchor)) or _clean(anchor.get("title") or "")
        is_next = _NEXT_TEXT.match(text) is not None
        if not is_next and text != str(current + 1):
            continue
        url = _link(anchor.get("href"), base)
        if url is None:
            url = _js_target(anchor, html_text, page_url, numbered)
            if url is None and is_next:
                scripted = "last" if _DISABLED.search(anchor.get("class") or "") else \
                    "script_pager" if _js_pager_link(anchor) else scripted
        if url and canonical_url(url) != own and (is_next or _same_column(url, page_url)):
            return url, None
    return None, scripted


def _js_pager_link(anchor: etree._Element) -> bool:
    return (anchor.get("href") or "").strip().lower().startswith("javascript") or anchor.get("onclick") is not None


def _js_target(anchor: etree._Element, html_text: str, page_url: str,
               numbered: Callable[[int], str] | None) -> str | None:
    """The URL a `javascript:goPage(3)` pager call opens: built by the page's own function when it
    concatenates the page number into a URL, else by the page number scheme of this page's URL."""
    code = f"{anchor.get('href') or ''} {anchor.get('onclick') or ''}"
    call = _JS_CALL.search(code.partition("javascript:")[2] or code)
    if call is None:
        return None
    name, number = call.group(1).rpartition(".")[2], int(call.group(2))
    if name == "void" or number < 1:
        return None
    body = re.search(rf"function\s+{re.escape(name)}\s*\(\s*(\w+)[^)]*\)\s*\{{(.{{0,800}}?)\}}", html_text, re.S)
    if body is not None:
        built = re.search(_JS_URL.format(arg=re.escape(body.group(1))), body.group(2))
        if built is not None:
            prefix, sign, step, suffix = built.groups()
            value = number + (int(step) if sign == "+" else -int(step) if sign == "-" else 0)
            return urljoin(page_url, f"{prefix}{value}{suffix}")
    return numbered(number) if numbered is not None else None


def _page_number(page_url: str) -> tuple[int, Callable[[int], str] | None]:
    """(this page's number, 1-based; a function giving the URL of page n) from the page URL's
    paging scheme, or (1, None) when the URL shows none (a first page)."""
    parts = urlsplit(page_url)
    m = _URL_PAGE.search(parts.path)
    if m is not None:
        path_at = len(parts.scheme) + 3 + len(parts.netloc) if parts.netloc else page_url.index(parts.path)
        head, tail = page_url[:path_at + m.start()], page_url[path_at + m.end():]
        if m.group("stem"):
            ext = m.group("ext")
            return int(m.group("trs")) + 1, lambda n: f"{head}/index{f'_{n - 1}' if n > 1 else ''}{ext}{tail}"
        stem, number, ext = (m.group("col"), m.group("n1"), m.group("ext1")) if m.group("col") \
            else (m.group("dede"), m.group("n2"), m.group("ext2"))
        return int(number), lambda n: f"{head}{stem}{n}{ext}{tail}"
    q = _QUERY_PAGE.search(parts.query)
    if q is not None:
        at = page_url.index("?") + 1 + q.start()
        return int(q.group(2)), lambda n: f"{page_url[:at]}{q.group(1)}{n}{page_url[at + len(q.group(0)):]}"
    return 1, None


def _same_column(url: str, page_url: str) -> bool:
    """A page-number link stays in the column: same directory (index_2.html) or same path (?page=2)."""
    a, b = urlsplit(url), urlsplit(page_url)
    return a.netloc == b.netloc and a.path.rpartition("/")[0] == b.path.rpartition("/")[0]
