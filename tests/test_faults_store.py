"""Store faults must be loud (issue 14, cases 9–11), on real SQLite files and real processes:
a full disk fails the crawl and the run with its cause and the next run recovers; a corrupt,
empty or read-only store gets one line (or works, for the commands that only read); a killed
`gongkai run` takes its crawl child with it, and every writing command takes the store's lock.

A full disk is real: `PRAGMA max_page_count` on the connection under test makes SQLite fail
with SQLITE_FULL exactly as on a full disk, and where the test runs as root a small tmpfs
is filled for the end-to-end runs (skipped where mounting is not allowed).
"""
from __future__ import annotations

import json
import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Iterator

import pytest

from crawler.records import Fetch, Records, UnitDone
from crawler.store_writer import StoreWriter, Written
from monitor import exitcodes
from monitor.checks.columns import check_columns
from monitor.demo.config import demo_config_yaml
from monitor.demo.generator import generate_county
from monitor.demo.server import DemoServer
from monitor.evaluation import run_check
from monitor.findings import reconcile
from monitor.observations import record_discovery
from monitor.runs import start_run
from monitor.store import MIGRATIONS, StoreError, open_db
from tests.helpers import BASE_CONFIG, column, make_config, open_pipeline

ROOT = Path(__file__).resolve().parent.parent
TODAY = date(2026, 11, 26)


#: the `gongkai` entry point (pyproject.toml) in its own process; PYTHONPATH is inherited
GONGKAI = [sys.executable, "-c", "from monitor.cli import main; main()"]


def gongkai(config: Path, *args: str, timeout: float = 300, **kw) -> subprocess.CompletedProcess:
    """The real command line in its own process."""
    return subprocess.run([*GONGKAI, "--config", str(config), *args],
                          capture_output=True, text=True, timeout=timeout, cwd=config.parent, **kw)


