"""The crawl's records → the store, through the crawl's store writer (crawler/store_writer.py), a
process of its own that the pipeline starts beside the crawl: SQLite's work and the Python around it
were a sixth of a crawl child's time, and there they run on another core.

Records are buffered and sent every `FLUSH_SECONDS` or `BATCH` records; the writer writes each
batch in one short transaction, so the dashboard, `check` and the other crawl workers
(crawler/shards.py) can read and write while a crawl runs, and a crash mid-run loses at most the
last second of observations (the next run fetches them again). A record the store rejects costs
only itself (the writer logs it; it is counted here). A unit counts as done once the batch holding
its last records is written. An error of the file itself (disk full, I/O error, read-only,
corrupt) is the opposite: every later write would fail too, so that batch is rolled back, its
records and those sent or buffered after it are counted as not stored, and the crawl stops;
crawler/run.py then exits with the writer's exit code and the cause.
"""
from __future__ import annotations

import logging
import os
import queue
import subprocess
import sys
import threading
from collections import deque
from contextlib import suppress
from pathlib import Path
from typing import Any

from scrapy.utils.defer import deferred_from_coro
from twisted.internet import task

from crawler.events import ProgressCounter
from crawler.records import Fetch, Records
from crawler.lifeline import PARENT_ENV
from crawler.store_writer import Written, receive, send
from monitor.exitcodes import FAILED
from monitor.store import StoreError

log = logging.getLogger(__name__)

BATCH = 200
FLUSH_SECONDS = 0.5
#: batches sent and not yet answered before the crawl waits for the writer: a store slower than
#: the pages must not queue records without bound
IN_FLIGHT = 8
ROOT = Path(__file__).resolve().parent.parent     # where `python -m crawler.store_writer` finds the package


class StorePipeline:
    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler
        self.db_path = crawler.settings.get("GONGKAI_DB")
        self.run_id = crawler.settings.getint("GONGKAI_RUN_ID") or None
        self.progress: ProgressCounter | None = None
        self._ticker: task.LoopingCall | None = None
        self._writer: subprocess.Popen[bytes] | None = None
        self._answers: queue.Queue[Written | None] = queue.Queue()
        self._buffer: list[list[Any]] = []       # the records of each callback, in order, not yet sent
        self._pending = 0
        self._sent: deque[list[list[Any]]] = deque()   # batches sent, not yet answered
        self.failure: StoreError | None = None   # why the store cannot be written; the crawl stops
        self._closing: Any = None                # the engine's close after a failure (a Deferred)

    @classmethod
    def from_crawler(cls, crawler: Any) -> "StorePipeline":
        return cls(crawler)

    def open_spider(self) -> None:
        self._writer = subprocess.Popen([sys.executable, "-m", "crawler.store_writer", str(self.db_path),
                                         str(self.run_id or 0)], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                        env={**os.environ, PARENT_ENV: str(os.getpid())}, cwd=ROOT)
        # its first answer says whether it could open the store: read like a batch's, with the others,
        # so the crawl does not wait for the writer to start (a failure stops it all the same)
        self._sent.append([])
        threading.Thread(target=self._read_answers, daemon=True).start()
        self.progress = ProgressCounter(units_total=len(self.crawler.spider.units))
        self.crawler.progress = self.progress     # run.py reports the final counters
        self._ticker = task.LoopingCall(self._tick)
        self._ticker.start(FLUSH_SECONDS, now=False)

    def close_spider(self) -> None:
        if self._ticker is not None and self._ticker.running:
            self._ticker.stop()
        if self._writer is not None:
            self.drain()
            self._stop_writer()

    def _stop_writer(self) -> None:
        """End of its input: it writes what it has and exits (a dead one leaves a broken pipe)."""
        with suppress(OSError):
            self._writer.stdin.close()
        self._writer.wait()

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
            if isinstance(record, Fetch):
                self.progress.fetched(record.outcome, record.purpose)
        if self._pending >= BATCH:
            self._flush()
        return item

    def drain(self) -> None:
        """Send everything buffered and wait until the writer has answered for all of it."""
        self._flush()
        while self._sent:
            self._answered(wait=True)

    def _flush(self) -> None:
        self._answered()
        while len(self._sent) >= IN_FLIGHT:
            self._answered(wait=True)
        if not self._buffer or self.failure is not None:
            return
        batch, self._buffer, self._pending = self._buffer, [], 0
        self._sent.append(batch)
        try:
            send(self._writer.stdin, batch)
        except (BrokenPipeError, OSError):       # the writer died: its answer (None) says so
            pass

    def _answered(self, *, wait: bool = False) -> None:
        """Count what the writer did with the batches it has answered for (`wait`: the oldest)."""
        while self._sent:
            try:
                written = self._answers.get(block=wait)
            except queue.Empty:
                return
            wait = False
            if written is None:                  # the writer is gone without a word
                written = Written(failure="the store writer stopped", exit_code=FAILED)
            for _ in range(written.units_done):
                self.progress.unit_done()
            if written.rejected:
                self._not_stored(written.rejected)
            if written.failure:
                self._fail(written)
                return
            self._sent.popleft()

    def _fail(self, written: Written) -> None:
        """The store cannot be written: the batch answered was rolled back; it, the batches sent
        after it and the buffer are not stored; the crawl stops."""
        lost = sum(len(records) for batch in self._sent for records in batch) + self._pending
        self._sent.clear()
        self.failure = StoreError(written.failure, written.exit_code)
        self.crawler.store_failure = self.failure   # run.py exits with its code and message
        log.error("store write failed, stopping the crawl: %s (%d records not stored)", written.failure, lost)
        self._not_stored(lost)
        self._buffer, self._pending = [], 0
        if self.crawler.crawling:
            self._closing = deferred_from_coro(self.crawler.engine.close_spider_async(reason="store_failed"))

    def _not_stored(self, count: int) -> None:
        self.crawler.stats.inc_value("gongkai/store_errors", count)
        self.progress.record_lost(count)

    def _read_answers(self) -> None:
        """The writer's answers, in the order of the batches (in a thread: the reads block)."""
        try:
            while (written := receive(self._writer.stdout)) is not None:
                self._answers.put(written)
        finally:
            self._answers.put(None)
