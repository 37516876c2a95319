"""Detail pages: which item, annual-report and attachment pages a run reads, and what it keeps.

A daily run should cost about one request per column (docs/design.md §6), so a detail page is read
only where it can show something (docs/rules.md §7, 先发后审 symptoms):
- annual reports of the last three report years, every run but conditionally (the validators
  of their last stored version): a silent edit is the most significant change (A15) and an
  unchanged report costs a 304; with their attachments (.pdf/.doc/.docx/.wps, same host);
- items newly listed in a column: their first version, 发布日期 and 成文日期 (W8, W9);
- items that left their list although newer than its oldest listed item: 404/410 = deleted;
- items first seen within `crawl.detail_recheck_days`, least recently read first, for edits,
  conditionally (the validators of their latest version: an unchanged page costs a 304).
All but reports share a budget per site and run: what the politeness window
(`crawl.window_minutes` / the host's delay) leaves after the site's list pages, within an
explicit daily `crawl.detail_budget_per_site` if one is set. Edit re-reads are chosen for the
whole site before any list is read, so the choice does not depend on the order lists come
back, from what is left after a share kept for new items and deletion checks (as many as the
last crawl found new, at most half). Detail requests rank below list pages.
Items on hosts outside the county (`crawler.hosts`: a 转载 linking to another government's site)
are not read.
"""
from __future__ import annotations

import hashlib
import logging
import mimetypes
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any, Callable
from urllib.parse import unquote, urljoin, urlsplit
from zoneinfo import ZoneInfo

from lxml import etree
from scrapy.http import Response, TextResponse
from sqlite_utils import Database

from crawler.hosts import county_hosts, host_of
from crawler.pages.html import item_metadata, parse_page
from crawler.pages.layouts import main_text
from crawler.records import DocumentSeen, ItemDetail, ItemStatus
from crawler.settings import host_slots, slot_key
from crawler.shards import estimated_requests
from monitor.config import Config, UnitConfig, column_category
from monitor.reports.years import report_year
from monitor.item_observations import StoredItem, columns_with_items, recheck_candidates, stored_items
from monitor.observations import ListItem, detail_fetches_since, last_crawl
from monitor.observations import column_id as make_column_id
from monitor.report_store import stored_documents
from monitor.store import open_readonly
from monitor.store import stamp as _stamp

log = logging.getLogger(__name__)

DELETED = (404, 410)
#: Scrapy serves higher priorities first: list pages (0) never wait for detail work
PRIORITY = {"report": -1, "attachment": -1, "detail": -2}
MAX_ATTACHMENTS = 10
_DOCUMENT = re.compile(r"\.(?:pdf|docx?|wps)(?=$|[&#;])", re.I)
_ATTACHMENT_TEXT = re.compile("附件|下载")
_MAYBE_DOCUMENT = re.compile(r"\.(?:pdf|docx?|wps)|%", re.I)   # what any href _DOCUMENT matches must contain
_HREFS = etree.XPath("//a/@href")
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
    etag: str | None = None         # validators of the last stored version, sent by
    last_modified: str | None = None   # crawler.middlewares.ConditionalRequestMiddleware
    referrer: str | None = None     # attachment: the report page that links to it, and the link's text
    link_text: str | None = None


@dataclass(slots=True)
class Plan:
    """Detail work of one column, and the items that left its list."""

    jobs: list[DetailJob] = field(default_factory=list)
    left: list[str] = field(default_factory=list)


