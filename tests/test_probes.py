"""W6 网站不可用: availability probes of the site pages and the county portal (`gongkai serve`'s
probe job), stored as observations, judged by a pure check over the last 7 days.

The job runs for real against real local servers (the demo county's portal, whose 财政局 site page
fails one request in ten; pytest-httpserver for slow answers and redirects); the past days are
today's real probes copied back with earlier timestamps, so the share is the server's own."""
from __future__ import annotations

import logging
import time
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Response

import monitor.jobs
from alerts.model import Month, build_bulletin
from alerts.render import markdown, render
from alerts.warnings import queue_daily_warnings
import monitor.probes
from monitor.checks.availability import check_availability, probe_targets
from monitor.config import county_today, load_config
from monitor.demo.config import demo_config_yaml
from monitor.demo.generator import UNSTABLE_SITE, generate_county
from monitor.demo.server import DemoServer
from monitor.evaluation import evaluate, run_check
from monitor.findings import query_findings
from monitor.lock import run_lock
from monitor.observations import Probe, probes_since, record_probe
from monitor.service import job_specs
from monitor.store import open_db, stamp

TODAY = date(2026, 11, 26)
CONFIG = """\
county: 衡山县
supervisor: {{name: 衡山县行政审批服务局, email: zwgk@example.gov.cn}}
database: gongkai.db
timezone: Asia/Shanghai
county_portal: {base}
units:
  - id: zf
    name: 衡山县人民政府
    type: government
    site: {base}zf/
  - id: xzspj
    name: 衡山县行政审批服务局
    site: {base}xzspj/
"""


def small_config(tmp_path: Path, base: str = "http://127.0.0.1:9/"):
    path = tmp_path / "config.yaml"
    path.write_text(CONFIG.format(base=base), encoding="utf-8")
    return path, load_config(path)


def probes_for(url: str, unit_id: str, day: date, count: int, failures: int = 0, outcome: str = "error") -> list[Probe]:
    """`count` probes spread over a local (Shanghai) day, the first `failures` of them failed."""
    start = datetime(day.year, day.month, day.day, tzinfo=timezone(timedelta(hours=8)))
    step = timedelta(days=1) / count
    return [Probe(url, unit_id, stamp(start + n * step), outcome if n < failures else "ok",
                  503 if n < failures and outcome == "error" else 200, 120, None) for n in range(count)]


def week(url: str, unit_id: str, per_day: int = 24, failures_per_day: int = 0, **kw) -> list[Probe]:
    return [p for n in range(1, 8) for p in probes_for(url, unit_id, TODAY - timedelta(days=n), per_day,
                                                          failures_per_day, **kw)]


# ------------------------------------------------------------------------------ the check (pure)

def test_a_site_failing_5_percent_of_its_probes_is_a_veto_and_below_that_passes(tmp_path):
    _, config = small_config(tmp_path)
    portal, zf, xz = "http://127.0.0.1:9/", "http://127.0.0.1:9/zf/", "http://127.0.0.1:9/xzspj/"
    probes = week(portal, "zf") + week(zf, "zf", failures_per_day=1) + week(xz, "xzspj", per_day=20,
                                                                            failures_per_day=1, outcome="slow")
    results = {r.subject["site"]: r for r in check_availability(config, probes, TODAY)}
    assert {url: r.status for url, r in results.items()} == {portal: "pass", zf: "pass", xz: "fail"}
    fail = results[xz]
    assert (fail.kind, fail.rule, fail.severity, fail.unit_id) == ("site_unavailable", "W6", "critical", "xzspj")
    assert (fail.evidence["probes"], fail.evidence["failures"], fail.evidence["slow"]) == (140, 7, 7)
    assert "140 次探测中 7 次" in fail.message and "5.0%" in fail.message and "单项否决" in fail.message
    assert results[zf].evidence["failures"] == 7            # 7 of 168: 4.2 %, under the limit
    assert results[portal].unit_id == "zf"                  # the portal answers to the county government


