"""Benchmark: edit re-reads on a county whose units all live on one host (issue 14, case 16).

N units on one host (a county platform), `delay_seconds: 1`, one crawl a day for D days. Each day
every column's first list page shows its newest items (new ones appear at the top, a few a day
per unit), and the detail planner (`crawler.detail.DetailPlanner`) plans each column's detail
work against a real SQLite store, in a different column order each day. The planned requests are
answered as a portal would (a 304 to a re-read whose validators still match, else the page and
a new ETag) and recorded as the crawl records them. Nothing is fetched: at 1 s a request a
simulated day would take the hour the window allows; the budget is the one delay 1 s gives.
Between days the store's history is moved back one day, so the planner's clock advances.

Reported: the recent items (first seen within `detail_recheck_days` and still listed; items of
the first crawl only when dated that recent, the older ones are backlog, re-read with what the
recent ones leave), the most consecutive runs any of them (and any backlog item) went without
a read, the detail requests per run and their 304 share, and how many runs it took to
see the edits made to recent items (every day a few of them change).
Run: python bench/bench_details.py [--units 50] [--days 45] [--window 60] [--delay 1] [--cap N]
"""
from __future__ import annotations

import argparse
import hashlib
import random
import statistics
import tempfile
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from crawler.detail import DetailPlanner
from monitor.config import Config, parse_config
from monitor.item_observations import record_item_status, record_item_version
from monitor.observations import ListItem, column_id, record_fetch, record_list, sync_units
from monitor.store import open_db, open_readonly
from tests.helpers import shift_store_back

HOST = "http://zwgk.example.gov.cn"
START = date(2026, 9, 1)
PAGE = 20                   # items on a column's first list page


def county_config(units: int, columns: int, *, delay: float, window: float, cap: int | None = None) -> Config:
    """`units` units with `columns` configured columns each, all on one host."""
    cap_text = f", detail_budget_per_site: {cap}" if cap is not None else ""
    crawl = f"{{delay_seconds: {delay}, window_minutes: {window}{cap_text}"
    text = f"county: 基准县\nsupervisor: {{name: 基准局}}\ncrawl: {crawl}}}\nunits:\n" + "".join(
        f"  - {{id: u{u:02d}, name: 单位{u}, discover: false, columns: ["
        + ", ".join(f"{{name: 栏目{c}, url: '{HOST}/u{u:02d}/c{c}/', category: notice}}" for c in range(columns))
        + "]}\n" for u in range(units))
    return parse_config(text)


@dataclass
class Item:
    url: str
    title: str
    date: str
    first_day: int
    backlog: bool               # listed at the column's first crawl
    version: int = 0            # edits so far (the page's ETag follows it)
    last_read: int | None = None
    edited_on: int | None = None

    @property
    def etag(self) -> str:
        return f'"{hashlib.sha1(f"{self.url}#{self.version}".encode()).hexdigest()[:16]}"'


@dataclass
class Result:
    max_unread_runs: list[int] = field(default_factory=list)     # per day, recent items
    recent: list[int] = field(default_factory=list)
    backlog_unread_runs: list[int] = field(default_factory=list)  # per day, the first crawl's older items
    requests: list[int] = field(default_factory=list)
    not_modified: list[int] = field(default_factory=list)
    edit_delays: list[int] = field(default_factory=list)         # runs from an edit to the read that saw it

    def worst(self, days: range) -> int:
        return max(self.max_unread_runs[d] for d in days)


