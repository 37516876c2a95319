"""Run one crawl in child processes and show its progress.

Scrapy's reactor cannot be restarted in a process, and a long-running scheduler must not leak
crawl state, so every crawl is `python -m crawler.run …` in a child with a hard timeout
(docs/design.md §7.1), or `crawl.workers` such children, each on a shard of the units.
The children report progress as JSON lines on stdout; this side sums them and draws a progress
bar on a terminal and plain log lines under cron.
"""
from __future__ import annotations

import json
import logging
import os
import queue
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any, Callable
from zoneinfo import ZoneInfo

from sqlite_utils import Database

from crawler.handoff import HandOff, hand_offs   # the crawler package, without Scrapy
from crawler.lifeline import PARENT_ENV
from monitor import exitcodes
from monitor.config import Config, UnitConfig
from monitor.observations import sync_units
from monitor.runs import fail_run, finish_run, start_run

log = logging.getLogger("gongkai.crawl")
ROOT = Path(__file__).resolve().parent.parent


@dataclass
class CrawlSummary:
    run_id: int
    status: str                      # ok | partial | failed | timeout
    units_total: int = 0
    units_done: int = 0
    pages: int = 0
    errors: int = 0
    not_modified: int = 0
    not_stored: int = 0              # records the store did not take
    links_checked: int = 0           # W12 link checks made (crawler/links.py)
    links_waiting: int = 0           # links whose check waits for a later run (the budget was spent)
    elapsed: float = 0.0
    message: str = ""
    completed: bool = False          # the child reported its final "done" event
    hosts_down: list[str] = field(default_factory=list)   # given up on after connection failures
    exit_code: int = 0               # the first failed child's exit code

    def line(self) -> str:
        rate = self.pages / self.elapsed if self.elapsed else 0.0
        lost = f", {self.not_stored} records not stored" if self.not_stored else ""
        links = f", {self.links_checked} links checked ({self.links_waiting} waiting)" \
            if self.links_checked or self.links_waiting else ""
        text = (f"crawl #{self.run_id} {self.status}: {self.units_done}/{self.units_total} units, "
                f"{self.pages} pages ({self.not_modified} unchanged){links}, {self.errors} errors{lost}, "
                f"{self.elapsed:.1f}s ({rate:.0f} pages/s)")
        return f"{text} — {self.message}" if self.message else text


ProgressFn = Callable[[dict[str, Any]], None]


def crawl(config: Config, db: Database, db_path: Path, *,
          unit_ids: list[str] | None = None, on_progress: ProgressFn | None = None,
          timeout: float | None = None, today: date | None = None) -> CrawlSummary:
    """Crawl the configured units (or `unit_ids`) into the store; never raises for site errors,
    raises `exitcodes.Fault` with the child's code when it stopped because the store (or the
    config) cannot be used: the daily run must not go on to check a store it cannot write.
    With `crawl.workers` > 1 the units are split over that many children (crawler/shards.py),
    whose progress events are summed into one. `today` (default: today in the config's
    timezone) is the date month-day list dates get their year against. Each child gets this
    config, `today` and its shard as they are here (crawler/handoff.py)."""
    run_id = start_run(db, "crawl")
    units = [config.unit(u) for u in unit_ids] if unit_ids else list(config.units)
    try:
        plan = hand_over(config, db, db_path, units, run_id=run_id, today=today, workers=config.crawl.workers)
    except BaseException as exc:
        fail_run(db, run_id, f"crawl failed: {exc}"[:300])
        raise
    timeout = timeout or config.crawl.run_timeout_minutes * 60
    summary = CrawlSummary(run_id=run_id, status="failed", units_total=len(units))
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
           "SCRAPY_SETTINGS_MODULE": "crawler.settings", PARENT_ENV: str(os.getpid())}
    started = time.monotonic()
    children = [_Child(handoff.to_json(), env) for handoff in plan]
    events: queue.Queue[tuple[_Child, dict[str, Any] | None]] = queue.Queue()
    for child in children:
        child.start(events)
    timer = threading.Timer(timeout, lambda: [c.proc.kill() for c in children])
    timer.start()
    try:
        running = len(children)
        while running:
            child, event = events.get()
            if event is None:         # that child's stdout ended
                running -= 1
                continue
            child.last = event
            merged = _merged(children, len(units))
            _apply(summary, merged)
            if on_progress:
                on_progress(merged)
        codes = [c.proc.wait() for c in children]
    finally:
        timer.cancel()
        for child in children:          # on the way out of an error or Ctrl-C: no crawl outlives us
            child.stop()
    summary.elapsed = time.monotonic() - started
    failed = [(c, code) for c, code in zip(children, codes) if code != 0 or c.last.get("event") != "done"]
    if not failed and summary.completed:
        summary.status = "ok" if summary.errors == summary.not_stored == 0 else "partial"
        if summary.hosts_down:
            summary.message = (f"host {', '.join(summary.hosts_down)} down: not asked again after "
                               f"{config.crawl.host_failure_limit} connection failures in a row and a last try")
    elif any(code in (-9, 137) for _, code in failed) and summary.elapsed >= timeout - 1:
        summary.status, summary.message = "timeout", f"crawl stopped after {timeout:.0f}s"
    else:
        child, code = failed[0]
        summary.exit_code = code
        summary.message = (child.stderr_tail[-1] if child.stderr_tail else f"exit code {code}").strip()[:300]
    counters = {"units": summary.units_done, "pages": summary.pages, "errors": summary.errors,
                "not_modified": summary.not_modified}
    if summary.exit_code in (exitcodes.STORE, exitcodes.USAGE):
        fail_run(db, run_id, summary.line(), **counters)
        raise exitcodes.Fault(summary.line(), summary.exit_code)
    finish_run(db, run_id, summary.status, {"line": summary.line()}, **counters)
    return summary


