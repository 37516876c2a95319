"""Detail pages in a real crawl (`python -m crawler.run` in a child process) against a small
portal served on loopback by the demo server (ETag/Last-Modified, 304, request log): annual
report pages and their attachments stored as document versions, item detail versions with
their metadata, the daily detail budget, a deleted item's 404 and a back-dated item."""
from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from monitor.demo.model import Page
from monitor.demo.server import DemoServer
from monitor.reports import UnreadableInput, parse_report
from tests.test_report_documents import minimal_pdf, report_lines
from tests.helpers import shift_store_back
from tests.report_support import DATA
from tests.test_spider import TODAY, crawl

REPORTS = "/xzspj/zfxxgknb/"
NOTICES = "/xzspj/tzgg/"
UNIT = "衡山县行政审批服务局"


@dataclass
class Portal:
    """The pages DemoServer serves (it only reads `pages`), edited between runs."""

    pages: dict[str, Page] = field(default_factory=dict)

    def put(self, path: str, text: str | bytes, content_type: str = "text/html; charset=utf-8") -> None:
        body = text.encode("utf-8") if isinstance(text, str) else text
        self.pages[path] = Page(body, content_type, modified=datetime.now(timezone.utc) - timedelta(minutes=5))


def list_page(items: list[tuple[str, str, date]], next_page: str | None = None) -> str:
    rows = "".join(f'<li><a href="{href}">{title}</a><span>{day:%Y-%m-%d}</span></li>' for title, href, day in items)
    pager = f'<div class="page"><a href="{next_page}">下一页</a></div>' if next_page else ""
    return f'<html><head><meta charset="utf-8"><title>列表</title></head><body><ul class="list">{rows}</ul>{pager}</body></html>'


def notice_page(title: str, day: date, written: date) -> str:
    return (f'<html><head><meta charset="utf-8"><title>{title}</title><meta name="ArticleTitle" content="{title}">'
            f'<meta name="PubDate" content="{day:%Y-%m-%d} 09:00"></head><body><div class="nav">首页 | 通知公告</div>'
            f'<table class="xxgk"><tr><td>索引号：</td><td>431423-01-{day:%Y}-0012</td><td>发布机构：</td><td>{UNIT}</td></tr>'
            f'<tr><td>成文日期：</td><td>{written:%Y-%m-%d}</td><td>发布日期：</td><td>{day:%Y-%m-%d}</td></tr>'
            f'<tr><td>文号：</td><td>衡审批发〔{day:%Y}〕12号</td><td></td><td></td></tr></table>'
            f'<h1>{title}</h1><div class="TRS_Editor"><p>{title}。</p><p>现将有关事项通知如下。</p></div>'
            f'<div class="footer">浏览次数：{day.day}</div></body></html>')


def report_page(year: int, attachments: str = "") -> str:
    return (f'<html><head><meta charset="utf-8"><title>{UNIT}{year}年政府信息公开工作年度报告</title></head><body>'
            f'<h1>{UNIT}{year}年政府信息公开工作年度报告</h1><div class="TRS_Editor"><p>本报告所列数据的统计期限自'
            f'{year}年1月1日起至{year}年12月31日止。</p>{attachments}</div></body></html>')


NOTICE_ITEMS = [(f"关于做好第{n}批政务公开工作的通知", f"./202611/t2026110{n}_10{n}.html", TODAY - timedelta(days=5 * n))
                for n in range(1, 4)]
BACKDATED = ("关于补发2026年度安全生产检查结果的通知", "./202611/t20261126_900.html", TODAY - timedelta(days=21))


