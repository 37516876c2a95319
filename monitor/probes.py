"""Availability probes (W6 网站不可用): one GET of each probed URL (the county portal, each unit's site
page; `monitor.checks.availability.probe_targets`) per round, recorded in the store's `probes`
table; `monitor.checks.availability` judges them.

Polite by construction: one request per distinct URL, one after another, with the crawl's user
agent, a pause between two requests to the same host, no list reading (the body is not read beyond
its first bytes). robots.txt is not fetched: it governs crawling, and a single request of a home
page every half hour is what any visitor's browser does. Only the county's own hosts are asked,
redirects included (`crawler.hosts.county_hosts`).
"""
from __future__ import annotations

import logging
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import datetime, timezone
from sqlite_utils import Database

from crawler.hosts import county_hosts, host_of
from monitor.checks.availability import SLOW_SECONDS, probe_targets
from monitor.config import Config
from monitor.observations import Probe, record_probe
from monitor.store import atomic, stamp

log = logging.getLogger("gongkai.probes")

#: pause between two requests to the same host
SAME_HOST_DELAY = 1.0
#: the whole request (connect, headers, first bytes) gives up after this, whatever the socket does
HARD_CAP_SECONDS = SLOW_SECONDS + 5
_READ_BYTES = 16 * 1024


class _CountyRedirects(urllib.request.HTTPRedirectHandler):
    """Follows a redirect only to one of the county's own hosts."""

    def __init__(self, hosts: frozenset[str]):
        self.hosts = hosts

    def redirect_request(self, req, fp, code, msg, headers, newurl):  # noqa: ANN001 (urllib signature)
        if host_of(newurl) not in self.hosts:
            raise urllib.error.URLError(f"重定向到县外主机 {host_of(newurl) or newurl}，未访问")
        return super().redirect_request(req, fp, code, msg, headers, newurl)


@dataclass
class _Answer:
    status: int | None = None
    error: str | None = None
    timeout: bool = False


def probe_url(url: str, unit_id: str, opener: urllib.request.OpenerDirector, user_agent: str) -> Probe:
    """One request of `url`: `ok` (an answer below 400 within SLOW_SECONDS), `slow` (no complete
    answer within SLOW_SECONDS: a socket timeout, the hard cap, or a late answer, with its status)
    or `error` (an HTTP error status, a refused connection, an unknown host, a redirect elsewhere)."""
    at = stamp(datetime.now(timezone.utc))
    answer = _Answer()

    def request() -> None:
        try:
            req = urllib.request.Request(url, headers={"User-Agent": user_agent})
            with opener.open(req, timeout=SLOW_SECONDS) as response:
                response.read(_READ_BYTES)
                answer.status = response.status
        except urllib.error.HTTPError as exc:
            answer.status, answer.error = exc.code, f"HTTP {exc.code}"
        except (urllib.error.URLError, OSError, ValueError) as exc:
            reason = getattr(exc, "reason", exc)
            answer.error = str(reason)[:200] or type(reason).__name__
            answer.timeout = isinstance(reason, TimeoutError)

    start = time.monotonic()
    # a thread, so a server that drips its answer cannot hold the round beyond the hard cap
    worker = threading.Thread(target=request, name=f"probe {url}", daemon=True)
    worker.start()
    worker.join(HARD_CAP_SECONDS)
    elapsed = time.monotonic() - start
    if worker.is_alive():           # it ends with its socket timeout; its late answer is ignored
        answer = _Answer(error=f"超过 {HARD_CAP_SECONDS} 秒未完成", timeout=True)
    if answer.timeout or (answer.error is None and elapsed > SLOW_SECONDS):
        outcome = "slow"
    else:
        outcome = "ok" if answer.error is None else "error"
    return Probe(url, unit_id, at, outcome, answer.status, round(elapsed * 1000), answer.error)


def probe_round(config: Config) -> list[Probe]:
    """Probe every target once, in order, pausing before a host's next request; writes nothing."""
    own, _ = county_hosts(config)
    opener = urllib.request.build_opener(_CountyRedirects(own))
    last: dict[str, float] = {}
    probes = []
    for url, unit in probe_targets(config).items():
        host = host_of(url)
        if host in last:
            time.sleep(max(0.0, last[host] + SAME_HOST_DELAY - time.monotonic()))
        probes.append(probe_url(url, unit.id, opener, config.crawl.user_agent))
        last[host] = time.monotonic()
    return probes


def store_probes(db: Database, probes: list[Probe]) -> None:
    with atomic(db):
        for probe in probes:
            record_probe(db, probe)
