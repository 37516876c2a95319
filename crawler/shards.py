"""One crawl split over several processes (`crawl.workers`) without changing what a site sees.

A Scrapy process runs on one core, and on a fast local network its per-request cost, not the
sites, bounds a crawl. `crawl.workers: N` runs N child processes, each on a share of the units.
Politeness is per host, so a host's units go to at most as many workers as its concurrency
allows, and each of them gets 1/k of that concurrency, k times its delay and 1/k of its daily
detail budget: together the k workers send the host what one process would.

The parent (`monitor.crawl`) makes the plan once and hands each child its shard
(crawler/handoff.py).
"""
from __future__ import annotations

from dataclasses import dataclass, field

from crawler.settings import slot_key
from monitor.config import Config, UnitConfig


@dataclass
class Shard:
    units: list[UnitConfig] = field(default_factory=list)
    split: dict[str, int] = field(default_factory=dict)   # host → how many shards share it
    load: int = 0                                          # ≈ requests of its units
    #: host → (this shard's place, how many shards hold its units): the links seen on the host's pages
    #: are checked by one of them each (W12, crawler/links.py)
    links: dict[str, tuple[int, int]] = field(default_factory=dict)


def plan_shards(config: Config, units: list[UnitConfig], workers: int) -> list[Shard]:
    """The non-empty shards of `units` over at most `workers` processes, balanced by load;
    each shard keeps the units in config order."""
    order = {unit.id: index for index, unit in enumerate(units)}
    by_host: dict[str, list[UnitConfig]] = {}
    for unit in units:
        by_host.setdefault(slot_key(unit), []).append(unit)
    shards = [Shard() for _ in range(max(1, workers))]
    splits: dict[str, int] = {}
    for host, group in sorted(by_host.items(), key=lambda kv: (-sum(map(estimated_requests, kv[1])), kv[0])):
        concurrency = min(u.crawl.per_site_concurrency or config.crawl.per_site_concurrency for u in group)
        k = min(len(shards), concurrency, len(group))
        targets = sorted(shards, key=lambda s: s.load)[:k]
        splits[host] = k
        for unit in sorted(group, key=estimated_requests, reverse=True):
            shard = min(targets, key=lambda s: s.load)
            shard.units.append(unit)
            shard.load += estimated_requests(unit)
    for shard in shards:
        shard.units.sort(key=lambda u: order[u.id])
        shard.split = {host: splits[host] for host in {slot_key(u) for u in shard.units}}
    planned = [s for s in shards if s.units]
    for host in by_host:
        holders = [s for s in planned if host in s.split]
        for place, shard in enumerate(holders):
            shard.links[host] = (place, len(holders))
    return planned


#: columns a unit's site page is assumed to lead to, for balancing (the plan is made before the crawl)
DISCOVERED_GUESS = 10


def estimated_requests(unit: UnitConfig) -> int:
    """List-side requests of a unit before it has been crawled: its site page, the columns it is
    assumed to lead to, its configured columns."""
    return (1 + DISCOVERED_GUESS if unit.site and unit.discover else 0) + len(unit.columns)
