"""W12 broken links (docs/rules.md §8) on the county's hosts: the links the crawler follows itself
(column lists and their later pages, report pages and report attachments; the evidence is the
crawl's own request), and the other links of the pages it reads (site pages, list pages, report
pages), checked with what the crawl's budget leaves (`crawler.links`). Item detail pages are A15's:
a listed item whose page is gone is `item_deleted`. Each result names the page the link is on and
its text; a timeout or a 5xx says nothing about a link."""
from __future__ import annotations

from dataclasses import dataclass

from monitor.config import Config
from monitor.outcomes import REACHABLE, fetch_reason
from monitor.results import Result

#: answers that say the link is dead; a DNS failure (the host name does not resolve) says so too:
#: the exception names Twisted and Scrapy (2.19 wraps it) give it, as fetch errors start with them
BROKEN_STATUSES = (404, 410)
DNS_ERRORS = ("DNSLookupError", "CannotResolveHostError")
#: fetch purposes whose URL is a link on a page the crawler reads (see crawler/records.py)
LINK_PURPOSES = ("list", "page", "report", "attachment")
_WHAT = {"list": "栏目", "page": "栏目翻页", "report": "年报", "attachment": "附件", "link": "页面"}


@dataclass(frozen=True, slots=True)
class LinkFetch:
    """The latest request of a link that answered as broken at least once (purpose `link`: the
    latest check of a link on a page, see monitor.link_inputs)."""

    unit_id: str
    url: str
    purpose: str
    outcome: str
    http_status: int | None
    error: str | None
    fetched_at: str
    page: str | None              # the page the link is on
    text: str | None              # the link's text there
    page_read_at: str | None      # that page read since without the link: it is gone


def is_broken(outcome: str, http_status: int | None, error: str | None) -> bool:
    return (outcome == "http_error" and http_status in BROKEN_STATUSES) or (
        outcome == "network_error" and any(name in (error or "") for name in DNS_ERRORS))


def check_links(config: Config, links: list[LinkFetch]) -> list[Result]:
    """Per link once broken: `fail` while its latest request is broken and its page still links to
    it, `pass` once it answers or its page was read again without it, `uncertain` when the latest
    request failed otherwise (a timeout says nothing about the link). A link the crawl follows
    itself is judged by that request (the first of `links` for a unit and URL)."""
    names = {u.id: u.name for u in config.units}
    results = []
    judged: set[tuple[str, str]] = set()
    for link in links:
        if link.unit_id not in names or (link.unit_id, link.url) in judged:
            continue
        judged.add((link.unit_id, link.url))
        subject = {"url": link.url}
        evidence = {"url": link.url, "page": link.page, "text": link.text, "purpose": link.purpose,
                    "http_status": link.http_status, "fetched_at": link.fetched_at}
        where = f"{_WHAT.get(link.purpose, '')}链接“{link.text or link.url}”"
        page = f"（所在页面 {link.page}）" if link.page else ""
        if not is_broken(link.outcome, link.http_status, link.error):
            status, message = ("pass", f"{where}可以打开") if link.outcome in REACHABLE else (
                "uncertain", f"{where}未能检查：{fetch_reason(link.outcome, link.http_status, link.error)}")
        elif link.page_read_at:
            status, message = "pass", f"{where}已不在所在页面上"
        else:
            reason = f"HTTP {link.http_status}" if link.http_status else "域名无法解析"
            status, message = "fail", f"{where}无法打开（{reason}）{page}"
        results.append(Result("W12", "link_broken", status, link.unit_id, names[link.unit_id], subject, message,
                              "low" if status == "fail" else "info", evidence))
    return results