def test_too_few_probes_on_one_day_of_the_seven_is_not_assessable_never_pass_or_fail(tmp_path):
    _, config = small_config(tmp_path)
    zf = "http://127.0.0.1:9/zf/"
    # half of them failed, but one day of the seven has only 19 probes
    thin = [p for p in week(zf, "zf", failures_per_day=12) if local(p) != TODAY - timedelta(days=3)]
    thin += probes_for(zf, "zf", TODAY - timedelta(days=3), 19, 10)
    results = {r.subject["site"]: r for r in check_availability(config, thin, TODAY)}
    assert results[zf].status == "uncertain" and results[zf].severity == "info"
    assert "未能判定（探测次数不足）" in results[zf].message
    assert results[zf].evidence["short_days"] == [(TODAY - timedelta(days=3)).isoformat()]
    # a county run by cron alone has no probes at all: every probed URL is uncertain
    assert {r.status for r in check_availability(config, [], TODAY)} == {"uncertain"}
    assert len(check_availability(config, [], TODAY)) == 3


def test_probes_outside_the_seven_complete_days_are_not_counted(tmp_path):
    _, config = small_config(tmp_path)
    zf = "http://127.0.0.1:9/zf/"
    probes = week(zf, "zf") + probes_for(zf, "zf", TODAY, 30, 30) + probes_for(zf, "zf", TODAY - timedelta(days=8), 30, 30)
    result = next(r for r in check_availability(config, probes, TODAY) if r.subject["site"] == zf)
    assert result.status == "pass" and result.evidence["probes"] == 168


def local(p: Probe) -> date:
    return datetime.fromisoformat(p.probed_at).astimezone(timezone(timedelta(hours=8))).date()


# ------------------------------------------------------------------------------ the job, for real

@pytest.fixture
def no_delay(monkeypatch):
    monkeypatch.setattr(monitor.probes, "SAME_HOST_DELAY", 0.0)


def test_the_probe_job_against_the_demo_county_finds_its_flaky_site(tmp_path, no_delay):
    """20 real rounds today against the demo portal (one site page fails 1 request in 10), copied
    back over the 6 days before: evaluated tomorrow, that site fails W6 and the others pass."""
    today = county_today("Asia/Shanghai")
    county = generate_county(today)
    with DemoServer(county) as server:
        config_path = tmp_path / "config.yaml"
        config_path.write_text(demo_config_yaml(server.base_url, database=str(tmp_path / "demo.db"),
                                                county=county), encoding="utf-8")
        config = load_config(config_path)
        targets = probe_targets(config)
        for _ in range(20):
            monitor.jobs.probe(str(config_path), str(config.database_path))
        requests = server.requests
    agents = {r.headers.get("User-Agent") for r in requests}
    assert agents == {config.crawl.user_agent} and len(requests) == 20 * len(targets)
    assert not any(r.path.startswith("/robots.txt") for r in requests)
    db = open_db(config.database_path)
    today_rows = probes_since(db, "")
    assert len(today_rows) == 20 * len(targets)
    flaky = next(url for url, unit in targets.items() if unit.id == UNSTABLE_SITE)
    assert sorted(p.outcome for p in today_rows if p.url == flaky) == ["error"] * 2 + ["ok"] * 18
    assert {p.outcome for p in today_rows if p.url != flaky} == {"ok"}
    for back in range(1, 7):
        for p in today_rows:
            moved = datetime.fromisoformat(p.probed_at) - timedelta(days=back)
            record_probe(db, p._replace(probed_at=stamp(moved)))
    results, _ = evaluate(config, db, today + timedelta(days=1))
    w6 = {r.subject["site"]: r for r in results if r.kind == "site_unavailable"}
    assert set(w6) == set(targets)
    assert w6[flaky].status == "fail" and w6[flaky].evidence["failure_share"] == 0.1
    assert {r.status for url, r in w6.items() if url != flaky} == {"pass"}
    run_check(config, db, today + timedelta(days=1))           # the finding, and what it does to the unit
    found = [f for f in query_findings(db) if f.kind == "site_unavailable"]
    assert [(f.unit_id, f.result, f.veto) for f in found] == [(UNSTABLE_SITE, "fail", True)]
    # today, the 7th day back has no probes yet: nothing can be said about any site
    results, _ = evaluate(config, db, today)
    assert {r.status for r in results if r.kind == "site_unavailable"} == {"uncertain"}


