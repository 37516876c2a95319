"""Benchmark: `check` over 100,000 columns (target < 5 s), docs/design.md §6.

Builds a store with N units × M columns whose observations cover every state (fresh, due soon,
stale, blank, undated, unreachable), then times the first `run_check` (every finding new) and,
median of R runs each:
  * the pure checks (`check_columns`) over the loaded observations,
  * the whole `run_check` again (sync units, load, check, write categories, reconcile findings
    with all of them open already — the daily case).
Run: python bench/bench_check.py [--units 1000] [--columns 100] [--runs 3]
"""
from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from monitor.checks.columns import check_columns
from monitor.config import parse_config
from monitor.evaluation import run_check
from monitor.observations import active_columns, column_id
from monitor.store import open_db, utcnow

NAMES = ["工作动态", "通知公告", "政策文件", "人事信息", "规划计划", "政策解读", "财政预决算", "政府信息公开指南"]
TODAY = date(2026, 11, 26)


def build(db_path: Path, units: int, columns: int):
    text = "county: 基准县\nsupervisor: {name: 基准局}\nunits:\n" + "".join(
        f"  - {{id: u{u}, name: 单位{u}, site: 'http://127.0.0.1:9/u{u}/'}}\n" for u in range(units))
    config = parse_config(text)
    db = open_db(db_path)
    now = utcnow()
    rows = []
    for u in range(units):
        for c in range(columns):
            url = f"http://127.0.0.1:9/u{u}/c{c}/"
            state = (u * 7 + c) % 10
            newest = (TODAY - timedelta(days=[3, 13, 40, 200, 400, 1, 5, 9, 2, 700][state])).isoformat()
            outcome = "network_error" if state == 9 else "ok"
            items = 0 if state == 8 else 20
            dated = 0 if state == 7 else items
            rows.append((column_id(f"u{u}", url), f"u{u}", f"{NAMES[c % len(NAMES)]}{c}", url, now, now, now,
                         outcome, items, dated, newest if dated else None))
    with db.atomic():   # read now: an old read would leave every column 未能检测 (rules.max_observation_age)
        db.conn.executemany(
            """INSERT INTO columns (id, unit_id, name, url, discovered, first_seen, last_seen, last_fetch_at,
                                    last_outcome, item_count, dated_count, newest_date)
               VALUES (?,?,?,?,1,?,?,?,?,?,?,?)""", rows)
    return config, db


def median_time(fn, runs: int) -> tuple[float, list[float]]:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), times


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--units", type=int, default=1000)
    ap.add_argument("--columns", type=int, default=100)
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        config, db = build(Path(tmp) / "bench.db", args.units, args.columns)
        total = args.units * args.columns
        print(f"store with {total:,} columns built in {time.perf_counter() - t0:.1f}s")
        t0 = time.perf_counter()
        run_check(config, db, TODAY)
        first = time.perf_counter() - t0            # every finding is new: 48,500 inserts
        cols = active_columns(db)
        pure, pure_all = median_time(lambda: check_columns(config, cols, TODAY), args.runs)
        full, full_all = median_time(lambda: run_check(config, db, TODAY), args.runs)
        summary = run_check(config, db, TODAY)
        print(f"pure checks      : median {pure:.2f}s  runs {[round(t, 2) for t in pure_all]}")
        print(f"first run_check  : {first:.2f}s  (opens every finding)")
        print(f"run_check (full) : median {full:.2f}s  runs {[round(t, 2) for t in full_all]}  "
              f"(target < 5 s; {total / full:,.0f} columns/s)")
        print(summary.line())


if __name__ == "__main__":
    main()
