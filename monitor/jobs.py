"""The scheduler's jobs, referenced by text (`monitor.jobs:daily`) so the persistent job store
holds only a name and two path strings; each run reloads config.yaml, so edits apply to the
next run without restarting `gongkai serve`."""
from __future__ import annotations

import logging
from pathlib import Path

from monitor.config import county_today, load_config
from monitor.daily import daily_run
from monitor.lock import RunLocked, run_lock
from monitor.exitcodes import Fault
from monitor.store import open_db, store_errors

log = logging.getLogger("gongkai.jobs")


def daily(config_path: str, db_path: str) -> None:
    """Crawl (child process, with its timeout), check, early warnings; skipped if a run holds the lock."""
    config = load_config(config_path)
    today = county_today(config.timezone)
    log.info("daily run for %s started", today)
    try:
        summary = daily_run(config, Path(db_path), today=today)
    except RunLocked as exc:
        log.warning("daily run skipped: %s", exc)
        return
    except Fault as exc:             # the store failed: one line, not a traceback
        log.error("daily run failed: %s", exc)
        return
    for line in summary.lines():
        log.info("%s", line)


def probe(config_path: str, db_path: str) -> None:
    """One round of availability probes (W6); the requests are made without the run lock (a round
    may take minutes on a county of slow sites, and must not make the daily run skip), the rows
    are stored under it — and not at all while another run holds it: that round is skipped."""
    from monitor.probes import probe_round, store_probes

    config = load_config(config_path)
    probes = probe_round(config)
    try:
        with run_lock(Path(db_path)), store_errors(db_path):
            db = open_db(db_path)
            try:
                store_probes(db, probes)
            finally:
                db.conn.close()
    except RunLocked as exc:
        log.warning("probe round skipped (%d probes not stored): %s", len(probes), exc)
        return
    except Fault as exc:
        log.error("probe round not stored: %s", exc)
        return
    failed = [p for p in probes if p.outcome != "ok"]
    log.info("probe round: %d sites, %d failed%s", len(probes), len(failed),
             "".join(f"; {p.url} {p.outcome} {p.error or ''}".rstrip() for p in failed))


def monthly_bulletin(config_path: str, db_path: str) -> None:
    """Queue and deliver last month's supervision bulletin (alerts.bulletin.run_monthly)."""
    try:
        from alerts.bulletin import run_monthly
    except ImportError as exc:
        log.error("monthly bulletin not sent: alerts.bulletin.run_monthly is not available (%s)", exc)
        return
    config = load_config(config_path)
    today = county_today(config.timezone)
    log.info("monthly bulletin for %s started", today)
    try:
        with run_lock(Path(db_path)), store_errors(db_path):   # a writer like any other
            db = open_db(db_path)
            try:
                run_monthly(config, db, today)     # logs its own summary line
            finally:
                db.conn.close()
    except Fault as exc:
        log.error("monthly bulletin not sent: %s", exc)
