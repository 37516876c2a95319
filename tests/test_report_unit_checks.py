"""Unit-level annual-report checks over the store: A1/A2 from the report column listing (with
the "can we see far enough back" rule), content checks on stored real reports, and reconciliation."""
from datetime import date
from pathlib import Path

from monitor.checks.reports import ListedReport, ReportListing, check_unit_reports
from monitor.evaluation import evaluate, run_check
from monitor.findings import query_findings
from monitor.observations import ListItem, column_id, record_discovery, record_list
from monitor.report_inputs import load_report_documents
from monitor.report_store import record_document
from monitor.reports.years import report_year
from monitor.store import open_db
from tests.helpers import make_config

DATA = Path(__file__).parent / "data" / "reports"
CONFIG = make_config()
UNIT = CONFIG.units[0]       # a department: reports due 01-31
NB_URL = "http://127.0.0.1:9/xzspj/zfxxgknb/"


def listing(*items: tuple[str, str | None], reachable: bool = True) -> ReportListing:
    return ReportListing(found=True, reachable=reachable, items=[
        ListedReport(t, f"{NB_URL}{i}.html", date.fromisoformat(d) if d else None) for i, (t, d) in enumerate(items)])


def by_year(results, kind):
    return {r.subject["year"]: r for r in results if r.kind == kind}


def test_report_titles():
    assert report_year("衡山县行政审批服务局2025年政府信息公开工作年度报告") == 2025
    assert report_year("2024年度长江镇政府信息公开年报") == 2024
    assert report_year("关于做好2025年度政府信息公开工作年度报告编制发布工作的通知") is None
    assert report_year("2025年工作动态") is None


def test_presence_on_time_late_missing_and_not_yet_due():
    today = date(2026, 1, 20)     # 2025 report not yet due (01-31)
    lst = listing(("xzspj2024年政府信息公开工作年度报告", "2025-01-20"),
                  ("xzspj2023年政府信息公开工作年度报告", "2024-02-03"))
    results = check_unit_reports(UNIT, lst, {}, CONFIG, today)
    missing, late = by_year(results, "report_missing"), by_year(results, "report_late")
    assert missing[2025].status == "not_applicable" and 2025 not in late
    assert (missing[2024].status, late[2024].status) == ("pass", "pass")
    assert late[2023].status == "fail" and late[2023].evidence["days_late"] == 3
    assert missing[2023].status == "pass"
    after = by_year(check_unit_reports(UNIT, lst, {}, CONFIG, date(2026, 2, 1)), "report_missing")
    assert after[2025].status == "fail" and after[2025].severity == "critical"


def test_missing_when_the_listing_reaches_back_past_the_year():
    lst = listing(("xzspj2025年政府信息公开工作年度报告", "2026-01-10"), ("某通知", "2024-06-01"))
    missing = by_year(check_unit_reports(UNIT, lst, {}, CONFIG, date(2026, 6, 1)), "report_missing")
    assert missing[2025].status == "pass"
    assert missing[2024].status == "fail"          # listing reaches 2024-06, before 2025-01-01
    assert missing[2023].status == "uncertain"   # a 2023 report (early 2024) would sit further back


def test_missing_is_uncertain_when_the_listing_does_not_reach_back():
    lst = listing(("xzspj2025年政府信息公开工作年度报告", "2026-01-10"))   # one page, newest only
    missing = by_year(check_unit_reports(UNIT, lst, {}, CONFIG, date(2026, 6, 1)), "report_missing")
    assert missing[2025].status == "pass"
    assert missing[2024].status == "uncertain" and missing[2023].status == "uncertain"


def test_unreachable_or_absent_report_column_is_uncertain_once():
    for lst in (ReportListing(), listing(reachable=False)):
        missing = by_year(check_unit_reports(UNIT, lst, {}, CONFIG, date(2026, 6, 1)), "report_missing")
        assert [(y, r.status) for y, r in missing.items()] == [(2025, "uncertain")]   # the latest year due
        before_deadline = by_year(check_unit_reports(UNIT, lst, {}, CONFIG, date(2026, 1, 10)), "report_missing")
        assert [(y, r.status) for y, r in before_deadline.items()] == [(2024, "uncertain")]


def test_empty_report_column_is_evidence_of_absence():
    missing = by_year(check_unit_reports(UNIT, listing(), {}, CONFIG, date(2026, 6, 1)), "report_missing")
    assert {r.status for r in missing.values()} == {"fail"}


