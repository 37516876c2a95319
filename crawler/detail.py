"""Detail pages: which item, annual-report and attachment pages a run reads, and what it keeps.

A daily run should cost about one request per column (DESIGN §8), so a detail page is read
only where it can show something (rules §7, 先发后审 symptoms):
- annual reports of the last three report years, every run but conditionally (the validators
  of their last stored version): a silent edit is the most significant change (A15) and an
  unchanged report costs a 304; with their attachments (.pdf/.doc/.docx/.wps, same host);
- items newly listed in a column: their first version, 发布日期 and 成文日期 (W8, W9);
- items that left their list although newer than its oldest listed item: 404/410 = deleted;
- items first seen within `crawl.detail_recheck_days`, least recently read first, for edits.
All but reports share a daily budget per site (`crawl.detail_budget_per_site`, counted from the
`fetches` of purpose `detail` since local midnight); edit re-checks may take only half of it,
so new items and deletion checks come first. Detail requests rank below list pages. Items on hosts
outside the county (`crawler.hosts`: a 转载 linking to another government's site) are not read.
"""
from __future__ import annotations

import hashlib
import logging
import mimetypes
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from urllib.parse import unquote, urljoin, urlsplit
from zoneinfo import ZoneInfo

from lxml import etree
from scrapy.http import Response, TextResponse
from sqlite_utils import Database

from crawler.hosts import county_hosts, host_of
from crawler.records import DocumentSeen, ItemDetail, ItemStatus
from crawler.settings import slot_key
from monitor.checks.reports import report_year
from monitor.config import Config, UnitConfig
from monitor.item_observations import item_metadata, main_text, parse_page
from monitor.observations import ListItem
from monitor.store import open_readonly
from monitor.store import stamp as _stamp

log = logging.getLogger(__name__)

