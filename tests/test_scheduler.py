"""`gongkai serve`'s scheduler: persistent jobs that survive a restart, one run at a time, the
bulletin on the configured day in the configured timezone, a clean stop on SIGTERM.

Real APScheduler with its real SQLite job store. Time is either moved with a clock offset
(the scheduler and the jobs read `datetime.now`) or the stored next-run time is set to what it
would be after the machine was off; nothing sleeps for minutes.
"""
from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import apscheduler.executors.base
import apscheduler.schedulers.base
import pytest

import monitor.config
import monitor.jobs
from monitor.config import load_config
from monitor.lock import run_lock
from monitor.service import build_scheduler, job_specs, jobstore_path, start_scheduler

SHANGHAI = ZoneInfo("Asia/Shanghai")
ROOT = Path(__file__).resolve().parent.parent

CONFIG = """\
county: 衡山县
supervisor: {{name: 衡山县行政审批服务局, email: zwgk@example.gov.cn}}
database: gongkai.db
timezone: Asia/Shanghai
crawl: {{retries: 0, timeout_seconds: 1}}
schedule: {{daily: "{daily}", bulletin_day: {day}, bulletin_time: "{btime}"}}
units:
  - id: xzspj
    name: 衡山县行政审批服务局
    site: http://127.0.0.1:9/xzspj/
"""


def write_config(tmp_path: Path, daily: str = "02:30", day: int = 1, btime: str = "08:00") -> Path:
    path = tmp_path / "config.yaml"
    path.write_text(CONFIG.format(daily=daily, day=day, btime=btime), encoding="utf-8")
    return path


class Recorder:
    """Stands in for the expensive work behind a job and remembers each call."""

    def __init__(self) -> None:
        self.calls: list[tuple] = []
        self.event = threading.Event()

    def __call__(self, *args, **kwargs):
        self.calls.append((args, kwargs))
        self.event.set()

    def wait(self, seconds: float = 5.0) -> bool:
        return self.event.wait(seconds)


def shift_clock(monkeypatch: pytest.MonkeyPatch, to: datetime) -> None:
    """Make the scheduler, its executor and the county's today (monitor.config.county_today, which
    the jobs use) believe it is `to` now (time keeps running)."""
    offset = to - datetime.now(timezone.utc)

    class Shifted(datetime):
        @classmethod
        def now(cls, tz=None):
            return datetime.now(tz) + offset

    for module in (apscheduler.schedulers.base, apscheduler.executors.base, monitor.config):
        monkeypatch.setattr(module, "datetime", Shifted)


@pytest.fixture
def shanghai_machine_in_utc(monkeypatch: pytest.MonkeyPatch):
    """The server's own zone is UTC, 8 hours from the county's: the classic CronTrigger trap."""
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def test_triggers_use_the_config_timezone_not_the_machines(tmp_path, shanghai_machine_in_utc):
    config_path = write_config(tmp_path, daily="02:30", day=5, btime="08:00")
    config = load_config(config_path)
    daily, bulletin, _probe = job_specs(config, config_path, config.database_path)
    now = datetime(2026, 11, 30, 12, 0, tzinfo=timezone.utc)     # 20:00 in Shanghai
    assert daily.trigger.get_next_fire_time(None, now) == datetime(2026, 12, 1, 2, 30, tzinfo=SHANGHAI)
    assert bulletin.trigger.get_next_fire_time(None, now) == datetime(2026, 12, 5, 8, 0, tzinfo=SHANGHAI)
    assert bulletin.trigger.get_next_fire_time(None, now).astimezone(timezone.utc) == \
        datetime(2026, 12, 5, 0, 0, tzinfo=timezone.utc)
    assert (daily.func, bulletin.func) == ("monitor.jobs:daily", "monitor.jobs:monthly_bulletin")


def test_a_daily_run_missed_while_down_runs_once_on_restart(tmp_path, monkeypatch, caplog):
    caplog.set_level(logging.INFO)
    fake = Recorder()
    monkeypatch.setattr(monitor.jobs, "daily_run", fake)
    now_local = datetime.now(SHANGHAI)
    daily_at = (now_local - timedelta(hours=1)).strftime("%H:%M")    # today's (or last night's) run is 1 h ago
    config_path = write_config(tmp_path, daily=daily_at)
    config = load_config(config_path)
    db_path = config.database_path
    specs = job_specs(config, config_path, db_path)

    # The last time the service ran was three days ago, an hour before that day's run; then the
    # machine was off across three fire times, so the stored next-run time now lies in the past.
    with pytest.MonkeyPatch.context() as then:
        shift_clock(then, now_local - timedelta(days=3, hours=2))
        first = build_scheduler(config, db_path)
        start_scheduler(first, specs)
        stored = first.get_job("daily").next_run_time
        first.shutdown()
    assert stored < now_local - timedelta(days=2) and not fake.calls
    assert jobstore_path(db_path).exists()

    second = build_scheduler(config, db_path)
    try:
        start_scheduler(second, job_specs(config, config_path, db_path))
        assert fake.wait(), "the missed run did not run on restart"
        time.sleep(0.5)
        assert len(fake.calls) == 1                        # three missed fire times coalesced into one run
        (args, kwargs), = fake.calls
        assert kwargs["today"] == datetime.now(SHANGHAI).date()
        assert second.get_job("daily").next_run_time > datetime.now(SHANGHAI)
    finally:
        second.shutdown()
    assert "job daily kept" in caplog.text and "job daily added" in caplog.text


