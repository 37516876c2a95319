"""`crawl.workers`: the units split over several crawl processes without changing what a host
sees (its concurrency, delay and detail budget divided among the workers sharing it), and the
parent summing the workers' progress into one crawl."""
from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from crawler.detail import DetailPlanner
from crawler.settings import for_config, slot_key
from crawler.shards import plan_shards
from monitor.config import load_config, parse_config
from monitor.crawl import crawl
from monitor.demo.config import demo_config_yaml
from monitor.demo.generator import generate_county
from monitor.demo.server import DemoServer
from monitor.observations import ListItem, column_id, record_discovery
from monitor.store import open_db


def config_of(units: str, crawl_block: str = "{delay_seconds: 1, per_site_concurrency: 2, workers: 4}"):
    return parse_config(f"""\
county: 衡山县
supervisor: {{name: 衡山县行政审批服务局, email: zwgk@example.gov.cn}}
database: g.db
crawl: {crawl_block}
units:
{units}""")


def units_on(host: str, count: int, prefix: str, extra: str = "") -> str:
    return "".join(f"  - {{id: {prefix}{n}, name: 单位{prefix}{n}, type: department, site: http://{host}/{prefix}{n}/"
                   f"{extra}}}\n" for n in range(count))


def test_a_hosts_units_go_to_at_most_its_concurrency_of_workers():
    config = config_of(units_on("a.gov.cn", 10, "a") + units_on("b.gov.cn", 3, "b", ", crawl: {per_site_concurrency: 1}"))
    shards = plan_shards(config, list(config.units), 4)
    hosts = {"a.gov.cn": set(), "b.gov.cn": set()}
    for index, shard in enumerate(shards):
        for unit in shard.units:
            hosts[slot_key(unit)].add(index)
    assert len(hosts["a.gov.cn"]) == 2 and len(hosts["b.gov.cn"]) == 1
    assert sorted(u.id for s in shards for u in s.units) == sorted(u.id for u in config.units)   # each once
    for shard in shards:
        assert [u.id for u in shard.units] == [u.id for u in config.units if u in shard.units]  # config order
        assert all(shard.split[slot_key(u)] == (2 if slot_key(u) == "a.gov.cn" else 1) for u in shard.units)
    assert sorted(s.load for s in shards) == [33, 55, 55]   # a: 10 × 11 halved; b whole, on a shard of its own


def test_one_worker_is_one_shard_and_few_units_make_few_shards():
    config = config_of(units_on("a.gov.cn", 3, "a"), "{per_site_concurrency: 8, workers: 1}")
    assert [len(s.units) for s in plan_shards(config, list(config.units), 1)] == [3]
    assert len(plan_shards(config, list(config.units)[:1], 4)) == 1


def test_a_shared_host_gets_its_share_of_concurrency_and_delay():
    config = config_of(units_on("a.gov.cn", 4, "a"), "{delay_seconds: 1, per_site_concurrency: 4, concurrency: 16}")
    shard = plan_shards(config, list(config.units), 2)[0]
    settings = for_config(config, shard.units, db_path="g.db", run_id=1, split=shard.split, shards=2)
    assert settings["DOWNLOAD_SLOTS"]["a.gov.cn"]["concurrency"] == 2
    assert settings["DOWNLOAD_SLOTS"]["a.gov.cn"]["delay"] == 2.0
    assert settings["CONCURRENT_REQUESTS"] == 8 and settings["AUTOTHROTTLE_TARGET_CONCURRENCY"] == 2.0
    alone = for_config(config, list(config.units), db_path="g.db", run_id=1)
    assert alone["DOWNLOAD_SLOTS"]["a.gov.cn"] == {"delay": 1.0, "concurrency": 4, "jitter": 0.5}


def test_a_shared_host_gets_its_share_of_the_detail_budget(tmp_path: Path):
    config = config_of(units_on("a.gov.cn", 2, "a"), "{per_site_concurrency: 2, detail_budget_per_site: 10}")
    db = open_db(tmp_path / "g.db")
    url = "http://a.gov.cn/a0/tzgg/"
    record_discovery(db, "a0", [("通知公告", url)])
    listed = [ListItem(f"通知{n}", f"{url}t2026110{n % 9 + 1}_{n}.html", "2026-11-01") for n in range(20)]
    now = datetime(2026, 11, 27, 9, tzinfo=ZoneInfo("Asia/Shanghai"))
    jobs = {}
    for split in (None, {"a.gov.cn": 2}):
        planner = DetailPlanner(db, config, list(config.units), now=now, split=split)
        jobs[bool(split)] = planner.plan("a0", column_id("a0", url), report=False, listed=listed).jobs
    assert len(jobs[False]) == 10 and len(jobs[True]) == 5


def test_two_workers_crawl_the_demo_county_as_one(tmp_path: Path):
    county = generate_county(date(2026, 11, 26))
    with DemoServer(county, slow_seconds=3) as server:
        config_path = tmp_path / "config.yaml"
        text = demo_config_yaml(server.base_url, database=str(tmp_path / "g.db"), slow_timeout=1, county=county)
        config_path.write_text(text.replace("per_site_concurrency: 8", "per_site_concurrency: 8\n  workers: 2"),
                               encoding="utf-8")
        config = load_config(config_path)
        assert config.crawl.workers == 2
        db = open_db(tmp_path / "g.db")
        events: list[dict] = []
        summary = crawl(config, db, tmp_path / "g.db", on_progress=events.append)
        requested = [r.path for r in server.requests]
    assert summary.status == "partial" and summary.units_done == summary.units_total == len(county.units)
    assert events[-1]["event"] == "done" and events[-1]["units_done"] == len(county.units)
    done = [e["units_done"] for e in events]
    assert done == sorted(done) and all(e["units_total"] == len(county.units) for e in events)
    assert summary.pages == db.execute("SELECT COUNT(*) FROM fetches WHERE run_id = ?", [summary.run_id]).fetchone()[0]
    assert requested.count("/robots.txt") == 2          # one per worker
    retried = {path for path, e in county.expected.items() if e.kind in ("flaky_503", "http_500", "slow_timeout")}
    twice = {p for p in requested if p != "/robots.txt" and requested.count(p) > 1}
    assert twice and twice <= retried                   # no page was read by both workers
    reached = db.execute("SELECT COUNT(*) FROM columns WHERE last_run = ?", [summary.run_id]).fetchone()[0]
    assert reached >= 90
