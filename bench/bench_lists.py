"""Benchmark: list reading on the list-page corpus and its speed on the crawl benchmark's pages.

  * corpus (`tests/data/realpages/<family>/`, answer keys in `truth.json`): per page whether the
    newest date is right, the item count within ±1, and the next page (or the reason later pages
    are unreachable) right, and the extraction time;
  * speed: `extract_list` over the list pages of the crawl benchmark's county (`generate_county`
    in scale mode, decoded as the crawler decodes them), ms per page, median and best of R runs,
    without and with the crawl's collection of the pages' links (W12, `crawler.links.Anchors`).

Run: python bench/bench_lists.py [--units 100] [--runs 9]
"""
from __future__ import annotations

import argparse
import json
import statistics
import time
from datetime import date
from functools import partial
from pathlib import Path

from scrapy import Request
from scrapy.http import HtmlResponse

from crawler.extract import extract_list
from crawler.hosts import county_hosts
from crawler.links import Anchors
from crawler.middlewares import EncodingFixMiddleware
from monitor.config import parse_config
from monitor.demo.generator import SCENARIOS, generate_county

CORPUS = Path(__file__).resolve().parent.parent / "tests" / "data" / "realpages"


def corpus() -> None:
    print("| page | real? | newest date right | items within ±1 | next page right | ms |\n|---|---|---|---|---|---|")
    totals = [0, 0, 0, 0]
    for folder in sorted(p for p in CORPUS.iterdir() if (p / "truth.json").exists()):
        for name, truth in json.loads((folder / "truth.json").read_text(encoding="utf-8")).items():
            html, today = (folder / name).read_text(encoding="utf-8"), date.fromisoformat(truth["today"])
            started = time.perf_counter()
            for _ in range(20):
                page = extract_list(html, truth["url"], today=today)
            ms = (time.perf_counter() - started) / 20 * 1000
            dates = sorted(i.date for i in page.items if i.date) or [None]
            checks = (dates[-1] == truth["newest_date"] and page.kind == truth.get("kind", "list"),
                      abs(len(page.items) - truth["items"]) <= 1,
                      page.next_page == truth["next_url"] and page.unreachable == truth["unreachable"])
            totals = [t + c for t, c in zip(totals, (*checks, 1))]
            print(f"| {folder.name}/{name} | {'real' if truth['real'] else 'built'} | "
                  f"{'yes' if checks[0] else 'NO'} | {'yes' if checks[1] else 'NO'} ({len(page.items)}/{truth['items']}) | "
                  f"{'yes' if checks[2] else 'NO'} | {ms:.2f} |")
    print(f"newest {totals[0]}/{totals[3]}, count {totals[1]}/{totals[3]}, next {totals[2]}/{totals[3]}")


def speed(units: int, runs: int) -> None:
    today = date(2026, 11, 26)
    county = generate_county(today, units=len(SCENARIOS) + units, columns_per_unit=20, scale=True)
    fix = EncodingFixMiddleware()
    pages = []
    for path in county.columns:
        served = county.pages.get(path)
        if served is not None:
            url = "http://127.0.0.1:8000" + path
            response = HtmlResponse(url, body=served.body, headers={"Content-Type": served.content_type},
                                    request=Request(url))
            pages.append((fix.process_response(response.request, response).text, url))
    times, collecting = [], []
    hosts = county_hosts(parse_config(f"county: x\nsupervisor: {{name: x, email: a@b.cn}}\nunits:\n"
                                      f"  - {{id: u, name: u, type: department, site: {pages[0][1]}}}\n"))[1]
    for _ in range(runs):     # alternating, so a slower minute of a shared machine costs both alike
        started = time.perf_counter()
        for text, url in pages:
            extract_list(text, url, today=today)
        times.append((time.perf_counter() - started) / len(pages) * 1000)
        anchors = Anchors(hosts)       # a crawl's: one per run, links met once
        started = time.perf_counter()
        for text, url in pages:
            extract_list(text, url, today=today, anchors=partial(anchors.collect, unit_id="u", page_url=url))
            anchors.take(url)
        collecting.append((time.perf_counter() - started) / len(pages) * 1000)
    print(f"{len(pages)} list pages: median {statistics.median(times):.3f} ms/page, best {min(times):.3f}")
    print(f"  with the W12 link collection: median {statistics.median(collecting):.3f} ms/page, "
          f"best {min(collecting):.3f} ({len(anchors.found)} links)")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--units", type=int, default=100)
    parser.add_argument("--runs", type=int, default=9)
    args = parser.parse_args()
    corpus()
    speed(args.units, args.runs)


if __name__ == "__main__":
    main()
