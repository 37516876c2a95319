"""Annual reports as counties publish them (issue 12): real WPS-made PDFs of 洪泽区 2023/2024 and faithful
rebuilds of them (a DOCX, an image-only scan, blanked or damaged tables), see data/reports/pdf/SOURCES.md."""
from __future__ import annotations

import copy
import io
import json
from functools import lru_cache

import docx
import pypdfium2
from click.testing import CliRunner

from monitor.reports import ParsedReport, extract_text_pdf, parse_report
from monitor.reports.cli import report as report_cli
from monitor.reports.labels import T3_ORDER
from monitor.reports.model import Cell, Row
from monitor.reports.narrative import narrative_numbers, normalise
from monitor.reports.parse import from_document, group_tables
from monitor.reports.sources import Extracted, from_extracted
from monitor.reports.tables import classify, is_text_box
from monitor.reports.text import parse_number
from tests.report_support import DATA, one, run

PDF = DATA / "pdf"
DAMAGED = "2.其他法律行政止公开"          # 法规禁 missing in the published 表三 of both years


@lru_cache
def raw(year: int) -> bytes:
    return (PDF / f"hongze_{year}.pdf").read_bytes()


@lru_cache
def extracted(year: int) -> Extracted:
    return extract_text_pdf(raw(year))


def parsed(year: int) -> ParsedReport:
    return parse_report(raw(year), "application/pdf")


def rebuilt(year: int, edit) -> ParsedReport:
    """The real extraction with `edit(tables)` applied: a faithful rebuild of one defect."""
    source = copy.deepcopy(extracted(year))
    edit(source.tables)
    return from_document(from_extracted(source, "pdf"))


def cells(table: list[list[str]]) -> list[Row]:
    return [[Cell(text, i) for i, text in enumerate(row)] for row in table]


def tables_of(tables: list[list[list[str]]], kind: str) -> list[list[list[str]]]:
    """The source tables of one official table (continuations follow their first part)."""
    found, current = [], None
    for table in tables:
        if is_text_box(cells(table)):
            continue
        current = classify(cells(table)) or current
        if current == kind:
            found.append(table)
    return found


def blank_values(tables: list[list[list[str]]], kind: str) -> None:
    for table in tables_of(tables, kind):
        for row in table:
            row[:] = ["" if parse_number(cell).value is not None else cell for cell in row]


# ---------------------------------------------------------------- 1. damaged row label
def test_misspelt_row_is_matched_by_its_number_in_the_group() -> None:
    for year in (2023, 2024):
        report = parsed(year)
        assert report.table3.readable, report.table3.problems
        assert report.table3.by_position == {"r_deny_law": DAMAGED}
        assert report.table3.rows["r_deny_law"] == ["0"] * 7
        arithmetic = one(run(report), "report_inconsistent", "arithmetic")
        assert arithmetic.evidence["matched_by_position"] == [
            {"row": "（三）2.其他法律行政法规禁止公开", "label": DAMAGED}]
        assert arithmetic.evidence["rules"] == ["K1", "K2", "K3", "K4", "K5", "K6"]
    assert one(run(parsed(2024)), "report_inconsistent", "arithmetic").status == "pass"


def _relabel(old: str, new: str):
    def edit(tables):
        for table in tables:
            for row in table:
                row[:] = [new if cell == old else cell for cell in row]
    return edit


def test_position_is_used_only_when_unambiguous() -> None:
    # a number beyond the group's 8 rows, or a row that is already there: not guessed, the table stays unreadable
    beyond = rebuilt(2024, _relabel(DAMAGED, "9.其他法律行政止公开"))
    assert not beyond.table3.readable and "9.其他法律行政止公开" in beyond.table3.extra_rows
    assert "缺少行：（三）2.其他法律行政法规禁止公开" in beyond.table3.problems
    taken = rebuilt(2024, _relabel(DAMAGED, "1.其他法律行政止公开"))
    assert not taken.table3.readable and taken.table3.rows["r_deny_secret"] == ["0"] * 7
    assert one(run(taken), "report_inconsistent", "表三无法读取").status == "uncertain"


