"""Scrapy settings: polite static defaults here, per-run values from config.yaml in `for_config`.

Defaults follow docs/design.md §7.2: robots.txt obeyed, a User-Agent that names the
monitor, one slot per portal host, AutoThrottle, a short timeout, no telnet console and no
remote-control endpoint (2.19 starts a code-execution server by default).
"""
from __future__ import annotations

from importlib.util import find_spec
from typing import Any
from urllib.parse import urlsplit

from monitor.config import Config, UnitConfig

BOT_NAME = "gongkai"
SPIDER_MODULES = ["crawler.spiders"]
NEWSPIDER_MODULE = "crawler.spiders"

ROBOTSTXT_OBEY = True
USER_AGENT = "gongkai-monitor/0.1 (+https://github.com/gongkai-monitor)"
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 2
# Scrapy starts this many asyncio tasks per callback output; ours are 2-3 records written in
# order by a synchronous pipeline, and the default 100 tasks cost more than the page itself
CONCURRENT_ITEMS = 1
DOWNLOAD_DELAY = 1.0
DOWNLOAD_DELAY_JITTER = 0.5
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
DOWNLOAD_TIMEOUT = 30
RETRY_ENABLED = True
RETRY_TIMES = 3
RETRY_BACKOFF_BASE = 0.5
RETRY_BACKOFF_MAX = 30.0
DOWNLOAD_MAXSIZE = 5 * 1024 * 1024
DOWNLOAD_WARNSIZE = DOWNLOAD_MAXSIZE // 2
COOKIES_ENABLED = False
TELNETCONSOLE_ENABLED = False
REMOTE_CONTROL_ENABLED = False
LOG_LEVEL = "WARNING"
LOGSTATS_INTERVAL = 0
HTTPCACHE_ENABLED = False  # a cache would hide the very changes we monitor

# The components of Scrapy's defaults (`*_BASE`) the crawl runs, named here rather than the others
# switched off with None: Scrapy imports every class a component setting names, None or not (to
# spell its key one way), and naming the unused ones cost each crawl child 0.15 s of imports
# (aiohttp for the remote-control extension, tldextract for cookies…). Not run: what the settings
# switch off anyway (telnet, remote control, memory checks, feeds, job state, log stats, cookies,
# HTTP cache, downloader stats), what ours replace (robots.txt, retries, the off-site filter:
# crawler/middlewares.py), and the depth, URL-length and meta-copy spider middlewares, which do
# nothing for us (we follow no links by depth; our URLs come from config and the units' own
# navigation) and at a few records per page were a measurable share of the per-page cost.
EXTENSIONS_BASE = {"scrapy.extensions.corestats.CoreStats": 0, "scrapy.extensions.logcount.LogCount": 0,
                   "scrapy.extensions.throttle.AutoThrottle": 0}
SPIDER_MIDDLEWARES_BASE = {"scrapy.spidermiddlewares.start.StartSpiderMiddleware": 25,
                           "scrapy.spidermiddlewares.httperror.HttpErrorMiddleware": 50,
                           "scrapy.spidermiddlewares.referer.RefererMiddleware": 700}
DOWNLOADER_MIDDLEWARES_BASE = {
    "scrapy.downloadermiddlewares.downloadtimeout.DownloadTimeoutMiddleware": 350,
    "scrapy.downloadermiddlewares.defaultheaders.DefaultHeadersMiddleware": 400,
    "scrapy.downloadermiddlewares.useragent.UserAgentMiddleware": 500,
    "scrapy.downloadermiddlewares.redirect.MetaRefreshMiddleware": 580,
    "scrapy.downloadermiddlewares.httpcompression.HttpCompressionMiddleware": 590,
    "scrapy.downloadermiddlewares.redirect.RedirectMiddleware": 600,
    "scrapy.downloadermiddlewares.httpproxy.HttpProxyMiddleware": 750,
}
DOWNLOADER_MIDDLEWARES = {
    # ours refuses hosts outside the county before AllWaitersRobotsTxtMiddleware asks them for robots.txt
    "crawler.middlewares.CountyHostsMiddleware": 50,
    "crawler.middlewares.AllWaitersRobotsTxtMiddleware": 100,
    "crawler.middlewares.ConditionalRequestMiddleware": 450,
    "crawler.middlewares.BackoffRetryMiddleware": 550,
    "crawler.middlewares.HostBreakerMiddleware": 560,
    # after HttpCompressionMiddleware (590) in the response direction
    "crawler.middlewares.EncodingFixMiddleware": 585,
}
# counts connection failures per host for crawler.hosts.HostBreaker
DOWNLOAD_HANDLERS = {"http": "crawler.middlewares.HostBreakerDownloadHandler",
                     "https": "crawler.middlewares.HostBreakerDownloadHandler"}
