"""The demo county's annual reports: pages parse into exactly the generated tables, and the report
checks reach the scenario truths (on time, late, missing, outdated, K1, blank 总计, PDF, seed)."""
from __future__ import annotations

from datetime import date

import pytest

from monitor.checks.report_columns import ColumnItem, UnitColumn, check_report_columns
from monitor.checks.reports import ListedReport, ReportDocument, ReportListing, check_unit_reports
from monitor.config import parse_config
from monitor.demo import html
from monitor.demo.config import demo_config_yaml
from monitor.demo.generator import generate_county
from monitor.reports import parse_report
from monitor.reports.years import report_year

TODAY = date(2026, 11, 26)


@pytest.fixture(scope="module")
def county():
    return generate_county(TODAY)


@pytest.fixture(scope="module")
def config(county):
    return parse_config(demo_config_yaml("http://127.0.0.1:9/", county=county))


def _document(county, path: str):
    """The report as the crawler would store it: the page, or the PDF it links to (when served: the
    broken-attachment scenario links one that is not)."""
    page = county.pages[path]
    if b".pdf" in page.body:
        pdf = next((p for p in county.pages if p.startswith(path.rsplit("/", 1)[0]) and p.endswith(".pdf")), None)
        page = county.pages[pdf] if pdf else page
    return parse_report(page.body, page.content_type, name=path)


def test_report_pages_parse_into_the_generated_tables(county):
    assert county.reports
    for path, data in county.reports.items():
        parsed = _document(county, path)
        expected = {row: [str(v) for v in cells + [sum(cells)]] for row, cells in data.t3.items()}
        if data.blank_totals:
            expected = {r: c if r in ("new", "carried_in", "total", "carried_out") else c[:6] + [""]
                        for r, c in expected.items()}
        assert parsed.table3.rows == expected, path
        assert parsed.table4.cells == [str(v) for v in data.t4], path
        assert parsed.format == data.format and parsed.year == data.year and len(parsed.sections) == 6, path


def test_scenario_table(county):
    cases = {(u, y): t.case for (u, y), t in county.expected_reports.items() if t.case != "on_time"}
    assert cases == {("bgz", 2024): "late", ("fgj", 2024): "late", ("jyj", 2025): "missing",
                     ("czj", 2025): "outdated", ("rsj", 2025): "k1", ("zjj", 2025): "blank_totals",
                     ("wjj", 2025): "pdf", ("xzspj", 2020): "seed"}
    bgz = county.columns["/bgz/col/col4007/index.html"] if "/bgz/col/col4007/index.html" in county.columns else \
        next(c for c in county.columns.values() if c.unit_id == "bgz" and c.category == "report")
    assert any(i.date == date(2025, 2, 25) for i in bgz.items)      # after the township deadline 02-20
    seed = county.pages[county.expected_reports[("xzspj", 2020)].url_path]
    assert seed.content_type.startswith("text/plain") and "衡山县行政审批服务局2020年" in seed.body.decode()
    assert b"%PDF-1.4" in next(p.body for k, p in county.pages.items() if k.endswith(".pdf"))


def test_report_checks_reach_the_truths(county, config):
    by_unit: dict[str, list] = {}
    for col in county.columns.values():
        if col.category == "report" and col.status != "unreachable":
            by_unit[col.unit_id] = [(item, html.article_path(col, item)) for item in col.items]
    for unit in config.units:
        listed = by_unit.get(unit.id, [])
        listing = ReportListing(True, True, [ListedReport(i.title, p, i.date) for i, p in listed])
        documents = {report_year(i.title): ReportDocument(report_year(i.title), p, _document(county, p))
                     for i, p in listed}
        results = check_unit_reports(unit, listing, documents, config, TODAY)
        columns = [UnitColumn(c.name, c.path, c.status != "unreachable",
                              [ColumnItem(i.title, html.article_path(c, i), i.date, i.doc_no) for i in c.items])
                   for c in county.columns.values() if c.unit_id == unit.id]
        results += check_report_columns(unit, documents, columns)
        years = {y for (u, y) in county.expected_reports if u == unit.id}
        for year in years:
            found = {r.kind: r.status for r in results if r.subject.get("year") == year
                     and r.status not in ("pass", "not_applicable")}
            assert found == county.expected_reports[(unit.id, year)].findings, (unit.id, year, found)


def test_reports_are_dated_relative_to_today():
    january = generate_county(date(2027, 1, 10))
    newest = {u: max(y for (uu, y) in january.expected_reports if uu == u) for (u, _) in january.expected_reports}
    assert newest["kyz"] == 2025        # the 2026 reports are not out yet on 01-10
    assert january.expected_reports[("jyj", 2025)].findings == {"report_missing": "fail"}
