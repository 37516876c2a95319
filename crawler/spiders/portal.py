"""PortalSpider: unit site page → discovered + configured columns → their list pages.

The first list page of a column is enough to judge staleness, so follow-up pages are fetched
only for report columns (until they reach back past the last three report years) and columns
configured with `max_pages`. Once a column's list is read, `crawler.detail` decides which
detail pages to read (reports, new/recent/vanished items), at a lower priority. Every attempt
becomes a `Fetch` record (a failure is an observation, never a crash), and an exception while
reading a page becomes a `parse_error` for that page only. A callback's records reach the
pipeline together, as one `Records` item.

Requests to a host that is down (`crawler.hosts.HostBreaker`) are held until the run is otherwise
idle; then the host is probed once, and its held requests are sent again (probe answered) or
recorded as failures without a request (probe failed).
"""
from __future__ import annotations

import hashlib
import logging
import time
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Iterator

import scrapy
from scrapy import signals
from scrapy.exceptions import DontCloseSpider, DownloadCancelledError, IgnoreRequest
from scrapy.http import Response, TextResponse
from twisted.python.failure import Failure

from crawler.detail import PRIORITY, DetailJob, DetailPlanner, Plan, attachment_links, document, header, item_detail
from crawler.extract import discover_columns, extract_list
from crawler.hosts import DOWN, PROBING, HostBreaker, HostDown, OffsiteRequest
from crawler.middlewares import PROBE, STARTED
from crawler.records import Discovery, Fetch, ItemDetail, LeftList, ListSeen, NotModified, Records, UnitDone
from crawler.settings import slot_key
from monitor.reports.years import YEARS_BACK
from monitor.config import Config, ListSelectors, UnitConfig, column_category
from monitor.observations import ListItem, canonical_url, column_id

log = logging.getLogger(__name__)

# everything but redirects reaches the callbacks (handle_httpstatus_all would disable redirects)
_STATUSES = [304, *range(400, 600)]


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
    items: list[ListItem] = field(default_factory=list)
    pages: int = 0
    first: dict[str, Any] = field(default_factory=dict)   # status, etag, last_modified, body hash
    complete: bool = False         # the last page read has no next page: the whole listing was read