def test_slow_answers_count_as_failures_and_the_hard_cap_ends_a_dripping_one(tmp_path, monkeypatch, no_delay):
    monkeypatch.setattr(monitor.probes, "SLOW_SECONDS", 0.5)
    monkeypatch.setattr(monitor.probes, "HARD_CAP_SECONDS", 1.5)
    with HTTPServer(host="127.0.0.1") as http:
        def slow(_request):
            time.sleep(0.8)
            return Response("<html>ok</html>")

        def drip(_request):
            def body():
                for _ in range(40):
                    time.sleep(0.1)
                    yield b"x" * 10
            return Response(body(), direct_passthrough=True)

        http.expect_request("/zf/").respond_with_handler(slow)
        http.expect_request("/xzspj/").respond_with_handler(drip)
        http.expect_request("/").respond_with_response(Response("gone", status=500))
        config_path, config = small_config(tmp_path, http.url_for("/"))
        start = time.monotonic()
        probes = {p.url: p for p in monitor.probes.probe_round(config)}
        assert time.monotonic() - start < 5
    late = probes[http.url_for("/zf/")]
    assert late.outcome == "slow" and "timed out" in late.error
    dripping = probes[http.url_for("/xzspj/")]            # every read within the socket timeout
    assert dripping.outcome == "slow" and "超过 1.5 秒未完成" in dripping.error and 1400 < dripping.elapsed_ms < 2500
    assert (probes[http.url_for("/")].outcome, probes[http.url_for("/")].http_status) == ("error", 500)


def test_a_redirect_off_the_county_hosts_is_not_followed_and_one_host_is_asked_politely(tmp_path, monkeypatch):
    monkeypatch.setattr(monitor.probes, "SAME_HOST_DELAY", 0.4)
    with HTTPServer(host="127.0.0.1") as http:
        elsewhere = http.url_for("/zf/").replace("127.0.0.1", "localhost")
        http.expect_request("/zf/").respond_with_response(Response("", status=302, headers={"Location": elsewhere}))
        http.expect_request("/xzspj/").respond_with_response(Response("", status=302, headers={"Location": "/xzspj/a.html"}))
        http.expect_request("/xzspj/a.html").respond_with_data("ok")
        http.expect_request("/").respond_with_data("ok")
        _, config = small_config(tmp_path, http.url_for("/"))
        start = time.monotonic()
        probes = {p.url: p for p in monitor.probes.probe_round(config)}
        assert time.monotonic() - start >= 0.8          # three URLs on one host: two pauses
        paths = [req.path for req, _ in http.log]
    assert probes[http.url_for("/zf/")].outcome == "error" and "县外主机 localhost" in probes[http.url_for("/zf/")].error
    assert probes[http.url_for("/xzspj/")].outcome == "ok"
    assert sorted(paths) == ["/", "/xzspj/", "/xzspj/a.html", "/zf/"]     # nothing sent to localhost


def test_a_probe_round_while_the_daily_run_holds_the_lock_is_skipped_and_logged(tmp_path, caplog, no_delay):
    caplog.set_level(logging.INFO)
    config_path, config = small_config(tmp_path)
    open_db(config.database_path).conn.close()
    with run_lock(config.database_path):
        monitor.jobs.probe(str(config_path), str(config.database_path))
    assert "probe round skipped (3 probes not stored): another gongkai run is in progress" in caplog.text
    assert probes_since(open_db(config.database_path), "") == []
    monitor.jobs.probe(str(config_path), str(config.database_path))       # nothing listens on port 9
    rows = probes_since(open_db(config.database_path), "")
    assert [p.outcome for p in rows] == ["error"] * 3 and "probe round: 3 sites, 3 failed" in caplog.text


def test_the_probe_job_runs_every_probe_minutes_in_serve(tmp_path):
    config_path, config = small_config(tmp_path)
    assert config.schedule.probe_minutes == 30
    config_path.write_text(config_path.read_text() + "schedule: {probe_minutes: 20}\n", encoding="utf-8")
    config = load_config(config_path)
    spec = next(s for s in job_specs(config, config_path, config.database_path) if s.id == "probe")
    now = datetime(2026, 11, 30, 12, 7, tzinfo=timezone.utc)
    first = spec.trigger.get_next_fire_time(None, now)
    assert (spec.func, first, spec.trigger.get_next_fire_time(first, first) - first) == \
        ("monitor.jobs:probe", datetime(2026, 11, 30, 12, 20, tzinfo=timezone.utc), timedelta(minutes=20))


