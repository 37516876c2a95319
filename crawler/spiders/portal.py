"""PortalSpider: unit site page → discovered + configured columns → their list pages.

A column page that is itself a navigation (links to sub-columns below it, `crawler.discover`) is
followed one level: its sub-columns are columns too, and the page is recorded as a `navigation`.
When the site page or such a column page answers 304 (or fails), the columns last found on it are
read again, so a 304 costs no request and no discovery.

The first list page of a column is enough to judge staleness, so follow-up pages are fetched
only for report columns (until they reach back past the last three report years) and columns
configured with `max_pages`. Once a column's list is read, `crawler.detail` decides which
detail pages to read (reports, new/recent/vanished items), at a lower priority. Every attempt
becomes a `Fetch` record (a failure is an observation, never a crash), and an exception while
reading a page becomes a `parse_error` for that page only. A callback's records reach the
pipeline together, as one `Records` item.

When every list and detail page is done, the links of the pages read (`crawler.links`) are checked
with what the detail budget left: a HEAD request each, or a GET closed after its headers when the
server refuses HEAD (405/501), at the crawl's own delay, concurrency and robots.txt.

Requests to a host that is down (`crawler.hosts.HostBreaker`) are held until the run is otherwise
idle; then the host is probed once, and its held requests are sent again (probe answered) or
recorded as failures without a request (probe failed).
"""
from __future__ import annotations

import hashlib
import logging
import time
import zlib
from dataclasses import dataclass, field
from datetime import date
from functools import partial
from typing import Any, Iterator

import scrapy
from scrapy import signals
from scrapy.exceptions import DontCloseSpider, DownloadCancelledError, IgnoreRequest, StopDownload
from scrapy.http import Response, TextResponse
from twisted.python.failure import Failure

from crawler.detail import PRIORITY, DetailJob, DetailPlanner, Plan, attachment_links, document, header, item_detail
from crawler.discover import NAVIGATION, discover_columns, sub_columns
from crawler.extract import ListPage, extract_list
from crawler.homepage import newest_dated_link
from crawler.messages import interaction_links, no_board_note, read_messages, reply_date
from crawler.hosts import DOWN, PROBING, HostBreaker, HostDown, OffsiteRequest, county_hosts, host_of
from crawler.links import Anchors, PageLink, StoredLinks, links_due
from crawler.middlewares import PROBE, STARTED
from crawler.records import (Discovery, Fetch, HomeSeen, ItemDetail, LeftList, ListSeen, MessageReply,
                             MessagesSeen, NotModified, PageLinks, Records, UnitDone)
from crawler.settings import slot_key
from monitor.reports.years import YEARS_BACK
from monitor.config import Config, ListSelectors, UnitConfig, column_category
from monitor.observations import LINK_CHECK, ListItem, below, canonical_url, column_id

log = logging.getLogger(__name__)

# everything but redirects reaches the callbacks (handle_httpstatus_all would disable redirects)
_STATUSES = [304, *range(400, 600)]
#: answers to HEAD that mean "ask with GET" (method not allowed, not implemented)
_NO_HEAD = (405, 501)


@dataclass(slots=True)
class ColumnTask:
    """One column to read, carried in request meta across its pages."""

    unit_id: str
    column_id: str
    name: str
    url: str
    max_pages: int
    selectors: ListSelectors | None
    report: bool = False           # an annual-report column (category `report`)
    interaction: bool = False      # a message board (category `interaction`): its messages are read too (W7)
    sub: bool = False              # a sub-column, found on a column navigation (not followed further)
    items: list[ListItem] = field(default_factory=list)
    pages: int = 0
    first: dict[str, Any] = field(default_factory=dict)   # status, etag, last_modified, body hash
    complete: bool = False         # the last page read has no next page: the whole listing was read
    unreachable: str | None = None  # the last page read names later pages no request can fetch


