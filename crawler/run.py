"""Child-process entry point of one crawl (docs/design.md §7.1: one crawl, one process).

    python -m crawler.run --config PATH --db PATH --run-id N [--unit ID ...] [--shard I/N]

Progress goes to stdout as JSON lines (crawler/events.py), Scrapy's log to stderr. Exit codes
(monitor/exitcodes.py): 0 when the crawl ran to its end, whatever the sites answered; 2 for a
config or usage problem, or a corrupt store; 1 when the crawl itself could not run; 3 when the
store could not be written (the crawl stops; the last stderr line names the cause).

The child dies with the process that started it (`GONGKAI_PARENT_PID`): a killed `gongkai run`
releases the store's lock, and a crawl left running without it would overlap the next one.
"""
from __future__ import annotations

import argparse
import ctypes
import logging
import os
import signal
import sys
from collections import defaultdict
from datetime import date

from crawler.shards import Shard, plan_shards
from monitor import exitcodes
from monitor.config import Config, ConfigError, county_today, load_config
from monitor.observations import LINKED, SUB, active_columns, site_validators_for, sync_units, validators_for
from monitor.store import StoreError, open_db, store_errors

PARENT_ENV = "GONGKAI_PARENT_PID"
_PR_SET_PDEATHSIG = 1

log = logging.getLogger("crawler.run")


def _args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m crawler.run", description="Crawl the configured units once.")
    parser.add_argument("--config", required=True, help="config.yaml")
    parser.add_argument("--db", required=True, help="SQLite store")
    parser.add_argument("--run-id", type=int, default=None, help="runs.id this crawl belongs to")
    parser.add_argument("--unit", action="append", default=[], help="crawl only this unit (repeatable)")
    parser.add_argument("--shard", type=_shard, default=(1, 1), metavar="I/N",
                        help="crawl only shard I of the N of crawler.shards.plan_shards (one of N worker processes)")
    parser.add_argument("--today", type=date.fromisoformat, default=None,
                        help="the date that month-day list dates are read against (default: today in config timezone)")
    return parser.parse_args(argv)


def _shard(text: str) -> tuple[int, int]:
    index, _, count = text.partition("/")
    if not (index.isdigit() and count.isdigit() and 1 <= int(index) <= int(count)):
        raise argparse.ArgumentTypeError(f"{text!r}: should be I/N with 1 <= I <= N")
    return int(index), int(count)


def die_with_parent() -> None:
    """Ask Linux to SIGKILL this process when its parent dies (prctl PR_SET_PDEATHSIG), and exit
    at once if the parent is already gone; elsewhere the parent's own cleanup has to do."""
    parent = os.environ.get(PARENT_ENV)
    if not parent or not sys.platform.startswith("linux"):
        return
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) != 0:
        log.warning("cannot tie the crawl to its parent: %s", os.strerror(ctypes.get_errno()))
    elif os.getppid() != int(parent):     # it died before the request took effect
        sys.exit(exitcodes.FAILED)


def main(argv: list[str] | None = None) -> int:
    die_with_parent()
    args = _args(argv)
    try:
        config = load_config(args.config)
        units = [config.unit(u) for u in args.unit] if args.unit else list(config.units)
    except ConfigError as exc:
        print(exc, file=sys.stderr)
        return exitcodes.USAGE
    except KeyError as exc:
        print(f"unknown unit {exc.args[0]!r}", file=sys.stderr)
        return exitcodes.USAGE
    index, count = args.shard
    shards = plan_shards(config, units, count)
    if index > len(shards):
        print(f"shard {index}/{count}: only {len(shards)} shards for these units", file=sys.stderr)
        return exitcodes.USAGE
    try:
        return _crawl(args, config, shards[index - 1], len(shards))
    except StoreError as exc:
        print(exc, file=sys.stderr)
        return exc.exit_code


def _crawl(args: argparse.Namespace, config: Config, shard: Shard, shards: int) -> int:
    units = shard.units
    today = args.today or county_today(config.timezone)
    unit_ids = [u.id for u in units]

    db = open_db(args.db)
    try:
        with store_errors(args.db):
            sync_units(db, config.units)
            validators = validators_for(db, unit_ids)
            site_validators = site_validators_for(db, unit_ids)
            known: dict[str, list[tuple[str, str]]] = defaultdict(list)       # linked from the site page
            known_sub: dict[str, list[tuple[str, str]]] = defaultdict(list)   # from a column navigation
            for column in active_columns(db, unit_ids):
                if column.discovered in (LINKED, SUB):
                    (known if column.discovered == LINKED else known_sub)[column.unit_id].append((column.name, column.url))
    finally:
        db.close()

    from scrapy.crawler import AsyncCrawlerProcess   # heavy import, only once the arguments are fine
    from scrapy.utils.project import get_project_settings

    from crawler.detail import DetailPlanner
    from crawler.settings import for_config
    from crawler.spiders.portal import PortalSpider

    settings = get_project_settings()
    if settings.get("BOT_NAME") != "gongkai":   # run outside the repo dir: load ours explicitly
        settings.setmodule("crawler.settings", priority="project")
    settings.setdict(for_config(config, units, db_path=str(args.db), run_id=args.run_id, split=shard.split,
                                shards=shards), priority="cmdline")
    process = AsyncCrawlerProcess(settings)
    # Scrapy's root handler filters by LOG_LEVEL, but its loggers stay at DEBUG, so every page
    # built and formatted debug records ("Crawled (200)", "Scraped from") only to drop them
    logging.getLogger("scrapy").setLevel(settings.get("LOG_LEVEL"))
    crawler = process.create_crawler(PortalSpider)
    details = DetailPlanner.open(str(args.db), config, units, today=today, split=shard.split)
    process.crawl(crawler, config=config, units=units, today=today, validators=validators,
                  site_validators=site_validators, known_columns=dict(known), known_sub_columns=dict(known_sub),
                  details=details)
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


if __name__ == "__main__":
    sys.exit(main())
