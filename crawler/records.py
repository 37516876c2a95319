"""What the spider hands to the store pipeline: plain records, one per observation.

The spider only fetches and extracts; every write to the store goes through
`crawler.pipelines.StorePipeline` to the crawl's store writer (`crawler.store_writer`, a process
of its own), which turns these records into `monitor.observations` calls (`crawler.writers`).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from monitor.messages import Message
from monitor.observations import ListItem


@dataclass(slots=True)
class Records:
    """The records of one callback, handed to the pipeline as one item: Scrapy's per-item path
    (spider middlewares, signals, the pipeline call) cost as much as the writes themselves."""

    records: list[Any]


@dataclass(slots=True)
class Fetch:
    """One HTTP attempt (retries included) of a site, list, follow-up list or detail page."""

    url: str
    purpose: str                 # site | list | page | detail | report | attachment | link (a W12 check)
    outcome: str                 # a key of monitor.outcomes.OUTCOME_LABELS
    unit_id: str
    column_id: str | None = None
    http_status: int | None = None
    error: str | None = None
    elapsed_ms: int | None = None
    nbytes: int | None = None
    encoding: str | None = None
    retries: int = 0
    referrer: str | None = None  # the page whose link was followed (an attachment's report page)
    link_text: str | None = None


@dataclass(slots=True)
class Discovery:
    """The columns a unit's site page links to (only after the page was read), or with `parent` the
    sub-columns a column page that is a navigation links to."""

    unit_id: str
    columns: list[tuple[str, str]]
    etag: str | None = None
    last_modified: str | None = None
    parent: str | None = None


@dataclass(slots=True)
class HomeSeen:
    """A home page request (the county portal's, a unit's site page), keyed by its configured URL:
    its outcome and, when it was read, the newest dated item it shows (W1)."""

    url: str
    outcome: str
    http_status: int | None = None
    error: str | None = None
    newest: ListItem | None = None
    interaction_url: str | None = None   # the first link to an interaction channel it shows (W7)


@dataclass(slots=True)
class ListSeen:
    """The items of a column, from its first page and any follow-up pages."""

    column_id: str
    items: list[ListItem]
    pages_seen: int
    complete: bool               # the last page read had no next page (W8: nothing older was left unread)
    http_status: int | None
    etag: str | None
    last_modified: str | None
    body_hash: str | None
    page_kind: str = "list"          # what the first page is: crawler.extract.PAGE_KINDS
    page_note: str | None = None     # its empty-list notice, article date or unreadable reason; on a
    #                                  list, why later pages cannot be read (crawler.extract.UNREACHABLE_REASONS)


@dataclass(slots=True)
class NotModified:
    """A 304 for a column's first list page."""

    column_id: str


@dataclass(slots=True)
class UnitDone:
    """All requests of a unit have been answered (drives the progress events)."""

    unit_id: str


@dataclass(slots=True)
class ItemDetail:
    """An item's detail page as read: main text without boilerplate and its metadata block
    (keys of `monitor.item_observations.record_item_version`: pub_date, written_date, …)."""

    column_id: str
    url: str
    title: str | None
    text: str
    metadata: dict[str, str | None]
    etag: str | None = None          # validators of this version, for the next, conditional, re-read
    last_modified: str | None = None


@dataclass(slots=True)
class ItemStatus:
    """An item's detail page answered an error status (404/410: deletion evidence), or 304 to a
    conditional re-read (its last version is still current)."""

    column_id: str
    url: str
    http_status: int


@dataclass(slots=True)
class LeftList:
    """Items no longer listed in their column although newer than its oldest listed item."""

    column_id: str
    urls: list[str]


@dataclass(slots=True)
class DocumentSeen:
    """A fetched annual report page or attachment (raw bytes kept, one row per version)."""

    unit_id: str
    column_id: str
    url: str
    title: str | None
    year: int | None
    published: str | None
    content_type: str | None
    raw: bytes
    etag: str | None
    last_modified: str | None
    main_text: str | None = None     # a page's text without boilerplate: its version identity


@dataclass(slots=True)
class MessageReply:
    """The reply date a board message's own page shows (its list did not)."""

    column_id: str
    url: str
    replied: str


@dataclass(slots=True)
class MessagesSeen:
    """The messages an interaction board's list page shows (W7; `crawler.messages`)."""

    unit_id: str
    column_id: str
    messages: list[Message]


@dataclass(slots=True)
class PageLinks:
    """Links to the county's hosts a page read in this crawl shows, first met there (W12 link checks)."""

    unit_id: str
    page: str
    links: list[tuple[str, str]]     # (URL, text)