class PortalSpider(scrapy.Spider):
    name = "portal"
    custom_settings = {"DUPEFILTER_CLASS": "scrapy.dupefilters.BaseDupeFilter"}

    def __init__(self, config: Config, units: list[UnitConfig], *, today: date,
                 validators: dict[str, dict[str, Any]] | None = None,
                 site_validators: dict[str, dict[str, Any]] | None = None,
                 known_columns: dict[str, list[tuple[str, str]]] | None = None,
                 known_sub_columns: dict[str, list[tuple[str, str]]] | None = None,
                 details: DetailPlanner | None = None, link_share: dict[str, tuple[int, int]] | None = None,
                 **kwargs: Any):
        super().__init__(**kwargs)
        self.config = config
        self.units = units
        self._by_id = {u.id: u for u in units}
        self.today = today
        self.validators = validators or {}                 # read by ConditionalRequestMiddleware
        self.site_validators = site_validators or {}       # likewise, for site pages
        self.known_columns = known_columns or {}           # last discovery, used when the site fails
        self.known_sub_columns = known_sub_columns or {}   # likewise, for column navigations
        self.hosts = county_hosts(config)[1]               # a column on any of them is the county's
        self.requested: dict[str, set[str]] = {u.id: set() for u in units}   # column ids, per unit
        self.boards: set[str] = set()                      # column ids of message boards (W7)
        self.details = details                             # None: list pages only
        self.report_cutoff = date(today.year - YEARS_BACK, 1, 1).isoformat()
        self.pending: dict[str, int] = {u.id: 0 for u in units}
        self.breaker = HostBreaker(config.crawl.host_failure_limit)   # fed by HostBreakerMiddleware
        self.held: dict[str, list[scrapy.Request]] = {}                # host → requests refused while down
        self.anchors = Anchors(self.hosts)                             # links of the pages read (W12)
        self.asked: set[str] = set()                                   # URLs the crawl requested itself
        self.links_sent = False                                        # the link checks go once, at the end
        self.link_share = link_share or {}                             # host → (place, of): crawler/shards.py
        self.stored_links = StoredLinks.load(details.db, config, units) if details else StoredLinks()

    @classmethod
    def from_crawler(cls, crawler, *args: Any, **kwargs: Any) -> "PortalSpider":
        spider = super().from_crawler(crawler, *args, **kwargs)
        crawler.signals.connect(spider.idle, signal=signals.spider_idle)
        return spider

    # ----------------------------------------------------------------------------- requests

    async def start(self) -> Any:
        """Each unit's first requests. Scrapy takes them as it has room and may answer one before
        the next is made, so a unit is held (counted pending) until all of its own are made: the
        county portal's answer came back before its owner's site request on a slow machine, and the
        owner was counted done twice."""
        for unit in self.units:
            self.pending[unit.id] += 1
        owner = self.config.portal_owner
        if self.config.county_portal and owner.id in self._by_id:   # the crawl (shard) of its owner reads it
            request = self._request(owner, self.config.county_portal, self.parse_home, purpose="home")
            request.meta["download_slot"] = host_of(self.config.county_portal)
            yield request
        for unit in self.units:
            if unit.site and unit.discover:
                yield self._request(unit, unit.site, self.parse_site, purpose="site")
            else:
                for request in self._column_requests(unit, []):
                    yield request
            done = list(self._done(unit.id))     # the hold let go: done now if nothing was asked or all answered
            if done:
                yield Records(done)

    def idle(self) -> None:
        """The run is done but for hosts that went down: probe each once with one of its held
        requests, then send the others again — refused at once (and recorded) if the probe failed.
        Then the link checks, once."""
        if not self.held:
            if not self.links_sent and self._send_link_checks():
                raise DontCloseSpider
            return
        held, self.held = self.held, {}
        for host, requests in held.items():
            state = self.breaker.state.get(host)
            if state == DOWN:
                log.warning("host %s is down (%d connection failures in a row): one last try, %d requests held",
                            host, self.breaker.failures[host], len(requests))
                self.breaker.probing(host)
                probe, *requests = requests
                self.crawler.engine.crawl(probe.replace(meta={**probe.meta, PROBE: True, "dont_retry": True}))
                if requests:
                    self.held[host] = requests
                continue
            if state == PROBING:     # the probe never reached the host (e.g. robots.txt): no second one
                self.breaker.give_up(host)
            if state is None:
                log.warning("host %s answered the last try: sending its %d held requests", host, len(requests))
            else:
                log.warning("host %s did not answer the last try: %d held requests recorded as failures, not sent",
                            host, len(requests))
            for request in requests:
                self.crawler.engine.crawl(request)
        raise DontCloseSpider

    def closed(self, reason: str) -> None:
        if self.details is not None:
            self.details.close()

    def _request(self, unit: UnitConfig, url: str, callback, *, purpose: str,
                 task: ColumnTask | DetailJob | None = None, priority: int = 0) -> scrapy.Request:
        self.pending[unit.id] += 1
        self.asked.add(url)
        meta: dict[str, Any] = {"unit": unit.id, "purpose": purpose, "task": task,
                                "download_slot": slot_key(unit), "handle_httpstatus_list": _STATUSES}
        if unit.crawl.delay_seconds is not None:
            meta["autothrottle_dont_adjust_delay"] = True   # keep the unit's own delay
        return scrapy.Request(url, callback=callback, errback=self.failed, meta=meta, dont_filter=True,
                              priority=priority)

    def _column_requests(self, unit: UnitConfig, discovered: list[tuple[str, str]], *,
                         sub: bool = False) -> Iterator[scrapy.Request]:
        """Requests for the columns not yet asked for in this run (a sub-column may also be linked
        from the site page, and a 304 falls back on the columns known from the store)."""
        requested = self.requested[unit.id]
        for task in self.columns_of(unit, discovered, sub=sub):
            if task.column_id not in requested:
                requested.add(task.column_id)
                if task.interaction:
                    self.boards.add(task.column_id)
                yield self._request(unit, task.url, self.parse_list, purpose="list", task=task)

    def _known_subs(self, unit: UnitConfig, task: "ColumnTask") -> list[tuple[str, str]]:
        """The sub-columns last found on a column's page (when it was a navigation)."""
        return [] if task.sub else [(n, u) for n, u in self.known_sub_columns.get(unit.id, []) if below(u, task.url)]

    def _known_sub_requests(self, unit: UnitConfig, task: "ColumnTask") -> Iterator[scrapy.Request]:
        """The sub-columns last found on a column navigation whose page was not read now."""
        yield from self._column_requests(unit, self._known_subs(unit, task), sub=True)

    def columns_of(self, unit: UnitConfig, discovered: list[tuple[str, str]], *, sub: bool = False) -> list[ColumnTask]:
        """Configured columns, then discovered ones whose URL or name is not configured (and no
        discovered board when one is configured)."""
        crawl = self.config.crawl
        configured = {canonical_url(c.url) for c in unit.columns}
        names = {c.name for c in unit.columns}
        tasks: list[ColumnTask] = []
        for col in unit.columns:
            category, _ = column_category(col, col.name)
            pages = col.max_pages or (crawl.max_pages_per_column if category == "report" else 1)
            tasks.append(ColumnTask(unit.id, column_id(unit.id, col.url), col.name, col.url, pages, unit.selectors,
                                    report=category == "report", interaction=category == "interaction"))
        for name, url in discovered:
            key = canonical_url(url)
            if key in configured or name in names or not unit.takes_discovered(name):
                continue
            configured.add(key)
            names.add(name)
            category, _ = column_category(None, name)
            pages = crawl.max_pages_per_column if category == "report" else 1
            tasks.append(ColumnTask(unit.id, column_id(unit.id, url), name, url, pages, unit.selectors,
                                    report=category == "report", interaction=category == "interaction", sub=sub))
        return tasks

    # ----------------------------------------------------------------------------- callbacks

    def parse_site(self, response: Response) -> Iterator[Any]:
        return self._guarded(response, self._read_site(self._unit(response), response))

    def _read_site(self, unit: UnitConfig, response: Response) -> Iterator[Any]:
        fetch = self._fetch(response)
        if response.status == 304:      # the site page is as at the last discovery
            fetch.outcome = "not_modified"
        if fetch.outcome != "ok":
            yield fetch
            yield HomeSeen(unit.site, fetch.outcome, fetch.http_status, fetch.error)
            yield from self._column_requests(unit, self.known_columns.get(unit.id, []))
            return
        columns = discover_columns(response.text, response.url, self.hosts, anchors=self._anchors(unit, response))
        yield fetch
        yield from self._page_links(unit, response)
        yield self._home_seen(unit.site, fetch, response)
        yield Discovery(unit.id, columns, header(response, b"ETag"), header(response, b"Last-Modified"))
        yield from self._column_requests(unit, columns)

    def parse_home(self, response: Response) -> Iterator[Any]:
        """The county portal's home page: only the newest dated item it shows (W1)."""
        return self._guarded(response, self._read_home(response))

    def _read_home(self, response: Response) -> Iterator[Any]:
        fetch = self._fetch(response)
        yield fetch
        home = self._home_seen(self.config.county_portal, fetch, response)
        if home.outcome == "ok":
            home.interaction_url = next(iter(interaction_links(response.text, response.url)), None)
        yield home

    def _home_seen(self, url: str, fetch: Fetch, response: Response) -> HomeSeen:
        """A page that cannot be searched for dates costs W1 (`parse_error`), never the discovery."""
        if fetch.outcome != "ok":
            return HomeSeen(url, fetch.outcome, fetch.http_status, fetch.error)
        try:
            newest = newest_dated_link(response.text, response.url, today=self.today)
        except Exception as exc:  # noqa: BLE001 - any page may break any parser
            return HomeSeen(url, "parse_error", fetch.http_status, f"{type(exc).__name__}: {exc}")
        return HomeSeen(url, fetch.outcome, fetch.http_status, newest=newest)

    def parse_list(self, response: Response) -> Iterator[Any]:
        return self._guarded(response, self._read_list(self._unit(response), response))

    def _read_list(self, unit: UnitConfig, response: Response) -> Iterator[Any]:
        task: ColumnTask = response.meta["task"]
        fetch = self._fetch(response)
        first = task.pages == 0
        if response.status == 304 and first:
            fetch.outcome = "not_modified"
            yield fetch
            plan = self._plan(task, None)
            yield NotModified(task.column_id)
            yield from self._detail_work(unit, task, plan)
            yield from self._known_sub_requests(unit, task)
            return
        if fetch.outcome != "ok":
            yield fetch
            if not first:  # a later page failed: the pages read so far still count
                task.unreachable = "next_unread"
                yield from self._list_done(unit, task)
            else:
                yield from self._known_sub_requests(unit, task)
            return
        if first and not task.sub and unit.discover:
            subs = sub_columns(response.text, response.url, self.hosts, anchors=self._anchors(unit, response))
            if subs:            # a navigation of sub-columns, not a list: read them instead
                yield fetch
                yield from self._page_links(unit, response)
                yield Discovery(unit.id, subs, parent=task.url)
                yield from self._column_requests(unit, subs, sub=True)
                task.first = _first_page(response, NAVIGATION, str(len(subs)))
                task.pages = 1
                yield self._list_seen(task)     # no list, so no detail work (nothing "left" it)
                return
            if self._known_subs(unit, task):    # it was a navigation and is not any more
                yield Discovery(unit.id, [], parent=task.url)
        page = extract_list(response.text, response.url, today=self.today, selectors=task.selectors,
                            anchors=self._anchors(unit, response))
        yield fetch
        yield from self._page_links(unit, response)
        if task.interaction and first:
            messages = read_messages(response.text, response.url)
            if messages is not None:
                yield MessagesSeen(unit.id, task.column_id, messages)
            else:       # no board: a form to write a message, or a page listing none (nothing to read on)
                note = no_board_note(response.text)
                if note == "form" or page.kind != "unreadable":     # else the extractor's reason stays
                    page = ListPage(kind="unreadable", note=note)
        task.items.extend(page.items)
        task.pages += 1
        # a next page that lists nothing (an API answering with an error page) leaves the rest unread
        task.unreachable = page.unreachable if first or page.items else "next_unread"
        if first:
            task.first = _first_page(response, page.kind, page.note)
        # a report column is read back until it shows an item older than the last three report years
        enough = task.report and any(i.date and i.date < self.report_cutoff for i in page.items)
        next_page = page.next_page if page.next_page and \
            canonical_url(page.next_page) != canonical_url(response.url) else None
        # the whole listing was read: the last page names no further page, not even one we cannot fetch
        task.complete = task.unreachable is None and next_page is None
        # a first page listing nothing but naming where its rows come from is not the list yet
        wanted = task.pages < task.max_pages or (first and not page.items)
        if next_page and wanted and not enough:
            yield self._request(unit, next_page, self.parse_list, purpose="page", task=task)
        else:
            yield from self._list_done(unit, task)

    def parse_detail(self, response: Response) -> Iterator[Any]:
        return self._guarded(response, self._read_detail(self._unit(response), response))

    def _read_detail(self, unit: UnitConfig, response: Response) -> Iterator[Any]:
        """An item page → its version or status; a report page or attachment → a document
        version, and the report's attachments (the stored ones when the page answered 304)."""
        job: DetailJob = response.meta["task"]
        fetch = self._fetch(response, binary_ok=True)
        if response.status == 304:
            fetch.outcome = "not_modified"
        yield fetch
        attachments: list[tuple[str, str]] = []
        record = item_detail(response, job, self._report_tree(unit, response, attachments) if job.purpose == "report"
                             and fetch.outcome == "ok" else None) if job.purpose != "attachment" else None
        if record is not None:           # a report page is an item too: its text version, its status
            yield record
        yield from self._page_links(unit, response)
        if job.purpose == "detail":
            if job.column_id in self.boards and fetch.outcome == "ok" and isinstance(response, TextResponse) \
                    and (replied := reply_date(response.text)):
                yield MessageReply(job.column_id, job.url, replied)
            return
        if response.status == 304:
            if job.purpose == "report":
                yield from self._detail_requests(unit, self.details.known_attachments(job))
            return
        if fetch.outcome != "ok":
            return
        # a report page's version is its main text, so a view counter is not a new version
        text = record.text if isinstance(record, ItemDetail) and isinstance(response, TextResponse) else None
        yield document(response, job, main_text=text)
        if job.purpose == "report" and isinstance(response, TextResponse):
            yield from self._detail_requests(unit, self.details.attachment_jobs(job, attachments))

    def _report_tree(self, unit: UnitConfig, response: Response, attachments: list[tuple[str, str]]) -> Any:
        """The hook a report page's parser hands its tree to before pruning it for the main
        text: for the links on it (W12) and, into `attachments`, its attached files."""
        collect = self._anchors(unit, response)

        def read(root: Any) -> None:
            collect(root)
            attachments.extend(attachment_links(root, response.url))
        return read

    def failed(self, failure: Failure) -> Iterator[Any]:
        """Errback: robots denial, redirect loops, timeouts, refused connections, over-size pages."""
        return _batched(self._failed(failure))

    def _failed(self, failure: Failure) -> Iterator[Any]:
        request = failure.request
        if failure.check(HostDown) and not failure.value.final:
            self.held.setdefault(failure.value.host, []).append(request)   # still pending: see `idle`
            return
        unit = self._by_id[request.meta["unit"]]
        outcome, error = _failure_outcome(failure)
        task: ColumnTask | None = request.meta.get("task")
        url = request.url
        if outcome == "offsite":    # the page asked for, and where it led
            url, error = request.meta.get("redirect_urls", [url])[0], failure.value.target
        yield Fetch(url=url, purpose=request.meta["purpose"], outcome=outcome, unit_id=unit.id,
                    column_id=task.column_id if task else None, error=error,
                    elapsed_ms=_elapsed_ms(request.meta), retries=request.meta.get("retry_times", 0),
                    referrer=getattr(task, "referrer", None), link_text=getattr(task, "link_text", None))
        if request.meta["purpose"] in ("site", "home"):
            yield HomeSeen(unit.site if request.meta["purpose"] == "site" else self.config.county_portal,
                           outcome, error=error)
        if request.meta["purpose"] == "site":
            yield from self._column_requests(unit, self.known_columns.get(unit.id, []))
        elif isinstance(task, ColumnTask) and task.pages:   # a later page: the pages read so far count
            task.unreachable = "next_unread"
            yield from self._list_done(unit, task)
        elif isinstance(task, ColumnTask):
            yield from self._known_sub_requests(unit, task)
        yield from self._done(unit.id)

    # ----------------------------------------------------------------------------- link checks

    def _anchors(self, unit: UnitConfig, response: Response) -> Any:
        """The hook a page's parser hands its tree to, for the links on it."""
        return partial(self.anchors.collect, unit_id=unit.id, page_url=response.url)

    def _page_links(self, unit: UnitConfig, response: Response) -> Iterator[PageLinks]:
        links = self.anchors.take(response.url)
        if links:
            yield PageLinks(unit.id, response.url, links)

    def _send_link_checks(self) -> bool:
        """Queue the link checks this run can afford (`crawler.links.links_due`); whether any were."""
        self.links_sent = True
        if self.details is None:
            return False
        site_of, stored = self.details.site_of, self.stored_links
        due, waiting = links_due(self.anchors, stored.mine, stored.known, self._followed, self._owns,
                                 lambda unit: site_of[unit], self.details.left)
        progress = getattr(self.crawler, "progress", None)
        if progress is not None:
            progress.links_waiting = waiting
        if due:   # a GET that checks a link is closed once its headers are in
            self.crawler.signals.connect(self._headers_received, signal=signals.headers_received)
        for link in due:
            self.crawler.engine.crawl(self._link_request(link, "HEAD"))
        return bool(due)

    def _owns(self, link: PageLink) -> bool:
        """Whether this worker checks a link new to the store: of the workers sharing the host of its
        page's unit, one by its URL, so a site-wide menu is checked once (when only another worker's
        pages showed it, it waits for the next run, stored as that worker's)."""
        place, of = self.link_share.get(slot_key(self._by_id[link.unit_id]), (0, 1))
        return of == 1 or zlib.crc32(link.url.encode()) % of == place

    def _followed(self, url: str) -> bool:
        """A link some crawl worker requests itself: this one's requests, every configured site,
        column and county portal, and every known column."""
        return url in self.asked or url in self.stored_links.followed

    def _link_request(self, link: PageLink, method: str) -> scrapy.Request:
        unit = self._by_id[link.unit_id]
        meta: dict[str, Any] = {"unit": unit.id, "purpose": LINK_CHECK, "task": link, "dont_retry": True,
                                "download_slot": slot_key(unit), "handle_httpstatus_list": _STATUSES}
        if unit.crawl.delay_seconds is not None:
            meta["autothrottle_dont_adjust_delay"] = True
        return scrapy.Request(link.url, method=method, callback=self.parse_link, errback=self.link_failed, meta=meta,
                              dont_filter=True, priority=-3)

    def _headers_received(self, headers: Any, body_length: int, request: scrapy.Request, spider: Any) -> None:
        if request.meta.get("purpose") == LINK_CHECK:
            raise StopDownload(fail=False)

    def parse_link(self, response: Response) -> Iterator[Any]:
        """A link's answer; a server refusing HEAD is asked with GET."""
        link: PageLink = response.meta["task"]
        if response.request.method == "HEAD" and response.status in _NO_HEAD:
            yield self._link_request(link, "GET")
            return
        outcome = "ok" if 200 <= response.status < 400 else "http_error"
        yield Records([self._link_fetch(response.meta, outcome, response.status,
                                        None if outcome == "ok" else f"HTTP {response.status}")])

    def link_failed(self, failure: Failure) -> Iterator[Any]:
        """A link check without an answer; one refused because its host is down is not recorded (it
        stays first in line)."""
        if failure.check(HostDown):
            return
        outcome, error = _failure_outcome(failure)
        yield Records([self._link_fetch(failure.request.meta, outcome, None, error)])

    def _link_fetch(self, meta: dict[str, Any], outcome: str, status: int | None, error: str | None) -> Fetch:
        link: PageLink = meta["task"]
        return Fetch(url=link.url, purpose=LINK_CHECK, outcome=outcome, unit_id=link.unit_id, http_status=status,
                     error=error, elapsed_ms=_elapsed_ms(meta), referrer=link.page, link_text=link.text)

    # ----------------------------------------------------------------------------- helpers

    def _guarded(self, response: Response, work: Iterator[Any]) -> Iterator[Any]:
        """Run a callback's work; an exception becomes a parse_error record, and the unit's
        outstanding-request count always goes down. Callbacks return this iterator rather than
        being generators: Scrapy reads a generator callback's source and parses it on every
        response (to warn of a `return` with a value), ~1 % of a crawl."""
        return _batched(self._guard(response, work))

    def _guard(self, response: Response, work: Iterator[Any]) -> Iterator[Any]:
        try:
            yield from work
        except Exception as exc:  # noqa: BLE001 - any page may break any parser
            log.warning("cannot read %s: %r", response.url, exc)
            fetch = self._fetch(response)
            fetch.outcome, fetch.error = "parse_error", f"{type(exc).__name__}: {exc}"
            yield fetch
        yield from self._done(response.meta["unit"])

    def _done(self, unit_id: str) -> Iterator[UnitDone]:
        self.pending[unit_id] -= 1
        if self.pending[unit_id] == 0:
            yield UnitDone(unit_id)

    def _unit(self, response: Response) -> UnitConfig:
        return self._by_id[response.meta["unit"]]

    def _fetch(self, response: Response, *, binary_ok: bool = False) -> Fetch:
        task: ColumnTask | DetailJob | None = response.meta.get("task")
        status = response.status
        outcome, error = "ok", None
        if not (200 <= status < 300 or status == 304):
            outcome, error = "http_error", f"HTTP {status}"
        elif status != 304 and not binary_ok and not isinstance(response, TextResponse):
            outcome, error = "parse_error", "not an HTML page"
        return Fetch(url=response.url, purpose=response.meta["purpose"], outcome=outcome,
                     unit_id=response.meta["unit"], column_id=task.column_id if task else None,
                     http_status=status, error=error,
                     elapsed_ms=_elapsed_ms(response.meta), nbytes=len(response.body),
                     encoding=getattr(response, "encoding", None),
                     retries=response.meta.get("retry_times", 0),
                     referrer=getattr(task, "referrer", None), link_text=getattr(task, "link_text", None))

    def _list_done(self, unit: UnitConfig, task: ColumnTask) -> Iterator[Any]:
        """The column's list is read: its record, then the detail work it calls for (planned
        first, against the store as it was before this listing)."""
        plan = self._plan(task, task.items)
        yield self._list_seen(task)
        yield from self._detail_work(unit, task, plan)

    def _plan(self, task: ColumnTask, listed: list[ListItem] | None) -> Plan:
        """Detail work of a column; a planning failure costs the details, never the list."""
        if self.details is None:
            return Plan()
        try:
            return self.details.plan(task.unit_id, task.column_id, report=task.report, listed=listed)
        except Exception as exc:  # noqa: BLE001 - the list record must still be written
            log.warning("cannot plan detail pages of %s: %r", task.url, exc)
            self.crawler.stats.inc_value("gongkai/detail_plan_errors")
            return Plan()

    def _detail_work(self, unit: UnitConfig, task: ColumnTask, plan: Plan) -> Iterator[Any]:
        if plan.left:
            yield LeftList(task.column_id, plan.left)
        yield from self._detail_requests(unit, plan.jobs)

    def _detail_requests(self, unit: UnitConfig, jobs: list[DetailJob]) -> Iterator[scrapy.Request]:
        for job in jobs:
            yield self._request(unit, job.url, self.parse_detail, purpose=job.purpose, task=job,
                                priority=PRIORITY[job.purpose])

    def _list_seen(self, task: ColumnTask) -> ListSeen:
        return ListSeen(column_id=task.column_id, items=task.items, pages_seen=task.pages, complete=task.complete,
                        http_status=task.first.get("status"), etag=task.first.get("etag"),
                        last_modified=task.first.get("last_modified"), body_hash=task.first.get("hash"),
                        # what the first page is, unless a later page listed items after all;
                        # on a list, the note says why its later pages could not be read
                        page_kind="list" if task.items else task.first.get("kind", "list"),
                        page_note=task.unreachable if task.items else task.first.get("note"))


