"""Child-process entry point of one crawl (spec/ecosystem-notes.md §1.1: one crawl, one process).

    python -m crawler.run --config PATH --db PATH --run-id N [--unit ID ...] [--shard I/N]

Progress goes to stdout as JSON lines (crawler/events.py), Scrapy's log to stderr. Exit 0 when
the crawl ran to its end, whatever the sites answered; 2 for a config or usage problem; 1 when
the crawl itself could not run.
"""
from __future__ import annotations

import argparse
import logging
import sys
from collections import defaultdict
from datetime import date, datetime
from zoneinfo import ZoneInfo

from crawler.shards import plan_shards
from monitor.config import ConfigError, load_config
from monitor.observations import LINKED, SUB, active_columns, site_validators_for, sync_units, validators_for
from monitor.store import open_db

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


def main(argv: list[str] | None = None) -> int:
    args = _args(argv)
    try:
        config = load_config(args.config)
        units = [config.unit(u) for u in args.unit] if args.unit else list(config.units)
    except ConfigError as exc:
        print(exc, file=sys.stderr)
        return 2
    except KeyError as exc:
        print(f"unknown unit {exc.args[0]!r}", file=sys.stderr)
        return 2
    index, count = args.shard
    shards = plan_shards(config, units, count)
    if index > len(shards):
        print(f"shard {index}/{count}: only {len(shards)} shards for these units", file=sys.stderr)
        return 2
    shard = shards[index - 1]
    units = shard.units
    today = args.today or datetime.now(ZoneInfo(config.timezone)).date()
    unit_ids = [u.id for u in units]

    db = open_db(args.db)
    try:
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
                                shards=len(shards)), priority="cmdline")
    process = AsyncCrawlerProcess(settings)
    # Scrapy's root handler filters by LOG_LEVEL, but its loggers stay at DEBUG, so every page
    # built and formatted debug records ("Crawled (200)", "Scraped from") only to drop them
    logging.getLogger("scrapy").setLevel(settings.get("LOG_LEVEL"))
    crawler = process.create_crawler(PortalSpider)
    details = DetailPlanner.open(str(args.db), config, units, split=shard.split)
    process.crawl(crawler, config=config, units=units, today=today, validators=validators,
                  site_validators=site_validators, known_columns=dict(known), known_sub_columns=dict(known_sub),
                  details=details)
    process.start()
    progress = getattr(crawler, "progress", None)
    if progress is None:
        print("the crawl did not start (see the log above)", file=sys.stderr)
        return 1
    progress.done(crawler.spider.breaker.down())
    return 0


if __name__ == "__main__":
    sys.exit(main())