def one_error_line(proc: subprocess.CompletedProcess) -> str:
    """The fault as the operator sees it: no traceback, one `error:` line."""
    assert "Traceback" not in proc.stderr, proc.stderr[-3000:]
    errors = [line for line in proc.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1, proc.stderr[-3000:]
    return errors[0]


def write_config(directory: Path, db_path: Path) -> Path:
    path = directory / "config.yaml"
    path.write_text(f"{BASE_CONFIG}database: {db_path}\n", encoding="utf-8")
    return path


def store_with_findings(path: Path) -> None:
    """A store as a check leaves it: an overdue column with its open finding."""
    db = open_db(path)
    results, _ = check_columns(make_config(), [column("通知公告", newest="2026-04-12")], TODAY)
    reconcile(db, results, TODAY, start_run(db, "check"))
    db.conn.close()


def runs(path: Path) -> list[tuple[int, str, str]]:
    conn = sqlite3.connect(path)
    try:
        return conn.execute("SELECT id, kind, status FROM runs ORDER BY id").fetchall()
    finally:
        conn.close()


# --- case 9: a full disk ------------------------------------------------------------------

def fetches(n: int, start: int = 0) -> Records:
    """A unit's worth of records, each with a long error text so that they need new pages."""
    return Records([Fetch(f"http://x/{i}", "list", "http_error", "u", error="e" * 2000)
                    for i in range(start, start + n)] + [UnitDone("u")])


def test_a_full_store_rolls_the_batch_back_and_says_why(tmp_path: Path):
    """The store writer (crawler/store_writer.py) on a store that cannot grow: the batch is rolled
    back whole, and its answer names the cause, the file and the exit code."""
    path = tmp_path / "store.db"
    open_db(path).close()
    writer = StoreWriter(str(path), 1)
    assert writer.write([fetches(3).records]) == Written(units_done=1)        # stored before the disk fills
    pages = writer.db.execute("PRAGMA page_count").fetchone()[0]
    writer.db.execute(f"PRAGMA max_page_count = {pages}")                 # the file cannot grow: SQLITE_FULL
    written = writer.write([fetches(25, start=3).records, fetches(25, start=30).records])
    assert written.exit_code == exitcodes.STORE and written.units_done == 0
    assert "database or disk is full" in written.failure and str(path) in written.failure
    writer.close()
    conn = sqlite3.connect(path)
    assert conn.execute("SELECT count(*) FROM fetches").fetchone()[0] == 3
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    conn.close()


def test_a_full_disk_stops_the_crawl_and_counts_every_record_it_lost(tmp_path: Path):
    """The crawl's pipeline, its store writer on a real filesystem that fills up: the crawl
    stops with the writer's cause and exit code, and every record not stored is counted, those
    arriving after the failure too."""
    with small_disk(tmp_path / "disk", "1m") as disk:
        store, crawler = open_pipeline(disk / "g.db")
        store.process_item(fetches(3))
        store.drain()                                               # stored before the disk fills
        fill(disk / "filler")
        store.process_item(fetches(50, start=3))
        store.drain()
        assert isinstance(store.failure, StoreError) and store.failure.exit_code == exitcodes.STORE
        assert str(disk / "g.db") in str(store.failure)
        assert crawler.store_failure is store.failure              # crawler/run.py exits with it
        assert store.progress.not_stored == 51                     # the whole batch was rolled back
        store.process_item(fetches(5, start=60))                   # what still arrives is counted, not written
        assert store.progress.not_stored == 57
        assert crawler.stats.get_value("gongkai/store_errors") == 57
        assert store.progress.counters()["not_stored"] == 57       # reaches the parent's summary
        store.close_spider()
        (disk / "filler").unlink()
        conn = sqlite3.connect(disk / "g.db")
        assert conn.execute("SELECT count(*) FROM fetches").fetchone()[0] == 3
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        conn.close()


def test_a_check_on_a_full_store_marks_its_run_failed(tmp_path: Path):
    db = open_db(tmp_path / "g.db")
    config = make_config()
    record_discovery(db, "xzspj", [(f"栏目{i}", f"http://127.0.0.1:9/xzspj/c{i}/") for i in range(300)])
    pages = db.execute("PRAGMA page_count").fetchone()[0]
    db.execute(f"PRAGMA max_page_count = {pages + 1}")              # room for the run row, not the findings
    with pytest.raises(sqlite3.OperationalError, match="full"):
        run_check(config, db, TODAY)
    assert [(kind, status) for _, kind, status in runs(tmp_path / "g.db")] == [("check", "failed")]


def test_a_run_left_running_by_a_crash_is_interrupted_by_the_next_run_of_any_kind(tmp_path: Path):
    db = open_db(tmp_path / "g.db")
    crashed = start_run(db, "crawl")                 # a crawl killed before it could finish its row
    start_run(db, "check")
    assert dict((i, s) for i, _, s in runs(tmp_path / "g.db"))[crashed] == "interrupted"


@contextmanager
def small_disk(directory: Path, size: str) -> Iterator[Path]:
    """A real small filesystem (tmpfs): root only; skipped where mounting is not allowed."""
    directory.mkdir()
    proc = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(directory)],
                          capture_output=True, text=True)
    if proc.returncode != 0:
        pytest.skip(f"cannot mount a small filesystem here: {proc.stderr.strip()}")
    try:
        yield directory
    finally:
        subprocess.run(["umount", "-l", str(directory)], check=False)


def fill(path: Path) -> None:
    """Write until the filesystem says it is full (unbuffered: a buffered file kept the bytes the
    last write could not place and failed again on closing, whenever the free space left was not
    a multiple of the write)."""
    with path.open("wb", buffering=0) as file:
        try:
            while True:
                file.write(b"\0" * 65536)
        except OSError:
            pass


def test_a_full_disk_fails_the_run_with_its_cause_and_the_next_run_recovers(tmp_path: Path):
    county = generate_county(TODAY)
    with small_disk(tmp_path / "disk", "1m") as disk, DemoServer(county, slow_seconds=1) as server:
        db_path = disk / "g.db"
        config = tmp_path / "config.yaml"
        # no smtp: section: mail is not what this test is about (its faults have their own exit codes)
        text = demo_config_yaml(server.base_url, database=str(db_path), county=server.county)
        config.write_text(re.sub(r"\nsmtp:\n(?:  .*\n)+", "\n", text), encoding="utf-8")
        full = gongkai(config, "run", "--today", TODAY.isoformat())
        assert full.returncode == exitcodes.STORE, full.stderr[-3000:]
        line = one_error_line(full)
        assert "database or disk is full" in line and str(db_path) in line and "records not stored" in line, line
        assert "check " not in full.stdout                          # no check on a store that cannot be written

        subprocess.run(["mount", "-o", "remount,size=8m", str(disk)], check=True)
        conn = sqlite3.connect(db_path)                 # the WAL's space, reused by later writes, goes too
        assert conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0] == 0
        conn.close()
        fill(disk / "filler")                                       # not a byte left
        check = gongkai(config, "check", "--today", TODAY.isoformat())
        assert check.returncode == exitcodes.STORE, check.stderr[-3000:]
        free = re.search(r"\((\d+) KiB free on its filesystem\)", one_error_line(check))
        assert free and int(free[1]) < 64, check.stderr      # SQLite may say just "disk I/O error"

        (disk / "filler").unlink()
        subprocess.run(["mount", "-o", "remount,size=256m", str(disk)], check=True)   # space freed
        again = gongkai(config, "run", "--today", TODAY.isoformat())
        assert again.returncode == exitcodes.OK, again.stderr[-3000:]
        statuses = runs(db_path)
        assert "running" not in {s for _, _, s in statuses}
        first_crawl = next(s for _, kind, s in statuses if kind == "crawl")
        assert first_crawl in ("failed", "interrupted")
        last_crawl = [s for _, kind, s in statuses if kind == "crawl"][-1]
        assert last_crawl in ("ok", "partial")


