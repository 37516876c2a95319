"""Progress events of a crawl child process: JSON lines on stdout (logs go to stderr).

`monitor.crawl` reads them: `{"event": "progress", "units_total", "units_done", "pages",
"errors", "not_modified", "not_stored", "links_checked", "links_waiting"}` when a unit finishes or
every ~2 s, and one final
`{"event": "done", …same counters…, "elapsed": seconds, "hosts_down": [host:port, …]}` (hosts given up
on after connection failures, crawler/hosts.py) — or `{"event": "failed", …, "reason"}` when the crawl
had to stop (the store could not be written).
"""
from __future__ import annotations

import json
import sys
import time
from dataclasses import dataclass, field
from typing import Any, TextIO

from monitor.observations import LINK_CHECK
from monitor.outcomes import REACHABLE


@dataclass
class ProgressCounter:
    units_total: int
    stream: TextIO = field(default_factory=lambda: sys.stdout)
    interval: float = 2.0
    units_done: int = 0
    pages: int = 0
    errors: int = 0
    not_modified: int = 0
    not_stored: int = 0              # records the store did not take (crawler/pipelines.py)
    links_checked: int = 0           # W12 link checks made (in `pages` too: every request is)
    links_waiting: int = 0           # links the budget left for a later run
    started: float = field(default_factory=time.monotonic)
    _last: float = 0.0
    _dirty: bool = False

    def fetched(self, outcome: str, purpose: str) -> None:
        """Errors are failures of the pages the checks rest on (sites, lists, reports). Item detail
        pages are extra evidence — a 404 there is how a deletion shows — so their failures are
        recorded in `fetches` but do not make the crawl `partial`; nor do link checks (W12), which
        are counted apart too."""
        self.pages += 1
        self.links_checked += purpose == LINK_CHECK
        self.errors += outcome not in REACHABLE and purpose not in ("detail", LINK_CHECK)
        self.not_modified += outcome == "not_modified"
        self._dirty = True

    def record_lost(self, count: int) -> None:
        self.not_stored += count
        self._dirty = True

    def unit_done(self) -> None:
        self.units_done += 1
        self.emit("progress")

    def tick(self) -> None:
        """Called often: emits a progress event when there is news and ~2 s have passed."""
        if self._dirty and time.monotonic() - self._last >= self.interval:
            self.emit("progress")

    def counters(self) -> dict[str, Any]:
        return {"units_total": self.units_total, "units_done": self.units_done, "pages": self.pages,
                "errors": self.errors, "not_modified": self.not_modified, "not_stored": self.not_stored,
                "links_checked": self.links_checked, "links_waiting": self.links_waiting}

    def emit(self, event: str, **extra: Any) -> None:
        self.stream.write(json.dumps({"event": event, **self.counters(), **extra}) + "\n")
        self.stream.flush()
        self._last, self._dirty = time.monotonic(), False

    def done(self, hosts_down: list[str]) -> None:
        self.emit("done", elapsed=round(time.monotonic() - self.started, 3), hosts_down=hosts_down)