def _batched(work: Iterator[Any]) -> Iterator[Any]:
    """Consecutive records as one `Records` item, in order with the requests: the records
    before a request (a discovery creating the columns) are written before it can be answered."""
    records: list[Any] = []
    for output in work:
        if isinstance(output, scrapy.Request):
            if records:
                yield Records(records)
                records = []
            yield output
        else:
            records.append(output)
    if records:
        yield Records(records)


def _first_page(response: Response, kind: str, note: str | None) -> dict[str, Any]:
    """What a column's first page was: its answer, validators, body hash and kind."""
    return {"status": response.status, "etag": header(response, b"ETag"),
            "last_modified": header(response, b"Last-Modified"),
            "hash": hashlib.sha1(response.body).hexdigest(), "kind": kind, "note": note}


def _elapsed_ms(meta: dict[str, Any]) -> int | None:
    started = meta.get(STARTED)
    return int((time.monotonic() - started) * 1000) if started else None


def _failure_outcome(failure: Failure) -> tuple[str, str]:
    """What kept a request from an answer, and the error text. Scrapy raises IgnoreRequest for a
    robots.txt denial, too many redirects and a body over DOWNLOAD_MAXSIZE once decompressed (a
    gzip bomb) alike, so its message tells them apart; its HTTP/1.1 handler cancels a download
    only for a body over DOWNLOAD_MAXSIZE (declared, or while it streams: then with no message)."""
    message = failure.getErrorMessage()
    error = f"{type(failure.value).__name__}: {message}"
    if failure.check(OffsiteRequest):
        return "offsite", error
    if failure.check(HostDown):
        return "network_error", error
    if failure.check(IgnoreRequest):
        if "robots.txt" in message:
            return "robots", error
        if "max redirections" in message:
            chain = [*failure.request.meta.get("redirect_urls", []), failure.request.url]
            return "redirect_loop", f"{error} ({len(chain) - 1} redirects: {' -> '.join(dict.fromkeys(chain))})"
        if "DOWNLOAD_MAXSIZE" in message:
            return "too_large", error
    elif failure.check(DownloadCancelledError):
        return "too_large", error if message else f"{error}body over DOWNLOAD_MAXSIZE while streaming"
    return "network_error", error