DELETED = (404, 410)
#: Scrapy serves higher priorities first: list pages (0) never wait for detail work
PRIORITY = {"report": -1, "attachment": -1, "detail": -2}
MAX_ATTACHMENTS = 10
_DOCUMENT = re.compile(r"\.(?:pdf|docx?|wps)(?=$|[&#;])", re.I)
_ATTACHMENT_TEXT = re.compile("附件|下载")
_MAYBE_DOCUMENT = re.compile(r"\.(?:pdf|docx?|wps)|%", re.I)   # what any link _DOCUMENT matches must contain
#: a .wps (WPS 文字) file is a Word-compatible OLE document; neither is parsed, only kept
_DOCUMENT_TYPES = {".pdf": "application/pdf", ".doc": "application/msword", ".wps": "application/msword",
                   ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document"}


@dataclass(slots=True)
class DetailJob:
    """One detail page to read, carried in request meta (`column_id` as a list task has it)."""

    unit_id: str
    column_id: str
    url: str
    purpose: str                    # detail | report | attachment
    title: str | None = None
    published: str | None = None    # date shown in the list (ISO)
    year: int | None = None         # report year (report, attachment)
    etag: str | None = None         # validators of the last stored version (report, attachment)
    last_modified: str | None = None

    def conditional_headers(self) -> dict[str, str]:
        headers = {}
        if self.etag:
            headers["If-None-Match"] = self.etag
        if self.last_modified:
            headers["If-Modified-Since"] = self.last_modified
        return headers


@dataclass(slots=True)
class Plan:
    """Detail work of one column, and the items that left its list."""

    jobs: list[DetailJob] = field(default_factory=list)
    left: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class _Known:
    """An item of the column as stored before this run."""

    title: str
    date: str | None
    first_seen: str
    last_seen: str
    fetched_at: str | None
    status: int | None
    left_at: str | None

    @property
    def left(self) -> bool:
        return self.left_at is not None and self.left_at >= self.last_seen


class DetailPlanner:
    """Decides the detail work of each column from its listing and the store (read-only)."""

    def __init__(self, db: Database, config: Config, units: list[UnitConfig], *, now: datetime,
                 split: dict[str, int] | None = None):
        self.db = db
        self.budget = config.crawl.detail_budget_per_site
        # a site shared by k worker processes (crawler/shards.py): each gets 1/k of its budget,
        # counting 1/k of what was already spent today
        self.split = split or {}
        self.recheck_since = _stamp(now - timedelta(days=config.crawl.detail_recheck_days))
        self.day_start = _stamp(datetime.combine(now.date(), time(), now.tzinfo))
        self.reread_before = _stamp(now - timedelta(hours=config.crawl.detail_reread_after_hours))
        self.now = _stamp(now)
        self.site_of = {u.id: slot_key(u) for u in config.units}
        self.hosts = county_hosts(config)[1]
        self.used: Counter[str] = Counter()
        for unit_id, count in db.execute(
                "SELECT unit_id, COUNT(*) FROM fetches WHERE purpose = 'detail' AND fetched_at >= ? GROUP BY unit_id",
                [self.day_start]).fetchall():
            if unit_id in self.site_of:
                self.used[self.site_of[unit_id]] += count
        for site, k in self.split.items():
            self.used[site] //= k
        self.documents: dict[str, tuple[str | None, str | None]] = {}
        self.attachments: dict[tuple[str, int], set[str]] = defaultdict(set)
        ids = [u.id for u in units]
        for url, column_id, year, etag, last_modified in db.execute(
                f"""SELECT url, column_id, year, etag, last_modified FROM documents
                    WHERE unit_id IN ({','.join('?' * len(ids))}) ORDER BY last_fetched, id""", ids).fetchall():
            self.documents[url] = (etag, last_modified)     # the last stored version wins
            if column_id and year and _DOCUMENT.search(urlsplit(url).path):
                self.attachments[(column_id, year)].add(url)

    @classmethod
    def open(cls, db_path: str, config: Config, units: list[UnitConfig], *,
             split: dict[str, int] | None = None) -> "DetailPlanner":
        return cls(open_readonly(db_path), config, units, now=datetime.now(ZoneInfo(config.timezone)), split=split)

    def close(self) -> None:
        self.db.close()

    # ------------------------------------------------------------------------- per column

    def plan(self, unit_id: str, column_id: str, *, report: bool, listed: list[ListItem] | None) -> Plan:
        """The detail work a column's listing calls for; `listed` None: the list answered 304."""
        site = self.site_of[unit_id]
        budget = self.budget // self.split.get(site, 1)
        if listed is None and not report and self.used[site] >= budget:
            return Plan()      # an unchanged list and no budget left: nothing to read, no need to look
        known = self._known(column_id)
        fresh = listed is not None
        if listed is None:
            last = max((k.last_seen for k in known.values()), default=None)
            listed = [ListItem(k.title, url, k.date) for url, k in known.items() if k.last_seen == last and not k.left]
        current = {i.url: i for i in listed}
        plan = Plan()
        for item in current.values():
            year = report_year(item.title) if report else None
            # every listed report, older ones too (304 once stored): A15 applies to all
            if year and host_of(item.url) in self.hosts:
                etag, last_modified = self.documents.get(item.url, (None, None))
                plan.jobs.append(DetailJob(unit_id, column_id, item.url, "report", item.title, item.date, year,
                                           etag, last_modified))
        reports = {j.url for j in plan.jobs}
        plan.left = _left_list(known, current) if fresh else []
        gone = [url for url, k in known.items()
                if k.status not in DELETED and (url in plan.left or k.left and (k.fetched_at or "") < k.left_at)]
        new = sorted((i for i in current.values() if i.url not in known and i.url not in reports),
                     key=lambda i: i.date or "", reverse=True)
        recheck = sorted((url for url, k in known.items()
                          if url in current and url not in reports and k.status not in DELETED
                          and k.first_seen >= self.recheck_since and (k.fetched_at or "") < self.reread_before),
                         key=lambda url: known[url].fetched_at or "")
        wanted = [(url, budget) for url in gone] + [(i.url, budget) for i in new] + \
                 [(url, budget // 2) for url in recheck]
        for url, limit in wanted:
            if self.used[site] >= limit or host_of(url) not in self.hosts:
                continue
            self.used[site] += 1
            item = current.get(url)
            title = item.title if item else known[url].title
            plan.jobs.append(DetailJob(unit_id, column_id, url, "detail", title, item.date if item else known[url].date))
        return plan

    def known_attachments(self, job: DetailJob) -> list[DetailJob]:
        """The stored attachments of a report whose page answered 304 (checked conditionally too)."""
        return self.attachment_jobs(job, sorted(self.attachments.get((job.column_id, job.year or 0), ())))

    def attachment_jobs(self, job: DetailJob, urls: list[str]) -> list[DetailJob]:
        jobs = []
        for url in urls[:MAX_ATTACHMENTS]:
            etag, last_modified = self.documents.get(url, (None, None))
            jobs.append(DetailJob(job.unit_id, job.column_id, url, "attachment", job.title, job.published, job.year,
                                  etag, last_modified))
        return jobs

    def _known(self, column_id: str) -> dict[str, _Known]:
        return {row[0]: _Known(*row[1:]) for row in self.db.execute(
            """SELECT url, title, date, first_seen, last_seen, detail_fetched_at, detail_status, left_list_at
               FROM items WHERE column_id = ?""", [column_id]).fetchall()}


def _left_list(known: dict[str, _Known], current: dict[str, ListItem]) -> list[str]:
    """Items of the previous listing missing now although newer than the oldest item listed now
    (strictly: an item merely pushed off the first page is never newer than what stays)."""
    dates = [i.date for i in current.values() if i.date]
    if not dates or not known:
        return []
    oldest, last = min(dates), max(k.last_seen for k in known.values())
    return [url for url, k in known.items()
            if k.last_seen == last and not k.left and url not in current and k.date and k.date > oldest]


# ----------------------------------------------------------------------------- reading pages

def attachment_links(html_text: str, page_url: str) -> list[str]:
    """Same-host links to .pdf/.doc/.docx/.wps files, or 附件/下载 links whose query names one."""
    if not _MAYBE_DOCUMENT.search(html_text):   # no such link can be on the page: spare the parse
        return []
    root = parse_page(html_text)
    if root is None:
        return []
    host = urlsplit(page_url).netloc.lower()
    found: list[str] = []
    for anchor in root.iter("a"):
        href = (anchor.get("href") or "").strip()
        if not href or href.startswith(("javascript:", "mailto:")):
            continue
        url = urljoin(page_url, href).split("#", 1)[0]
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or parts.netloc.lower() != host or url in found:
            continue
        text = " ".join(anchor.itertext())
        if _DOCUMENT.search(unquote(parts.path)) or (
                _ATTACHMENT_TEXT.search(text) and _DOCUMENT.search(unquote(parts.query))):
            found.append(url)
    return found


def item_detail(response: Response, job: DetailJob) -> ItemDetail | ItemStatus | None:
    """What an item's detail page shows: an error status, or its main text and metadata. A file
    (an item linking straight to a PDF) is kept as its digest, so a replaced file is an edit."""
    if response.status >= 400:
        return ItemStatus(job.column_id, job.url, response.status)
    if not 200 <= response.status < 300:
        return None
    if not isinstance(response, TextResponse):
        digest = hashlib.sha256(response.body).hexdigest()
        return ItemDetail(job.column_id, job.url, job.title, f"[{content_type(response)} sha256:{digest}]",
                          item_metadata(""))
    root = parse_page(response.text)     # one parse for all three, in this order: main_text prunes the tree
    if root is None:
        return ItemDetail(job.column_id, job.url, job.title, "", item_metadata(""))
    title = page_title(root)
    metadata = item_metadata(root)       # drops only scripts and styles, which main_text drops too
    return ItemDetail(job.column_id, job.url, title or job.title, main_text(root), metadata)


def document(response: Response, job: DetailJob, *, main_text: str | None = None) -> DocumentSeen:
    """A report page or attachment as fetched (raw bytes, a page's main text, validators for the
    next request)."""
    return DocumentSeen(unit_id=job.unit_id, column_id=job.column_id, url=job.url, title=job.title, year=job.year,
                        published=job.published, content_type=content_type(response), raw=response.body,
                        etag=header(response, b"ETag"), last_modified=header(response, b"Last-Modified"),
                        main_text=main_text)


def content_type(response: Response) -> str | None:
    """The Content-Type sent, or the file type its extension names when the server sent none
    or a generic one."""
    sent = header(response, b"Content-Type")
    if sent and not sent.lower().startswith(("application/octet-stream", "application/x-download",
                                             "application/force-download")):
        return sent
    ext = re.search(r"\.\w+$", urlsplit(response.url).path)
    guess = _DOCUMENT_TYPES.get(ext.group(0).lower()) if ext else None
    return guess or mimetypes.guess_type(response.url)[0] or sent


def page_title(root: etree._Element) -> str | None:
    """The article title a detail page declares (`<meta name="ArticleTitle">`, else its h1)."""
    for value in root.xpath("//meta[@name='ArticleTitle']/@content | //h1"):
        text = value if isinstance(value, str) else " ".join(value.itertext())
        text = " ".join(text.split())
        if text:
            return text
    return None


def header(response: Response, name: bytes) -> str | None:
    """A response header as text (latin-1, as HTTP sends it)."""
    value = response.headers.get(name)
    return value.decode("latin-1") if value else None
