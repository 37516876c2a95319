"""Child-process entry point of one crawl (docs/design.md §7.1: one crawl, one process).

    python -m crawler.run < hand-off.json

The parent (monitor/crawl.py) writes the crawl to the child's stdin as one JSON document
(crawler/handoff.py: the validated config, the store, the run id, the date and this child's shard).
Progress goes to stdout as JSON lines (crawler/events.py), Scrapy's log to stderr. Exit codes
(monitor/exitcodes.py): 0 when the crawl ran to its end, whatever the sites answered; 2 for an
unreadable hand-off, or a corrupt store; 1 when the crawl itself could not run; 3 when the
store could not be written (the crawl stops; the last stderr line names the cause).

The child dies with the process that started it (crawler/lifeline.py): a killed `gongkai run`
releases the store's lock, and a crawl left running without it would overlap the next one.
"""
from __future__ import annotations

import argparse
import gc
import logging
import os
import sys
from collections import defaultdict

from crawler.handoff import HandOff
from crawler.lifeline import die_with_parent
from monitor import exitcodes
from monitor.observations import LINKED, SUB, active_columns, site_validators_for, validators_for
from monitor.store import StoreError, open_db, store_errors

log = logging.getLogger("crawler.run")


def _args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m crawler.run", description="Crawl once what the hand-off on stdin says (crawler/handoff.py).")
    return parser.parse_args(argv)


#: allocations between collections of the youngest generation, and collections of each generation
#: between collections of the next (Python's defaults: 700, 10, 10)
GC_THRESHOLDS = (100_000, 50, 100)


def _collect_garbage_seldom() -> None:
    """A crawl allocates a few thousand objects a page (Scrapy's requests, responses and Deferreds,
    lxml's element proxies, records), so at Python's default thresholds the cyclic collector ran
    every few pages and walked them all: 15-20 % of a crawl's CPU (bench/README.md). Its garbage is
    freed by reference counting; the rare cycles wait a little longer (peak memory unchanged on a
    16,000-page crawl). What was imported before the crawl is frozen out of the collections."""
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)


def main(argv: list[str] | None = None) -> int:
    die_with_parent()
    _collect_garbage_seldom()
    _args(argv)
    try:
        handoff = HandOff.from_json(sys.stdin.read())
    except (ValueError, KeyError, TypeError) as exc:     # pydantic's ValidationError is a ValueError
        print(f"unreadable crawl hand-off: {exc!r}"[:300], file=sys.stderr)
        return exitcodes.USAGE
    try:
        return _crawl(handoff)
    except StoreError as exc:
        print(exc, file=sys.stderr)
        return exc.exit_code


def _crawl(handoff: HandOff) -> int:
    config, units, db_path = handoff.config, handoff.units, handoff.db_path
    unit_ids = [u.id for u in units]

    db = open_db(db_path)
    try:
        with store_errors(db_path):
            validators = validators_for(db, unit_ids)
            site_validators = site_validators_for(db, unit_ids)
            known: dict[str, list[tuple[str, str]]] = defaultdict(list)       # linked from the site page
            known_sub: dict[str, list[tuple[str, str]]] = defaultdict(list)   # from a column navigation
            for column in active_columns(db, unit_ids):
                if column.discovered in (LINKED, SUB):
                    (known if column.discovered == LINKED else known_sub)[column.unit_id].append((column.name, column.url))
    finally:
        db.close()

    from scrapy.crawler import AsyncCrawlerProcess   # heavy import, only once the hand-off is read
    from scrapy.utils.project import get_project_settings

    from crawler.detail import DetailPlanner
    from crawler.settings import for_config
    from crawler.spiders.portal import PortalSpider

    settings = get_project_settings()
    if settings.get("BOT_NAME") != "gongkai":   # run outside the repo dir: load ours explicitly
        settings.setmodule("crawler.settings", priority="project")
    settings.setdict(for_config(config, units, db_path=db_path, run_id=handoff.run_id, split=handoff.split,
                                shards=handoff.shards), priority="cmdline")
    process = AsyncCrawlerProcess(settings)
    # Scrapy's root handler filters by LOG_LEVEL, but its loggers stay at DEBUG, so every page
    # built and formatted debug records ("Crawled (200)", "Scraped from") only to drop them
    logging.getLogger("scrapy").setLevel(settings.get("LOG_LEVEL"))
    crawler = process.create_crawler(PortalSpider)
    details = DetailPlanner.open(db_path, config, units, today=handoff.today, split=handoff.split)
    process.crawl(crawler, config=config, units=units, today=handoff.today, validators=validators,
                  site_validators=site_validators, known_columns=dict(known), known_sub_columns=dict(known_sub),
                  details=details, link_share=handoff.links)
    process.start()
    progress = getattr(crawler, "progress", None)
    if progress is None:
        print("the crawl did not start (see the log above)", file=sys.stderr)
        return exitcodes.FAILED
    failure: StoreError | None = getattr(crawler, "store_failure", None)
    if failure is not None:
        progress.emit("failed", reason=str(failure))
        print(failure, file=sys.stderr)     # the parent counts the records not stored
        return failure.exit_code
    progress.done(crawler.spider.breaker.down())
    return exitcodes.OK


def _exit(code: int) -> None:
    """Exit without tearing the interpreter down: by now every record is committed and the store
    closed, and freeing a crawl's objects one by one (Scrapy's, Twisted's, lxml's) cost 0.1-0.15 s
    of every crawl. Only the output streams need flushing."""
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


if __name__ == "__main__":
    _exit(main())
