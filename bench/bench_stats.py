"""Benchmark: `gongkai stats` over 100,000 columns and 5 million items (target < 3 s), issue 11.

Builds a store of N units × M columns × K items (dates spread over the last two years, a tenth of
the columns with incomplete listings, some unread, one in eight units with a quiet 动态 column, so
runs of zero months are looked up), then times, median of R runs each, `gongkai stats --format json`
in process (the config read, the counts loaded and judged, the JSON written) for the last month, the
current quarter and the current year; then the dashboard's 发布统计 page (12 months): its first
request, which counts (the server's warm-up thread does this when the store changes), the server time
of the requests after it, and of the first request after a store change the counts do not depend on
(a probe) and after ones they do (an item listed that is shown this month, then one shown last month).
Run: python bench/bench_stats.py [--units 1000] [--columns 100] [--items 50] [--runs 3] [--db PATH]
"""
from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from click.testing import CliRunner  # noqa: E402

from monitor.cli import cli  # noqa: E402
from monitor.config import parse_config  # noqa: E402
from monitor.observations import column_id  # noqa: E402
from monitor.store import open_db, utcnow  # noqa: E402
from monitor.web import create_app  # noqa: E402

TODAY = date.today()
NAMES = ["工作动态", "通知公告", "政策文件", "人事信息", "规划计划", "政策解读", "财政预决算", "政府信息公开指南"]
CATEGORIES = ["dynamic", "notice", "policy", "personnel", "planning", "policy", "planning", "static"]


def config_text(units: int) -> str:
    return ("county: 基准县\nsupervisor: {name: 基准局}\n"
            "rules: {min_monthly_items: {department: 20, township: 10, government: 30}}\nunits:\n") + "".join(
        f"  - {{id: u{u}, name: 单位{u}, site: 'http://127.0.0.1:9/u{u}/'}}\n" for u in range(units))


def build(db_path: Path, units: int, columns: int, items: int):
    config = parse_config(config_text(units))
    db = open_db(db_path)
    if db.execute("SELECT count(*) FROM columns").fetchone()[0]:
        return config, db
    rng = random.Random(1)
    now = utcnow()
    with db.atomic():
        for u in range(units):
            cols, rows = [], []
            for c in range(columns):
                url = f"http://127.0.0.1:9/u{u}/c{c}/"
                cid = column_id(f"u{u}", url)
                unread = rng.random() < 0.01
                cols.append((cid, f"u{u}", f"{NAMES[c % len(NAMES)]}{c}", url, CATEGORIES[c % len(CATEGORIES)],
                             now, now, None if unread else now, "network_error" if unread else "ok", items, items,
                             0 if rng.random() < 0.1 else 1))
                quiet = c % len(NAMES) == 0 and u % 8 == 0
                newest = 100 if quiet else 0
                for k in range(items):
                    day = TODAY - timedelta(days=newest + rng.randint(0, 730))
                    rows.append((cid, f"{url}t{k}.html", f"信息{k}", day.isoformat(), now, now))
            db.conn.executemany(
                """INSERT INTO columns (id, unit_id, name, url, category, discovered, first_seen, last_seen,
                                        last_ok_at, last_outcome, item_count, dated_count, list_complete)
                   VALUES (?,?,?,?,?,1,?,?,?,?,?,?,?)""", cols)
            db.conn.executemany("INSERT INTO items (column_id, url, title, date, first_seen, last_seen) "
                                "VALUES (?,?,?,?,?,?)", rows)
    return config, db


