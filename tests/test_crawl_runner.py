"""The crawl runner (parent side): a crawl killed mid-run (timeout, crash) is recorded as such,
keeps what it stored, and the next crawl completes; progress is plain log lines off a terminal."""
import io
import logging
import subprocess
import sys
from datetime import date
from pathlib import Path

from monitor.config import load_config
from monitor.crawl import crawl
from monitor.demo.config import demo_config_yaml
from monitor.demo.generator import generate_county
from monitor.demo.server import DemoServer
from monitor.progress import CrawlProgress
from monitor.store import open_db


def _setup(tmp_path: Path, server: DemoServer):
    config_path = tmp_path / "config.yaml"
    config_path.write_text(demo_config_yaml(server.base_url, database=str(tmp_path / "g.db"),
                                            county=server.county), encoding="utf-8")
    return load_config(config_path), config_path, tmp_path / "g.db"


def test_killed_crawl_is_recorded_and_the_next_one_completes(tmp_path: Path):
    county = generate_county(date.today())
    with DemoServer(county, slow_seconds=30) as server:
        config, config_path, db_path = _setup(tmp_path, server)
        db = open_db(db_path)
        killed = crawl(config, db, db_path, timeout=4)      # the slow column keeps it busy
        assert killed.status == "timeout"
        run = db.execute("SELECT status, finished_at FROM runs WHERE id = ?", [killed.run_id]).fetchone()
        assert run[0] == "timeout" and run[1]
        kept = db.execute("SELECT count(*) FROM fetches WHERE run_id = ?", [killed.run_id]).fetchone()[0]
        assert kept > 0                 # what was fetched before the kill is in the store
        assert not _store_writers(db_path)      # the store writer died with its crawl child
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        done = crawl(config, db, db_path)
        assert done.status in ("ok", "partial") and done.units_done == len(config.units)
        assert db.execute("SELECT count(*) FROM columns WHERE last_run = ?", [done.run_id]).fetchone()[0] >= 90


def test_progress_off_a_terminal_is_plain_log_lines(caplog):
    stream = io.StringIO()
    with caplog.at_level(logging.INFO, logger="gongkai.crawl"):
        with CrawlProgress(stream, interval=0) as progress:
            progress({"event": "progress", "units_total": 3, "units_done": 1, "pages": 10, "errors": 1})
            progress({"event": "progress", "units_total": 3, "units_done": 1, "pages": 11, "errors": 1})
            progress({"event": "done", "units_total": 3, "units_done": 3, "pages": 30, "errors": 2})
    assert stream.getvalue() == ""          # no bar, no carriage returns in a cron log
    lines = [r.getMessage() for r in caplog.records]
    assert lines == ["crawl progress: 1/3 units, 10 pages, 1 errors", "crawl progress: 3/3 units, 30 pages, 2 errors"]


_LOADED = """
import sys
from scrapy.settings import Settings
from scrapy.utils.conf import build_component_list
from scrapy.utils.misc import load_object
settings = Settings()
settings.setmodule("crawler.settings", priority="project")
for name in ("EXTENSIONS", "DOWNLOADER_MIDDLEWARES", "SPIDER_MIDDLEWARES"):     # as Scrapy builds a crawler's
    for path in build_component_list(settings.get_component_priority_dict_with_base(name)):
        load_object(path)
print(" ".join(sorted(m for m in sys.modules if m.startswith(("aiohttp", "tldextract", "scrapy.extensions.",
      "scrapy.downloadermiddlewares.", "scrapy.spidermiddlewares.")))))
"""


def test_a_crawl_child_imports_only_the_scrapy_components_it_runs():
    """Scrapy imports every component a setting names, even one set to None: crawler/settings.py
    names only those it runs (the remote-control extension alone pulled in aiohttp)."""
    loaded = subprocess.run([sys.executable, "-c", _LOADED], capture_output=True, text=True, check=True,
                            cwd=Path(__file__).resolve().parent.parent).stdout.split()
    assert loaded and not [m for m in loaded if m.startswith(("aiohttp", "tldextract"))]
    switched_off = {"scrapy.extensions." + m for m in ("telnet", "remote_control", "memusage", "memdebug", "feedexport",
                                                      "spiderstate", "logstats", "closespider")} | {
        "scrapy.downloadermiddlewares." + m for m in ("offsite", "httpauth", "cookies", "stats", "httpcache")} | {
        "scrapy.spidermiddlewares." + m for m in ("depth", "urllength", "metacopy")}
    assert switched_off.isdisjoint(loaded)
    assert "scrapy.extensions.throttle" in loaded and "scrapy.downloadermiddlewares.redirect" in loaded


def _store_writers(db_path: Path, wait: float = 5.0) -> list[int]:
    """The pids of store writer processes (crawler/store_writer.py) still writing `db_path`, after
    waiting up to `wait` seconds for them to go (Linux: read from /proc)."""
    import time

    deadline = time.monotonic() + wait
    while True:
        alive = []
        for proc in Path("/proc").glob("[0-9]*"):
            try:
                argv = (proc / "cmdline").read_bytes().split(b"\0")
            except OSError:
                continue
            if b"crawler.store_writer" in argv and str(db_path).encode() in argv:
                alive.append(int(proc.name))
        if not alive or time.monotonic() > deadline:
            return alive
        time.sleep(0.1)
