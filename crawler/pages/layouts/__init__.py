"""CMS layouts as plug-ins: what one CMS family writes, in one module each.

A layout declares its URL patterns (article and column URLs, the page number in a list URL), the
containers of its detail pages' main text, and hooks for list reading: `matches` (is this page the
family's, from the URL and the raw text), `prepare` (rewrite the text before parsing), `find_list`
(the rows of the list) and `next_page` (the pager). Subclassing `Layout` with a `__kind__`
registers it (as urlwatch registers its jobs); the generic layout (`last`) comes after all others.
For a page, `layouts_for` gives the registered layouts that match it, in order, the generic one
last; each hook is answered by the first of them that returns something other than None, so a
family overrides only what it writes differently. Adding a CMS: docs/architecture.md.
"""
from __future__ import annotations

import re
from functools import lru_cache
from typing import Callable, ClassVar
from urllib.parse import urlsplit

from lxml import etree

from crawler.pages.html import DOCUMENT, body_text, text_outside
from monitor.observations import INDEX_NAMES, split_url

Row = tuple[etree._Element, etree._Element, str]   # (row, title link, URL)
Pager = tuple[str | None, str | None]               # (next page URL, why later pages cannot be fetched)
Numbered = tuple[int, Callable[[int], str] | None]  # (this page's number, the URL of page n)

_REGISTRY: list["Layout"] = []


class Page:
    """A list page being read: its URL, its text (a layout may rewrite it before it is parsed) and
    what layouts found on it for their later hooks."""

    __slots__ = ("url", "text", "found")

    def __init__(self, url: str, text: str):
        self.url, self.text, self.found = url, text, {}


class Layout:
    """One CMS family; see the module docstring. Hooks return None for "not mine, ask the next"."""

    __kind__: ClassVar[str | None] = None
    last: ClassVar[bool] = False                     # the generic layout: after every family
    article_url: ClassVar[str | None] = None         # regex over a URL path: the family's article URLs
    column_url: ClassVar[str | None] = None          # regex over a URL path: its column (index) URLs
    page_url: ClassVar[re.Pattern[str] | None] = None  # a list URL path's end with the page number: groups head, n, ext
    detail_body: ClassVar[tuple[str, ...]] = ()      # XPaths of its detail pages' main text, most specific first
    body_rank: ClassVar[int] = 1                     # where its detail_body goes among the families' (lower first)

    def __init_subclass__(cls, **kwargs) -> None:
        super().__init_subclass__(**kwargs)
        if cls.__dict__.get("__kind__"):
            _REGISTRY.append(cls())
            _index()

    def matches(self, url: str, html_text: str) -> bool:
        """Whether the page is this family's (cheap substring tests: it runs on every list page)."""
        return False

    def prepare(self, page: Page) -> None:
        """Rewrite `page.text` before it is parsed (a list kept in a script, say)."""

    def find_list(self, root: etree._Element, page_url: str) -> list[Row] | None:
        """The list's rows, in page order."""
        return None

    def date_text(self, row: etree._Element, anchor: etree._Element) -> str:
        """The text of a row that shows its date: what is beside the title link."""
        return text_outside(row, anchor)

    def next_page(self, root: etree._Element, page: Page, items: int) -> Pager | None:
        """The next page's URL and why later pages cannot be fetched, when this family's pager says so."""
        return None

    def pages_by_script(self, html_text: str) -> bool:
        """The page carries the family's pager script (a page listing nothing with it is an empty column)."""
        return False

    def numbered(self, match: re.Match[str], head: str, tail: str) -> Numbered:
        """This page's number and the URL of page n, from a match of `page_url` (1-based numbers)."""
        return int(match["n"]), lambda n: f"{head}{match['head']}{n}{match['ext']}{tail}"


def layouts_for(page: Page) -> list[Layout]:
    """The layouts that match the page, in registry order (generic last), each having prepared it."""
    found = []
    for layout in _REGISTRY:
        if layout.last or layout.matches(page.url, page.text):
            layout.prepare(page)
            found.append(layout)
    return found


def find_list(layouts: list[Layout], root: etree._Element, page_url: str) -> tuple[Layout, list[Row]]:
    """The first layout that finds the list, and its rows."""
    for layout in layouts:
        rows = layout.find_list(root, page_url)
        if rows is not None:
            return layout, rows
    raise LookupError("no layout finds lists")   # the generic layout always does