def median_time(fn, runs: int) -> tuple[float, float, object]:
    """Median wall and CPU time of `runs` calls (CPU is the steadier figure on a shared machine)."""
    walls, cpus, out = [], [], None
    for _ in range(runs):
        t0, c0 = time.perf_counter(), time.process_time()
        out = fn()
        walls.append(time.perf_counter() - t0)
        cpus.append(time.process_time() - c0)
    return statistics.median(walls), statistics.median(cpus), out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--units", type=int, default=1000)
    ap.add_argument("--columns", type=int, default=100)
    ap.add_argument("--items", type=int, default=50)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--db", type=Path, help="keep the store here (built once, reused)")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = args.db or Path(tmp) / "bench.db"
        t0 = time.perf_counter()
        config, db = build(path, args.units, args.columns, args.items)
        n = db.execute("SELECT count(*) FROM items").fetchone()[0]
        print(f"store: {args.units * args.columns:,} columns, {n:,} items ({time.perf_counter() - t0:.1f} s to build)")
        config_file = Path(tmp) / "config.yaml"
        config_file.write_text(config_text(args.units), encoding="utf-8")
        for option in ([], ["--quarter", f"{TODAY.year}-Q{(TODAY.month - 1) // 3 + 1}"], ["--year", str(TODAY.year)]):
            command = ["--config", str(config_file), "--db", str(path), "stats", *option, "--format", "json",
                       "--today", TODAY.isoformat()]
            spent, cpu, result = median_time(lambda: CliRunner().invoke(cli, command, catch_exceptions=False),
                                             args.runs)
            stats = json.loads(result.stdout)
            statuses = {s: sum(r["status"] == s for r in stats)
                        for s in ("ok", "below_minimum", "zero", "not_counted")}
            print(f"gongkai stats {' '.join(option) or '(last month)'}: {spent:.2f} s (CPU {cpu:.2f} s), medians of "
                  f"{args.runs}  {statuses}")
        client = create_app(path, config=config).test_client()
        cold, cold_cpu, _ = median_time(lambda: client.get("/publication"), 1)
        warm = [page_ms(client)[0] for _ in range(args.runs)]
        print(f"/publication: first request {cold:.2f} s (CPU {cold_cpu:.2f} s, counting 12 months); then server "
              f"time {statistics.median(warm):.0f} ms median of {args.runs}")
        # the store changes: first in what the counts do not depend on (a probe, as `gongkai serve` records
        # every 30 minutes), then in what they do: an item listed that is shown this month (a crawl's usual
        # find, outside the 12 complete months shown), then one shown last month
        after: dict[str, list] = {"a probe is recorded": [], "an item of this month is listed": [],
                                  "an item of last month is listed": []}
        last_month = (TODAY.replace(day=1) - timedelta(days=1)).isoformat()
        for k in range(args.runs):
            db.execute("INSERT INTO probes (url, unit_id, probed_at, outcome) VALUES ('http://127.0.0.1:9/u0/', "
                       "'u0', ?, 'ok')", [utcnow()])
            after["a probe is recorded"].append(page_ms(client))
            for what, day in (("an item of this month is listed", TODAY.isoformat()),
                              ("an item of last month is listed", last_month)):
                db.execute("INSERT INTO items (column_id, url, title, date, first_seen, last_seen) "
                           "VALUES (?, ?, ?, ?, ?, ?)", [column_id("u0", "http://127.0.0.1:9/u0/c0/"),
                                                         f"http://127.0.0.1:9/u0/c0/new{k}{day}.html", "新信息",
                                                         day, utcnow(), utcnow()])
                after[what].append(page_ms(client))
        db.execute("DELETE FROM items WHERE url LIKE 'http://127.0.0.1:9/u0/c0/new%'")   # the store as it was
        db.execute("DELETE FROM probes")
        for what, times in after.items():
            server, cpu = (statistics.median(t) for t in zip(*times))
            print(f"/publication after {what}: {server:.0f} ms (CPU {cpu:.0f} ms), medians of {args.runs}")


def page_ms(client) -> tuple[float, float]:
    """Server time and CPU time (ms) of one request of the 发布统计 page."""
    c0 = time.process_time()
    response = client.get("/publication?sort=total&order=desc")
    return float(response.headers["Server-Timing"].split("dur=")[1]), (time.process_time() - c0) * 1000


if __name__ == "__main__":
    main()
