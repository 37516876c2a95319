"""One crawl hand-off (issue 13, point 5): the parent loads the config, picks `today`, plans the
shards and syncs the units once; each child gets all of it as one JSON document on stdin
(crawler/handoff.py) and reads no config file, plans nothing and syncs nothing. Real crawls
against a server on loopback, real SQLite files."""
from __future__ import annotations

import dataclasses
import inspect
import sqlite3
from datetime import date
from pathlib import Path
from types import SimpleNamespace

import pytest
from pytest_httpserver import HTTPServer
from scrapy import Request

import crawler.handoff
import crawler.records
import monitor.crawl
import monitor.evaluation
from crawler.detail import DetailJob
from crawler.handoff import HandOff
from crawler.middlewares import ConditionalRequestMiddleware
from crawler.records import Records
from crawler.writers import WRITERS
from monitor.config import load_config
from monitor.crawl import crawl
from monitor.daily import daily_run
from monitor.store import open_db
from tests.test_spider import run_child

HTML = "text/html; charset=utf-8"
TODAY = date(2025, 1, 5)
#: a month-day list date: 2024-12-30 read against TODAY, 2025-12-30 or later against the clock
LIST = ('<html><head><meta charset="utf-8"><title>通知公告</title></head><body><ul class="list">'
        '<li><a href="t1.html">关于做好政务公开工作的通知</a><span>12-30</span></li></ul></body></html>')


def config_yaml(db: Path, base: str, column: str = "list", workers: int = 1) -> str:
    units = "".join(f"  - id: {u}\n    name: 单位{u}\n    discover: false\n"
                    f"    columns:\n      - {{name: 通知公告, url: '{base}/{u}/{column}/'}}\n" for u in ("a", "b"))
    return (f"county: 衡山县\nsupervisor: {{name: 衡山县人民政府办公室, email: zwgk@example.gov.cn}}\n"
            f"database: {db}\ncrawl: {{delay_seconds: 0, per_site_concurrency: 2, workers: {workers}, "
            f"detail_budget_per_site: 0, autothrottle: false}}\nunits:\n{units}")


@pytest.fixture
def portal(httpserver: HTTPServer) -> HTTPServer:
    httpserver.expect_request("/robots.txt").respond_with_data("", status=404)
    for unit in ("a", "b"):
        for column in ("list", "other"):
            httpserver.expect_request(f"/{unit}/{column}/").respond_with_data(LIST, content_type=HTML)
    return httpserver


def requested(server: HTTPServer) -> set[str]:
    return {request.path for request, _ in server.log if request.path != "/robots.txt"}


def test_the_child_crawls_the_config_its_parent_loaded_not_the_file(portal, tmp_path: Path):
    path, db_path = tmp_path / "config.yaml", tmp_path / "store.db"
    base = portal.url_for("").rstrip("/")
    path.write_text(config_yaml(db_path, base), encoding="utf-8")
    config = load_config(path)
    path.write_text(config_yaml(db_path, base, column="other"), encoding="utf-8")   # edited meanwhile
    summary = crawl(config, open_db(db_path), db_path, today=TODAY)
    assert summary.status == "ok" and summary.units_done == 2
    assert requested(portal) == {"/a/list/", "/b/list/"}
    path.unlink()                                                                  # and now gone
    assert crawl(config, open_db(db_path), db_path, today=TODAY).status == "ok"


def test_today_reaches_the_child(portal, tmp_path: Path):
    path, db_path = tmp_path / "config.yaml", tmp_path / "store.db"
    path.write_text(config_yaml(db_path, portal.url_for("").rstrip("/")), encoding="utf-8")
    assert crawl(load_config(path), open_db(db_path), db_path, today=TODAY).status == "ok"
    dates = {row[0] for row in sqlite3.connect(db_path).execute("SELECT date FROM items")}
    assert dates == {"2024-12-30"}


