"""`check`: evaluate every rule over the stored observations and reconcile findings.

Re-runnable at any time without crawling (`gongkai check --today 2026-11-26`), so a rule or
config change re-evaluates history.
"""
from __future__ import annotations

import gc
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from typing import Iterator

from sqlite_utils import Database

from monitor.checks.availability import check_availability, probe_window_start
from monitor.checks.columns import ColumnVerdict, check_columns
from monitor.checks.interaction import check_boards, check_channel
from monitor.checks.items import check_items
from monitor.checks.links import check_links
from monitor.checks.publication import check_publication
from monitor.checks.report_columns import check_report_columns
from monitor.checks.reports import check_unit_reports
from monitor.checks.site import check_sites, home_urls
from monitor.item_observations import load_item_observations
from monitor.link_inputs import load_broken_links
from monitor.messages import latest_messages
from monitor.report_inputs import load_report_documents, load_report_listings, load_subject_columns
from monitor.config import Config
from monitor.findings import ReconcileSummary, reconcile
from monitor.observations import active_columns, home_pages, probes_since, shared_links, site_states, sync_units
from monitor.outcomes import REACHABLE
from monitor.results import Result
from monitor.runs import fail_run, finish_run, start_run
from monitor.months import Month
from monitor.stats import load_publication
from monitor.store import atomic
from monitor.workdays import WorkCalendar


@dataclass
class CheckSummary:
    today: date
    units: int
    columns: int
    states: Counter = field(default_factory=Counter)       # column state -> count
    statuses: Counter = field(default_factory=Counter)     # (kind, status) -> count
    reconcile: ReconcileSummary | None = None
    sites_failing: int = 0
    sites_unreachable: int = 0

    def line(self) -> str:
        s, r = self.states, self.reconcile
        return (f"check {self.today}: {self.units} units, {self.columns} columns — "
                f"stale {s['stale']}, due soon {s['due_soon']}, blank {s['blank']}, undated {s['undated']}, "
                f"unreachable {s['unreachable']}, unreadable {s['unreadable']}, not read recently {s['not_recent']}; "
                f"sites unreachable {self.sites_unreachable}, sites failing {self.sites_failing}; findings: "
                f"{r.open_total} open ({r.opened} new, {r.resolved} resolved)")


@contextmanager
def _gc_paused() -> Iterator[None]:
    """A check allocates a few objects per column and frees none of them until it ends; with
    100,000 columns the cyclic collector's repeated full passes cost more than the checks.
    Nothing a check builds is cyclic, so reference counting frees it all when the check ends."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def evaluate(config: Config, db: Database, today: date, *, unit_ids: list[str] | None = None,
             ) -> tuple[list[Result], list[ColumnVerdict]]:
    """All results for the configured (or the given) units; pure apart from reading the store."""
    cfg = config if unit_ids is None else config.model_copy(
        update={"units": [u for u in config.units if u.id in set(unit_ids)]})
    columns = active_columns(db, [u.id for u in cfg.units])
    sites = site_states(db, [u.id for u in cfg.units])
    results, verdicts = check_columns(cfg, columns, today, sites)
    homes = home_pages(db, home_urls(cfg))
    results += check_sites(cfg, homes, sites, verdicts, today, portal_owner=config.portal_owner.id)
    results += check_availability(cfg, probes_since(db, probe_window_start(today, cfg.timezone)), today,
                                  portal_owner=config.portal_owner.id)
    boards = [v for v in verdicts if v.category == "interaction"]
    shared = shared_links(db, [v.column.url for v in boards if v.column.discovered > 0], [u.id for u in config.units])
    results += check_boards(cfg, verdicts, latest_messages(db, [v.column.id for v in boards]), today,
                            WorkCalendar.from_config(cfg), shared=shared)
    if config.portal_owner.id in {u.id for u in cfg.units}:
        channel = check_channel(cfg, verdicts, homes.get(config.county_portal or ""), today,
                                owner_id=config.portal_owner.id)
        results += [channel] if channel else []
    listings = load_report_listings(db, verdicts)
    for unit_id, site in sites.items():
        listings[unit_id].site_unreachable = site.outcome not in REACHABLE
    documents = load_report_documents(db, [u.id for u in cfg.units], cfg.limits.document_limits())
    subject_columns = load_subject_columns(db, verdicts)
    for unit in cfg.units:
        results += check_unit_reports(unit, listings[unit.id], documents.get(unit.id, {}), cfg, today)
        results += check_report_columns(unit, documents.get(unit.id, {}), subject_columns.get(unit.id, []))
    results += check_items(cfg, load_item_observations(db, [u.id for u in cfg.units]), today)
    results += check_links(cfg, load_broken_links(db, [u.id for u in cfg.units]))
    last_month = Month.before(today)      # publication volume: the last complete month
    results += check_publication(cfg, load_publication(db, cfg, (last_month,), today), last_month)
    return results, verdicts


def _check(config: Config, db: Database, today: date, unit_ids: list[str] | None, run_id: int,
           sync: bool) -> CheckSummary:
    if sync:
        sync_units(db, config.units)
    results, verdicts = evaluate(config, db, today, unit_ids=unit_ids)
    stored = {row[0]: (row[1], row[2]) for row in db.execute(
        "SELECT id, category, category_source FROM columns").fetchall()}
    with atomic(db):   # only rows whose inferred category changed: a write per column is not free
        db.conn.executemany("UPDATE columns SET category = ?, category_source = ? WHERE id = ?",
                            [(v.category, v.category_source, v.column.id) for v in verdicts
                             if stored.get(v.column.id) != (v.category, v.category_source)])
    summary = CheckSummary(today=today, units=len(unit_ids or config.units), columns=len(verdicts),
                           states=Counter(v.state for v in verdicts),
                           statuses=Counter((r.kind, r.status) for r in results))
    summary.sites_failing = summary.statuses[("site_failing", "fail")]
    summary.sites_unreachable = summary.statuses[("site_unreachable", "uncertain")]
    summary.reconcile = reconcile(db, results, today, run_id)
    return summary


def run_check(config: Config, db: Database, today: date, *, unit_ids: list[str] | None = None,
              sync: bool = True) -> CheckSummary:
    """Mirror the config's units in the store (a check alone sees a config change; `sync=False`:
    the crawl of the same run just did), evaluate, remember each column's inferred category
    (shown on the dashboard), reconcile."""
    run_id = start_run(db, "check", today.isoformat())
    try:
        with _gc_paused():
            summary = _check(config, db, today, unit_ids, run_id, sync)
    except BaseException as exc:
        fail_run(db, run_id, f"check failed: {exc}"[:300])
        raise
    finish_run(db, run_id, "ok", {"line": summary.line()}, units=summary.units)
    return summary
