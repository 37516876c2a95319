"""The generic layout, asked last: the list is the best group of sibling rows of item links, the
next page a pager link (an href, a computable `javascript:` call, a page-number link), the data URL
a script fills an empty list from, or unreachable behind an AJAX pager (crawler.extract's docstring).
Families override only what they write differently."""
from __future__ import annotations

import re
from collections import defaultdict
from typing import Callable
from urllib.parse import urljoin, urlsplit

from lxml import etree

from crawler.pages.html import DOCUMENT, NAV_TEXT, WS, Base, clean, link, text_outside
from crawler.pages.html import host as url_host
from crawler.pages.html import text as node_text
from crawler.pages.layouts import Layout, Page, Pager, Row, is_index_href, is_index_url, page_number
from crawler.pages.scripts import script_function
from monitor.observations import split_url
from monitor.observations import canonical_url

_ROW_DEPTH = 8  # a row is at most this many levels above its title link
_MAX_ROW_TEXT = 600  # characters beside the title in a list row (a date, a source, a summary)
_DATE_LIKE = re.compile(r"\d{1,4}\s*[-/.年月]\s*\d{1,2}")
_NEXT_TEXT = re.compile(r"^(?:下一页|下页|后页|next)\s*[>»›]*$", re.I)
# a pager can be there only if the page has one of 下一页 下页 后页 尾页 末页 next &# (one leading
# character class: a third of the time of the plain alternation, on every list page)
_NEXT_HINT = re.compile(r"[下后尾末&Nn](?:一页|页|#|[Ee][Xx][Tt])")
_ITEM_URL = re.compile(r"\d{4,}|[0-9a-f]{16,}", re.I)
# a javascript: pager call (`gotoCurrentPage('2')`, `goPage(3)`) and the URL its function builds
_JS_CALL = re.compile(r"([A-Za-z_$][\w$.]*)\(\s*['\"]?(\d+)['\"]?\s*[,)]")
_JS_URL = r"['\"]([^'\"]*)['\"]\s*\+\s*\(?\s*{arg}\s*(?:([-+])\s*(\d+))?\s*\)?\s*\+\s*['\"]([^'\"]*)['\"]"
# script pagers that fetch their pages by AJAX (tpc.pagination, laypage, jqPaginator, TRS 集约化 listApi)
_AJAX_PAGERS = ("dataUrl", ".pagination(", "laypage", "jqPaginator", "listApi")   # substring tests: fast
_DISABLED = re.compile(r"disable", re.I)
# a data URL a script fills an empty list from: a string literal with a page parameter
_DATA_URL = re.compile(r"""["']((?:https?:/)?/?[\w./-]*\?[^"'\s<>]*?(?<![\w])(?:page|pageNo|pageNum|pageIndex|curPage)"""
                       r"""=\d+[^"'\s<>]*)["']""")
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)
_HIDDEN_CLASS = re.compile(r"(?:^|\s)(?:hide|hidden)(?:\s|$)", re.I)
# a navigation container's class or id, a whole token: nav, navbar, nav-panel, mainnav, submenu, menu,
# the breadcrumb (当前位置: breadcrumb, crumbs, position, location, curpos, dqwz) and the footer
_NAV_CLASS = re.compile(r"(?:^|\s)(?:(?:main|sub|top|site|mega)?-?nav(?:bar|-?panel|-?menu)?(?:-container)?"
                        r"|(?:sub|mega|main|top)?-?menu|bread-?crumbs?|crumbs?|position|location|curpos|dqwz"
                        r"|footer|foot|copyright)(?:\s|$)", re.I)
_NAV_TAGS = ("nav", "footer")
_COLUMN_META = etree.XPath("string(//meta[@name='ColumnName']/@content)")


class Generic(Layout):
    __kind__ = "generic"
    last = True
    article_url = r"content_\d+\.\w+$|/doc_[0-9a-f]+\.\w+$"
    page_url = re.compile(r"(?P<head>/column-index-)(?P<n>\d+)(?P<ext>\.\w+)$")
    detail_body = (
        "//*[@class][contains(concat(' ', normalize-space(@class), ' '), ' article_content ')]",
        "//*[@class][contains(concat(' ', normalize-space(@class), ' '), ' article-content ')]",
        "//*[@id='content' or @class='content']",
        "//article",
    )
    body_rank = 2

    def find_list(self, root: etree._Element, page_url: str) -> list[Row]:
        return _generic_rows(root, page_url)

    def next_page(self, root: etree._Element, page: Page, items: int) -> Pager:
        """The data URL a script fills an empty list from, a pager link (an href or a computable
        `javascript:` call, else a page-number link), or a script pager that fetches pages itself."""
        html_text, page_url = page.text, page.url
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


