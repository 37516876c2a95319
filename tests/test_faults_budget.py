"""Issue 14, cases 15–17: `--today` reaches the crawl child; detail re-reads within the politeness
window, conditional and fair across a one-host county; a complete previous listing makes an item
dated before all of it back-dated."""
from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from click.testing import CliRunner

from bench.bench_details import county_config, simulate
from crawler.detail import DetailPlanner, detail_budgets
from monitor.checks.items import check_items
from monitor.cli import cli
from monitor.config import load_config
from monitor.demo.server import DemoServer
from monitor.item_observations import load_item_observations
from monitor.observations import column_id
from monitor.store import open_db, open_readonly
from tests.helpers import shift_store_back
from tests.test_spider import TODAY, crawl
from tests.test_spider_details import NOTICE_ITEMS, NOTICES, Portal, list_page, notice_page, rows

UNIT = "衡山县行政审批服务局"
NEWS = "/xzspj/gzdt/"


def test_run_today_gives_month_day_dates_their_year(tmp_path: Path):
    """15: `gongkai run --today D` crawls as of D, so `[MM-DD]` dates are read against D, not the
    machine's clock (which would put 12-20 in a later year)."""
    portal = Portal()
    portal.put("/xzspj/tzgg/", '<html><head><meta charset="utf-8"></head><body><ul class="list">'
                               '<li><a href="./art_1.html">关于春节值班安排的通知</a><span>[01-15]</span></li>'
                               '<li><a href="./art_2.html">关于冬季防火工作的通知</a><span>[12-20]</span></li>'
                               '</ul></body></html>')
    db = tmp_path / "store.db"
    with DemoServer(portal) as server:   # type: ignore[arg-type]  # it reads only `pages`
        config = tmp_path / "config.yaml"
        config.write_text(f"""\
county: 衡山县
supervisor: {{name: {UNIT}, email: zwgk@example.gov.cn}}
database: {db}
timezone: Asia/Shanghai
crawl: {{delay_seconds: 0, timeout_seconds: 5, retries: 0, detail_budget_per_site: 0}}
units:
  - id: xzspj
    name: {UNIT}
    discover: false
    columns:
      - {{name: 通知公告, url: {server.base_url}xzspj/tzgg/, category: notice}}
""", encoding="utf-8")
        result = CliRunner().invoke(cli, ["--config", str(config), "run", "--today", "2025-02-10"])
    assert result.exit_code == 0, result.output
    dates = {r["title"]: r["date"] for r in rows(db, "SELECT title, date FROM items")}
    assert dates == {"关于春节值班安排的通知": "2025-01-15", "关于冬季防火工作的通知": "2024-12-20"}
    assert rows(db, "SELECT today FROM runs WHERE kind = 'check'")[0]["today"] == date(2025, 2, 10).isoformat()


# ------------------------------------------------------------------------------------- 16

def test_the_budget_is_what_the_window_leaves_after_the_list_pages(tmp_path: Path):
    """16: window / delay, less the list-side requests (estimated before the first crawl: here 9 units
    × 4 configured columns), within an explicit daily cap; at delay 0 only a cap limits it; a worker
    sharing the host with another has twice its delay."""
    db = open_db(tmp_path / "store.db")
    budgets = {}
    for name, (delay, window, cap, split) in {"window": (1, 60, None, None), "cap": (1, 60, 500, None),
                                              "delay 0": (0, 60, None, None), "capped at 0": (0, 60, 0, None),
                                              "shared": (1, 60, None, {"zwgk.example.gov.cn": 2})}.items():
        config = county_config(9, 4, delay=delay, window=window, cap=cap)
        (budget,) = detail_budgets(db, config, list(config.units), day_start="2026-11-26T00:00:00+00:00",
                                   split=split).values()
        budgets[name] = budget.total
    assert budgets == {"window": 3600 - 36, "cap": 500, "delay 0": None, "capped at 0": 0, "shared": 1800 - 36}


