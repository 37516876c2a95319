"""W1 through a real crawl: the county portal's home page (on a host of its own, which joins the
county's allowed hosts) and a unit's site page are requested, their newest dated item stored, and a
portal that stops answering leaves W1 `uncertain` with the last read kept."""
from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from pytest_httpserver import HTTPServer

from monitor.config import load_config
from monitor.evaluation import evaluate
from monitor.observations import home_pages, sync_units
from monitor.store import open_db
from tests.test_faults_network import HTML, config_yaml, county_host, other_host, rows  # noqa: F401 - fixtures
from tests.test_spider import TODAY, crawl


def news(days_ago: list[int]) -> str:
    rows_ = "".join(f"<li><a href='/xw/t{n}.html'>县政府召开第{n}次常务会议</a><span>"
                    f"{(TODAY - timedelta(days=n)).isoformat()}</span></li>" for n in days_ago)
    return f"<html><body><h2>要闻</h2><ul>{rows_}</ul></body></html>"


def site_page() -> str:
    return ("<html><body><ul class='nav'><li><a href='/a/zn/'>政府信息公开指南</a></li>"
            "<li><a href='/a/gzdt/'>工作动态</a></li></ul>"
            f"<ul><li><a href='/a/gzdt/t1.html'>我局开展安全生产检查</a>{(TODAY - timedelta(days=3)).isoformat()}</li>"
            "</ul></body></html>")


def w1(results, url: str):
    (result,) = [r for r in results if r.kind == "site_home_stale" and r.subject["site"] == url]
    return result


def test_portal_and_site_pages_are_read_and_judged(county_host: HTTPServer, other_host: HTTPServer,
                                                    tmp_path: Path):
    base, portal = county_host.url_for("").rstrip("/"), other_host.url_for("/")
    county_host.no_handler_status_code = other_host.no_handler_status_code = 404
    county_host.expect_request("/a/").respond_with_data(site_page(), content_type=HTML)
    other_host.expect_request("/").respond_with_data(news([30, 16, 40]), content_type=HTML)
    db, config_path = tmp_path / "store.db", tmp_path / "config.yaml"
    units = f"  - id: a\n    name: 单位a\n    type: government\n    site: {base}/a/\n"
    config_path.write_text(f"county_portal: {portal}\n" + config_yaml(db, units), encoding="utf-8")
    code, _, stderr = crawl(config_path, db, 1)
    assert code == 0, stderr[-2000:]
    config = load_config(config_path)
    store = open_db(db)
    stored = home_pages(store, [portal, f"{base}/a/"])
    assert stored[portal].newest_date == (TODAY - timedelta(days=16)).isoformat()
    assert stored[f"{base}/a/"].newest_date == (TODAY - timedelta(days=3)).isoformat()
    assert rows(db, "SELECT unit_id, outcome FROM fetches WHERE purpose = 'home'") == [{"unit_id": "a", "outcome": "ok"}]
    sync_units(store, config.units)
    results, _ = evaluate(config, store, TODAY)
    assert w1(results, portal).status == "fail" and w1(results, portal).evidence["days_since_update"] == 16
    assert w1(results, f"{base}/a/").status == "pass"

    other_host.clear()
    other_host.no_handler_status_code = 404
    other_host.expect_request("/").respond_with_data("busy", status=503)
    code, _, stderr = crawl(config_path, db, 2)
    assert code == 0, stderr[-2000:]
    state = home_pages(store, [portal])[portal]
    assert state.outcome == "http_error" and state.http_status == 503
    assert state.newest_date == (TODAY - timedelta(days=16)).isoformat()        # the last read is kept
    results, _ = evaluate(config, store, TODAY)
    assert w1(results, portal).status == "uncertain" and "HTTP 503" in w1(results, portal).message
