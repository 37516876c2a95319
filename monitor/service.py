"""`gongkai serve`: APScheduler 3.x (daily run, monthly bulletin, availability probes) and the dashboard
in one process.

Why it is built this way (docs/design.md §7.5):
- the job store is a SQLite file of its own next to the database, so a next-run time survives a
  reboot; the scheduler starts paused, adds only the jobs that are missing, then resumes — adding
  with `replace_existing` would overwrite the stored time and silently lose a missed run;
- a generous `misfire_grace_time` plus `coalesce` turns any number of missed fire times into one
  late run on restart;
- triggers are built with the config's timezone explicitly (a bare CronTrigger would use the
  machine's zone, 8 hours off on a UTC server);
- the daily job takes the store's run lock, so `serve` and a cron `gongkai run` never overlap.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from monitor.config import Config

log = logging.getLogger("gongkai.service")

DAILY_GRACE = timedelta(hours=20)        # a daily run missed at 02:30 still happens after a morning boot
BULLETIN_GRACE = timedelta(days=7)       # the bulletin is worth sending late rather than not at all


@dataclass(frozen=True)
class JobSpec:
    id: str
    func: str                            # textual reference: the job store pickles only this
    trigger: BaseTrigger
    args: tuple[str, ...]
    grace: timedelta


def jobstore_path(db_path: Path) -> Path:
    """`data/gongkai.db` → `data/gongkai.jobs.sqlite`: its own file, never the store itself."""
    return db_path.with_name(f"{db_path.stem}.jobs.sqlite")


def job_specs(config: Config, config_path: Path, db_path: Path) -> list[JobSpec]:
    """The jobs, with times from `schedule:` in the config's timezone. The probe interval starts at
    a fixed moment, so its rounds fall on the same minutes after every restart (and the stored
    trigger equals the configured one, which is not rescheduled then); a missed round is not made
    up later than its interval."""
    schedule, tz = config.schedule, config.timezone
    hour, minute = schedule.daily.split(":")
    b_hour, b_minute = schedule.bulletin_time.split(":")
    args = (str(config_path.resolve()), str(db_path.resolve()))
    return [
        JobSpec("daily", "monitor.jobs:daily", CronTrigger(hour=int(hour), minute=int(minute), timezone=tz),
                args, DAILY_GRACE),
        JobSpec("monthly_bulletin", "monitor.jobs:monthly_bulletin",
                CronTrigger(day=schedule.bulletin_day, hour=int(b_hour), minute=int(b_minute), timezone=tz),
                args, BULLETIN_GRACE),
        JobSpec("probe", "monitor.jobs:probe",
                IntervalTrigger(minutes=schedule.probe_minutes, start_date=datetime(2000, 1, 1, tzinfo=ZoneInfo(tz)),
                                timezone=tz),
                args, timedelta(minutes=schedule.probe_minutes)),
    ]


def build_scheduler(config: Config, db_path: Path, *,
                    scheduler_cls: type[BaseScheduler] = BackgroundScheduler) -> BaseScheduler:
    path = jobstore_path(db_path.resolve())
    path.parent.mkdir(parents=True, exist_ok=True)
    return scheduler_cls(
        jobstores={"default": SQLAlchemyJobStore(url=f"sqlite:///{path}")},
        job_defaults={"misfire_grace_time": int(DAILY_GRACE.total_seconds()), "coalesce": True,
                      "max_instances": 1},
        timezone=config.timezone)


def start_scheduler(scheduler: BaseScheduler, specs: list[JobSpec]) -> None:
    """Start paused (opens the store), add what is missing, adopt schedule changes, resume."""
    scheduler.start(paused=True)
    for spec in specs:
        job = scheduler.get_job(spec.id)
        grace = int(spec.grace.total_seconds())
        if job is None:
            job = scheduler.add_job(spec.func, spec.trigger, id=spec.id, name=spec.id, args=spec.args,
                                    misfire_grace_time=grace, coalesce=True, max_instances=1)
            log.info("job %s added: next run %s", spec.id, job.next_run_time)
            continue
        if repr(job.trigger) != repr(spec.trigger):
            # an intentional schedule change in config.yaml: the next time follows the new schedule
            job = scheduler.reschedule_job(spec.id, trigger=spec.trigger)
            log.info("job %s rescheduled to %s: next run %s", spec.id, spec.trigger, job.next_run_time)
        if (job.func_ref, tuple(job.args), job.misfire_grace_time) != (spec.func, spec.args, grace):
            job = scheduler.modify_job(spec.id, func=spec.func, args=spec.args, misfire_grace_time=grace)
        log.info("job %s kept: next run %s", spec.id, job.next_run_time)
    scheduler.resume()


def run_service(config: Config, config_path: Path, db_path: Path, *, host: str | None = None,
                port: int | None = None) -> None:
    """Scheduler in background threads, dashboard in the main thread, until SIGTERM or SIGINT."""
    from monitor.store import open_db
    from monitor.web.serve import dashboard_url, make_server, serve_until_signal

    open_db(db_path).conn.close()                   # create / migrate so the dashboard can open it
    server = make_server(db_path, host or config.dashboard.host, config.dashboard.port if port is None else port,
                         config=config)
    scheduler = build_scheduler(config, db_path)
    try:
        start_scheduler(scheduler, job_specs(config, config_path, db_path))
        log.info("serving: dashboard at %s, jobs in %s (timezone %s)", dashboard_url(server),
                 jobstore_path(db_path.resolve()), config.timezone)
        log.info("%s received, stopping", serve_until_signal(server))
    finally:
        server.close()
        if scheduler.running:
            log.info("stopping the scheduler (a job that is running is allowed to finish)")
            scheduler.shutdown(wait=True)
        log.info("stopped")