def hand_over(config: Config, db: Database, db_path: Path, units: list[UnitConfig], *, run_id: int | None,
              today: date | None, workers: int) -> list[HandOff]:
    """What the children of a crawl get (crawler/handoff.py), once the configured units are in
    the store: the children's records refer to their rows."""
    sync_units(db, config.units)
    return hand_offs(config, units, db_path=db_path, run_id=run_id, workers=workers,
                     today=today or datetime.now(ZoneInfo(config.timezone)).date())


class _Child:
    """One crawl child process: its hand-off written to its stdin, its stdout events forwarded to
    a queue, its stderr kept short."""

    def __init__(self, handoff: str, env: dict[str, str]):
        self.handoff, self.env = handoff, env
        self.last: dict[str, Any] = {}
        self.stderr_tail: list[str] = []
        self._threads: list[threading.Thread] = []

    def start(self, events: "queue.Queue[tuple[_Child, dict[str, Any] | None]]") -> None:
        self.proc = subprocess.Popen([sys.executable, "-m", "crawler.run"], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=self.env,
                                     cwd=ROOT, encoding="utf-8", errors="replace")
        self._threads = [threading.Thread(target=self._hand_over, daemon=True),
                         threading.Thread(target=_drain, args=(self.proc.stderr, self.stderr_tail), daemon=True),
                         threading.Thread(target=self._read, args=(events,), daemon=True)]
        for thread in self._threads:
            thread.start()

    def _hand_over(self) -> None:
        """Write the hand-off and close stdin (in a thread: a large config fills the pipe)."""
        try:
            with self.proc.stdin:
                self.proc.stdin.write(self.handoff)
        except BrokenPipeError:     # it died before reading: its exit code and stderr say why
            pass

    def _read(self, events: "queue.Queue[tuple[_Child, dict[str, Any] | None]]") -> None:
        try:
            for line in self.proc.stdout:
                event = _event(line)
                if event is not None:
                    events.put((self, event))
        finally:
            events.put((self, None))

    def stop(self) -> None:
        """Kill the process if it is still running, then collect its output threads."""
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        for thread in self._threads:
            thread.join(timeout=5)


def _merged(children: list[_Child], units_total: int) -> dict[str, Any]:
    """The children's latest counters summed; `done` once every child said so."""
    merged: dict[str, Any] = {"event": "done" if all(c.last.get("event") == "done" for c in children)
                              else "progress", "units_total": units_total}
    for key in _COUNTERS[1:]:
        merged[key] = sum(c.last.get(key, 0) for c in children if isinstance(c.last.get(key), int))
    merged["hosts_down"] = sorted({h for c in children for h in c.last.get("hosts_down", ()) if isinstance(h, str)})
    return merged


def _drain(stream, tail: list[str]) -> None:
    """Forward the child's log lines to our log, keeping the last ones for error messages."""
    for line in stream:
        line = line.rstrip()
        if line:
            tail.append(line)
            del tail[:-20]
            log.debug("%s", line)


def _event(line: str) -> dict[str, Any] | None:
    line = line.strip()
    if not line.startswith("{"):
        return None
    try:
        event = json.loads(line)
    except json.JSONDecodeError:
        return None
    return event if isinstance(event, dict) and "event" in event else None


_COUNTERS = ("units_total", "units_done", "pages", "errors", "not_modified", "not_stored", "links_checked",
             "links_waiting")


def _apply(summary: CrawlSummary, event: dict[str, Any]) -> None:
    summary.completed = summary.completed or event.get("event") == "done"
    summary.hosts_down = event.get("hosts_down", summary.hosts_down)
    for key in _COUNTERS:
        if isinstance(event.get(key), int):
            setattr(summary, key, event[key])