ITEM_PIPELINES = {"crawler.pipelines.StorePipeline": 300}
# uvloop's event loop under Twisted's asyncio reactor: Scrapy's per-request cost is mostly event
# loop work (callbacks, timers, socket readiness), and uvloop does it in C (bench/README.md:
# bare Scrapy 1.3× faster on the benchmark county). Absent on Windows: asyncio's own loop then.
if find_spec("uvloop") is not None:
    ASYNCIO_EVENT_LOOP = "uvloop.Loop"
# per-request byte and status counters nobody reads (every attempt is in the `fetches` table)
DOWNLOADER_STATS = False


def slot_key(unit: UnitConfig) -> str:
    """The download slot of a unit: its site's host (units on one platform share it)."""
    url = unit.site or unit.columns[0].url
    return urlsplit(url).netloc.lower()


def host_slots(config: Config, units: list[UnitConfig]) -> dict[str, dict[str, Any]]:
    """Delay and concurrency per host of `units` (one process): a unit's own setting, else the
    crawl's; for units sharing a host the most careful setting wins."""
    crawl = config.crawl
    slots: dict[str, dict[str, Any]] = {}
    for unit in units:
        delay = unit.crawl.delay_seconds if unit.crawl.delay_seconds is not None else crawl.delay_seconds
        concurrency = unit.crawl.per_site_concurrency or crawl.per_site_concurrency
        key = slot_key(unit)
        if key in slots:
            delay = max(delay, slots[key]["delay"])
            concurrency = min(concurrency, slots[key]["concurrency"])
        slots[key] = {"delay": delay, "concurrency": concurrency}
    return slots


def for_config(config: Config, units: list[UnitConfig], *, db_path: str, run_id: int | None,
               split: dict[str, int] | None = None, shards: int = 1) -> dict[str, Any]:
    """Settings of one crawl run: config.yaml `crawl:` plus per-unit slot overrides. In one of
    `shards` worker processes, a host shared by k of them (`split`) gets 1/k of its concurrency
    and k times its delay (crawler/shards.py), and the run 1/shards of the total concurrency."""
    crawl = config.crawl
    split = split or {}
    slots = host_slots(config, units)
    for key, slot in slots.items():
        k = split.get(key, 1)
        slot["delay"] *= k
        slot["concurrency"] = max(1, slot["concurrency"] // k)
        slot["jitter"] = DOWNLOAD_DELAY_JITTER if slot["delay"] else 0.0
    most_split = max(split.values(), default=1)
    return {
        "ROBOTSTXT_OBEY": crawl.obey_robots,
        "USER_AGENT": crawl.user_agent,
        "CONCURRENT_REQUESTS": max(1, crawl.concurrency // shards),
        "CONCURRENT_REQUESTS_PER_DOMAIN": max(1, crawl.per_site_concurrency // most_split),
        "DOWNLOAD_DELAY": crawl.delay_seconds * most_split,
        "DOWNLOAD_SLOTS": slots,
        "AUTOTHROTTLE_ENABLED": crawl.autothrottle,
        "AUTOTHROTTLE_START_DELAY": crawl.delay_seconds * most_split,
        "AUTOTHROTTLE_TARGET_CONCURRENCY": max(1.0, crawl.per_site_concurrency / most_split),
        "DOWNLOAD_TIMEOUT": crawl.timeout_seconds,
        "RETRY_TIMES": crawl.retries,
        "DOWNLOAD_MAXSIZE": crawl.max_page_bytes,
        "DOWNLOAD_WARNSIZE": crawl.max_page_bytes // 2,
        "GONGKAI_DB": db_path,
        "GONGKAI_RUN_ID": run_id,
    }
