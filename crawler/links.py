"""W12 link checks: the links on the pages a crawl reads anyway, and which of them this run checks.

- `Anchors` collects, from the trees the crawl already parsed (a unit's site page, list pages, report
  pages; no page is downloaded to find links), the links to the county's hosts (`crawler.hosts`:
  links elsewhere are never requested), once per run: a footer on every page is one link. The
  common case costs an href read and a set lookup per anchor: a link's URL and text are worked out
  only the first time its href is met (hrefs are compared by a key that names their URL,
  `href_keys`). A list's own items are not collected (their pages are A15's), nor scripts, mail,
  phone numbers, fragments or links a visitor cannot see (no text, title or image: a script's data).
- `links_due` picks the links to check at the end of the run, when every list and detail page is
  done: the stored links still on their page and those found now, never-checked first, then the
  longest unchecked, as many per site as the detail budget (`crawler.detail.detail_budgets`) left,
  so each link is checked within ⌈links / budget⌉ runs. A link the crawl requests itself (a unit's
  site, a column, a next page, a report, an attachment) is judged by that request and is not
  checked again. With several crawl workers, each link is checked by one of them.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, replace
from typing import Any, Callable, Iterable

from sqlite_utils import Database

from crawler.hosts import host_of
from crawler.pages.html import Base, link
from monitor.config import Config, UnitConfig
from monitor.observations import StoredLink, column_urls, link_urls, stored_links

MAX_TEXT = 200


@dataclass(frozen=True, slots=True)
class PageLink:
    """A link to check: where it was seen, and its text there."""

    url: str
    unit_id: str
    page: str
    text: str
    checked_at: str | None = None


class Anchors:
    """The links of the pages one crawl reads, each once (see the module)."""

    def __init__(self, hosts: Iterable[str]):
        self.hosts = frozenset(hosts)
        self._seen: set[str] = set()          # hrefs met, keyed as `href_keys` spells them
        self._county: dict[str, bool] = {}    # host[:port] as a URL spells it → one of the county's hosts
        self.found: dict[str, PageLink] = {}  # URL → where this run saw it first
        self.pages: set[str] = set()          # pages whose links were read in this run
        self._new: dict[str, list[tuple[str, str]]] = {}   # page → links first met there, not yet taken

    def collect(self, root: Any, skip: Iterable[Any] = (), *, unit_id: str, page_url: str) -> None:
        """Keep the links of `root` (the parsed page `page_url`) not met before in this run for
        `take`; `skip`: anchors not to take (a list's items). The hrefs are compared as a set: only
        an href never met costs a URL and a text."""
        self.pages.add(page_url)
        anchors = list(root.iter("a"))
        hrefs = [anchor.get("href") for anchor in anchors]
        keyed = href_keys(hrefs, page_url)
        new = keyed.keys() - self._seen
        if not new:
            return
        listed = {anchor.get("href") for anchor in skip}    # an item here may be a plain link elsewhere
        new = {key for key in new if keyed[key] not in listed}
        self._seen |= new
        wanted = {keyed[key] for key in new}
        base, found = Base(page_url), []
        county = self._county
        position: dict[str | None, int] = {}
        for at, href in enumerate(hrefs):
            position.setdefault(href, at)
        for href in sorted(wanted, key=position.__getitem__):      # in the page's order
            url = link(href, base)
            if url is None or url in self.found:
                continue
            netloc = url.split("/", 3)[2]
            if netloc not in county:
                county[netloc] = host_of(url) in self.hosts
            if not county[netloc]:
                continue
            anchor = anchors[position[href]]
            text = " ".join("".join(anchor.itertext()).split()) or (anchor.get("title") or "").strip()
            images = [img for img in anchor.iter("img")] if not text else []
            if not text and not images:     # nothing a visitor could click (a script's data, a stray tag)
                continue
            text = text or next((alt for img in images if (alt := (img.get("alt") or "").strip())), "")
            self.found[url] = PageLink(url, unit_id, page_url, text[:MAX_TEXT])
            found.append((url, text[:MAX_TEXT]))
        if found:
            self._new.setdefault(page_url, []).extend(found)

    def take(self, page_url: str) -> list[tuple[str, str]]:
        """(URL, text) of the links first met on `page_url` since the last `take` of it."""
        return self._new.pop(page_url, [])


def href_keys(hrefs: Iterable[str | None], page_url: str) -> dict[str, str]:
    """href → a key that names its URL without resolving it: an absolute href as it is, else the
    href behind the page's origin, directory, parent directory (`../`) or whole URL (`?`, `#`).
    Equal keys resolve alike, so a menu of relative links is met once per site, not per column."""
    origin_end = page_url.find("/", page_url.find("//") + 2)
    origin = page_url[:origin_end] if origin_end > 0 else page_url
    path_end = min((i for i in (page_url.find("?"), page_url.find("#")) if i >= 0), default=len(page_url))
    directory = page_url[:page_url.rfind("/", 0, path_end) + 1] if origin_end > 0 else page_url + "/"
    parent = directory[:directory.rfind("/", len(origin), len(directory) - 1) + 1] or directory
    keys = {}
    for href in dict.fromkeys(hrefs):       # a menu shown twice (top and side) is keyed once
        if not href:
            continue
        first = href[0]
        if first == ".":
            keys[parent + href[3:] if href.startswith("../") else directory + href] = href
        elif first == "/":
            keys[origin + href] = href
        elif first in "?#":
            keys[page_url + href] = href
        else:
            keys[href if "://" in href[:8] else directory + href] = href
    return keys


@dataclass(slots=True)
class StoredLinks:
    """What the store knew of links when the crawl started (this run's own writes would blur it)."""

    mine: list[StoredLink] = field(default_factory=list)     # the links of this worker's units
    known: set[str] = field(default_factory=set)              # every stored link's URL
    followed: set[str] = field(default_factory=set)           # URLs some crawl worker requests itself

    @classmethod
    def load(cls, db: Database, config: Config, units: list[UnitConfig]) -> "StoredLinks":
        configured = {url for unit in config.units for url in (unit.site, *(c.url for c in unit.columns)) if url}
        return cls(stored_links(db, [u.id for u in units]), link_urls(db),
                   configured | column_urls(db) | ({config.county_portal} if config.county_portal else set()))


def links_due(anchors: Anchors, mine: list[StoredLink], known: set[str], excluded: Callable[[str], bool],
              owns: Callable[[PageLink], bool], site_of: Callable[[str], str],
              budget: Callable[[str], int | None]) -> tuple[list[PageLink], int]:
    """The links this worker checks now, per site the never-checked first, then the longest unchecked,
    within `budget(site)` (None: no limit), and how many are left for a later run.

    `mine`: the stored links of this worker's units (one whose page was read now without it is gone;
    one whose page was not read now, a 304 or a failure, is still there as far as we know); `known`:
    every stored URL, so a link of another worker's unit is left to it; a link new to the store is
    checked by the worker that `owns` it (by URL, among those sharing its page's host: another waits
    a run for it, stored); `excluded`: the links the crawl requests itself."""
    candidates = {url: link for url, link in anchors.found.items() if url not in known and owns(link)}
    for row in mine:
        if row.url in anchors.found:
            candidates[row.url] = replace(anchors.found[row.url], checked_at=row.checked_at)
        elif not row.gone and row.page not in anchors.pages:
            candidates[row.url] = PageLink(row.url, row.unit_id, row.page, row.text or "", row.checked_at)
    queue = sorted((c for url, c in candidates.items() if not excluded(url)),
                   key=lambda c: (c.checked_at is not None, c.checked_at or ""))
    due: list[PageLink] = []
    used: Counter[str] = Counter()
    for candidate in queue:
        site = site_of(candidate.unit_id)
        limit = budget(site)
        if limit is None or used[site] < limit:
            used[site] += 1
            due.append(candidate)
    return due, len(queue) - len(due)
