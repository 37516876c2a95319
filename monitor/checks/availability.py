"""W6 网站不可用 (docs/rules.md §8, 单项否决 2): over the 7 complete local days before `today`, with
at least 20 probes on each of them, a failure share — an error, or no answer within 15 s — of 5 %
or more. Probes are made only by `gongkai serve` (monitor/probes.py); with fewer on any day (a
county run by cron alone) the share says nothing: `uncertain`, never pass or fail.

Pure: (config, stored probes, today) → results, one per probed URL."""
from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date, timedelta
from typing import Iterable

from monitor.checks.columns import local_day, read_cutoff
from monitor.checks.site import home_urls
from monitor.config import Config, UnitConfig
from monitor.observations import Probe
from monitor.results import Result

WINDOW_DAYS = 7
MIN_DAILY_PROBES = 20
MAX_FAILURE_SHARE = 0.05
#: an answer later than this counts as a failure (outcome `slow`)
SLOW_SECONDS = 15


def probe_targets(config: Config, *, portal_owner: str | None = None) -> dict[str, UnitConfig]:
    """The URLs probed and judged, each with the unit answering for it: the county portal (its
    owner, `Config.portal_owner` of the whole county, when among `config.units`) and the site page
    of each unit whose site is read."""
    units = {u.site: u for u in config.units if u.site and u.discover}
    owner = next((u for u in config.units if u.id == (portal_owner or config.portal_owner.id)), None)
    return {url: owner if url == config.county_portal else units[url]
            for url in home_urls(config) if url != config.county_portal or owner is not None}


def probe_window_start(today: date, tz: str) -> str:
    """The earliest store timestamp the check reads: the start of the first of the 7 days."""
    return read_cutoff(today, WINDOW_DAYS, tz)


def check_availability(config: Config, probes: Iterable[Probe], today: date, *,
                       portal_owner: str | None = None) -> list[Result]:
    days = [(today - timedelta(days=n)).isoformat() for n in range(WINDOW_DAYS, 0, -1)]
    by_url: dict[str, list[tuple[str, Probe]]] = defaultdict(list)
    for p in probes:
        day = local_day(p.probed_at, config.timezone)
        if days[0] <= day <= days[-1]:
            by_url[p.url].append((day, p))
    results = []
    for url, unit in probe_targets(config, portal_owner=portal_owner).items():
        portal = url == config.county_portal
        where = f"{config.county}人民政府门户网站" if portal else f"{unit.name}网站"
        rows = by_url.get(url, [])
        per_day = Counter(day for day, _ in rows)
        counts = {day: per_day[day] for day in days}
        evidence = {"checked_url": url, "county_portal": portal, "window": [days[0], days[-1]],
                    "probes_per_day": counts, "min_daily_probes": MIN_DAILY_PROBES}
        short = [day for day, n in counts.items() if n < MIN_DAILY_PROBES]
        if short:
            results.append(Result("W6", "site_unavailable", "uncertain", unit.id, unit.name, {"site": url},
                                  f"{where}可用性未能判定（探测次数不足）：近 {WINDOW_DAYS} 天中有 {len(short)} 天"
                                  f"探测少于 {MIN_DAILY_PROBES} 次（探测仅在 gongkai serve 运行时进行）", "info",
                                  {**evidence, "short_days": short}))
            continue
        failed = [p for _, p in rows if p.outcome != "ok"]
        share = len(failed) / len(rows)
        if share < MAX_FAILURE_SHARE:
            results.append(Result("W6", "site_unavailable", "pass", unit.id, unit.name, {"site": url},
                                  evidence={**evidence, "probes": len(rows), "failures": len(failed)}))
            continue
        slow = sum(1 for p in failed if p.outcome == "slow")
        results.append(Result(
            "W6", "site_unavailable", "fail", unit.id, unit.name, {"site": url},
            f"{where}近 {WINDOW_DAYS} 天 {len(rows)} 次探测中 {len(failed)} 次无法访问或超过 {SLOW_SECONDS} 秒未响应"
            f"（{share:.1%}，达到单项否决标准 {MAX_FAILURE_SHARE:.0%}）", "critical",
            {**evidence, "probes": len(rows), "failures": len(failed), "slow": slow, "failure_share": round(share, 4),
             "max_failure_share": MAX_FAILURE_SHARE,
             "recent_failures": [{"at": p.probed_at, "outcome": p.outcome, "http_status": p.http_status,
                                  "error": p.error} for p in failed[-5:]]}))
    return results
