"""W12 broken links (issue 11 item 6): links the crawl follows on the county's hosts that answer
404/410 or whose host does not resolve, named with the page they are on and their text."""
from __future__ import annotations

from pathlib import Path

import pytest

from monitor.checks.links import LinkFetch, check_links
from monitor.config import load_config
from monitor.demo.server import DemoServer
from monitor.link_inputs import load_broken_links
from monitor.store import open_db
from tests.helpers import make_config
from tests.test_spider import crawl
from tests.test_spider_details import REPORTS, build_portal, config_text, report_page

BROKEN = ('<p>附件：<a href="/xzspj/files/nb2025.pdf">年度报告（PDF）</a> <a href="/xzspj/files/gone.pdf">统计表 （PDF）</a></p>'
          '<p>相关链接：<a href="/xzspj/jd2025.html">年度报告解读</a></p>')
PAGE = REPORTS + "202601/t20260120_2025.html"


def results(config: Path, db: Path) -> dict[str, object]:
    store = open_db(db)
    try:
        found = check_links(load_config(config), load_broken_links(store, ["xzspj"]))
    finally:
        store.close()
    return {r.subject["url"].rsplit("/", 2)[-2] + "/" + r.subject["url"].rsplit("/", 1)[-1]: r for r in found}


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """Run 1: the 2025 report links a missing attachment and a configured column answers 404.
    Run 2: the report page no longer links it; the column is back."""
    tmp = tmp_path_factory.mktemp("links")
    db, portal, config = tmp / "store.db", build_portal(), tmp / "config.yaml"
    portal.put(PAGE, report_page(2025, BROKEN))
    with DemoServer(portal) as server:   # type: ignore[arg-type]  # it reads only `pages`
        config.write_text(config_text(server.base_url, db) +
                          f"      - {{name: 政策文件, url: {server.base_url}xzspj/zcwj/, category: policy}}\n",
                          encoding="utf-8")
        first = crawl(config, db, 1)
        after_first = results(config, db)
        portal.put(PAGE, report_page(2025, BROKEN.replace("gone.pdf", "nb2025.pdf")))
        portal.put("/xzspj/zcwj/", "<html><body><ul><li><a href='a.html'>关于印发的通知</a>"
                                   "<span>2026-11-20</span></li></ul></body></html>")
        second = crawl(config, db, 2)
        after_second = results(config, db)
    for code, _, stderr in (first, second):
        assert code == 0, stderr[-2000:]
    return after_first, after_second, server.base_url


def test_broken_attachment_names_its_page_and_text(runs):
    first, _, base = runs
    gone = first["files/gone.pdf"]
    assert (gone.kind, gone.rule, gone.status, gone.severity) == ("link_broken", "W12", "fail", "low")
    assert gone.evidence["page"] == base.rstrip("/") + PAGE and gone.evidence["text"] == "统计表 （PDF）"
    assert gone.evidence["http_status"] == 404 and "统计表" in gone.message and "HTTP 404" in gone.message
    assert "files/nb2025.pdf" not in first          # a link that answered is no finding


def test_a_dead_link_on_a_report_page_names_the_page(runs):
    first, _, base = runs
    dead = first["xzspj/jd2025.html"]
    assert dead.status == "fail" and dead.evidence["purpose"] == "link" and dead.evidence["text"] == "年度报告解读"
    assert dead.evidence["page"] == base.rstrip("/") + PAGE


def test_broken_column_link_names_the_column(runs):
    first, _, _ = runs
    column = first["zcwj/"]
    assert column.status == "fail" and column.evidence["text"] == "政策文件" and column.evidence["purpose"] == "list"


def test_link_gone_from_its_page_or_answering_again_passes(runs):
    _, second, _ = runs
    assert second["files/gone.pdf"].status == "pass" and "不在" in second["files/gone.pdf"].message
    assert second["zcwj/"].status == "pass"


def fetch(outcome: str, status: int | None = None, error: str | None = None, page_read_at: str | None = None):
    return LinkFetch("xzspj", "http://h/x.pdf", "attachment", outcome, status, error, "2026-11-26T01:00:00",
                     "http://h/nb.html", "附件", page_read_at)


@pytest.mark.parametrize(("link", "status"), [
    (fetch("http_error", 410), "fail"),
    (fetch("network_error", None, "DNSLookupError: no such host"), "fail"),
    (fetch("http_error", 404), "fail"),                                        # page not read since: still linked
    (fetch("http_error", 404, page_read_at="2026-11-26T01:00:00"), "pass"),   # read since, not followed: gone
    (fetch("network_error", None, "TimeoutError: took too long"), "uncertain"),
    (fetch("http_error", 503), "uncertain"),
    (fetch("ok", 200), "pass"),
])
def test_statuses(link, status):
    [result] = check_links(make_config(), [link])
    assert result.status == status


def test_units_outside_the_config_are_skipped():
    assert check_links(make_config(), [LinkFetch("other", "u", "list", "http_error", 404, None, "t", None, None,
                                                 None)]) == []