def test_rereads_cover_every_recent_item_within_three_runs_on_a_one_host_county(tmp_path: Path):
    """16: nine units on one host at delay 1 s, a window that leaves ~200 detail requests a run for
    ~500 recent items: once the first crawl's backlog is read (the first 3 runs), every recent
    item still listed is read at least once in any 3 runs, and every edit is seen within 3."""
    config = county_config(9, 4, delay=1, window=4)
    result = simulate(config, tmp_path / "store.db", 8, new_per_unit=1)
    assert min(result.recent) > 2 * max(result.requests)          # the budget is the limit
    assert max(result.max_unread_runs[3:]) <= 2, result.max_unread_runs
    assert result.edit_delays and max(result.edit_delays) <= 2


def test_rereads_do_not_depend_on_the_order_lists_come_back(tmp_path: Path):
    """16: the items re-read in a run are chosen for the whole site, within its budget, before any
    list is read; so two column orders give the same re-reads."""
    config = county_config(9, 4, delay=1, window=4)
    db_path = tmp_path / "store.db"
    simulate(config, db_path, 2, new_per_unit=1)
    columns = [(u.id, column_id(u.id, c.url)) for u in config.units for c in u.columns]
    now = datetime.now(ZoneInfo(config.timezone))
    chosen = []
    for order in (columns, columns[::-1]):
        planner = DetailPlanner(open_readonly(db_path), config, list(config.units), now=now,
                                today=date(2026, 9, 3))
        urls = {job.url for unit, cid in order
                for job in planner.plan(unit, cid, report=False, listed=None).jobs}
        chosen.append(urls)
        budget = planner.budget["zwgk.example.gov.cn"].total
        planner.close()
    assert chosen[0] == chosen[1] and 0 < len(chosen[0]) <= budget


def test_rereads_are_conditional_and_a_304_keeps_the_version(tmp_path: Path):
    """16: a re-read sends the ETag/Last-Modified of the item's latest version; an unchanged page
    answers 304, which counts as a read without a new version; an edited page is a new version."""
    db, portal = tmp_path / "store.db", Portal()
    portal.put(NOTICES, list_page(NOTICE_ITEMS))
    for title, href, day in NOTICE_ITEMS:
        portal.put(NOTICES + href[2:], notice_page(title, day, day - timedelta(days=10)))
    with DemoServer(portal) as server:   # type: ignore[arg-type]  # it reads only `pages`
        config = tmp_path / "config.yaml"
        config.write_text(_config(server.base_url, db), encoding="utf-8")
        assert crawl(config, db, 1)[0] == 0
        shift_store_back(db, days=1)
        server.clear_requests()
        assert crawl(config, db, 2)[0] == 0
        second = [r for r in server.requests if "/t2026" in r.path]
        title, href, day = NOTICE_ITEMS[0]
        portal.put(NOTICES + href[2:], notice_page(title + "（修订）", day, day - timedelta(days=10)))
        shift_store_back(db, days=1)
        server.clear_requests()
        assert crawl(config, db, 3)[0] == 0
        third = {r.path.rsplit("/", 1)[1]: r.status for r in server.requests if "/t2026" in r.path}
    assert len(second) == len(NOTICE_ITEMS)
    assert all(r.status == 304 and r.headers.get("If-None-Match") and r.headers.get("If-Modified-Since")
               for r in second)
    outcomes = rows(db, "SELECT outcome FROM fetches WHERE purpose = 'detail' AND run_id = 2")
    assert [o["outcome"] for o in outcomes] == ["not_modified"] * len(NOTICE_ITEMS)
    assert third == {href.rsplit("/", 1)[1]: 200 if n == 0 else 304 for n, (_, href, _) in enumerate(NOTICE_ITEMS)}
    versions = {r["url"].rsplit("/", 1)[1]: r["n"] for r in rows(db, "SELECT url, COUNT(*) AS n FROM item_versions "
                                                                     "GROUP BY url")}
    assert versions == {href.rsplit("/", 1)[1]: 2 if n == 0 else 1 for n, (_, href, _) in enumerate(NOTICE_ITEMS)}
    items = rows(db, "SELECT detail_status, detail_fetched_at FROM items")
    latest = rows(db, "SELECT max(last_fetched) AS at FROM item_versions GROUP BY url")
    assert {i["detail_status"] for i in items} == {200, 304}
    assert {v["at"] for v in latest} == {i["detail_fetched_at"] for i in items}   # a 304 refreshes the version


