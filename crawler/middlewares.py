"""Downloader middlewares: the county's hosts only, conditional requests, honest decoding, retries
with backoff, and no requests to a host that is down.

- Hosts: every request, each redirect hop included (RedirectMiddleware's new request passes all
  middlewares again), is checked against `crawler.hosts.HostPolicy` before robots.txt is asked,
  so a refused target sees no connection at all.

- Conditional requests: a column list page that has not changed costs the portal a 304.
- Encoding: GBK/GB2312 decode as GB18030 (w3lib already maps them), and a response whose
  Content-Type charset lies (U+FFFD in the text) is re-decoded from its `<meta>` or as GB18030
  (`monitor.charset.repair`, docs/design.md §7.4).
- Retries: Scrapy's RetryMiddleware retries at once; a struggling county server deserves an
  exponential pause (capped, `Retry-After` honoured) before the next attempt.
- robots.txt: every request waiting for a host's robots.txt gets its rules (Scrapy's own
  middleware gives them to the first waiter only).
- Hosts down: the download handler tells `crawler.hosts.HostBreaker` each attempt's outcome, and
  requests to a host that is down are refused before they join its download slot (and again in
  the handler, for those already waiting there).
"""
from __future__ import annotations

import asyncio
import time
from email.utils import parsedate_to_datetime
from typing import Any, Callable, Coroutine

from scrapy import Request
from scrapy.core.downloader.handlers.http11 import HTTP11DownloadHandler
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware
from scrapy.http import HtmlResponse, Response, TextResponse
from scrapy.robotstxt import RobotParser
from scrapy.settings import BaseSettings
from scrapy.utils.httpobj import urlparse_cached
from twisted.internet.defer import Deferred

from crawler.detail import DetailJob
from crawler.hosts import CONNECTION_ERRORS, HostBreaker, HostPolicy, OffsiteRequest
from monitor.charset import repair

STARTED = "gongkai_started"      # meta: monotonic time of the first attempt
PROBE = "gongkai_probe"          # meta: the one request that tries a host that is down again


class CountyHostsMiddleware:
    """Refuses requests to hosts outside the county (`OffsiteRequest`, naming the target)."""

    def __init__(self, policy: HostPolicy) -> None:
        self.policy = policy

    @classmethod
    def from_crawler(cls, crawler) -> "CountyHostsMiddleware":
        return cls(HostPolicy(crawler.spider.config))

    def process_request(self, request: Request) -> Any:
        refusal = self.policy.refusal(request.url, (urlparse_cached(request).hostname or "").rstrip("."))
        if refusal is None:
            return None
        if isinstance(refusal, str):
            raise OffsiteRequest(refusal)
        return _refuse_after(refusal)


async def _refuse_after(lookup: Coroutine[Any, Any, str | None]) -> None:
    refusal = await lookup
    if refusal is not None:
        raise OffsiteRequest(refusal)


class HostBreakerMiddleware:
    """Refuses a request to a host that is down (the spider's `HostBreaker`) with its `HostDown`
    before it joins the host's download slot; the spider holds it for the end-of-run probe."""

    def __init__(self, crawler) -> None:
        self.breaker = crawler.spider.breaker

    @classmethod
    def from_crawler(cls, crawler) -> "HostBreakerMiddleware":
        return cls(crawler)

    def process_request(self, request: Request) -> None:
        _refuse_if_down(self.breaker, request)
        return None


class HostBreakerDownloadHandler(HTTP11DownloadHandler):
    """Scrapy's HTTP handler, feeding the spider's `HostBreaker` with every attempt's outcome (an
    answer, or a connection failure) as it happens, and refusing a request whose host went down
    while it waited in the download slot (up to CONCURRENT_REQUESTS wait there, behind the delay):
    a download middleware hears of a failure only after the slot has sent the next request."""

    def __init__(self, crawler) -> None:
        super().__init__(crawler)
        self.breaker = crawler.spider.breaker

    async def download_request(self, request: Request) -> Response:
        _refuse_if_down(self.breaker, request)
        host = urlparse_cached(request).netloc
        try:
            response = await super().download_request(request)
        except CONNECTION_ERRORS as exc:
            self.breaker.failed(host, exc)
            raise
        self.breaker.answered(host)
        return response


def _refuse_if_down(breaker: HostBreaker, request: Request) -> None:
    if breaker.state:       # some host is not up; the common case is this one test
        refusal = breaker.refusal(urlparse_cached(request).netloc, probe=request.meta.get(PROBE, False))
        if refusal is not None:
            raise refusal


