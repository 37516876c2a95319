"""Progress of a long crawl: a live bar on a terminal, plain log lines under cron.

tqdm-style redraws turn a cron log into noise (docs/design.md §7.9), so when stderr is
not a terminal we log one line when a unit finishes, at most every `interval` seconds.
"""
from __future__ import annotations

import logging
import sys
import time
from typing import Any, TextIO

log = logging.getLogger("gongkai.crawl")


class CrawlProgress:
    """Callable progress sink for `monitor.crawl.crawl(on_progress=…)`; use as a context manager."""

    def __init__(self, stream: TextIO | None = None, *, interval: float = 10.0, live: bool | None = None):
        self.stream = stream or sys.stderr
        self.live = self.stream.isatty() if live is None else live
        self.interval = interval
        self._last_log = 0.0
        self._last_done = -1
        self._bar = None
        self._task = None

    def __enter__(self) -> "CrawlProgress":
        if self.live:
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

            self._bar = Progress(TextColumn("抓取"), BarColumn(), MofNCompleteColumn(),
                                 TextColumn("单位 · {task.fields[pages]} 页 · {task.fields[errors]} 错误"),
                                 TimeElapsedColumn(), console=Console(file=self.stream), transient=False)
            self._bar.start()
            self._task = self._bar.add_task("crawl", total=None, pages=0, errors=0)
        return self

    def __exit__(self, *exc: object) -> None:
        if self._bar is not None:
            self._bar.stop()

    def __call__(self, event: dict[str, Any]) -> None:
        total, done = event.get("units_total"), event.get("units_done", 0)
        pages, errors = event.get("pages", 0), event.get("errors", 0)
        if self._bar is not None:
            self._bar.update(self._task, total=total, completed=done, pages=pages, errors=errors)
            return
        now = time.monotonic()
        final = event.get("event") == "done"
        if final or (done != self._last_done and now - self._last_log >= self.interval):
            log.info("crawl progress: %s/%s units, %s pages, %s errors", done, total, pages, errors)
            self._last_log, self._last_done = now, done