class DetailPlanner:
    """Decides the detail work of each column from its listing and the store (read-only)."""

    def __init__(self, db: Database, config: Config, units: list[UnitConfig], *, now: datetime,
                 today: date | None = None, split: dict[str, int] | None = None):
        self.db = db
        crawl = config.crawl
        self.recheck_since = _stamp(now - timedelta(days=crawl.detail_recheck_days))
        self.recent_date = ((today or now.date()) - timedelta(days=crawl.detail_recheck_days)).isoformat()
        self.reread_before = _stamp(now - timedelta(hours=crawl.detail_reread_after_hours))
        self.overdue_before = _stamp(now - timedelta(hours=2 * crawl.detail_reread_after_hours))
        self.site_of = {u.id: slot_key(u) for u in config.units}
        self.hosts = county_hosts(config)[1]
        day_start = _stamp(datetime.combine(now.date(), time(), now.tzinfo))
        # a site shared by k worker processes (crawler/shards.py): each gets 1/k of its budget
        self.budget = detail_budgets(db, config, units, day_start=day_start, split=split)
        self.used: Counter[str] = Counter()      # detail requests planned in this run, per site
        self.rechecks = self._choose_rechecks(config, units)
        self.with_items = columns_with_items(db, [u.id for u in units])
        self.documents: dict[str, tuple[str | None, str | None]] = {}
        self.attachments: dict[tuple[str, int], set[str]] = defaultdict(set)
        for url, column_id, year, etag, last_modified in stored_documents(db, [u.id for u in units]):
            self.documents[url] = (etag, last_modified)     # the last stored version wins
            if column_id and year and _DOCUMENT.search(urlsplit(url).path):
                self.attachments[(column_id, year)].add(url)

    @classmethod
    def open(cls, db_path: str, config: Config, units: list[UnitConfig], *, today: date | None = None,
             split: dict[str, int] | None = None) -> "DetailPlanner":
        return cls(open_readonly(db_path), config, units, now=datetime.now(ZoneInfo(config.timezone)), today=today,
                   split=split)

    def close(self) -> None:
        self.db.close()

    def _choose_rechecks(self, config: Config, units: list[UnitConfig]) -> dict[str, set[str]]:
        """The items each site re-reads for edits in this run, chosen before any list is read, so
        the choice never depends on the order lists come back: the site's budget less what is kept
        for new items and deletion checks, least recently read first. Candidates are the items
        of the site's latest listings first seen within `detail_recheck_days` and not read in the
        last `detail_reread_after_hours`. An item already listed when its column was first read
        and dated before that period is a backlog item, first seen only because monitoring began.
        Recent items unread for two re-read periods come first, then backlog items, then the other
        recent ones: the recent ones are read at least every other run while the budget allows it,
        and as often as it allows when it does not. Items of report columns are not among them: a
        report is read every run anyway; nor are items on other hosts, which are never read."""
        configured = {make_column_id(u.id, c.url): c for u in units for c in u.columns}
        rows = recheck_candidates(self.db, [u.id for u in units], first_seen_since=self.recheck_since,
                                  read_before=self.reread_before, recent_date=self.recent_date,
                                  overdue_before=self.overdue_before, gone=DELETED)
        report_column: dict[str, bool] = {}
        chosen: dict[str, set[str]] = defaultdict(set)
        for unit_id, column, name, url in rows:
            if column not in report_column:
                report_column[column] = column_category(configured.get(column), name)[0] == "report"
            site = self.site_of[unit_id]
            budget = self.budget[site]
            if report_column[column] or host_of(url) not in self.hosts or (
                    budget.total is not None and self.used[site] >= budget.total - budget.kept):
                continue
            self.used[site] += 1
            chosen[column].add(url)
        return chosen

    # ------------------------------------------------------------------------- per column

    def plan(self, unit_id: str, column_id: str, *, report: bool, listed: list[ListItem] | None) -> Plan:
        """The detail work a column's listing calls for; `listed` None: the list answered 304."""
        site = self.site_of[unit_id]
        budget = self.budget[site].total
        rechecks = self.rechecks.get(column_id, set())
        if listed is None and not report and not rechecks and budget is not None and self.used[site] >= budget:
            return Plan()      # an unchanged list, no re-reads chosen and no budget left: no need to look
        known = stored_items(self.db, column_id) if column_id in self.with_items else {}
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
        room = None if budget is None else max(0, budget - self.used[site])
        wanted: list[str] = []
        if room != 0:            # (with no budget left, the new items need not even be sorted)
            new = sorted((i for i in current.values() if i.url not in known and i.url not in reports),
                         key=lambda i: i.date or "", reverse=True)
            wanted = [url for url in gone + [i.url for i in new] if host_of(url) in self.hosts][:room]
        self.used[site] += len(wanted)
        wanted += sorted(url for url in rechecks if url in current and url not in reports and host_of(url) in self.hosts)   # counted when chosen
        for url in wanted:
            item, stored = current.get(url), known.get(url)
            title = item.title if item else stored.title
            etag, last_modified = (stored.etag, stored.last_modified) if stored else (None, None)
            plan.jobs.append(DetailJob(unit_id, column_id, url, "detail", title, item.date if item else stored.date,
                                       etag=etag, last_modified=last_modified))
        return plan

    def left(self, site: str) -> int | None:
        """What this run's detail work left of a site's budget, for link checks (None: no limit)."""
        total = self.budget[site].total
        return None if total is None else max(0, total - self.used[site])

    def known_attachments(self, job: DetailJob) -> list[DetailJob]:
        """The stored attachments of a report whose page answered 304 (checked conditionally too)."""
        known = sorted(self.attachments.get((job.column_id, job.year or 0), ()))
        return self.attachment_jobs(job, [(url, None) for url in known])

    def attachment_jobs(self, job: DetailJob, links: list[tuple[str, str | None]]) -> list[DetailJob]:
        """`links`: (URL, link text) on the report page `job`."""
        jobs = []
        for url, text in links[:MAX_ATTACHMENTS]:
            etag, last_modified = self.documents.get(url, (None, None))
            jobs.append(DetailJob(job.unit_id, job.column_id, url, "attachment", job.title, job.published, job.year,
                                  etag, last_modified, referrer=job.url, link_text=text))
        return jobs


