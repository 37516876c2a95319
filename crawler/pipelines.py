"""The only writer of the crawl: records from the spider → the store, through the writer of each
record type (crawler/writers.py).

Records are buffered and written in one short transaction every `FLUSH_SECONDS` or `BATCH`
records, so the dashboard, `check` and the other crawl workers (crawler/shards.py) can read and
write while a crawl runs, and a crash mid-run loses at most the last second of observations (the
next run fetches them again). A commit per record cost as much as parsing the page, and a
transaction held open between flushes kept the other workers waiting. The records of one
callback share a savepoint; when it fails they are written again one savepoint each, so a store
error on one record is logged, counted and rolled back alone, never allowed to stop the crawl.
An error of the file itself (disk full, I/O error, read-only, corrupt: `store_failure`) is the
opposite: every later write would fail too, so the flush is rolled back, its records are counted
as not stored, and the crawl stops; crawler/run.py then exits with `exitcodes.STORE` and the cause.
"""
from __future__ import annotations

import logging
import sqlite3
from contextlib import suppress
from typing import Any

from scrapy.utils.defer import deferred_from_coro
from twisted.internet import task

from crawler.events import ProgressCounter
from crawler.records import Fetch, Records, UnitDone
from crawler.writers import WRITERS
from monitor.exitcodes import STORE
from monitor.store import StoreError, atomic, open_db, store_failure

log = logging.getLogger(__name__)

BATCH = 200
FLUSH_SECONDS = 0.5


class StorePipeline:
    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler
        self.db_path = crawler.settings.get("GONGKAI_DB")
        self.run_id = crawler.settings.getint("GONGKAI_RUN_ID") or None
        self.db = None
        self.progress: ProgressCounter | None = None
        self._ticker: task.LoopingCall | None = None
        self._buffer: list[list[Any]] = []       # the records of each callback, in order
        self._pending = 0
        self.failure: StoreError | None = None   # why the store cannot be written; the crawl stops
        self._closing: Any = None                # the engine's close after a failure (a Deferred)

    @classmethod
    def from_crawler(cls, crawler: Any) -> "StorePipeline":
        return cls(crawler)

    def open_spider(self) -> None:
        self.db = open_db(self.db_path)
        self.progress = ProgressCounter(units_total=len(self.crawler.spider.units))
        self.crawler.progress = self.progress     # run.py reports the final counters
        self._ticker = task.LoopingCall(self._tick)
        self._ticker.start(FLUSH_SECONDS, now=False)

    def close_spider(self) -> None:
        if self._ticker is not None and self._ticker.running:
            self._ticker.stop()
        if self.db is not None:
            self._flush()
            self.db.close()

    def _tick(self) -> None:
        self._flush()
        self.progress.tick()

    def process_item(self, item: Any) -> Any:
        records = item.records if isinstance(item, Records) else [item]
        if self.failure is None:
            self._buffer.append(records)
            self._pending += len(records)
        else:                                    # the crawl is stopping: what still arrives is lost
            self._not_stored(len(records))
        for record in records:
            self._count(record)
        if self._pending >= BATCH:
            self._flush()
        return item

    def _flush(self) -> None:
        if not self._buffer:
            return
        try:
            self.db.conn.execute("BEGIN IMMEDIATE")
            for records in self._buffer:
                try:
                    with atomic(self.db):          # one savepoint per callback's records
                        for record in records:
                            self._write(record)
                except Exception as exc:  # noqa: BLE001 - rolled back: each record alone, a bad one costs itself
                    if store_failure(exc, self.db_path):
                        raise
                    for record in records:
                        self._write_alone(record)
            self.db.conn.execute("COMMIT")
            # a unit is done once its records are stored: counted at the commit (a flush per
            # finished unit cost a commit each, 200 of a 270-flush crawl)
            for records in self._buffer:
                for record in records:
                    if isinstance(record, UnitDone):
                        self.progress.unit_done()
        except sqlite3.Error as exc:
            if store_failure(exc, self.db_path) is None and not self.db.conn.in_transaction:
                # locked past the busy timeout before the transaction began: the records wait
                log.warning("store busy, %d records wait for the next flush: %s", self._pending, exc)
                return
            self._fail(exc)
        self._buffer, self._pending = [], 0

    def _write_alone(self, record: Any) -> None:
        try:
            with atomic(self.db):
                self._write(record)
        except Exception as exc:  # noqa: BLE001 - a data error on one record never stops the crawl
            if store_failure(exc, self.db_path):
                raise
            log.error("store write failed for %s: %r", type(record).__name__, exc)
            self._not_stored(1)

    def _fail(self, exc: Exception) -> None:
        """The store cannot be written: drop this flush's records (rolled back, counted) and stop the crawl."""
        with suppress(sqlite3.Error):            # SQLite may have rolled back itself
            self.db.conn.execute("ROLLBACK")
        self.failure = store_failure(exc, self.db_path) or StoreError(f"store write failed: {exc}", STORE)
        self.crawler.store_failure = self.failure   # run.py exits with its code and message
        log.error("store write failed, stopping the crawl: %s (%d records not stored)", exc, self._pending)
        self._not_stored(self._pending)
        if self.crawler.crawling:
            self._closing = deferred_from_coro(self.crawler.engine.close_spider_async(reason="store_failed"))

    def _not_stored(self, count: int) -> None:
        self.crawler.stats.inc_value("gongkai/store_errors", count)
        self.progress.record_lost(count)

    def _count(self, record: Any) -> None:
        if isinstance(record, Fetch):
            self.progress.fetched(record.outcome, record.purpose)

    def _write(self, record: Any) -> None:
        WRITERS[type(record)](self.db, self.run_id, record)   # crawler/writers.py