def docx_from(source: Extracted) -> bytes:
    """A DOCX holding the real report's paragraphs and tables (cells as extracted, no merges)."""
    document = docx.Document()
    for line in source.text.splitlines():
        document.add_paragraph(line)
    for table in source.tables:
        out = document.add_table(rows=len(table), cols=max(len(row) for row in table))
        for r, row in enumerate(table):
            for c, cell in enumerate(row):
                out.cell(r, c).text = cell
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def test_docx_with_the_misspelt_row() -> None:
    report = parse_report(docx_from(extracted(2024)), name="hongze_2024.docx")
    assert report.source == "docx" and report.table3.readable
    assert report.table3.by_position == {"r_deny_law": DAMAGED}
    assert report.table3.rows == parsed(2024).table3.rows and report.table4.cells == parsed(2024).table4.cells


# ---------------------------------------------------------------- 2. narrative numbers in PDF text
def test_pdf_narrative_statements_are_read_across_line_breaks() -> None:
    stated = parsed(2024).narrative
    assert [(n.key, n.value) for n in stated] == [("received", 17)]
    assert stated[0].sentence == "2024年，区政府办代表区政府受理政府信息公开申请17件，均已在法定期限内予以答复"
    assert stated[0].raw.startswith("2024 年，区政府办代表区政府受理政府\n信息公开申请 17 件")
    k11 = one(run(parsed(2024)), "K11")
    assert k11.status == "warning" and "正文 17，表格 95" in k11.message
    assert k11.evidence["mismatches"][0]["raw"] == stated[0].raw          # evidence quotes the PDF as extracted
    k11 = one(run(parsed(2023)), "K11")                                  # "受理政府信息公开申请 21 件" = 21
    assert k11.status == "pass" and k11.evidence["statements"] == 1


def test_normalise_joins_wrapped_lines_only_in_pdf_text() -> None:
    text = "全年共收到申请 12 件，已全部答\n- 3 -\n复 12 件。\n二、主动公开政府信息情况"
    joined, offsets = normalise(text, wrapped=True)
    assert joined == "全年共收到申请12件，已全部答复12件。\n二、主动公开政府信息情况"
    assert text[offsets[joined.index("复")]] == "复"
    assert [(n.key, n.value) for n in narrative_numbers(text, wrapped=True)] == [("received", 12), ("answered", 12)]
    # HTML paragraphs are sentences already: a line break there is not joined
    assert [n.key for n in narrative_numbers(text, wrapped=False)] == ["received"]


# ---------------------------------------------------------------- 3. text boxes are not table rows
def test_text_boxes_do_not_join_the_table_before_them() -> None:
    source = extracted(2023)
    boxes = [t for t in source.tables if is_text_box(cells(t))]
    assert [len(t) for t in boxes] == [22, 9, 3]    # the WPS text boxes: 一、 opening, 五、 and its next page
    grouped = group_tables(from_extracted(source, "pdf"))
    assert len(grouped["四"]) == 4                  # 表四's own rows, not the 五、 text after it
    assert not is_text_box(cells([["第二十条第（八）项", ""]]))     # a 表二 heading cut off by a page break

    def footer_in_box(tables):                      # the box after 表四 also holds the page footer
        box = tables[tables.index(tables_of(tables, "四")[-1]) + 1]
        box.append(["- 4 -"])
    report = rebuilt(2023, footer_in_box)
    assert report.table4.readable and report.table4.cells == parsed(2023).table4.cells


# ---------------------------------------------------------------- 4. a table with no figures is 未填报
def test_blank_tables_are_not_reported_never_a_pass() -> None:
    filled = one(run(parsed(2024)), "A4")
    assert filled.status == "pass" and filled.evidence["blank_tables"] == []

    results = run(rebuilt(2024, lambda tables: blank_values(tables, "三")))
    a4 = one(results, "A4")
    assert (a4.status, a4.message, a4.evidence["blank_tables"]) == ("warning", "表三未填报（表中没有任何数字）", ["表三"])
    arithmetic = one(results, "report_inconsistent", "arithmetic")          # 表四 alone: its rules, no 表三 pass
    assert arithmetic.rule == "K4" and arithmetic.evidence["rules"] == ["K4", "K5", "K6"]
    assert "表三" not in arithmetic.message
    assert one(results, "K11").status == "uncertain"              # 17 is not compared with a blank table

    no_t4 = rebuilt(2024, lambda tables: blank_values(tables, "四"))
    assert no_t4.table4.readable and no_t4.table4.cells == [""] * 15    # read, not "未找到表四数据行"
    results = run(no_t4)
    assert one(results, "A4").evidence["blank_tables"] == ["表四"] and one(results, "A4").status == "warning"
    assert one(results, "report_inconsistent", "arithmetic").evidence["rules"] == ["K1", "K2", "K3"]

    def all_three(tables):
        for kind in "二三四":
            blank_values(tables, kind)
    results = run(rebuilt(2024, all_three))
    assert not [r for r in results if r.kind == "report_inconsistent"]          # nothing checked, nothing passed
    a4 = one(results, "A4")
    assert a4.evidence["blank_tables"] == ["表二", "表三", "表四"] and "表二未填报" in a4.message