class PortalSpider(scrapy.Spider):
    name = "portal"
    custom_settings = {"DUPEFILTER_CLASS": "scrapy.dupefilters.BaseDupeFilter"}

    def __init__(self, config: Config, units: list[UnitConfig], *, today: date,
                 validators: dict[str, dict[str, Any]] | None = None,
                 site_validators: dict[str, dict[str, Any]] | None = None,
                 known_columns: dict[str, list[tuple[str, str]]] | None = None,
                 details: DetailPlanner | None = None, **kwargs: Any):
        super().__init__(**kwargs)
        self.config = config
        self.units = units
        self._by_id = {u.id: u for u in units}
        self.today = today
        self.validators = validators or {}                 # read by ConditionalRequestMiddleware
        self.site_validators = site_validators or {}       # likewise, for site pages
        self.known_columns = known_columns or {}           # last discovery, used when the site fails
        self.details = details                             # None: list pages only
        self.report_cutoff = date(today.year - YEARS_BACK, 1, 1).isoformat()
        self.pending: dict[str, int] = {u.id: 0 for u in units}
        self.breaker = HostBreaker(config.crawl.host_failure_limit)   # fed by HostBreakerMiddleware
        self.held: dict[str, list[scrapy.Request]] = {}                # host → requests refused while down

    @classmethod
    def from_crawler(cls, crawler, *args: Any, **kwargs: Any) -> "PortalSpider":
        spider = super().from_crawler(crawler, *args, **kwargs)
        crawler.signals.connect(spider.idle, signal=signals.spider_idle)
        return spider

    # ----------------------------------------------------------------------------- requests

    async def start(self) -> Any:
        for unit in self.units:
            if unit.site and unit.discover:
                yield self._request(unit, unit.site, self.parse_site, purpose="site")
            else:
                for request in self._column_requests(unit, []):
                    yield request
            if self.pending[unit.id] == 0:  # nothing to fetch for this unit
                yield Records([UnitDone(unit.id)])

    def idle(self) -> None:
        """The run is done but for hosts that went down: probe each once with one of its held
        requests, then send the others again — refused at once (and recorded) if the probe failed."""
        if not self.held:
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
        meta: dict[str, Any] = {"unit": unit.id, "purpose": purpose, "task": task,
                                "download_slot": slot_key(unit), "handle_httpstatus_list": _STATUSES}
        if unit.crawl.delay_seconds is not None:
            meta["autothrottle_dont_adjust_delay"] = True   # keep the unit's own delay
        return scrapy.Request(url, callback=callback, errback=self.failed, meta=meta, dont_filter=True,
                              priority=priority)

    def _column_requests(self, unit: UnitConfig, discovered: list[tuple[str, str]]) -> Iterator[scrapy.Request]:
        for task in self.columns_of(unit, discovered):
            yield self._request(unit, task.url, self.parse_list, purpose="list", task=task)

    def columns_of(self, unit: UnitConfig, discovered: list[tuple[str, str]]) -> list[ColumnTask]:
        """Configured columns, then discovered ones whose URL or name is not configured."""
        crawl = self.config.crawl
        configured = {canonical_url(c.url) for c in unit.columns}
        names = {c.name for c in unit.columns}
        tasks: list[ColumnTask] = []
        for col in unit.columns:
            category, _ = column_category(col, col.name)
            pages = col.max_pages or (crawl.max_pages_per_column if category == "report" else 1)
            tasks.append(ColumnTask(unit.id, column_id(unit.id, col.url), col.name, col.url, pages, unit.selectors,
                                    report=category == "report"))
        for name, url in discovered:
            key = canonical_url(url)
            if key in configured or name in names:
                continue
            configured.add(key)
            names.add(name)
            category, _ = column_category(None, name)
            pages = crawl.max_pages_per_column if category == "report" else 1
            tasks.append(ColumnTask(unit.id, column_id(unit.id, url), name, url, pages, unit.selectors,
                                    report=category == "report"))
        return tasks

    # ----------------------------------------------------------------------------- callbacks

    def parse_site(self, response: Response) -> Iterator[Any]:
        unit = self._unit(response)
        yield from self._guarded(response, self._read_site(unit, response))

    def _read_site(self, unit: UnitConfig, response: Response) -> Iterator[Any]:
        fetch = self._fetch(response)
        if response.status == 304:      # the site page is as at the last discovery
            fetch.outcome = "not_modified"
        if fetch.outcome != "ok":
            yield fetch
            yield from self._column_requests(unit, self.known_columns.get(unit.id, []))
            return
        columns = discover_columns(response.text, response.url)
        yield fetch
        yield Discovery(unit.id, columns, header(response, b"ETag"), header(response, b"Last-Modified"))
        yield from self._column_requests(unit, columns)

    def parse_list(self, response: Response) -> Iterator[Any]:
        unit = self._unit(response)
        yield from self._guarded(response, self._read_list(unit, response))

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
            return
        if fetch.outcome != "ok":
            yield fetch
            if not first:  # a later page failed: the pages read so far still count
                yield from self._list_done(unit, task)
            return
        page = extract_list(response.text, response.url, today=self.today, selectors=task.selectors)
        yield fetch
        task.items.extend(page.items)
        task.pages += 1
        if first:
            task.first = {"status": response.status, "etag": header(response, b"ETag"),
                          "last_modified": header(response, b"Last-Modified"),
                          "hash": hashlib.sha1(response.body).hexdigest(), "kind": page.kind, "note": page.note}
        # a report column is read back until it shows an item older than the last three report years
        enough = task.report and any(i.date and i.date < self.report_cutoff for i in page.items)
        task.complete = not page.next_page or canonical_url(page.next_page) == canonical_url(response.url)
        if not task.complete and task.pages < task.max_pages and not enough:
            yield self._request(unit, page.next_page, self.parse_list, purpose="page", task=task)
        else:
            yield from self._list_done(unit, task)

    def parse_detail(self, response: Response) -> Iterator[Any]:
        unit = self._unit(response)
        yield from self._guarded(response, self._read_detail(unit, response))

    def _read_detail(self, unit: UnitConfig, response: Response) -> Iterator[Any]:
        """An item page → its version or status; a report page or attachment → a document
        version, and the report's attachments (the stored ones when the page answered 304)."""
        job: DetailJob = response.meta["task"]
        fetch = self._fetch(response, binary_ok=True)
        if response.status == 304:
            fetch.outcome = "not_modified"
        yield fetch
        record = item_detail(response, job) if job.purpose != "attachment" else None
        if record is not None:           # a report page is an item too: its text version, its status
            yield record
        if job.purpose == "detail":
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
            links = attachment_links(response.text, response.url)
            yield from self._detail_requests(unit, self.details.attachment_jobs(job, links))

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
                    elapsed_ms=_elapsed_ms(request.meta), retries=request.meta.get("retry_times", 0))
        if request.meta["purpose"] == "site":
            yield from self._column_requests(unit, self.known_columns.get(unit.id, []))
        elif isinstance(task, ColumnTask) and task.pages:
            yield from self._list_done(unit, task)
        yield from self._done(unit.id)

    # ----------------------------------------------------------------------------- helpers

    def _guarded(self, response: Response, work: Iterator[Any]) -> Iterator[Any]:
        """Run a callback's work; an exception becomes a parse_error record, and the unit's
        outstanding-request count always goes down."""
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
                     retries=response.meta.get("retry_times", 0))

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
                        # what the first page is, unless a later page listed items after all
                        page_kind="list" if task.items else task.first.get("kind", "list"),
                        page_note=None if task.items else task.first.get("note"))


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