@dataclass(frozen=True, slots=True)
class SiteBudget:
    """Item detail requests a site may get in this run (None: no limit), and how many of them are
    kept for new items and deletion checks (edit re-reads get the rest)."""

    total: int | None
    kept: int = 0


def detail_budgets(db: Database, config: Config, units: list[UnitConfig], *, day_start: str,
                   split: dict[str, int] | None = None) -> dict[str, SiteBudget]:
    """The detail budget of each site in this run. A run may keep requesting from a host for
    `crawl.window_minutes`, one request per delay, so the host gets window / delay requests, less
    its list-side requests (site, list and report pages: as many as its last crawl made, or an
    estimate before the first); within what is left today of an explicit
    `crawl.detail_budget_per_site`. As many as the last crawl found new items are kept for new
    items, at most half (more new ones wait for the next run, first in line as never read). A
    worker sharing a site with k-1 others (crawler/shards.py) has k times its delay and 1/k of
    the daily cap."""
    crawl, split = config.crawl, split or {}
    slots = host_slots(config, units)
    groups: dict[str, list[UnitConfig]] = defaultdict(list)
    for unit in units:
        groups[slot_key(unit)].append(unit)
    budgets: dict[str, SiteBudget] = {}
    for site, group in groups.items():
        k, ids = split.get(site, 1), [u.id for u in group]
        lists, new = last_crawl(db, ids)
        total: int | None = None
        if slots[site]["delay"] > 0:
            lists = lists or sum(estimated_requests(u) for u in group)
            total = max(0, int(crawl.window_minutes * 60 / (slots[site]["delay"] * k)) - lists)
        if crawl.detail_budget_per_site is not None:     # spent today by the whole site, this worker's share
            today = detail_fetches_since(db, [u.id for u in config.units if slot_key(u) == site], day_start)
            left = max(0, crawl.detail_budget_per_site // k - today // k)
            total = left if total is None else min(total, left)
        budgets[site] = SiteBudget(total, 0 if total is None else min(total // 2, new))
    return budgets


def _left_list(known: dict[str, StoredItem], current: dict[str, ListItem]) -> list[str]:
    """Items of the previous listing missing now although newer than the oldest item listed now
    (strictly: an item merely pushed off the first page is never newer than what stays)."""
    dates = [i.date for i in current.values() if i.date]
    if not dates or not known:
        return []
    oldest, last = min(dates), max(k.last_seen for k in known.values())
    return [url for url, k in known.items()
            if k.last_seen == last and not k.left and url not in current and k.date and k.date > oldest]


# ----------------------------------------------------------------------------- reading pages

def attachment_links(root: Any, page_url: str) -> list[tuple[str, str]]:
    """Same-host links to .pdf/.doc/.docx/.wps files, or 附件/下载 links whose query names one,
    with their text, on a report page's tree (`item_detail` hands it over before pruning it: the
    page was parsed a second time for this, since nearly every page has a `%` somewhere)."""
    if not _MAYBE_DOCUMENT.search("\n".join(_HREFS(root))):   # no link names a document: most pages
        return []
    host = urlsplit(page_url).netloc.lower()
    found: dict[str, str] = {}
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
            found[url] = " ".join(text.split())
    return list(found.items())


def item_detail(response: Response, job: DetailJob,
                anchors: Callable[[Any], None] | None = None) -> ItemDetail | ItemStatus | None:
    """What an item's detail page shows: an error status or a 304 (the version we sent the
    validators of is current), or its main text and metadata. A file (an item linking straight
    to a PDF) is kept as its digest, so a replaced file is an edit. `anchors` is handed the
    page's tree before its main text is pruned out of it (`crawler.links.Anchors.collect`)."""
    if response.status >= 400 or response.status == 304:
        return ItemStatus(job.column_id, job.url, response.status)
    if not 200 <= response.status < 300:
        return None
    title, text, metadata = job.title, "", item_metadata("")
    if not isinstance(response, TextResponse):
        text = f"[{content_type(response)} sha256:{hashlib.sha256(response.body).hexdigest()}]"
    elif (root := parse_page(response.text)) is not None:   # one parse for all three; main_text prunes it
        if anchors is not None:
            anchors(root)
        title = page_title(root) or job.title
        metadata = item_metadata(root)   # drops only scripts and styles, which main_text drops too
        text = main_text(root)
    return ItemDetail(job.column_id, job.url, title, text, metadata, header(response, b"ETag"),
                      header(response, b"Last-Modified"))


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
    for el in root.iter("meta", "h1"):      # document order, like the XPath union, at a tenth of its cost
        if el.tag == "meta" and el.get("name") != "ArticleTitle":
            continue
        text = (el.get("content") or "") if el.tag == "meta" else " ".join(el.itertext())
        text = " ".join(text.split())
        if text:
            return text
    return None


def header(response: Response, name: bytes) -> str | None:
    """A response header as text (latin-1, as HTTP sends it)."""
    value = response.headers.get(name)
    return value.decode("latin-1") if value else None