class ConditionalRequestMiddleware:
    """Adds If-None-Match / If-Modified-Since to every request we hold validators for: those the
    store gave the spider for list and site pages, and those a detail job carries (the last
    stored version of its item, report or attachment)."""

    def __init__(self, crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler) -> "ConditionalRequestMiddleware":
        return cls(crawler)

    def process_request(self, request: Request) -> None:
        request.meta.setdefault(STARTED, time.monotonic())
        etag, last_modified = self._validators(request)
        if etag:
            request.headers.setdefault(b"If-None-Match", etag)
        if last_modified:
            request.headers.setdefault(b"If-Modified-Since", last_modified)
        return None

    def _validators(self, request: Request) -> tuple[str | None, str | None]:
        task = request.meta.get("task")
        if isinstance(task, DetailJob):
            return task.etag, task.last_modified
        source = {"list": "validators", "site": "site_validators"}.get(request.meta.get("purpose"))
        stored = getattr(self.crawler.spider, source, {}).get(request.url) if source else None
        return (stored.get("etag"), stored.get("last_modified")) if stored else (None, None)


class AllWaitersRobotsTxtMiddleware(RobotsTxtMiddleware):
    """Scrapy's robots.txt middleware, except that the requests waiting while a host's robots.txt
    downloads get its rules too: Scrapy 2.19 awaits one Deferred from each of them, and a
    Deferred's result reaches only the first waiter (the others get None, i.e. no rules), so the
    pages requested meanwhile were fetched even where robots.txt forbids them."""

    async def robot_parser(self, request: Request) -> RobotParser | None:
        parser = await super().robot_parser(request)
        if parser is None:
            stored = self._parsers.get(urlparse_cached(request).netloc)
            parser = None if isinstance(stored, Deferred) else stored
        return parser


class EncodingFixMiddleware:
    """Make every HTML response decode to correct text before the spider sees it."""

    def process_response(self, request: Request, response: Response) -> Response:
        if not isinstance(response, TextResponse):
            if not _looks_like_html(response.body):
                return response
            response = HtmlResponse(response.url, status=response.status, headers=response.headers,
                                    body=response.body, request=request, flags=response.flags,
                                    protocol=response.protocol, ip_address=response.ip_address)
        if "\ufffd" not in response.text:
            return response
        better, _ = repair(response.body, response.encoding, response.text)
        return response if better == response.encoding else response.replace(encoding=better)


def _looks_like_html(body: bytes) -> bool:
    head = body[:1024].lstrip().lower()
    return head.startswith((b"<!doctype html", b"<html", b"<head", b"<meta", b"<body")) or b"<html" in head


class BackoffRetryMiddleware(RetryMiddleware):
    """Scrapy's retry policy (RETRY_TIMES, RETRY_HTTP_CODES, RETRY_EXCEPTIONS) plus a pause of
    base·2ⁿ seconds (capped at RETRY_BACKOFF_MAX) before each retry."""

    def __init__(self, settings: BaseSettings):
        super().__init__(settings)
        self.base = settings.getfloat("RETRY_BACKOFF_BASE", 0.5)
        self.cap = settings.getfloat("RETRY_BACKOFF_MAX", 30.0)

    def process_response(self, request: Request, response: Response) -> Any:
        if response.status in self.retry_http_codes and self._will_retry(request):
            pause = self.backoff(request, response.headers.get(b"Retry-After"))
            return self._after(pause, super().process_response, request, response)
        return response  # the common case stays synchronous (no coroutine per page)

    def process_exception(self, request: Request, exception: Exception) -> Any:
        if isinstance(exception, self.exceptions_to_retry) and self._will_retry(request):
            return self._after(self.backoff(request), super().process_exception, request, exception)
        return super().process_exception(request, exception)

    @staticmethod
    async def _after(seconds: float, then: Callable[..., Any], *args: Any) -> Any:
        await asyncio.sleep(seconds)
        return then(*args)

    def _will_retry(self, request: Request) -> bool:
        if request.meta.get("dont_retry", False):
            return False
        return request.meta.get("retry_times", 0) < request.meta.get("max_retry_times", self.max_retry_times)

    def backoff(self, request: Request, retry_after: bytes | None = None) -> float:
        """Seconds to wait before the next attempt of `request`."""
        delay = self.base * 2 ** request.meta.get("retry_times", 0)
        asked = _retry_after_seconds(retry_after)
        if asked is not None:
            delay = max(delay, asked)
        return min(delay, self.cap)


def _retry_after_seconds(value: bytes | None) -> float | None:
    if not value:
        return None
    text = value.decode("latin-1").strip()
    if text.isdigit():
        return float(text)
    try:
        return max(0.0, parsedate_to_datetime(text).timestamp() - time.time())
    except (TypeError, ValueError):
        return None