def simulate(config: Config, db_path: Path, days: int, *, new_per_unit: float = 2.0, edits_per_day: int = 20,
             seed: int = 1) -> Result:
    """Run the county for `days` simulated days; see the module docstring."""
    rng = random.Random(seed)
    crawl = config.crawl
    zone = ZoneInfo(config.timezone)
    db = open_db(db_path)
    sync_units(db, config.units)
    columns = [(u.id, column_id(u.id, c.url), c.url, n) for u in config.units for n, c in enumerate(u.columns)]
    lists: dict[str, list[Item]] = {}
    for unit_id, cid, url, n in columns:    # column n publishes every n + 1 days
        lists[cid] = [Item(f"{url}t{k}.html", f"{unit_id} 栏目{n} 第{k}条",
                           (START - timedelta(days=k * (n + 1))).isoformat(),
                           0, True) for k in range(PAGE)]
    serial = 0
    result = Result()
    for day in range(days):
        today = START + timedelta(days=day)
        if day:
            for _ in range(int(new_per_unit * len(config.units))):
                unit_id, cid, url, _ = rng.choice(columns)
                serial += 1
                lists[cid].insert(0, Item(f"{url}n{serial}.html", f"{unit_id} 新信息 {serial}", today.isoformat(), day,
                                          False))
            recent = [i for items in lists.values() for i in items[:PAGE] if _recent(i, day, today, crawl)]
            for item in rng.sample(recent, min(edits_per_day, len(recent))):
                item.version += 1
                item.edited_on = item.edited_on if item.edited_on is not None else day
        planner = DetailPlanner(open_readonly(db_path), config, list(config.units), now=datetime.now(zone),
                                today=today)
        by_url = {i.url: i for items in lists.values() for i in items}
        requests = not_modified = 0
        for unit_id, cid, url, _ in rng.sample(columns, len(columns)):
            listed = lists[cid][:PAGE]
            record_fetch(db, run_id=day + 1, url=url, purpose="list", outcome="ok", unit_id=unit_id, column_id=cid)
            plan = planner.plan(unit_id, cid, report=False, listed=[ListItem(i.title, i.url, i.date) for i in listed])
            record_list(db, run_id=day + 1, column_id=cid, items=[ListItem(i.title, i.url, i.date) for i in listed],
                        pages_seen=1, http_status=200, etag=None, last_modified=None, body_hash=None,
                        complete=False)
            for job in plan.jobs:
                item = by_url[job.url]
                requests += 1
                unchanged = job.etag == item.etag
                not_modified += unchanged
                record_fetch(db, run_id=day + 1, url=job.url, purpose="detail",
                             outcome="not_modified" if unchanged else "ok", unit_id=unit_id, column_id=cid)
                if unchanged:
                    record_item_status(db, cid, job.url, 304)
                else:
                    record_item_version(db, column_id=cid, url=job.url, run_id=day + 1, title=item.title,
                                        text=f"{item.title}\n第 {item.version} 版", pub_date=item.date,
                                        written_date=None, publisher=None, index_no=None, doc_no=None,
                                        etag=item.etag)
                    if item.edited_on is not None:
                        result.edit_delays.append(day - item.edited_on)
                        item.edited_on = None
                item.last_read = day
        planner.close()
        listed = [i for items in lists.values() for i in items[:PAGE] if day - i.first_day < crawl.detail_recheck_days]
        recent = [i for i in listed if _recent(i, day, today, crawl)]
        result.recent.append(len(recent))
        result.max_unread_runs.append(_unread_runs(recent, day))
        result.backlog_unread_runs.append(_unread_runs([i for i in listed if not _recent(i, day, today, crawl)], day))
        result.requests.append(requests)
        result.not_modified.append(not_modified)
        shift_store_back(db_path, days=1)
    db.close()
    return result


def _unread_runs(items: list[Item], day: int) -> int:
    """The most runs any of `items` went without a read, up to and including `day`."""
    return max((day - i.last_read if i.last_read is not None else day - i.first_day + 1 for i in items), default=0)


def _recent(item: Item, day: int, today: date, crawl) -> bool:
    """First in line for edit re-reads (the planner's rule): first seen within detail_recheck_days;
    an item of the first crawl only when its date is that recent too (older ones are backlog)."""
    window = crawl.detail_recheck_days
    return day - item.first_day < window and (
        not item.backlog or item.date >= (today - timedelta(days=window)).isoformat())


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--units", type=int, default=50)
    parser.add_argument("--columns", type=int, default=10)
    parser.add_argument("--days", type=int, default=45)
    parser.add_argument("--window", type=float, default=60)
    parser.add_argument("--delay", type=float, default=1.0)
    parser.add_argument("--cap", type=int, default=None, help="crawl.detail_budget_per_site (daily cap)")
    parser.add_argument("--new", type=float, default=2.0, help="new items per unit and day")
    args = parser.parse_args()
    config = county_config(args.units, args.columns, delay=args.delay, window=args.window, cap=args.cap)
    with tempfile.TemporaryDirectory() as tmp:
        result = simulate(config, Path(tmp) / "store.db", args.days, new_per_unit=args.new)
    settled = range(min(3, args.days - 1), args.days)
    print(f"county                      : {args.units} units × {args.columns} columns on one host, {PAGE} items a "
          f"page, {args.new:g} new items per unit and day; delay {args.delay:g} s, window {args.window:g} min"
          + (f", cap {args.cap}/day" if args.cap is not None else ""))
    print(f"recent items (max / last)   : {max(result.recent)} / {result.recent[-1]}")
    print(f"most runs without a read    : {result.worst(settled)} from run {settled.start + 1} on "
          f"(first runs: {result.max_unread_runs[:settled.start]}); per run: {result.max_unread_runs}")
    print(f"backlog, runs without a read: {max(result.backlog_unread_runs)} (the first crawl's items dated before "
          f"the recheck period, re-read with what the recent ones leave, for their first "
          f"{config.crawl.detail_recheck_days} days)")
    print(f"detail requests per run     : median {statistics.median(result.requests):.0f} "
          f"(first run {result.requests[0]}), 304s {sum(result.not_modified) / max(1, sum(result.requests)):.0%}")
    if result.edit_delays:
        print(f"edits seen after (runs)     : median {statistics.median(result.edit_delays):.0f}, "
              f"max {max(result.edit_delays)} ({len(result.edit_delays)} edits)")


if __name__ == "__main__":
    main()
