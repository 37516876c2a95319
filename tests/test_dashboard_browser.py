"""The dashboard in a real headless Chromium over HTTP on 127.0.0.1 (waitress, as in production).

Needs Debian's chromium and a CJK font: `apt-get install -y chromium fonts-wqy-microhei`.
Screenshots go to $GONGKAI_SCREENSHOTS when set (for looking at the pages by eye).
"""
from __future__ import annotations

import csv
import io
import json
import os
import threading
from pathlib import Path

import pytest

from tests.test_dashboard import HOSTILE, OVERDUE_ORDER, build_store

CHROMIUM = Path("/usr/bin/chromium")
pytestmark = pytest.mark.skipif(not CHROMIUM.exists(),
                                reason="needs /usr/bin/chromium (apt-get install -y chromium fonts-wqy-microhei)")
SHOTS = os.environ.get("GONGKAI_SCREENSHOTS")


@pytest.fixture(scope="module")
def base_url(tmp_path_factory):
    from monitor.web.serve import dashboard_url, make_server, serve_until

    server = make_server(build_store(tmp_path_factory.mktemp("browser") / "gongkai.db"), "127.0.0.1", 0)
    stop = threading.Event()
    thread = threading.Thread(target=serve_until, args=(server, stop.is_set), daemon=True)
    thread.start()
    yield dashboard_url(server).rstrip("/")
    stop.set()
    thread.join(5)
    server.close()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--disable-sync"])
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1360, "height": 900}, locale="zh-CN", accept_downloads=True)
    page = context.new_page()
    page.dialogs: list[str] = []
    page.on("dialog", lambda d: (page.dialogs.append(d.message), d.dismiss()))
    yield page
    context.close()


def shot(page, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)


def column_names(page, section: str = "#main-list") -> list[str]:
    return page.locator(f"{section} tbody tr td.col").all_inner_texts()


def test_overdue_list_in_order_with_warnings_and_unreachable_apart(page, base_url):
    page.goto(base_url + "/")
    assert page.title() == "超期栏目 · 政务公开监测"
    assert column_names(page) == OVERDUE_ORDER
    assert page.locator("#main-list td.days").all_inner_texts() == ["86", "45", "23", "—"]
    assert column_names(page, "#due_soon") == ["人事信息"]
    assert column_names(page, "#unreachable") == ["政策解读"]
    shot(page, "overdue")


def test_filters_work_by_submitting_the_form(page, base_url):
    page.goto(base_url + "/")
    page.select_option("select[name=unit]", "xzspj")
    page.select_option("select[name=category]", "notice")
    page.click("button[type=submit]")
    assert "unit=xzspj" in page.url and "category=notice" in page.url
    assert column_names(page) == ["通知公告"]
    page.select_option("select[name=category]", "")
    page.select_option("select[name=kind]", "column_blank")
    page.click("button[type=submit]")
    assert column_names(page) == ["规划计划"]
    page.click("text=清除")
    assert column_names(page) == OVERDUE_ORDER


def test_hostile_title_renders_as_text_and_runs_no_script(page, base_url):
    page.goto(base_url + "/?unit=jyj")
    page.click("#main-list tbody tr >> text=栏目超期未更新")     # the finding page, with the evidence
    page.goto(base_url + "/unit/jyj")
    cell = page.locator("#columns tbody tr td.col").first
    assert cell.inner_text().startswith(HOSTILE)
    assert page.locator("img").count() == 0 and page.locator("main script").count() == 0
    assert page.evaluate("document.scripts.length") == 0
    assert page.dialogs == []
    shot(page, "unit")


def test_csv_export_agrees_with_json(page, base_url):
    page.goto(base_url + "/")
    with page.expect_download() as csv_download:
        page.click("text=CSV")
    with page.expect_download() as json_download:
        page.click(".exports >> text=JSON")
    csv_text = Path(csv_download.value.path()).read_text(encoding="utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(csv_text)))
    findings = json.loads(Path(json_download.value.path()).read_text(encoding="utf-8"))
    assert csv_download.value.suggested_filename == "gongkai-findings.csv"
    assert [r["id"] for r in rows] == [f["id"] for f in findings] and len(rows) > 5
    assert [r["message"] for r in rows] == [f["message"] for f in findings]


def test_other_pages_render_in_chinese(page, base_url):
    for path, heading, name in (("/reports", "政府信息公开工作年度报告", "reports"), ("/trend", "未整改问题趋势", "trend"),
                                ("/runs", "运行记录", "runs"), ("/report/1", "衡山县行政审批服务局2025年政府信息公开工作年度报告", "report")):
        page.goto(base_url + path)
        assert page.locator("h1").inner_text().startswith(heading)
        shot(page, name)
    page.goto(base_url + "/reports")
    page.click("table.matrix a.rel")
    assert page.locator("tr#v1 td").all_inner_texts()[:2] == ["K3", "表三"]
    shot(page, "finding")


PHONE = 390     # an iPhone 12–15 in portrait, CSS pixels


@pytest.fixture
def phone(browser):
    context = browser.new_context(viewport={"width": PHONE, "height": 844}, device_scale_factor=2, is_mobile=True,
                                  has_touch=True, locale="zh-CN")
    page = context.new_page()
    yield page
    context.close()


LINES_OF = """el => { const r = document.createRange(); r.selectNodeContents(el);
                      return new Set([...r.getClientRects()].map(b => Math.round(b.top))).size; }"""


@pytest.mark.parametrize("path", ["/", "/unit/jyj", "/unit/xzspj"])
def test_pages_messages_link_to_read_on_a_phone_without_sideways_scrolling(phone, base_url, path):
    """Webhook notices link to the overdue list and unit pages, which are opened on phones."""
    phone.goto(base_url + path)
    for link in phone.locator("header.top a").all():     # each nav label on one line, not one character per line
        assert link.evaluate(LINES_OF) == 1, link.inner_text()
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE
    for cell in phone.locator("main td").all():           # every cell of every table inside the screen
        box = cell.bounding_box()
        assert box is None or box["x"] + box["width"] <= PHONE + 0.5, cell.inner_text()
    shot(phone, f"phone-{path.strip('/').replace('/', '-') or 'overdue'}")


def test_overdue_rows_are_cards_with_their_labels_on_a_phone(phone, base_url):
    phone.goto(base_url + "/")
    days = phone.locator("#main-list td.days").first
    assert days.is_visible() and days.bounding_box()["x"] + days.bounding_box()["width"] <= PHONE
    # the header row is hidden; each value says what it is
    assert not phone.locator("#main-list thead").is_visible()
    label = days.evaluate("el => getComputedStyle(el, '::before').content")
    assert "超期天数" in label