def test_the_plan_is_made_once_by_the_parent_and_followed_by_the_child(portal, tmp_path: Path, monkeypatch):
    path, db_path = tmp_path / "config.yaml", tmp_path / "store.db"
    path.write_text(config_yaml(db_path, portal.url_for("").rstrip("/"), workers=2), encoding="utf-8")
    config = load_config(path)
    plans, plan_shards = [], crawler.handoff.plan_shards
    monkeypatch.setattr(crawler.handoff, "plan_shards", lambda *args: plans.append(args) or plan_shards(*args))
    summary = crawl(config, open_db(db_path), db_path, today=TODAY)
    assert summary.status == "ok" and summary.units_done == 2 and len(plans) == 1
    # a shard the plan would never make (unit b alone, as shard 2 of 2): the child crawls just that
    portal.clear_log()
    handoff = HandOff(config, str(db_path), None, TODAY, [config.unit("b")], {}, 2)
    code, events, stderr = run_child(handoff.to_json())
    assert code == 0, stderr[-2000:]
    assert events[-1]["units_done"] == 1 and requested(portal) == {"/b/list/"}


def test_the_hand_off_keeps_config_today_and_shard(tmp_path: Path):
    path = tmp_path / "config.yaml"
    path.write_text(config_yaml(tmp_path / "store.db", "http://127.0.0.1:9"), encoding="utf-8")
    config = load_config(path)
    [handoff] = crawler.handoff.hand_offs(config, list(config.units), db_path=tmp_path / "store.db", run_id=7,
                                          today=TODAY, workers=1)
    back = HandOff.from_json(handoff.to_json())
    assert back == handoff and back.config.database_path == config.database_path


def test_the_units_are_synced_once_per_daily_run(portal, tmp_path: Path, monkeypatch):
    path, db_path = tmp_path / "config.yaml", tmp_path / "store.db"
    path.write_text(config_yaml(db_path, portal.url_for("").rstrip("/")), encoding="utf-8")
    synced = []
    for module in (monitor.crawl, monitor.evaluation):
        real = module.sync_units
        monkeypatch.setattr(module, "sync_units", lambda db, units, real=real: synced.append(1) or real(db, units))
    daily_run(load_config(path), db_path, today=TODAY, deliver_mail=False)
    assert len(synced) == 1
    assert open_db(db_path).execute("SELECT count(*) FROM units").fetchone()[0] == 2


def test_the_child_leaves_the_units_to_its_parent(portal, tmp_path: Path):
    path, db_path = tmp_path / "config.yaml", tmp_path / "store.db"
    path.write_text(config_yaml(db_path, portal.url_for("").rstrip("/")), encoding="utf-8")
    config, db = load_config(path), open_db(db_path)
    [handoff] = monitor.crawl.hand_over(config, db, db_path, list(config.units), run_id=None, today=TODAY, workers=1)
    db.close()
    with sqlite3.connect(db_path) as conn:
        conn.execute("UPDATE units SET name = '改过的名称'")
    code, events, stderr = run_child(handoff.to_json())
    assert code == 0 and events[-1]["units_done"] == 2, stderr[-2000:]
    names = {row[0] for row in sqlite3.connect(db_path).execute("SELECT name FROM units")}
    assert names == {"改过的名称"}          # the child wrote its observations, not the unit rows


def test_every_record_type_has_its_writer():
    records = {cls for _, cls in inspect.getmembers(crawler.records, inspect.isclass)
               if dataclasses.is_dataclass(cls) and cls.__module__ == crawler.records.__name__ and cls is not Records}
    assert records and records <= set(WRITERS)


def test_conditional_headers_come_from_one_place_for_lists_and_detail_pages():
    spider = SimpleNamespace(validators={"http://x/list/": {"etag": '"l1"', "last_modified": None}},
                             site_validators={})
    middleware = ConditionalRequestMiddleware(SimpleNamespace(spider=spider))
    job = DetailJob("a", "c", "http://x/t1.html", "detail", etag='"d1"', last_modified="Mon, 01 Dec 2025 00:00:00 GMT")
    detail = Request(job.url, meta={"purpose": "detail", "task": job})
    listing = Request("http://x/list/", meta={"purpose": "list"})
    fresh = Request("http://x/t2.html", meta={"purpose": "detail", "task": DetailJob("a", "c", "http://x/t2.html",
                                                                                     "detail")})
    for request in (detail, listing, fresh):
        middleware.process_request(request)
    assert detail.headers[b"If-None-Match"] == b'"d1"' and detail.headers[b"If-Modified-Since"].startswith(b"Mon")
    assert listing.headers[b"If-None-Match"] == b'"l1"' and b"If-Modified-Since" not in listing.headers
    assert b"If-None-Match" not in fresh.headers and b"If-Modified-Since" not in fresh.headers
