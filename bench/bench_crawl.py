"""Benchmark: crawl + extract + store throughput on a generated county served on loopback.

The county: `generate_county(scale=True)` with 200 healthy units × 20 columns (the 12 scenario
units with their deliberately slow and broken columns are left out, so the figure is throughput,
not timeouts), served by the demo server on 127.0.0.1 with ETag/Last-Modified; each unit's
annual-report column lists five reports, whose pages the crawl reads as in production.

Measured, median of R runs each, all in this one process and session:
  * gongkai crawl (`crawl.workers` child processes, default 2: Scrapy + generic extractor +
    SQLite store), fresh store each run;
  * the same crawl again over unchanged pages (conditional requests → 304), same store;
  * both again with one worker process (the default configuration);
  * baseline: a plain sequential requests + BeautifulSoup(lxml) loop over the same URLs that also
    extracts the list items and stores them in SQLite;
  * ceiling: bare Scrapy fetching and decoding the same URLs (bench/bare_scrapy.py);
and the crawl children's peak RSS. Run: python bench/bench_crawl.py [--units 200] [--runs 3] [--workers 2]
"""
from __future__ import annotations

import argparse
import dataclasses
import resource
import sqlite3
import statistics
import tempfile
import time
from datetime import date
from pathlib import Path

import json
import subprocess
import sys

import requests
from bs4 import BeautifulSoup

from monitor.config import parse_config
from monitor.crawl import crawl
from monitor.demo.config import demo_config_yaml
from monitor.demo.generator import SCENARIOS, generate_county
from monitor.demo.server import DemoServer
from monitor.store import open_db


def crawl_once(config_text: str, db_path: Path) -> tuple[float, int, list[str]]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    config_path = db_path.with_suffix(".yaml")
    config_path.write_text(config_text, encoding="utf-8")
    config = parse_config(config_text, base_dir=config_path.parent)
    db = open_db(db_path)
    summary = crawl(config, db, db_path)
    assert summary.status in ("ok", "partial"), summary.line()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    print(f"  {summary.line()}; crawl child CPU {cpu:.1f}s")
    urls = [r[0] for r in db.execute("SELECT url FROM fetches WHERE run_id = ? AND outcome IN ('ok', 'not_modified')",
                                     [summary.run_id]).fetchall()]
    return summary.elapsed, summary.pages, urls


def plain_loop(urls: list[str], db_path: Path) -> float:
    """What a careful script would do: one session, fetch, parse with BeautifulSoup, store rows."""
    conn = sqlite3.connect(db_path)
    conn.execute("PRAGMA journal_mode = WAL")          # the same durability settings as our store
    conn.execute("PRAGMA synchronous = NORMAL")
    conn.execute("CREATE TABLE IF NOT EXISTS items (page TEXT, title TEXT, url TEXT, date TEXT)")
    session = requests.Session()
    t0 = time.perf_counter()
    for url in urls:
        body = session.get(url, timeout=30).content
        soup = BeautifulSoup(body, "lxml", from_encoding="gb18030" if b"gb2312" in body[:300] else None)
        rows = []
        for li in soup.select("li, tr, dl"):
            a = li.find("a", href=True)
            if a is not None:
                rows.append((url, a.get("title") or a.get_text(strip=True), a["href"], li.get_text(" ", strip=True)[-10:]))
        with conn:
            conn.executemany("INSERT INTO items VALUES (?, ?, ?, ?)", rows)
    return time.perf_counter() - t0


def bare_scrapy(urls: list[str], tmp: Path) -> tuple[float, float]:
    """Pages/s of Scrapy alone (fetch + decode) over the same URLs: the ceiling on this machine, timed
    inside the process (after its imports, as bare_scrapy.py reports it) and as a whole process
    (start to exit, as the crawl's own figure is: its child's start, imports and hand-off included)."""
    listing = tmp / "urls.txt"
    listing.write_text("\n".join(urls), encoding="utf-8")
    started = time.perf_counter()
    out = subprocess.run([sys.executable, str(Path(__file__).with_name("bare_scrapy.py")), str(listing)],
                         capture_output=True, text=True, check=True).stdout
    whole = len(urls) / (time.perf_counter() - started)
    return json.loads(out.strip().splitlines()[-1])["pages_per_s"], whole


