"""The crawl as the scheduler runs it: `python -m crawler.run` in a child process against the
demo county served on 127.0.0.1 (robots.txt, a 503 once, 404/500, a slow column, GBK pages,
a lying charset header, ETag/304, and a hostile unit), checked against `County.expected`."""
from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from datetime import date
from pathlib import Path
from typing import Callable
from urllib.parse import urlsplit

import pytest
from pytest_httpserver import HTTPServer

from monitor.demo.config import demo_config_yaml
from monitor.demo.generator import generate_county
from monitor.config import load_config
from monitor.crawl import hand_over
from monitor.demo.server import DemoServer
from monitor.observations import canonical_url
from monitor.store import open_db

TODAY = date(2026, 11, 26)
ROOT = Path(__file__).resolve().parent.parent
PROGRESS_KEYS = {"units_total", "units_done", "pages", "errors", "not_modified"}


def crawl(config: Path, db: Path, run_id: int, *units: str, today: date = TODAY) -> tuple[int, list[dict], str]:
    """One crawl child on `units` (default: all), handed its crawl as `monitor.crawl` hands it."""
    loaded = load_config(config)
    store = open_db(db)
    try:
        [handoff] = hand_over(loaded, store, db, [loaded.unit(u) for u in units] or list(loaded.units),
                              run_id=run_id, today=today, workers=1)
    finally:
        store.close()
    return run_child(handoff.to_json())