def test_township_deadline_comes_from_config():
    config = make_config(units="""units:
  - {id: cjz, name: 长江镇人民政府, type: township, site: "http://127.0.0.1:9/cjz/"}
rules:
  report_deadlines: {township: "02-20"}
""")
    lst = listing(("长江镇2025年政府信息公开年报", "2026-02-21"), ("长江镇2024年政府信息公开年报", "2025-02-20"))
    late = by_year(check_unit_reports(config.units[0], lst, {}, config, date(2026, 3, 1)), "report_late")
    assert late[2025].status == "fail" and late[2024].status == "pass"


def _store_with_reports(tmp_path: Path, files: dict[int, str], today_items: list[tuple[str, str]]):
    db = open_db(tmp_path / "g.db")
    config = make_config(units="""units:
  - id: pt
    name: 平潭综合实验区
    type: government
    site: http://127.0.0.1:9/pt/
""")
    cid = column_id("pt", NB_URL)
    record_discovery(db, "pt", [("政府信息公开年报", NB_URL)])
    items = [ListItem(title, f"{NB_URL}{n}.html", day) for n, (title, day) in enumerate(today_items)]
    record_list(db, run_id=1, column_id=cid, items=items, pages_seen=1, http_status=200, etag=None,
                last_modified=None, body_hash=None)
    for year, name in files.items():
        raw = (DATA / name).read_bytes()
        record_document(db, unit_id="pt", column_id=cid, url=f"{NB_URL}{year}.html", title=None, year=year,
                        published=None, content_type="text/html" if name.endswith("html") else "text/plain", raw=raw)
    return config, db


def test_real_reports_in_the_store_are_checked(tmp_path: Path):
    config, db = _store_with_reports(
        tmp_path, {2021: "pingtan_2021.txt", 2022: "pingtan_2022.txt"},
        [("平潭综合实验区2022年度政府信息公开工作年度报告", "2023-02-20"),
         ("平潭综合实验区2021年度政府信息公开工作年度报告", "2022-02-08")])
    summary = run_check(config, db, date(2023, 6, 1))
    findings = query_findings(db)
    kinds = {(f.kind, f.year) for f in findings if f.year is not None}
    assert ("report_inconsistent", 2022) not in kinds and ("report_inconsistent", 2021) not in kinds
    assert ("report_carryover_mismatch", 2022) not in kinds      # 平潭 2021→2022 carry-over holds
    assert ("report_missing", 2020) in {(f.kind, f.year) for f in findings if f.result == "uncertain"}
    assert summary.reconcile.open_total == len(findings)
    # versions are kept once per content
    assert not record_document(db, unit_id="pt", column_id=None, url=f"{NB_URL}2021.html", title=None, year=2021,
                               published=None, content_type="text/plain",
                               raw=(DATA / "pingtan_2021.txt").read_bytes())
    assert db["documents"].count == 2


def test_a_pages_version_is_its_main_text(tmp_path: Path):
    """A view counter or sidebar change is not a new version of a report page; a text change is."""
    db = open_db(tmp_path / "v.db")
    page = "<html><body><p>浏览次数：{views}</p><div>{text}</div></body></html>"

    def keep(views: int, text: str) -> bool:
        return record_document(db, unit_id="pt", column_id=None, url=f"{NB_URL}2024.html", title=None, year=2024,
                               published=None, content_type="text/html",
                               raw=page.format(views=views, text=text).encode(), main_text=text)

    assert keep(1, "表三 合计 12") and not keep(2, "表三 合计 12") and keep(3, "表三 合计 13")
    assert db["documents"].count == 2


def test_blank_totals_of_a_real_report_become_a_low_finding(tmp_path: Path):
    config, db = _store_with_reports(
        tmp_path, {2019: "shanghai_szfbgt_2019.html"},
        [("上海市人民政府办公厅2019年政府信息公开工作年度报告", "2020-01-31")])
    run_check(config, db, date(2020, 6, 1))
    findings = [f for f in query_findings(db) if f.kind == "report_inconsistent"]
    assert findings and all(f.severity == "low" and f.result == "warning" for f in findings)
    assert len(findings[0].violations) == 12
    docs = load_report_documents(db, ["pt"])
    assert docs["pt"][2019].report.table3.readable


def test_a_report_column_that_left_the_navigation_is_not_found_and_says_so(tmp_path: Path):
    """The report column is gone from the navigation: one column_removed, and the report checks say
    the column was not found (uncertain), never that a report is missing."""
    config, db = _store_with_reports(tmp_path, {}, [("平潭综合实验区2022年度政府信息公开工作年度报告", "2023-02-20")])
    record_discovery(db, "pt", [])
    results, _ = evaluate(config, db, date(2024, 6, 1))
    removed = [r for r in results if r.kind == "column_removed"]
    missing = [r for r in results if r.kind == "report_missing" and r.subject["year"] == 2023]
    assert [r.status for r in removed] == ["warning"]
    assert [r.status for r in missing] == ["uncertain"] and "未找到年报栏目" in missing[0].message
