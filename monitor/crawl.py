"""Run one crawl in a child process and show its progress.

Scrapy's reactor cannot be restarted in a process, and a long-running scheduler must not leak
crawl state, so every crawl is `python -m crawler.run …` in a child with a hard timeout
(spec/ecosystem-notes.md §1.1). The child reports progress as JSON lines on stdout; this side
draws a progress bar on a terminal and plain log lines under cron.
"""
from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from sqlite_utils import Database

from monitor.config import Config
from monitor.runs import finish_run, start_run

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
    elapsed: float = 0.0
    message: str = ""
    completed: bool = False          # the child reported its final "done" event

    def line(self) -> str:
        rate = self.pages / self.elapsed if self.elapsed else 0.0
        text = (f"crawl #{self.run_id} {self.status}: {self.units_done}/{self.units_total} units, "
                f"{self.pages} pages ({self.not_modified} unchanged), {self.errors} errors, "
                f"{self.elapsed:.1f}s ({rate:.0f} pages/s)")
        return f"{text} — {self.message}" if self.message else text


ProgressFn = Callable[[dict[str, Any]], None]


def crawl(config: Config, config_path: Path, db: Database, db_path: Path, *,
          unit_ids: list[str] | None = None, on_progress: ProgressFn | None = None,
          timeout: float | None = None) -> CrawlSummary:
    """Crawl the configured units (or `unit_ids`) into the store; never raises for site errors."""
    run_id = start_run(db, "crawl")
    cmd = [sys.executable, "-m", "crawler.run", "--config", str(config_path), "--db", str(db_path),
           "--run-id", str(run_id)]
    for unit in unit_ids or []:
        cmd += ["--unit", unit]
    timeout = timeout or config.crawl.run_timeout_minutes * 60
    summary = CrawlSummary(run_id=run_id, status="failed", units_total=len(unit_ids or config.units))
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
           "SCRAPY_SETTINGS_MODULE": "crawler.settings"}
    started = time.monotonic()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
                            cwd=ROOT, encoding="utf-8", errors="replace")
    stderr_tail: list[str] = []
    drain = threading.Thread(target=_drain, args=(proc.stderr, stderr_tail), daemon=True)
    drain.start()
    timer = threading.Timer(timeout, proc.kill)
    timer.start()
    try:
        for line in proc.stdout:
            event = _event(line)
            if event is None:
                continue
            _apply(summary, event)
            if on_progress:
                on_progress(event)
        code = proc.wait()
    finally:
        timer.cancel()
        drain.join(timeout=5)
    summary.elapsed = time.monotonic() - started
    if code == 0 and summary.completed:
        summary.status = "ok" if summary.errors == 0 else "partial"
    elif code in (-9, 137) and summary.elapsed >= timeout - 1:
        summary.status, summary.message = "timeout", f"crawl stopped after {timeout:.0f}s"
    else:
        summary.message = (stderr_tail[-1] if stderr_tail else f"exit code {code}").strip()[:300]
    finish_run(db, run_id, summary.status, {"line": summary.line()}, units=summary.units_done,
               pages=summary.pages, errors=summary.errors, not_modified=summary.not_modified)
    return summary


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


def _apply(summary: CrawlSummary, event: dict[str, Any]) -> None:
    summary.completed = summary.completed or event.get("event") == "done"
    for key in ("units_total", "units_done", "pages", "errors", "not_modified"):
        if isinstance(event.get(key), int):
            setattr(summary, key, event[key])
