"""Data model of the demo county: what is served (pages) and what the checks should conclude.

Kept separate from the generator so tests, the server and the benchmark can import the
types without pulling in the text pools and HTML templates.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from functools import cached_property

#: Statuses a column can end in; `unchecked` is a dated column without an update cycle
#: (年报, 指南 …), the state `monitor.checks.columns` gives it.
STATUSES = ("fresh", "due_soon", "stale", "blank", "undated", "unreachable", "unchecked")
#: Quirks that make a column unreachable for a polite crawler with the demo config.
#: an `unstable` page answers 503 to every this-many-th request: 10 % failures, over W6's 5 %
UNSTABLE_EVERY = 10
UNREACHABLE_KINDS = ("http_404", "http_500", "slow_timeout", "robots", "oversize")


@dataclass
class Page:
    """One served resource. `content_type` is the header exactly as sent (it may lie about
    the charset); `behaviour` is `""`, `flaky_503` (fails once per server), `unstable` (fails every
    `UNSTABLE_EVERY`-th request) or `slow`."""

    body: bytes
    content_type: str = "text/html; charset=utf-8"
    status: int = 200
    behaviour: str = ""
    modified: datetime = datetime(2026, 1, 1, tzinfo=timezone.utc)
    #: the page shows a view counter (浏览次数) the server increments on every request
    counter: bool = False

    @property
    def charset(self) -> str:
        """The encoding the body is written in (GBK pages declare gb2312 in the markup)."""
        return "gb18030" if b"charset=gb2312" in self.body[:400] else "utf-8"

    @cached_property
    def etag(self) -> str:
        return '"' + hashlib.sha1(self.body).hexdigest()[:20] + '"'


@dataclass
class Item:
    """A list entry; `date` None means the site shows no date for it."""

    title: str
    date: date | None
    href: str
    written: date | None = None    # 成文日期 of a formal document (policy items), shown in the metadata block
    doc_no: str | None = None      # 文号
    body: str | None = None        # main text HTML; None: the generic text
    replied: date | None = None    # a board message's reply day (its `date` is the day it was asked); None: unanswered


@dataclass
class Column:
    """A disclosure column as the generator built it (kept so `County.touch` can re-render)."""

    unit_id: str
    name: str
    slug: str
    path: str                      # canonical list URL path, the key of `County.expected`
    category: str                  # effective category (config override included)
    cycle: str | None              # effective cycle, e.g. "14d"; None for report/static
    status: str
    kind: str | None = None        # quirk served at this column, None for a plain one
    items: list[Item] = field(default_factory=list)
    per_page: int = 15
    alt_path: str | None = None    # second link to the same column (年报 …/nlist.htm)
    in_nav: bool = True            # False: reachable only through an explicit config entry
    configured: bool = False       # the demo config.yaml names this column explicitly
    place: str = ""                # on a `tree` site: "" a node of the tree, `sub` under 法定主动公开内容, `tile`
    max_pages: int | None = None   # the config reads this many list pages (a long column)

    @property
    def pages(self) -> int:
        return max(1, -(-len(self.items) // self.per_page))


@dataclass(frozen=True)
class Unit:
    """A department or township site and the CMS quirks it is served with."""

    id: str
    name: str
    type: str                      # department | government | township
    cms: str                       # trs | hanweb | jcms (Hanweb jpage datastore) | vsb (博达)
    markup: str                    # ul | table | dl (平潭 TRS) | custom (needs config `list:`)
    date_format: str               # iso | slash | dot | cn | short | label (see html.show_date)
    encoding: str = "utf-8"        # utf-8 | gbk (declared gb2312, needs gb18030 to decode)
    header_charset: str | None = "utf-8"   # charset in the HTTP header; may lie
    paging: str = "index"          # hanweb: index (index_2.html) | query (?page=2); trs: index | js (gotoCurrentPage)
    contact: str = ""
    columns: tuple[Column, ...] = ()
    site_layout: str = "nav"       # nav: a menu of every column | tree: 公开目录 tree, 法定主动公开内容 page, tiles
    min_monthly_items: int | None = None   # its own publication standard, written to the demo config

    @property
    def site_path(self) -> str:
        return f"/{self.id}/"


@dataclass(frozen=True)
class ExpectedColumn:
    """The truth for one column: what a correct crawl + check run should conclude."""

    unit_id: str
    name: str
    url_path: str
    category: str
    cycle: str | None
    status: str
    newest_date: date | None
    item_count: int
    pages: int
    kind: str | None
    in_nav: bool

    @classmethod
    def of(cls, col: Column) -> "ExpectedColumn":
        hidden = col.status in ("unreachable", "blank")
        dates = [i.date for i in col.items if i.date]
        return cls(col.unit_id, col.name, col.path, col.category, col.cycle, col.status,
                   None if hidden or not dates else max(dates),
                   0 if hidden else len(col.items), col.pages, col.kind, col.in_nav)
