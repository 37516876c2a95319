"""Generic extraction of list pages, on lxml trees (column navigation: `crawler.discover`).

One extractor has to read every county CMS (TRS, Hanweb, VSB, home-grown tables) without
per-site selectors, and it runs on every fetched page, so it works on raw lxml elements
(BeautifulSoup is ~5× slower, docs/design.md §7.3). The idea: a list item is a link to
an article-like URL (or a link in a row that shows a date); its *row* is the largest ancestor
that holds no other item link; the rows of the largest group of sibling containers are the
list, so a sidebar does not mix into the column. Template markup (avalon `ms-*`, Vue `v-for`,
`<template>`, `<script>`) and navigation links are never content.
"""
from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from urllib.parse import urljoin, urlsplit

from lxml import etree
from lxml.cssselect import CSSSelector

from crawler.dates import find_date, year_from_url
from monitor.config import ListSelectors
from monitor.item_observations import drop_element, item_metadata, main_text, parse_page
from monitor.observations import MAX_TITLE, ListItem, canonical_url

MAX_ITEMS = 1000
_ROW_DEPTH = 8  # a row is at most this many levels above its title link

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
_NEXT_HINT = re.compile(r"下一页|下页|后页|next|&#", re.I)   # _NEXT_TEXT can match only if the page has one
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


# --------------------------------------------------------------------------------- public API

def extract_list(html_text: str, page_url: str, *, today: date,
                 selectors: ListSelectors | None = None) -> ListPage:
    """The items of a column's list page, the URL of its next page (None on the last), and what
    the page is when it lists nothing (only then: the hot path pays nothing for it)."""
    root = parse_page(html_text)
    if root is None:
        return _unparsed(html_text)
    next_page = _trs_next_page(html_text, page_url)
    _drop_hidden(root, html_text)
    if next_page is None and _NEXT_HINT.search(html_text):   # most list pages have no pager link
        next_page = _next_link(root, page_url)
    rows = _selected_rows(root, page_url, selectors) if selectors else _generic_rows(root, page_url)
    items: list[ListItem] = []
    seen: set[str] = set()
    for row, anchor, url in rows:
        if url in seen:
            continue
        seen.add(url)
        item = _make_item(row, anchor, url, today, selectors)
        if item is not None:
            items.append(item)
            if len(items) >= MAX_ITEMS:
                break
    if items:
        return ListPage(items, next_page)
    return ListPage([], next_page, *_page_without_items(root, html_text, next_page))


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


def _link(anchor: etree._Element, base: "_Base") -> str | None:
    href = (anchor.get("href") or "").strip()
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


def _generic_rows(root: etree._Element, page_url: str) -> list[tuple[etree._Element, etree._Element, str]]:
    """(row, title link, URL) of the dominant list on the page."""
    own = canonical_url(page_url)
    base = _Base(page_url)
    candidates: list[tuple[etree._Element, str]] = []
    for anchor in root.iter("a"):
        url = _link(anchor, base)
        if url and _is_item_link(anchor, url) and canonical_url(url) != own:
            candidates.append((anchor, url))
    if not candidates:
        return []
    links_under: dict[etree._Element, int] = defaultdict(int)
    for anchor, _ in candidates:
        for ancestor in anchor.iterancestors():
            links_under[ancestor] += 1
    groups: dict[tuple, list[tuple[etree._Element, etree._Element, str]]] = defaultdict(list)
    for anchor, url in candidates:
        row = _row_of(anchor, links_under)
        if not (_looks_like_item_url(url) or _date_outside(row, anchor)):
            continue
        parent = row.getparent()
        grand = parent.getparent() if parent is not None else None
        key = (parent.tag if parent is not None else None, parent.get("class") if parent is not None else None,
               id(grand))
        groups[key].append((row, anchor, url))
    if not groups:
        return []
    return max(groups.values(), key=len)  # max() keeps the first of equal groups (document order)


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
        url = _link(anchor, base) if anchor is not None else None
        if url:
            rows.append((row, anchor, url))
    return rows


def _text_outside(row: etree._Element, anchor: etree._Element) -> str:
    """The row's text without the title link's own text (a title may contain a date)."""
    if row is anchor:
        return (anchor.tail or "")[:80]
    return _text(row).replace(_text(anchor), " ", 1)


def _date_outside(row: etree._Element, anchor: etree._Element) -> bool:
    return _DATE_LIKE.search(_text_outside(row, anchor)) is not None


def _make_item(row: etree._Element, anchor: etree._Element, url: str, today: date,
               selectors: ListSelectors | None) -> ListItem | None:
    context_year = year_from_url(url)
    if selectors and selectors.date:
        date_text = " ".join(_text(el) for el in _css(selectors.date)(row))
    else:
        date_text = _text_outside(row, anchor)
    found = find_date(date_text, today=today, context_year=context_year)
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
    return ListItem(title=title[:MAX_TITLE], url=url, date=found[0].isoformat() if found else None,
                    date_text=_clean(found[1]) if found else None)


def _trs_next_page(html_text: str, page_url: str) -> str | None:
    """TRS paging: createPageHTML(pages, current, "index", "html"); page 0 is index.html."""
    m = _TRS_PAGER.search(html_text)
    if not m:
        return None
    pages, current, stem, ext = int(m.group(1)), int(m.group(2)), m.group(3), m.group(4)
    if current + 1 >= pages:
        return None
    return urljoin(page_url, f"{stem}_{current + 1}.{ext}")


def _next_link(root: etree._Element, page_url: str) -> str | None:
    own = canonical_url(page_url)
    base = _Base(page_url)
    for anchor in root.iter("a"):
        if _NEXT_TEXT.match(_clean(_text(anchor)) or _clean(anchor.get("title") or "")):
            url = _link(anchor, base)
            if url and canonical_url(url) != own:
                return url
    return None