# --- case 10: corrupt, empty and read-only stores ------------------------------------------

def overwrite_header(path: Path) -> None:
    with path.open("r+b") as file:
        file.write(b"this is no longer a database...")


def truncate(path: Path) -> None:
    os.truncate(path, path.stat().st_size // 2)


@pytest.mark.parametrize("damage", [overwrite_header, truncate])
@pytest.mark.parametrize("command", [["findings"], ["check"], ["run"], ["bulletin", "--out", "out"]])
def test_a_corrupt_store_is_one_line_naming_the_file_and_exit_2(tmp_path: Path, damage, command):
    db_path = tmp_path / "g.db"
    store_with_findings(db_path)
    record_discovery(db := open_db(db_path), "xzspj", [(f"栏目{i}", f"http://h/c{i}/") for i in range(200)])
    db.conn.close()                               # enough pages that half of the file is missing some
    damage(db_path)
    proc = gongkai(write_config(tmp_path, db_path), *command)
    assert proc.returncode == exitcodes.USAGE, proc.stderr[-3000:]
    line = one_error_line(proc)
    assert str(db_path) in line and "restore it from a backup" in line


def test_an_empty_store_is_announced_as_a_new_one(tmp_path: Path):
    db_path = tmp_path / "g.db"
    db_path.touch()                               # what is left of a store truncated to 0 bytes
    proc = gongkai(write_config(tmp_path, db_path), "findings", "--format", "json")
    assert proc.returncode == exitcodes.OK, proc.stderr[-3000:]
    warning = [line for line in proc.stderr.splitlines() if "WARNING" in line]
    assert len(warning) == 1 and str(db_path) in warning[0] and "empty (0 bytes)" in warning[0]
    assert "restore it from a backup" in warning[0]
    assert json.loads(proc.stdout) == []


@contextmanager
def read_only(directory: Path) -> Iterator[None]:
    """The store's directory cannot be written: a read-only mount where the test runs as root
    (permissions do not stop root), file modes otherwise."""
    if os.geteuid() == 0:
        proc = subprocess.run(["mount", "--bind", str(directory), str(directory)], capture_output=True, text=True)
        if proc.returncode != 0:
            pytest.skip(f"cannot make a read-only mount here: {proc.stderr.strip()}")
        try:
            subprocess.run(["mount", "-o", "remount,bind,ro", str(directory)], check=True)
            yield
        finally:
            subprocess.run(["umount", "-l", str(directory)], check=False)
        return
    modes = {path: path.stat().st_mode for path in [directory, *directory.iterdir()]}
    for path in modes:
        path.chmod(0o555 if path.is_dir() else 0o444)
    try:
        yield
    finally:
        for path, mode in modes.items():
            path.chmod(mode)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def get(url: str, deadline: float) -> int:
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                return response.status
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def test_a_read_only_store_serves_every_reading_command_and_refuses_writes_in_one_line(tmp_path: Path):
    store_dir = tmp_path / "store"
    store_dir.mkdir()
    db_path = store_dir / "g.db"
    store_with_findings(db_path)
    config = write_config(tmp_path, db_path)
    old = sqlite3.connect(store_dir / "old.db")                    # a store made by the previous version
    old.executescript("".join(MIGRATIONS[:-1]) + f"PRAGMA user_version = {len(MIGRATIONS) - 1};")
    old.close()
    (tmp_path / "old").mkdir()
    old_config = write_config(tmp_path / "old", store_dir / "old.db")
    with read_only(store_dir):
        found = gongkai(config, "findings", "--format", "json")
        assert found.returncode == 0, found.stderr[-3000:]
        assert [f["kind"] for f in json.loads(found.stdout)] == ["column_stale"]
        bulletin = gongkai(config, "bulletin", "--out", str(tmp_path / "out"), "--month", "2026-11",
                           "--today", "2026-12-01")
        assert bulletin.returncode == 0, bulletin.stderr[-3000:]
        assert "通知公告" in next((tmp_path / "out").glob("*.txt")).read_text(encoding="utf-8")
        port = free_port()
        web = subprocess.Popen([*GONGKAI, "--config", str(config), "dashboard",
                                "--port", str(port)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            assert get(f"http://127.0.0.1:{port}/", time.monotonic() + 30) == 200
            assert get(f"http://127.0.0.1:{port}/unit/xzspj", time.monotonic() + 5) == 200
        finally:
            web.terminate()
            web.communicate(timeout=30)
        upgrade = gongkai(old_config, "findings")
        assert upgrade.returncode == exitcodes.STORE
        assert "needs upgrading" in one_error_line(upgrade) and "gongkai check" in one_error_line(upgrade)
        check = gongkai(config, "check", "--today", TODAY.isoformat())
        assert check.returncode == exitcodes.STORE
        line = one_error_line(check)
        assert str(store_dir) in line and "lock file" in line
        assert not (store_dir / "g.db-wal").exists()        # nothing was written beside it either


# --- case 11: process lifetime and the lock ------------------------------------------------

def children_of(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def alive(pid: int) -> bool:
    """Running, not a zombie waiting for a reaper that a container may not have."""
    try:
        return (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux only")
def test_a_killed_run_takes_its_crawl_child_with_it_and_leaves_the_lock_free(tmp_path: Path):
    from monitor.lock import run_lock

    county = generate_county(TODAY)
    with DemoServer(county, slow_seconds=60) as server:
        db_path = tmp_path / "g.db"
        config = tmp_path / "config.yaml"
        config.write_text(demo_config_yaml(server.base_url, database=str(db_path), county=server.county),
                          encoding="utf-8")
        parent = subprocess.Popen([*GONGKAI, "--config", str(config), "run"],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=tmp_path)
        try:
            deadline = time.monotonic() + 60
            while not (crawlers := children_of(parent.pid)) or len(server.requests) < 5:
                assert time.monotonic() < deadline and parent.poll() is None, "the crawl did not start"
                time.sleep(0.2)
        finally:
            parent.send_signal(signal.SIGKILL)
            parent.wait()
        gone_by = time.monotonic() + 2
        while any(alive(pid) for pid in crawlers) and time.monotonic() < gone_by:
            time.sleep(0.05)
        survivors = [pid for pid in crawlers if alive(pid)]
        for pid in survivors:                         # clean up before failing
            os.kill(pid, signal.SIGKILL)
        assert not survivors, "the crawl child outlived its parent"
        with run_lock(db_path):                       # free: the next run can start
            pass


@pytest.mark.parametrize("command", [["crawl"], ["check"], ["run"], ["bulletin", "--send"], ["outbox", "--retry"]])
def test_every_writing_command_takes_the_store_lock(tmp_path: Path, command):
    from monitor.lock import run_lock

    db_path = tmp_path / "g.db"
    store_with_findings(db_path)
    config = write_config(tmp_path, db_path)
    with run_lock(db_path):                           # a `gongkai run` (or a job of `gongkai serve`) is going on
        proc = gongkai(config, *command, timeout=60)
    assert proc.returncode == exitcodes.LOCKED, proc.stderr[-3000:]
    assert "another gongkai run is in progress" in one_error_line(proc)


def test_reading_goes_on_while_a_writer_holds_the_lock(tmp_path: Path):
    from monitor.lock import run_lock

    db_path = tmp_path / "g.db"
    store_with_findings(db_path)
    with run_lock(db_path):
        proc = gongkai(write_config(tmp_path, db_path), "findings", "--format", "json")
    assert proc.returncode == 0 and len(json.loads(proc.stdout)) == 1


def test_the_monthly_bulletin_job_takes_the_lock(tmp_path: Path, caplog):
    import monitor.jobs
    from monitor.lock import run_lock

    db_path = tmp_path / "g.db"
    config = write_config(tmp_path, db_path)
    with run_lock(db_path):
        monitor.jobs.monthly_bulletin(str(config), str(db_path))
    assert "monthly bulletin not sent: another gongkai run is in progress" in caplog.text
    assert not db_path.exists()