def test_restart_does_not_duplicate_jobs_and_adopts_a_changed_schedule(tmp_path):
    config_path = write_config(tmp_path, daily="02:30")
    config = load_config(config_path)
    for daily in ("02:30", "02:30", "04:15"):
        config_path.write_text(config_path.read_text().replace(config.schedule.daily, daily))
        config = load_config(config_path)
        sched = build_scheduler(config, config.database_path)
        start_scheduler(sched, job_specs(config, config_path, config.database_path))
        jobs = {j.id: j for j in sched.get_jobs()}
        sched.shutdown()
        assert set(jobs) == {"daily", "monthly_bulletin", "probe"}
        assert jobs["daily"].next_run_time.astimezone(SHANGHAI).strftime("%H:%M") == daily
        assert (jobs["daily"].coalesce, jobs["daily"].max_instances) == (True, 1)
        assert jobs["daily"].misfire_grace_time >= 6 * 3600


def test_a_daily_job_never_overlaps_another_run(tmp_path, caplog):
    caplog.set_level(logging.INFO)
    config_path = write_config(tmp_path)
    db_path = load_config(config_path).database_path
    with run_lock(db_path):            # what a cron `gongkai run` (or a running job) holds
        monitor.jobs.daily(str(config_path), str(db_path))
    assert "daily run skipped: another gongkai run is in progress" in caplog.text
    assert not db_path.exists()        # it did not even open the store, let alone crawl


def test_the_bulletin_fires_on_the_configured_day_in_the_configured_timezone(
        tmp_path, monkeypatch, shanghai_machine_in_utc):
    import alerts.bulletin

    fake = Recorder()
    monkeypatch.setattr(alerts.bulletin, "run_monthly", fake)
    config_path = write_config(tmp_path, day=5, btime="08:00")
    config = load_config(config_path)
    # 07:59:58 on the 5th in Shanghai = 23:59:58 on the 4th in UTC, the machine's zone
    shift_clock(monkeypatch, datetime(2026, 12, 5, 7, 59, 58, tzinfo=SHANGHAI))
    sched = build_scheduler(config, config.database_path)
    try:
        start_scheduler(sched, job_specs(config, config_path, config.database_path))
        assert sched.get_job("monthly_bulletin").next_run_time == datetime(2026, 12, 5, 8, 0, tzinfo=SHANGHAI)
        assert fake.wait(6), "the bulletin did not fire at 08:00 Shanghai time"
    finally:
        sched.shutdown()
    (args, _), = fake.calls
    assert args[0].county == "衡山县" and args[2] == date(2026, 12, 5)


def test_the_bulletin_job_says_so_when_the_alerts_module_is_missing(tmp_path, monkeypatch, caplog):
    caplog.set_level(logging.INFO)
    monkeypatch.setitem(sys.modules, "alerts.bulletin", None)      # import fails
    config_path = write_config(tmp_path)
    monitor.jobs.monthly_bulletin(str(config_path), str(tmp_path / "gongkai.db"))
    assert "monthly bulletin not sent: alerts.bulletin.run_monthly is not available" in caplog.text


SERVE = """
import logging, sys
from pathlib import Path
from monitor.config import load_config
from monitor.service import run_service
logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
config = load_config(sys.argv[1])
run_service(config, Path(sys.argv[1]), config.database_path, port=0)
"""


def test_serve_answers_http_and_stops_cleanly_on_sigterm(tmp_path):
    config_path = write_config(tmp_path)
    proc = subprocess.Popen([sys.executable, "-c", SERVE, str(config_path)], cwd=ROOT, text=True,
                            stderr=subprocess.PIPE, env={**os.environ, "PYTHONPATH": str(ROOT)})
    lines: list[str] = []
    try:
        url = None
        deadline = time.monotonic() + 20
        while url is None and time.monotonic() < deadline:
            line = proc.stderr.readline()
            if not line:
                break
            lines.append(line)
            if "serving: dashboard at " in line:
                url = line.split("dashboard at ")[1].split()[0].rstrip(",")
        assert url, "".join(lines)
        with urllib.request.urlopen(url, timeout=5) as response:
            assert response.status == 200 and "超期栏目" in response.read().decode()
        proc.send_signal(signal.SIGTERM)
        out = proc.communicate(timeout=15)[1]
    finally:
        if proc.poll() is None:
            proc.kill()
    log = "".join(lines) + out
    assert proc.returncode == 0, log
    assert "SIGTERM received, stopping" in log and log.rstrip().endswith("stopped")
    assert (tmp_path / "gongkai.jobs.sqlite").exists()
    for line in log.strip().splitlines():          # plain log lines: time, level, logger, message
        assert line[:4].isdigit() and (" INFO " in line or " WARNING " in line), line