def run_child(handoff: str) -> tuple[int, list[dict], str]:
    """`python -m crawler.run` with `handoff` on its stdin: exit code, progress events, stderr."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.run([sys.executable, "-m", "crawler.run"], input=handoff, capture_output=True, text=True,
                          cwd=ROOT, env=env, timeout=120)
    events = [json.loads(line) for line in proc.stdout.splitlines() if line.strip()]
    return proc.returncode, events, proc.stderr


def crawl_served(tmp: Path, serve: Callable[[HTTPServer], None],
                 config_text: Callable[[str, Path], str]) -> tuple[Path, Path, str, list[str]]:
    """One crawl of the portal `serve` sets up on 127.0.0.1: (store, config file, base URL, the
    URLs the crawl read: its GET requests)."""
    db, config = tmp / "store.db", tmp / "config.yaml"
    server = HTTPServer(host="127.0.0.1", port=0, threaded=True)
    serve(server)
    server.start()
    try:
        config.write_text(config_text(server.url_for("/"), db), encoding="utf-8")
        code, _, stderr = crawl(config, db, 1)
        asked = [request.url for request, _ in server.log if request.method == "GET"]   # a HEAD checks a link
    finally:
        server.clear()
        server.stop()
    assert code == 0, stderr[-3000:]
    return db, config, server.url_for("/"), asked


def path_key(url: str) -> str:
    return urlsplit(canonical_url(url)).path


@pytest.fixture(scope="module")
def county():
    return generate_county(TODAY, hostile=True)


@pytest.fixture(scope="module")
def two_runs(county, tmp_path_factory):
    """Crawl the whole county twice (the second run answers with 304s)."""
    tmp = tmp_path_factory.mktemp("crawl")
    db = tmp / "store.db"
    with DemoServer(county, slow_seconds=3) as server:
        config = tmp / "config.yaml"
        config.write_text(demo_config_yaml(server.base_url, database=str(db), slow_timeout=1, county=county),
                          encoding="utf-8")
        first = crawl(config, db, 1)
        snapshot = _columns(db)
        server.clear_requests()
        second = crawl(config, db, 2)
        requests = server.requests
    return {"db": db, "first": first, "second": second, "after_first": snapshot, "requests": requests}


def _columns(db: Path) -> dict[str, dict]:
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    rows = {path_key(r["url"]): dict(r) for r in conn.execute("SELECT * FROM columns")}
    conn.close()
    return rows


def _fetches(db: Path, run_id: int) -> list[dict]:
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    rows = [dict(r) for r in conn.execute("SELECT * FROM fetches WHERE run_id = ?", [run_id])]
    conn.close()
    return rows


def test_run_completes_with_progress_events(county, two_runs):
    code, events, stderr = two_runs["first"]
    assert code == 0, stderr[-2000:]
    assert all(e["event"] in ("progress", "done") for e in events)
    assert all(PROGRESS_KEYS <= set(e) for e in events)
    done = events[-1]
    assert done["event"] == "done" and isinstance(done["elapsed"], float)
    assert done["units_total"] == done["units_done"] == len(county.units)
    assert sum(e["event"] == "progress" for e in events) >= len(county.units)
    assert done["errors"] >= 5 and done["pages"] > 100


def test_every_column_matches_the_demo_truth(county, two_runs):
    seen = two_runs["after_first"]
    for path, want in county.expected.items():
        got = seen.get(path_key("http://x" + path))
        if not want.in_nav and not county.columns[path].configured:
            continue
        assert got is not None, (want.unit_id, want.name, path)
        if want.status == "unreachable":
            assert got["last_outcome"] in ("http_error", "network_error", "robots", "too_large"), (want, got)
            continue
        assert got["last_outcome"] == "ok", (want, got)
        assert got["newest_date"] == (want.newest_date.isoformat() if want.newest_date else None), (want, got)
        if want.pages == 1 or got["pages_seen"] == want.pages:
            assert got["item_count"] == want.item_count, (want, got)


def test_failure_outcomes(county, two_runs):
    seen = two_runs["after_first"]
    by_kind = {e.kind: seen[path_key("http://x" + p)] for p, e in county.expected.items()
               if e.kind in ("http_404", "http_500", "slow_timeout", "robots")}
    assert by_kind["http_404"]["last_outcome"] == "http_error" and by_kind["http_404"]["last_http_status"] == 404
    assert by_kind["http_500"]["last_outcome"] == "http_error" and by_kind["http_500"]["last_http_status"] == 500
    assert by_kind["slow_timeout"]["last_outcome"] == "network_error"
    assert by_kind["robots"]["last_outcome"] == "robots"
    fetches = _fetches(two_runs["db"], 1)
    slow = next(f for f in fetches if f["column_id"] == by_kind["slow_timeout"]["id"])
    assert slow["retries"] >= 1 and "Timeout" in slow["error"]


def test_503_once_is_retried_and_then_read(county, two_runs):
    path = next(p for p, e in county.expected.items() if e.kind == "flaky_503")
    column = two_runs["after_first"][path_key("http://x" + path)]
    assert column["last_outcome"] == "ok" and column["item_count"] > 0
    fetch = next(f for f in _fetches(two_runs["db"], 1) if f["column_id"] == column["id"])
    assert fetch["retries"] == 1 and fetch["http_status"] == 200


def test_gbk_and_lying_header_pages_decode(county, two_runs):
    conn = sqlite3.connect(two_runs["db"])
    for unit in county.units:
        if unit.encoding != "gbk":
            continue
        titles = [t for (t,) in conn.execute(
            "SELECT i.title FROM items i JOIN columns c ON c.id = i.column_id WHERE c.unit_id = ?", [unit.id])]
        assert titles, unit.id
        assert not any("\ufffd" in t for t in titles), unit.id
        assert any("县" in t or "年" in t for t in titles)
    conn.close()


def test_second_run_sends_validators_and_keeps_items(county, two_runs):
    code, events, stderr = two_runs["second"]
    assert code == 0, stderr[-2000:]
    assert events[-1]["not_modified"] > 50
    conditional = [r for r in two_runs["requests"] if "If-None-Match" in r.headers or "if-none-match" in r.headers]
    assert conditional and any(r.status == 304 for r in conditional)
    site_paths = {u.site_path for u in county.units}
    sites = [r for r in two_runs["requests"] if urlsplit(r.path).path in site_paths]
    assert sites and all(r.status == 304 and "If-None-Match" in r.headers for r in sites)
    before, after = two_runs["after_first"], _columns(two_runs["db"])
    # an unchanged site page costs a 304 and keeps the columns its last discovery found
    assert {k for k, c in after.items() if c["discovered"]} == {k for k, c in before.items() if c["discovered"]}
    unchanged = [k for k, c in after.items() if c["last_outcome"] == "not_modified"]
    assert len(unchanged) > 50
    conn = sqlite3.connect(two_runs["db"])
    for key in unchanged:
        assert after[key]["item_count"] == before[key]["item_count"]
        assert after[key]["newest_date"] == before[key]["newest_date"]
        (kept,) = conn.execute("SELECT COUNT(*) FROM items WHERE column_id = ? AND last_run = 2",
                               [after[key]["id"]]).fetchone()
        assert kept == before[key]["item_count"]
    conn.close()


def test_hostile_pages_do_not_stop_the_run(county, two_runs):
    seen = two_runs["after_first"]
    hostile = {e.kind: seen[path_key("http://x" + p)] for p, e in county.expected.items()
               if e.kind in ("oversize", "deep_nesting", "script_titles")}
    assert hostile["oversize"]["last_outcome"] == "too_large"
    assert hostile["deep_nesting"]["last_outcome"] == "ok"
    assert hostile["script_titles"]["last_outcome"] == "ok"
    conn = sqlite3.connect(two_runs["db"])
    titles = [t for (t,) in conn.execute("SELECT title FROM items WHERE column_id = ?",
                                         [hostile["script_titles"]["id"]])]
    conn.close()
    assert titles and all("<" not in t or "script" in t.lower() for t in titles)
    assert any("script" in t.lower() for t in titles)   # stored as text, escaped on display


def test_unit_filter_and_hand_off_errors(county, two_runs, tmp_path):
    config = tmp_path / "config.yaml"
    config.write_text(demo_config_yaml("http://127.0.0.1:9/", database=str(tmp_path / "x.db"), county=county),
                      encoding="utf-8")
    # the config was validated by the parent; what the child can get wrong is the hand-off itself
    for garbled in ("county: x", '{"config": {"county": "x"}}'):
        code, events, stderr = run_child(garbled)
        assert code == 2 and "hand-off" in stderr and events == []
    # a unit whose server is down: the crawl still completes, every fetch is a network_error
    code, events, stderr = crawl(config, tmp_path / "x.db", 4, county.units[0].id)
    assert code == 0, stderr[-2000:]
    assert events[-1]["units_done"] == 1 and events[-1]["errors"] == events[-1]["pages"] >= 1


def test_every_list_read_reaches_its_column(two_runs):
    """A list page read in a run leaves its column with that run's state, discovered columns too
    (their rows are created by the site page's discovery, which must be written first)."""
    conn = sqlite3.connect(two_runs["db"])
    orphans = conn.execute(
        """SELECT f.url FROM fetches f JOIN columns c ON c.id = f.column_id
           WHERE f.run_id = 1 AND f.purpose = 'list' AND f.outcome = 'ok' AND c.last_run IS NULL""").fetchall()
    discovered_read = conn.execute(
        """SELECT COUNT(*) FROM fetches f JOIN columns c ON c.id = f.column_id
           WHERE f.run_id = 1 AND f.purpose = 'list' AND c.in_config = 0""").fetchone()[0]
    conn.close()
    assert discovered_read > 0 and orphans == []


def test_records_reach_the_pipeline_in_order_with_requests():
    import scrapy

    from crawler.records import Discovery, Fetch, Records, UnitDone
    from crawler.spiders.portal import _batched

    fetch = Fetch("http://x/", "site", "ok", "u")
    discovery = Discovery("u", [("工作动态", "http://x/gzdt/")])
    first, second = scrapy.Request("http://x/gzdt/"), scrapy.Request("http://x/tzgg/")
    out = list(_batched(iter([fetch, discovery, first, second, UnitDone("u")])))
    assert out == [Records([fetch, discovery]), first, second, Records([UnitDone("u")])]
    assert list(_batched(iter([first]))) == [first]


def test_a_unit_is_done_once_when_an_answer_comes_before_its_other_first_requests():
    """Scrapy takes the start requests as it has room: here the county portal's answer is read
    before the request for its owner's site is even made (as on a slow machine). The owner must
    not be counted done then, and is counted done exactly once, after its site page."""
    import asyncio

    from scrapy.http import HtmlResponse

    from crawler.records import Records, UnitDone
    from crawler.spiders.portal import PortalSpider
    from tests.helpers import make_config

    config = make_config("county_portal: http://127.0.0.1:9/\n")
    spider = PortalSpider(config=config, units=list(config.units), today=date(2026, 11, 26))

    def answer(request) -> list:
        response = HtmlResponse(request.url, body="<html><body><p>无</p></body></html>".encode(), encoding="utf-8",
                                request=request)
        return list(request.callback(response))

    def units_done(outputs: list) -> list[str]:
        return [r.unit_id for o in outputs if isinstance(o, Records) for r in o.records if isinstance(r, UnitDone)]

    async def crawl() -> tuple[list, list]:
        started = spider.start()
        home = await anext(started)
        early = answer(home)                          # before the owner's site request exists
        rest = [output async for output in started]
        site = next(r for r in rest if getattr(r, "callback", None) == spider.parse_site)
        return early + rest, answer(site)

    before_site, after_site = asyncio.run(crawl())
    assert units_done(before_site) == []
    assert units_done(after_site) == ["xzspj"]
