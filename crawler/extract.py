"""List reading: the entry point over the CMS layouts (`crawler.pages.layouts`; column navigation:
`crawler.discover`).

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
Which family writes what lives in its layout module; this module runs them (the registry picks
the families from the page and the URL, the generic one last) and says what a page is.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from typing import Any, Callable

from lxml import etree

from crawler.dates import find_date, shows_year, year_from_url, years_from_order
from crawler.pages import layouts
from crawler.pages.html import WS, Base, clean, drop_hidden, item_metadata, link, parse_page
from crawler.pages.html import text as node_text
from crawler.pages.layouts import Page, main_text, page_number
from crawler.pages.layouts.selectors import Selectors
from monitor.config import ListSelectors
from monitor.observations import MAX_TITLE, ListItem

MAX_ITEMS = 1000

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

def extract_list(html_text: str, page_url: str, *, today: date, selectors: ListSelectors | None = None,
                 anchors: Callable[[Any, set[Any]], None] | None = None) -> ListPage:
    """The items of a column's list page, the URL of its next page (None on the last), and what
    the page is when it lists nothing (only then: the hot path pays nothing for it). `anchors` is
    handed the page's tree and the anchors of its items (`crawler.links.Anchors.collect`)."""
    if html_text[:1] in ("{", "[") or html_text.lstrip()[:1] in ("{", "["):
        return _json_list(html_text, page_url, today)
    page = Page(page_url, html_text)
    found = layouts.layouts_for(page)
    if selectors:
        found.insert(0, Selectors(selectors))
    html_text = page.text
    root = parse_page(html_text)
    if root is None:
        return _unparsed(html_text)
    drop_hidden(root, html_text)
    reader, rows = layouts.find_list(found, root, page_url)
    items: list[ListItem] = []
    guessed: list[bool] = []
    seen: set[str] = set()
    listed: set[Any] = set()
    for row, anchor, url in rows:
        listed.add(anchor)
        if url in seen:
            continue
        seen.add(url)
        made = _make_item(row, anchor, url, today, reader.date_text(row, anchor))
        if made is not None:
            items.append(made[0])
            guessed.append(made[1])
            if len(items) >= MAX_ITEMS:
                break
    if any(guessed) and not all(guessed):
        _dates_from_order(items, guessed)
    if anchors is not None:       # before the tree is pruned for a page without items
        anchors(root, listed)
    next_page, unreachable = layouts.next_page(found, root, page, len(items))
    if items:
        return ListPage(items, next_page, unreachable=unreachable)
    return ListPage([], next_page, *_page_without_items(root, html_text, next_page), unreachable=unreachable)


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
    if layouts.pages_by_script(html_text):  # a family's paging script on its only page
        return "empty", None
    visible = len(WS.sub("", node_text(body)))
    published = item_metadata(root)["pub_date"]
    article = len(WS.sub("", main_text(root)))      # prunes navigation and furniture from the tree,
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
                and next(el.iter("a"), None) is None and not node_text(el).strip():
            return True
    return False


def _make_item(row: etree._Element, anchor: etree._Element, url: str, today: date,
               date_text: str) -> tuple[ListItem, bool] | None:
    """The item, and whether its date's year is only a guess from today (a month-day shown
    with no year in `date_text` (the row's, as its layout reads it), its URL or a comment in it)."""
    context_year = year_from_url(url)
    found = find_date(date_text, today=today, context_year=context_year)
    if found and context_year is None and not shows_year(date_text):
        # the year kept in a comment next to the month-day (`<span><!-- 2018-->07-04</span>`)
        comments = " ".join(c.text or "" for c in row.iter(etree.Comment))
        if shows_year(comments):
            date_text = f"{comments} {date_text}"
            found = find_date(date_text, today=today)
    shown = clean(node_text(anchor))
    if found is None:  # some CMSs put the date in a <span> inside the title link
        for el in anchor.iterdescendants():
            text = node_text(el) if isinstance(el.tag, str) else ""
            if 0 < len(text.strip()) <= 25 and (found := find_date(text, today=today, context_year=context_year)):
                shown = clean(shown.replace(clean(text), " "))
                break
    title = clean(anchor.get("title") or "") or shown
    if not title:
        return None
    guessed = found is not None and context_year is None and not shows_year(date_text) \
        and not shows_year(found[1])
    return ListItem(title=title[:MAX_TITLE], url=url, date=found[0].isoformat() if found else None,
                    date_text=clean(found[1]) if found else None), guessed


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
    base = Base(page_url)
    items = []
    for record in records[:MAX_ITEMS]:
        fields = {key.lower(): value for key, value in record.items()}
        title = next((v for k in _JSON_TITLE if isinstance(v := fields.get(k), str) and v.strip()), None)
        href = next((v for k in _JSON_URL if isinstance(v := fields.get(k), str) and v.strip()), None)
        url = link(href, base) if href else None
        if title is None or url is None:
            continue
        shown = next((v for k in _JSON_DATE if (v := fields.get(k)) not in (None, "")), None)
        if isinstance(shown, (int, float)) and shown > 10 ** 11:   # epoch milliseconds
            shown = datetime.fromtimestamp(shown / 1000, timezone.utc).date().isoformat()
        found = find_date(str(shown), today=today, context_year=year_from_url(url)) if shown is not None else None
        items.append(ListItem(title=clean(title)[:MAX_TITLE], url=url, date=found[0].isoformat() if found else None,
                              date_text=clean(found[1]) if found else None))
    current, numbered = page_number(page_url)
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