# ---------------------------------------------------------------- 5. each result names what it checked
def test_results_name_the_relations_they_checked() -> None:
    def flatten_t3(tables):                         # a flattened 表三 row, as text extraction often gives it
        row = next(r for t in tables_of(tables, "三") for r in t if r[0].startswith("一、本年新收"))
        row[3:] = ["950000095"]
    report = rebuilt(2024, flatten_t3)
    results = run(report)
    unread = one(results, "report_inconsistent", "表三无法读取")
    assert unread.status == "uncertain" and unread.evidence["rules"] == ["K1", "K2", "K3"]
    arithmetic = one(results, "report_inconsistent", "arithmetic")
    assert arithmetic.status == "pass" and arithmetic.rule == "K4"
    assert arithmetic.evidence["rules"] == ["K4", "K5", "K6"] and arithmetic.evidence["checked"] == 3
    assert "表四" in arithmetic.message and "表三" not in arithmetic.message and "K4、K5、K6" in arithmetic.message


# ---------------------------------------------------------------- 6. mixed formats
def test_2021_table2_with_2019_table3_is_read_with_the_2019_rows() -> None:
    report = parsed(2023)
    assert (report.table2.format, report.table3.format, report.format) == ("2021", "2019", "2019")
    assert set(report.table3.rows) == set(T3_ORDER["2019"])
    results = run(report, year=2023)
    a3 = one(results, "A3")
    assert a3.status == "fail" and "表三" in a3.message and a3.evidence["tables"] == {"表二": "2021", "表三": "2019"}
    arithmetic = one(results, "report_inconsistent", "arithmetic")
    # every 2019 relation of 表三 holds; the published 表四 leaves two 总计 cells at 0 (a real error)
    assert arithmetic.status == "fail" and arithmetic.rule == "K4"
    assert arithmetic.evidence["checked"] == 7 + 7 + len(T3_ORDER["2019"]) + 3
    assert {(v["row"], v["expected"], v["found"]) for v in arithmetic.evidence["violations"]} == {
        ("行政复议", 11, 0), ("复议后起诉", 5, 0)}


# ---------------------------------------------------------------- scanned
def scanned_pdf(data: bytes) -> bytes:
    """The real report rendered page by page to images and wrapped in a PDF: no text layer, as a scan."""
    document = pypdfium2.PdfDocument(data)
    pages = [document[i].render(scale=1).to_pil().convert("L") for i in range(len(document))]
    out = io.BytesIO()
    pages[0].save(out, "PDF", save_all=True, append_images=pages[1:], resolution=72)
    return out.getvalue()


def test_scanned_pdf_is_uncertain_never_a_number(tmp_path) -> None:
    data = scanned_pdf(raw(2023))
    report = parse_report(data, "application/pdf")
    assert report.unreadable == "扫描件，无法提取文字"
    assert not report.table3.rows and not report.table4.cells and not report.narrative
    results = run(report, year=2023)
    assert {r.rule for r in results} == {"A16", "K12", "A3", "A4", "K1", "K10", "K11"}
    assert all(r.status == "uncertain" and r.message == "扫描件，无法提取文字" for r in results)
    path = tmp_path / "scan.pdf"
    path.write_bytes(data)
    cli = CliRunner().invoke(report_cli, ["check", str(path), "--format", "json"])
    assert cli.exit_code == 0, cli.output
    assert {r["status"] for r in json.loads(cli.output)["results"]} == {"uncertain"}
    assert parsed(2023).unreadable is None and not extracted(2023).scanned      # text PDFs are not scans
