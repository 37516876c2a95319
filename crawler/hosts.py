"""Which hosts a crawl may ask, and which it has given up on for this run.

- The county's hosts (`HostPolicy`): a crawl reads the units' own sites, so requests go only to the
  hosts of the configured units' sites and columns and to `crawl.allowed_hosts`. A redirect or a
  list link elsewhere (another government's site, a cloud metadata address) is refused before
  any connection. A host from `crawl.allowed_hosts` that resolves to a loopback, link-local or
  private address is refused too; a unit's own host may be one (an intranet portal, tests).
- Hosts that are down (`HostBreaker`): after `crawl.host_failure_limit` connection failures in a
  row (refused, DNS, timeout — an HTTP error is an answer), a host is not asked again until one
  probe at the end of the run; if that fails too, its remaining pages are recorded as failures
  without a request, so a county whose portal is down costs seconds, not hours of retries.
"""
from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections import Counter
from typing import Any, Coroutine
from urllib.parse import urlsplit

from scrapy.exceptions import CannotResolveHostError, DownloadConnectionRefusedError, DownloadTimeoutError, IgnoreRequest
from twisted.internet.error import ConnectError, DNSLookupError, TimeoutError as TxTimeoutError
from w3lib.url import safe_url_string

from monitor.config import Config

#: download exceptions that say the host did not answer at all
CONNECTION_ERRORS = (DownloadConnectionRefusedError, CannotResolveHostError, DownloadTimeoutError,
                     ConnectError, DNSLookupError, TxTimeoutError)


def host_of(url: str) -> str:
    """A URL's host as a request for it spells it: lower case, no port, a 中文域名 (衡山县.政务) in
    punycode as Scrapy sends it. Called for every listed link: w3lib's normalisation (6× the cost
    of the split) only where it can change the host, a non-ASCII URL or a backslash."""
    if not url.isascii() or "\\" in url:
        url = safe_url_string(url)
    return (urlsplit(url.strip()).hostname or "").rstrip(".")


def county_hosts(config: Config) -> tuple[frozenset[str], frozenset[str]]:
    """(own, allowed): the hosts of the units' sites and columns and of the county portal, each
    with or without `www.` (a site configured as hengshan.gov.cn that redirects to
    www.hengshan.gov.cn is the same site), and those plus `crawl.allowed_hosts`."""
    configured = {host_of(url) for unit in config.units for url in (unit.site, *(c.url for c in unit.columns)) if url}
    if config.county_portal:
        configured.add(host_of(config.county_portal))
    own = frozenset(configured | {_www_twin(h) for h in configured if not _is_address(h)})
    extra = frozenset(host_of(f"http://[{h}]/" if ":" in h else f"http://{h}/") for h in config.crawl.allowed_hosts)
    return own, own | extra


class OffsiteRequest(IgnoreRequest):
    """A request (usually a redirect hop) to a host outside the county; `target` names it."""

    def __init__(self, target: str):
        super().__init__(target)
        self.target = target


class HostPolicy:
    """The allow-list of one crawl: set lookups per request, one DNS lookup per extra host."""

    def __init__(self, config: Config):
        self.own, self.allowed = county_hosts(config)
        self._internal: dict[str, str | None] = {}   # extra host → the internal address it resolves to

    def refusal(self, url: str, host: str) -> str | None | Coroutine[Any, Any, str | None]:
        """Why a request to `url` must not be sent (the refused target), None when it may, or an
        awaitable of either when the host must be resolved first."""
        if host in self.own:
            return None
        if host not in self.allowed:
            return url
        if host in self._internal:
            return _internal_refusal(url, self._internal[host])
        return self._resolved_refusal(url, host)

    async def _resolved_refusal(self, url: str, host: str) -> str | None:
        try:
            addresses = await asyncio.get_running_loop().getaddrinfo(host, None, type=socket.SOCK_STREAM)
        except OSError:      # let the download fail with its own DNS error (and count for the breaker)
            return None
        self._internal[host] = next((a[4][0] for a in addresses if _internal(a[4][0])), None)
        return _internal_refusal(url, self._internal[host])


def _www_twin(host: str) -> str:
    return host.removeprefix("www.") if host.startswith("www.") else f"www.{host}"


def _is_address(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def _internal(address: str) -> bool:
    return not ipaddress.ip_address(address.split("%", 1)[0]).is_global


def _internal_refusal(url: str, address: str | None) -> str | None:
    return f"{url} → {address}" if address else None


class HostDown(IgnoreRequest):
    """A request not sent because its host stopped answering; `final` once the end-of-run probe failed."""

    def __init__(self, host: str, failures: int, last_error: str, *, final: bool):
        super().__init__(f"主机 {host} 连续 {failures} 次连接失败（{last_error}），本次运行不再访问")
        self.host = host
        self.final = final


DOWN, PROBING, GONE = "down", "probing", "gone"


class HostBreaker:
    """Consecutive connection failures per host (host:port, a server); a host is `down` at the limit
    (its requests are held by the spider), `probing` while its one end-of-run probe is out, `up`
    again when the probe is answered and `gone` when the probe fails (or it fails again after that)."""

    def __init__(self, limit: int):
        self.limit = limit
        self.failures: Counter[str] = Counter()
        self.last_error: dict[str, str] = {}
        self.state: dict[str, str] = {}      # hosts not up
        self.probed: set[str] = set()

    def failed(self, host: str, error: BaseException) -> None:
        if not self.limit:
            return
        self.failures[host] += 1
        self.last_error[host] = type(error).__name__
        if self.failures[host] >= self.limit:
            self.state[host] = GONE if host in self.probed else DOWN

    def answered(self, host: str) -> None:
        """Any HTTP answer: the host is up (the common case costs one dict lookup)."""
        if host in self.failures:
            del self.failures[host]
            self.state.pop(host, None)

    def probing(self, host: str) -> None:
        self.state[host] = PROBING
        self.probed.add(host)

    def give_up(self, host: str) -> None:
        self.state[host] = GONE

    def refusal(self, host: str, *, probe: bool) -> HostDown | None:
        """The exception a request to `host` is refused with, or None when it may be sent."""
        state = self.state.get(host)
        if state is None or (probe and state == PROBING):
            return None
        return HostDown(host, self.failures[host], self.last_error.get(host, "?"), final=state == GONE)

    def down(self) -> list[str]:
        """The hosts that reached the limit and did not answer since."""
        return sorted(self.state)
