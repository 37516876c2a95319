"""The daily job — crawl, check, early warnings — shared by cron (`gongkai run`) and the
scheduler (`gongkai serve`), under the store's run lock (monitor/lock.py)."""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from alerts.outbox import DeliverySummary, deliver
from alerts.warnings import queue_daily_warnings
from monitor.config import Config
from monitor.crawl import CrawlSummary, ProgressFn, crawl
from monitor.evaluation import CheckSummary, run_check
from monitor.lock import run_lock
from monitor.store import open_db, store_errors

log = logging.getLogger("gongkai.daily")


@dataclass
class DailySummary:
    crawl: CrawlSummary
    check: CheckSummary
    warnings_queued: int = 0
    delivery: DeliverySummary | None = None

    def lines(self) -> list[str]:
        lines = [self.crawl.line(), self.check.line(), f"early warnings queued: {self.warnings_queued}"]
        if self.delivery is not None:
            lines.append(self.delivery.line())
        return lines


def daily_run(config: Config, db_path: Path, *, today: date,
              on_progress: ProgressFn | None = None, deliver_mail: bool = True) -> DailySummary:
    """One complete daily run under the store's lock (raises RunLocked if one is going on, and
    StoreError when the store cannot be written or read):
    crawl, check, queue each liaison's early-warning digest, and flush the outbox (messages
    that could not be sent stay queued for the next run)."""
    with run_lock(db_path), store_errors(db_path):
        db = open_db(db_path)
        crawl_summary = crawl(config, db, db_path, on_progress=on_progress, today=today)
        summary = DailySummary(crawl_summary, run_check(config, db, today, sync=False))
        summary.warnings_queued = queue_daily_warnings(config, db, today)
        if deliver_mail:
            summary.delivery = deliver(config, db)
        return summary