def _is_item_link(anchor: etree._Element, url: str) -> bool:
    if is_index_url(url):
        return False
    text = clean(anchor.get("title") or node_text(anchor))
    return len(text) >= 2 and not NAV_TEXT.match(text)


def _generic_rows(root: etree._Element, page_url: str) -> list[Row]:
    """(row, title link, URL) of the page's list: the best group of sibling rows (`_group_rank`)."""
    own = canonical_url(page_url)
    base = Base(page_url)
    candidates: list[tuple[etree._Element, str]] = []
    for anchor in root.iter("a"):
        href = anchor.get("href")
        if href is None or is_index_href(href):       # a column, never an item: spares its resolving
            continue
        url = link(href, base)
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
    host = url_host(page_url)
    ranks = {key: _group_rank(rows, host, placed[key] == "hidden") for key, rows in groups.items()}
    best = max(ranks.values())
    tied = [groups[key] for key, rank in ranks.items() if rank == best]   # document order
    return _with_off_site_rows(_under_heading(root, tied) if len(tied) > 1 else tied[0], base)


def _with_off_site_rows(rows: list[Row], base: Base) -> list[Row]:
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
        url = link(anchors[0].get("href"), base) if len(anchors) == 1 else None
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
    on_host = sum(url_host(url) == host for _, _, url in rows)
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
        name = re.split(r"[-_|｜—–]", node_text(title))[0].strip() if title is not None else ""
    return WS.sub("", name)


def _under_heading(root: etree._Element, tied: list[list[Row]]) -> list[Row]:
    """Of equal groups, the one closest below an element naming the column (its heading, the
    breadcrumb's last link); the first one when no group has the name above it."""
    heading = _column_heading(root)
    if not heading:
        return tied[0]
    position = {el: i for i, el in enumerate(root.iter())}
    named = [position[el] for el in root.iter() if el.text and el.tag != "title" and WS.sub("", el.text) == heading]

    def distance(rows: list[Row]) -> float:
        start = position[rows[0][0]]
        return min((start - at for at in named if at < start), default=float("inf"))
    return min(tied, key=distance)     # min() keeps the first of equal distances


def _looks_like_item_url(url: str) -> bool:
    """Article ids are long numbers or hashes (in the path or query); documents count too."""
    parts = split_url(url)
    return bool(_ITEM_URL.search(f"{parts.path}?{parts.query}") or DOCUMENT.search(parts.path))


def _row_of(anchor: etree._Element, links_under: dict[etree._Element, int]) -> etree._Element:
    row = anchor
    for depth, ancestor in enumerate(anchor.iterancestors()):
        if depth >= _ROW_DEPTH or links_under[ancestor] > 1 or ancestor.tag in ("body", "html"):
            break
        row = ancestor
    return row


def _date_outside(row: etree._Element, anchor: etree._Element) -> bool:
    """A date in the row beside the title; a "row" of a whole article (a lone header link on a
    detail page grows up to the article's date) is no list row."""
    outside = text_outside(row, anchor)
    return len(outside) <= _MAX_ROW_TEXT and _DATE_LIKE.search(outside) is not None


def _date_inside(anchor: etree._Element) -> bool:
    """A date in an element of its own inside the title link (`<a><span>2017-10-14</span>…`)."""
    return any(isinstance(el.tag, str) and 0 < len(t := node_text(el).strip()) <= 25 and _DATE_LIKE.search(t)
               for el in anchor.iterdescendants())


def _next_link(root: etree._Element, html_text: str, page_url: str) -> tuple[str | None, str | None]:
    """The pager's next link: 下一页 with an href, or with a `javascript:` call whose target can be
    computed; else the link to the page number after this one. A live 下一页 that only a script
    follows makes the later pages unreachable; a disabled one (reason `last`) says this is the last."""
    own = canonical_url(page_url)
    base = Base(page_url)
    current, numbered = page_number(page_url)
    scripted = None
    for anchor in root.iter("a"):
        text = clean(node_text(anchor)) or clean(anchor.get("title") or "")
        is_next = _NEXT_TEXT.match(text) is not None
        if not is_next and text != str(current + 1):
            continue
        url = link(anchor.get("href"), base)
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
    defined = script_function(html_text, name)
    if defined is not None and defined[0]:
        built = re.search(_JS_URL.format(arg=re.escape(defined[0][0])), defined[1])
        if built is not None:
            prefix, sign, step, suffix = built.groups()
            value = number + (int(step) if sign == "+" else -int(step) if sign == "-" else 0)
            return urljoin(page_url, f"{prefix}{value}{suffix}")
    return numbered(number) if numbered is not None else None


def _same_column(url: str, page_url: str) -> bool:
    """A page-number link stays in the column: same directory (index_2.html) or same path (?page=2)."""
    a, b = urlsplit(url), urlsplit(page_url)
    return a.netloc == b.netloc and a.path.rpartition("/")[0] == b.path.rpartition("/")[0]