def crawl_twice(text: str, db_path: Path) -> tuple[float, float, list[str]]:
    """pages/s of a first crawl into a fresh store, the speed-up of a second one, the URLs read."""
    elapsed, pages, urls = crawl_once(text, db_path)
    elapsed2, _, _ = crawl_once(text, db_path)           # unchanged pages: 304s
    return pages / elapsed, elapsed / elapsed2, urls


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--units", type=int, default=200)
    ap.add_argument("--columns", type=int, default=20)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--workers", type=int, default=2)
    args = ap.parse_args()
    t0 = time.perf_counter()
    county = generate_county(date.today(), units=args.units + len(SCENARIOS), columns_per_unit=args.columns,
                             scale=True)
    healthy = dataclasses.replace(county, units=county.units[len(SCENARIOS):])
    print(f"county generated in {time.perf_counter() - t0:.1f}s: {len(healthy.units)} units × {args.columns} columns")
    with DemoServer(county) as server, tempfile.TemporaryDirectory() as tmp:
        text = demo_config_yaml(server.base_url, database="bench.db", county=healthy)
        # throughput, not politeness: no AutoThrottle on loopback (a real county keeps it on),
        # and no item detail pages beyond the annual reports (the scale county serves none)
        text = text.replace("per_site_concurrency: 8", "per_site_concurrency: 16\n  autothrottle: false")
        text = text.replace("detail_budget_per_site: 5000", "detail_budget_per_site: 0")
        sharded = text.replace("autothrottle: false", f"autothrottle: false\n  workers: {args.workers}")
        first, second, single, single2, base, bare, bare_whole = [], [], [], [], [], [], []
        for run in range(args.runs):
            rate, speedup, urls = crawl_twice(sharded, Path(tmp) / f"run{run}.db")
            first.append(rate)
            second.append(speedup)
            rate, speedup, _ = crawl_twice(text, Path(tmp) / f"single{run}.db")
            single.append(rate)
            single2.append(speedup)
            base.append(len(urls) / plain_loop(urls, Path(tmp) / f"plain{run}.db"))
            inside, whole = bare_scrapy(urls, Path(tmp))
            bare.append(inside)
            bare_whole.append(whole)
        rss_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    crawl_rate, base_rate, bare_rate = statistics.median(first), statistics.median(base), statistics.median(bare)
    print(f"pages per crawl            : {len(urls)}")
    print(f"gongkai crawl, {args.workers} workers   : median {crawl_rate:6.1f} pages/s  runs {[round(x) for x in first]}")
    print(f"second run (304s) speed-up : median {statistics.median(second):.2f}×  runs {[round(x, 2) for x in second]}")
    print(f"requests + BeautifulSoup   : median {base_rate:6.1f} pages/s  runs {[round(x) for x in base]}")
    print(f"ratio crawl / plain loop   : {crawl_rate / base_rate:.2f}×")
    print(f"gongkai crawl, 1 worker    : median {statistics.median(single):6.1f} pages/s  runs "
          f"{[round(x) for x in single]}; second run {statistics.median(single2):.2f}×  runs "
          f"{[round(x, 2) for x in single2]}")
    print(f"bare Scrapy, one process   : median {bare_rate:6.1f} pages/s  runs {[round(x) for x in bare]}"
          f"  (fetch + decode, our framework settings; 1 worker reaches "
          f"{statistics.median(single) / bare_rate:.0%} of it)")
    whole_rate = statistics.median(bare_whole)
    print(f"bare Scrapy, whole process : median {whole_rate:6.1f} pages/s  runs {[round(x) for x in bare_whole]}"
          f"  (start to exit, like the crawl's figure; 1 worker reaches {statistics.median(single) / whole_rate:.0%})")
    print(f"peak RSS of a crawl child  : {rss_mb:.0f} MB")


if __name__ == "__main__":
    main()