def next_page(layouts: list[Layout], root: etree._Element, page: Page, items: int) -> Pager:
    """The first layout's answer about the next page."""
    for layout in layouts:
        found = layout.next_page(root, page, items)
        if found is not None:
            return found
    return None, None


def pages_by_script(html_text: str) -> bool:
    return any(layout.pages_by_script(html_text) for layout in _REGISTRY)


def page_number(page_url: str) -> Numbered:
    """(this page's number, 1-based; a function giving the URL of page n) from the page URL's
    paging scheme (a family's `page_url`, else a page query parameter), or (1, None) when the URL
    shows none (a first page)."""
    parts = urlsplit(page_url)
    for layout in _PAGED:
        m = layout.page_url.search(parts.path)
        if m is not None:
            path_at = len(parts.scheme) + 3 + len(parts.netloc) if parts.netloc else page_url.index(parts.path)
            return layout.numbered(m, page_url[:path_at + m.start()], page_url[path_at + m.end():])
    q = _QUERY_PAGE.search(parts.query)
    if q is not None:
        at = page_url.index("?") + 1 + q.start()
        return int(q.group(2)), lambda n: f"{page_url[:at]}{q.group(1)}{n}{page_url[at + len(q.group(0)):]}"
    return 1, None


@lru_cache(maxsize=65536)       # every link of every list page; a unit's navigation repeats on each
def is_index_url(url: str) -> bool:
    """Links to a column (directory, index.*, nlist.*, a family's column URL) rather than an article."""
    path = split_url(url).path
    return not path or _COLUMN_URL.search(path) is not None or _index_path(path)


def is_index_href(href: str) -> bool:
    """An href whose own path says `is_index_url` (a directory or index.* page), before it is
    resolved: dot segments aside, resolving keeps the last segment. Most of a list page's links are
    its menus of columns, and resolving them all cost more than reading the list."""
    path = href.strip().partition("#")[0].partition("?")[0]
    # relative references only: in "//host…" and "scheme:…" the path comes after other parts
    return not path.startswith("//") and ":" not in path and _index_path(path)


def _index_path(path: str) -> bool:
    if path.endswith("/"):
        return True
    stem = path.rpartition("/")[2].rpartition(".")[0].lower()
    return stem in _INDEX_STEMS or stem.startswith("index_")


def is_article_url(url: str) -> bool:
    """URLs of the shapes the families give articles, and attached documents."""
    path = split_url(url).path
    return bool(_ARTICLE_URL.search(path) or DOCUMENT.search(path))


def main_text(html: str | bytes | etree._Element) -> str:
    """The main body text of a detail page (`crawler.pages.html.body_text`) in the families' containers."""
    return body_text(html, _DETAIL_BODY)


def kinds() -> list[str]:
    """The registered layouts' names, in the order their hooks are asked."""
    return [layout.__kind__ for layout in _REGISTRY]


def _index() -> None:
    """Order the registry (families in registration order, generic last) and join the families'
    URL patterns and detail containers, so each test is one regex or one pass."""
    global _PAGED, _ARTICLE_URL, _COLUMN_URL, _DETAIL_BODY
    _REGISTRY.sort(key=lambda layout: layout.last)   # stable
    _PAGED = [layout for layout in _REGISTRY if layout.page_url is not None]
    _ARTICLE_URL = re.compile("|".join(f"(?:{layout.article_url})" for layout in _REGISTRY if layout.article_url)
                              or "(?!)", re.I)
    _COLUMN_URL = re.compile("|".join(f"(?:{layout.column_url})" for layout in _REGISTRY if layout.column_url)
                             or "(?!)")
    _DETAIL_BODY = tuple(xpath for layout in sorted(_REGISTRY, key=lambda layout: layout.body_rank)
                         for xpath in layout.detail_body)
    is_index_url.cache_clear()


_PAGED: list[Layout] = []
_ARTICLE_URL = _COLUMN_URL = re.compile("(?!)")
_DETAIL_BODY: tuple[str, ...] = ()
_INDEX_STEMS = frozenset(INDEX_NAMES)
_QUERY_PAGE = re.compile(r"(?<![\w])((?:page|pageNo|pageNum|pageIndex|PageIndex|cur_page|curPage|currentPage|p)=)(\d+)")

# the families, in the order their hooks are asked (a Hanweb datastore decides before a TRS pager script)
from crawler.pages.layouts import hanweb, trs, jiyuehua, vsb, dedecms, selectors, generic  # noqa: E402,F401

