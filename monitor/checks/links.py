"""W12 broken links (docs/rules.md §8) over the links the crawler already follows on the county's
hosts: column lists and their later pages, report pages and report attachments (item detail pages
are A15's: a listed item whose page is gone is `item_deleted`). No general link checker: the
evidence is the crawl's own request of the link, named with the page it is on and its text."""
from __future__ import annotations

from dataclasses import dataclass

from monitor.config import Config
from monitor.outcomes import REACHABLE, fetch_reason
from monitor.results import Result

#: answers that say the link is dead; a DNS failure (the host name does not resolve) says so too
BROKEN_STATUSES = (404, 410)
DNS_ERROR = "DNSLookupError"
#: fetch purposes whose URL is a link on a page the crawler reads (see crawler/records.py)
LINK_PURPOSES = ("list", "page", "report", "attachment")
_WHAT = {"list": "栏目", "page": "栏目翻页", "report": "年报", "attachment": "附件"}


@dataclass(frozen=True, slots=True)
class LinkFetch:
    """The latest request of a link that answered as broken at least once."""

    unit_id: str
    url: str
    purpose: str
    outcome: str
    http_status: int | None
    error: str | None
    fetched_at: str
    page: str | None              # the page the link is on
    text: str | None              # the link's text there
    page_read_at: str | None      # a 200 of that page after the link's latest request (it did not follow it: gone)


def is_broken(outcome: str, http_status: int | None, error: str | None) -> bool:
    return (outcome == "http_error" and http_status in BROKEN_STATUSES) or (
        outcome == "network_error" and DNS_ERROR in (error or ""))


def check_links(config: Config, links: list[LinkFetch]) -> list[Result]:
    """Per link once broken: `fail` while its latest request is broken and its page still links to
    it, `pass` once it answers or its page was read again without it, `uncertain` when the latest
    request failed otherwise (a timeout says nothing about the link)."""
    names = {u.id: u.name for u in config.units}
    results = []
    for link in links:
        if link.unit_id not in names:
            continue
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