def build_portal() -> Portal:
    """年报 column over three pages (the third must not be needed) and a 通知公告 column."""
    portal = Portal()
    reports = [(f"{UNIT}{y}年政府信息公开工作年度报告", f"./{y + 1}01/t{y + 1}0120_{y}.html", date(y + 1, 1, 20))
               for y in (2025, 2024, 2023)]
    old = [(f"{UNIT}2019年政府信息公开工作年度报告", "./202001/t20200115_2019.html", date(2020, 1, 15))]
    older = [(f"{UNIT}2018年政府信息公开工作年度报告", "./201901/t20190115_2018.html", date(2019, 1, 15))]
    portal.put(REPORTS, list_page(reports[:2], "index_1.html"))
    portal.put(REPORTS + "index_1.html", list_page(reports[2:] + old, "index_2.html"))
    portal.put(REPORTS + "index_2.html", list_page(older))
    links = ('<p>附件：<a href="/xzspj/files/nb2025.pdf">年度报告（PDF）</a> '
             '<a href="/xzspj/files/nb2025.doc">年度报告（Word）</a> <a href="http://elsewhere.example/x.pdf">外站</a></p>')
    portal.put(REPORTS + "202601/t20260120_2025.html", report_page(2025, links))
    portal.put(REPORTS + "202501/t20250120_2024.html", (DATA / "pingtan_2024.html").read_text(encoding="utf-8"))
    portal.put(REPORTS + "202401/t20240120_2023.html", report_page(2023))
    portal.put(REPORTS + "202001/t20200115_2019.html", report_page(2019))
    portal.put("/xzspj/files/nb2025.pdf", minimal_pdf(report_lines()), "application/pdf")
    portal.put("/xzspj/files/nb2025.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512, "application/octet-stream")
    portal.put(NOTICES, list_page(NOTICE_ITEMS))
    for title, href, day in NOTICE_ITEMS:
        portal.put(NOTICES + href[2:], notice_page(title, day, day - timedelta(days=10)))
    return portal


def config_text(base_url: str, db: Path, budget: int = 200) -> str:
    return f"""\
county: 衡山县
supervisor: {{name: {UNIT}, email: zwgk@example.gov.cn}}
database: {db}
timezone: Asia/Shanghai
crawl: {{delay_seconds: 0, per_site_concurrency: 4, timeout_seconds: 5, retries: 0, detail_budget_per_site: {budget}}}
units:
  - id: xzspj
    name: {UNIT}
    type: department
    discover: false
    columns:
      - {{name: 政府信息公开年报, url: {base_url}xzspj/zfxxgknb/, category: report}}
      - {{name: 通知公告, url: {base_url}xzspj/tzgg/, category: notice}}
"""


def rows(db: Path, sql: str, *params: object) -> list[dict]:
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    found = [dict(r) for r in conn.execute(sql, params)]
    conn.close()
    return found


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """Run 1 on the portal as built; then the 2024 report is edited, the second notice deleted
    (404) and a back-dated notice published; run 2."""
    tmp = tmp_path_factory.mktemp("details")
    db, portal = tmp / "store.db", build_portal()
    with DemoServer(portal) as server:   # type: ignore[arg-type]  # it reads only `pages`
        config = tmp / "config.yaml"
        config.write_text(config_text(server.base_url, db), encoding="utf-8")
        first = crawl(config, db, 1)
        first_requests = server.requests
        edited = (DATA / "pingtan_2024.html").read_text(encoding="utf-8").replace("一、总体情况", "一、总体情况（修订）", 1)
        portal.put(REPORTS + "202501/t20250120_2024.html", edited)
        deleted = NOTICE_ITEMS[1]
        del portal.pages[NOTICES + deleted[1][2:]]
        listed = [NOTICE_ITEMS[0], NOTICE_ITEMS[2], BACKDATED]
        portal.put(NOTICES, list_page(listed))
        portal.put(NOTICES + BACKDATED[1][2:], notice_page(BACKDATED[0], BACKDATED[2], BACKDATED[2]))
        server.clear_requests()
        second = crawl(config, db, 2)
        second_requests = server.requests
    for code, _, stderr in (first, second):
        assert code == 0, stderr[-2000:]
    return {"db": db, "base": server.base_url, "requests": (first_requests, second_requests), "deleted": deleted}


def url(runs: dict, column: str, href: str) -> str:
    return runs["base"].rstrip("/") + column + href.removeprefix("./")


def test_report_pages_and_attachments_are_stored_and_parsed(runs):
    docs = rows(runs["db"], "SELECT url, year, published, content_type, raw, etag, last_modified FROM documents")
    by_url = {d["url"].split("/xzspj/", 1)[1]: d for d in docs}
    # every report listed on the pages read is kept, 2019 too (paging stops at three report years)
    assert {d["year"] for d in docs} == {2019, 2023, 2024, 2025}
    page = by_url["zfxxgknb/202601/t20260120_2025.html"]
    assert page["published"] == "2026-01-20" and page["etag"] and page["last_modified"]
    pdf = by_url["files/nb2025.pdf"]
    assert pdf["year"] == 2025 and pdf["content_type"] == "application/pdf"
    assert parse_report(pdf["raw"], pdf["content_type"]).table3.readable
    doc = by_url["files/nb2025.doc"]
    assert doc["content_type"] == "application/msword"
    with pytest.raises(UnreadableInput):                                          # kept, not parsed
        parse_report(doc["raw"], doc["content_type"])
    assert not any("elsewhere" in d["url"] for d in docs)
    report = by_url["zfxxgknb/202501/t20250120_2024.html"]
    assert parse_report(report["raw"], report["content_type"]).table3.readable
    purposes = {f["url"].rsplit("/", 1)[1]: f["purpose"] for f in rows(runs["db"], "SELECT * FROM fetches WHERE run_id = 1")}
    assert purposes["nb2025.pdf"] == purposes["nb2025.doc"] == "attachment"
    assert purposes["t20260120_2025.html"] == "report"


def test_report_column_is_read_back_only_past_three_report_years(runs):
    paths = [r.path for r in runs["requests"][0] if r.method == "GET"]   # a HEAD checks a link (W12), reads nothing
    assert REPORTS + "index_1.html" in paths and REPORTS + "index_2.html" not in paths


def test_second_crawl_costs_304s_and_keeps_an_edited_report_as_a_new_version(runs):
    fetches = rows(runs["db"], "SELECT url, purpose, outcome, http_status FROM fetches WHERE run_id = 2 "
                               "AND purpose IN ('report', 'attachment')")
    outcome = {f["url"].rsplit("/", 1)[1]: f["outcome"] for f in fetches}
    assert outcome["t20260120_2025.html"] == outcome["t20240120_2023.html"] == "not_modified"
    assert outcome["nb2025.pdf"] == outcome["nb2025.doc"] == "not_modified"    # stored attachments re-checked
    assert outcome["t20250120_2024.html"] == "ok"
    versions = rows(runs["db"], "SELECT url, COUNT(*) AS n FROM documents GROUP BY url")
    count = {v["url"].rsplit("/", 1)[1]: v["n"] for v in versions}
    assert count["t20250120_2024.html"] == 2
    assert all(n == 1 for name, n in count.items() if name != "t20250120_2024.html")
    sent = [r for r in runs["requests"][1] if r.path.endswith("t20260120_2025.html")]
    assert sent and "If-None-Match" in sent[0].headers and sent[0].status == 304


def test_new_items_get_a_detail_version_with_metadata(runs):
    title, href, day = NOTICE_ITEMS[0]
    (version,) = rows(runs["db"], "SELECT * FROM item_versions WHERE url = ?", url(runs, NOTICES, href))
    assert version["title"] == title
    assert version["pub_date"] == day.isoformat()
    assert version["written_date"] == (day - timedelta(days=10)).isoformat()
    assert version["publisher"] == UNIT and version["index_no"] == "431423-01-2026-0012"
    assert version["doc_no"] == "衡审批发〔2026〕12号"
    assert "现将有关事项通知如下" in version["text"] and "浏览次数" not in version["text"]
    (item,) = rows(runs["db"], "SELECT * FROM items WHERE url = ?", url(runs, NOTICES, href))
    assert item["detail_status"] == 200 and item["detail_fetched_at"]
    # fetched once: run 2 is the same day, and an item read today is not re-read today
    fetched = rows(runs["db"], "SELECT run_id FROM fetches WHERE url = ? AND purpose = 'detail'",
                   url(runs, NOTICES, href))
    assert [f["run_id"] for f in fetched] == [1]


def test_deleted_item_is_marked_and_its_404_recorded(runs):
    gone = url(runs, NOTICES, runs["deleted"][1])
    (item,) = rows(runs["db"], "SELECT * FROM items WHERE url = ?", gone)
    assert item["left_list_at"] and item["detail_status"] == 404
    fetched = rows(runs["db"], "SELECT run_id, http_status FROM fetches WHERE url = ? AND purpose = 'detail'", gone)
    assert fetched == [{"run_id": 1, "http_status": 200}, {"run_id": 2, "http_status": 404}]
    # the oldest notice is still listed: nothing else left the list
    assert len(rows(runs["db"], "SELECT 1 FROM items WHERE left_list_at IS NOT NULL")) == 1


def test_backdated_item_appears_with_its_first_seen(runs):
    title, href, day = BACKDATED
    (item,) = rows(runs["db"], "SELECT * FROM items WHERE url = ?", url(runs, NOTICES, href))
    assert item["first_run"] == 2 and item["date"] == day.isoformat()
    assert item["first_seen"][:10] >= TODAY.isoformat() > item["date"]
    (version,) = rows(runs["db"], "SELECT pub_date FROM item_versions WHERE url = ?", url(runs, NOTICES, href))
    assert version["pub_date"] == day.isoformat()


def test_daily_budget_per_site_holds_and_rereads_rotate(tmp_path):
    db, portal = tmp_path / "store.db", build_portal()
    with DemoServer(portal) as server:   # type: ignore[arg-type]
        config = tmp_path / "config.yaml"
        config.write_text(config_text(server.base_url, db, budget=2), encoding="utf-8")
        for run_id in (1, 2):
            code, _, stderr = crawl(config, db, run_id)
            assert code == 0, stderr[-2000:]
        details = rows(db, "SELECT run_id, url FROM fetches WHERE purpose = 'detail'")
        assert len(details) == 2 and {d["run_id"] for d in details} == {1}
        # the budget is shared by the site's columns; within the notices the newest come first
        notices = [url({"base": server.base_url}, NOTICES, href) for _, href, _ in NOTICE_ITEMS]
        fetched = [u for u in notices if u in {d["url"] for d in details}]
        assert fetched == notices[:len(fetched)]
        # reports are outside the budget
        assert len(rows(db, "SELECT 1 FROM fetches WHERE purpose = 'report' AND run_id = 1")) == 4   # the four listed reports (2019, 2023–2025)
        # a day later: re-reads of recent items take the budget the last run's new items leave
        # (none were new in run 2), never-read items first
        shift_store_back(db, days=1)
        code, _, stderr = crawl(config, db, 3)
        assert code == 0, stderr[-2000:]
    reread = {r["url"] for r in rows(db, "SELECT url FROM fetches WHERE purpose = 'detail' AND run_id = 3")}
    assert len(reread) == 2 and set(notices) - {d["url"] for d in details} <= reread