# ------------------------------------------------------------------------------ in the bulletin

def bulletin_with(tmp_path, probes: list[Probe]):
    """The November bulletin of the small county after a check on TODAY over `probes`, with each
    unit's liaison (the warnings and the liaisons' messages read the same findings)."""
    config_path, _ = small_config(tmp_path)
    config_path.write_text(config_path.read_text(encoding="utf-8").replace(
        "    type: government\n", "    type: government\n    contact: {name: 王, email: zf@example.gov.cn}\n").replace(
        "    name: 衡山县行政审批服务局\n", "    name: 衡山县行政审批服务局\n    contact: {name: 李, email: x@example.gov.cn}\n"),
        encoding="utf-8")
    config = load_config(config_path)
    db = open_db(config.database_path)
    for p in probes:
        record_probe(db, p)
    run_check(config, db, TODAY)
    b = build_bulletin(config, db, Month.parse("2026-11"), TODAY)
    return config, db, b, render("bulletin", b=b)


def test_a_county_run_by_cron_alone_gets_one_availability_line_not_one_per_site(tmp_path):
    """Issue 11 item 3: no probes at all (no `gongkai serve`): the three sites are stored uncertain
    as before, and the bulletin says so once for the county — not among 未能检测, not to the
    liaisons, not in the early warnings."""
    config, db, b, body = bulletin_with(tmp_path, [])
    stored = [f for f in query_findings(db) if f.kind == "site_unavailable"]
    assert sorted((f.unit_id, f.result) for f in stored) == [("xzspj", "uncertain"), ("zf", "uncertain"),
                                                            ("zf", "uncertain")]
    line = "网站可用性：未能判定（仅 cron 运行，探测次数不足），3 个站点"
    for text in (body.text, body.html, markdown("bulletin", b=b, link=None)):     # and the chat-bot summary
        assert text.count(line) == 1 and text.count("探测次数不足") == 1
    assert not any(e.kind == "site_unavailable" for e in b.unassessed)
    assert not any(e.kind == "site_unavailable" for u in ("zf", "xzspj") for e in b.unit_entries(u)[1])
    assert len([f for f in b.findings if f.kind == "site_unavailable"]) == 3      # the CSV keeps every site
    assert queue_daily_warnings(config, db, TODAY) == 0


def test_with_serve_probes_the_bulletin_names_the_unavailable_site_and_no_shortfall(tmp_path):
    portal, zf, xz = "http://127.0.0.1:9/", "http://127.0.0.1:9/zf/", "http://127.0.0.1:9/xzspj/"
    _, _, b, body = bulletin_with(tmp_path, week(portal, "zf") + week(zf, "zf") + week(xz, "xzspj", failures_per_day=2))
    assert [(e.unit_id, e.kind) for e in b.violations if e.kind == "site_unavailable"] == [("xzspj", "site_unavailable")]
    assert b.availability is None
    for text in (body.text, body.html):
        assert "网站可用性" not in text and "探测次数不足" not in text and "网站不可用" in text


def test_sites_short_of_probes_beside_judged_ones_are_listed_once_together(tmp_path):
    portal, zf = "http://127.0.0.1:9/", "http://127.0.0.1:9/zf/"
    thin = [p for p in week(zf, "zf") if local(p) != TODAY - timedelta(days=2)]     # serve was down a day
    _, _, b, body = bulletin_with(tmp_path, week(portal, "zf") + thin)
    line = ("网站可用性：以下 2 个站点探测次数不足，未能判定（近 7 天每天少于 20 次）："
            "衡山县人民政府网站、衡山县行政审批服务局网站")
    for text in (body.text, body.html):
        assert text.count(line) == 1 and text.count("探测次数不足") == 1
    assert not any(e.kind == "site_unavailable" for e in b.unassessed + b.violations)