def _config(base_url: str, db: Path, budget: str = "") -> str:
    return f"""\
county: 衡山县
supervisor: {{name: {UNIT}, email: zwgk@example.gov.cn}}
database: {db}
timezone: Asia/Shanghai
crawl: {{delay_seconds: 0, per_site_concurrency: 4, timeout_seconds: 5, retries: 0{budget}}}
units:
  - id: xzspj
    name: {UNIT}
    discover: false
    columns:
      - {{name: 通知公告, url: {base_url}xzspj/tzgg/, category: notice}}
      - {{name: 工作动态, url: {base_url}xzspj/gzdt/, category: dynamic}}
"""


# ------------------------------------------------------------------------------------- 17

def test_a_complete_previous_listing_makes_an_older_new_item_backdated(tmp_path: Path):
    """17: each list read records whether it reached the end of the listing (a 304 keeps what the
    last read found); an item appearing below everything a complete listing showed is W8, below
    an incomplete one (a next page not read) it gets no result."""
    db, portal = tmp_path / "store.db", Portal()
    news = [(f"第{n}期工作简报", f"./202611/t2026112{n}_{n}.html", TODAY - timedelta(days=5 * n)) for n in (1, 2)]
    portal.put(NOTICES, list_page(NOTICE_ITEMS))                      # one page: complete
    portal.put(NEWS, list_page(news, "index_1.html"))                 # more pages than read: incomplete
    with DemoServer(portal) as server:   # type: ignore[arg-type]  # it reads only `pages`
        config = tmp_path / "config.yaml"
        config.write_text(_config(server.base_url, db, ", detail_budget_per_site: 0"), encoding="utf-8")
        assert crawl(config, db, 1)[0] == 0
        shift_store_back(db, days=1)                  # daily runs (the store keeps seconds)
        old = TODAY - timedelta(days=60)
        portal.put(NOTICES, list_page(NOTICE_ITEMS + [("关于补发春季检查结果的通知", "./202609/t20260927_9.html", old)]))
        portal.put(NEWS, list_page(news + [("第0期工作简报", "./202609/t20260927_8.html", old)], "index_1.html"))
        assert crawl(config, db, 2)[0] == 0
        assert crawl(config, db, 3)[0] == 0                               # unchanged pages: 304s
    flags = {(r["path"], r["run_id"], r["outcome"]): r["list_complete"] for r in rows(
        db, "SELECT substr(url, instr(url, '/xzspj/')) AS path, run_id, outcome, list_complete FROM fetches "
            "WHERE purpose = 'list'")}
    assert flags[(NOTICES, 1, "ok")] == 1 and flags[(NEWS, 1, "ok")] == 0
    assert flags[(NOTICES, 3, "not_modified")] == 1
    observations = load_item_observations(open_readonly(db))
    assert any(o.title == "第0期工作简报" and o.previous_crawl_at and o.date == old.isoformat() for o in observations)
    results = check_items(load_config(config), observations, TODAY)
    backdated = {r.subject["item"]: r for r in results if r.kind == "item_backdated"}
    warning = backdated["关于补发春季检查结果的通知"]
    assert warning.status == "warning" and warning.evidence["previous_list_complete"] is True
    assert "第0期工作简报" not in backdated
