"""PDF and DOCX round trips: documents generated in the test, parsed back through `parse_report`."""
from __future__ import annotations

import codecs
import io

import docx
import pytest

from monitor.demo.pdf import minimal_pdf
from monitor.reports import extract_docx, extract_text_pdf, parse_report
from monitor.reports.model import T3_COLUMNS
from tests.report_support import DATA, load, one, run

REPORT = load("pingtan_2021.txt")


def report_lines() -> list[str]:
    """A plain-text rendering of pingtan_2021: headings, table rows as 'label v1 v2 …'."""
    lines = ["平潭综合实验区2021年度政府信息公开工作年度报告",
             "本报告所列数据的统计期限自2021年1月1日起至2021年12月31日止。",
             "一、总体情况", "2021年，本年度全区共收到70件申请，及时依法依规办结69件，1件结转下年度继续办理。",
             "二、主动公开政府信息情况", "三、收到和处理政府信息公开申请情况",
             "申请人情况 " + " ".join(T3_COLUMNS)]
    for row, cells in REPORT.table3.rows.items():
        lines.append(f"{REPORT.table3.labels[row].replace('/', '')} {' '.join(cells)}")
    lines += ["四、政府信息公开行政复议、行政诉讼情况", "行政复议 行政诉讼 结果维持 结果纠正 其他结果 尚未审结 总计",
              " ".join(REPORT.table4.cells), "五、存在的主要问题及改进情况", "无。", "六、其他需要报告的事项", "无。"]
    return lines


def test_pdf_round_trip_plain_text_tables() -> None:
    data = minimal_pdf(report_lines())
    assert "本年新收" in extract_text_pdf(data).text
    parsed = parse_report(data, "application/pdf")
    assert parsed.source == "pdf" and parsed.year == 2021 and parsed.format == "2021"
    assert parsed.table3.readable and parsed.table3.rows == REPORT.table3.rows
    assert parsed.table4.cells == REPORT.table4.cells
    results = run(parsed)
    assert one(results, "report_inconsistent", "arithmetic").status == "pass"
    assert one(results, "K11").status == "pass"


def test_pdf_with_flattened_rows_is_uncertain() -> None:
    lines = [line if not line.startswith("一、本年新收") else "一、本年新收政府信息公开申请数量 640020470"
             for line in report_lines()]
    parsed = parse_report(minimal_pdf(lines), "application/pdf")
    assert not parsed.table3.readable
    assert one(run(parsed), "report_inconsistent", "表三无法读取").status == "uncertain"


def make_docx() -> bytes:
    document = docx.Document()
    document.add_paragraph("平潭综合实验区2021年度政府信息公开工作年度报告")
    document.add_paragraph("本报告所列数据的统计期限自2021年1月1日起至2021年12月31日止。")
    for heading in ("一、总体情况", "二、主动公开政府信息情况", "三、收到和处理政府信息公开申请情况"):
        document.add_paragraph(heading)
    rows = list(REPORT.table3.rows.items())
    table = document.add_table(rows=len(rows) + 2, cols=10)
    table.cell(0, 0).merge(table.cell(1, 2)).text = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
    table.cell(0, 3).merge(table.cell(0, 9)).text = "申请人情况"
    for c, name in enumerate(T3_COLUMNS):
        table.cell(1, c + 3).text = name
    for r, (row, cells) in enumerate(rows, 2):
        label = REPORT.table3.labels[row].split("/")
        table.cell(r, 0).merge(table.cell(r, 2)).text = label[-1]
        for c, value in enumerate(cells):
            table.cell(r, c + 3).text = value
    document.add_paragraph("四、政府信息公开行政复议、行政诉讼情况")
    t4 = document.add_table(rows=2, cols=15)
    for c, value in enumerate(REPORT.table4.cells):
        t4.cell(0, c).text = "结果维持" if c == 0 else "总计"
        t4.cell(1, c).text = value
    for heading in ("五、存在的主要问题及改进情况", "六、其他需要报告的事项"):
        document.add_paragraph(heading)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def test_docx_round_trip_with_merged_cells() -> None:
    data = make_docx()
    extracted = extract_docx(data)
    assert len(extracted.tables) == 2 and len(extracted.tables[0][2]) == 8      # merged label kept once
    parsed = parse_report(data, "application/vnd.openxmlformats-officedocument.wordprocessingml.document")
    assert parsed.source == "docx" and parsed.year == 2021
    assert parsed.table3.rows == REPORT.table3.rows and parsed.table4.cells == REPORT.table4.cells
    assert set(parsed.sections) == {"一", "二", "三", "四", "五", "六"}


@pytest.mark.parametrize("name", ["pingtan_2024.html", "pingtan_2021.txt", "shanghai_szfbgt_2019.html"])
@pytest.mark.parametrize("encode", [
    lambda text: codecs.BOM_UTF8 + text.encode("utf-8"),   # UTF-8 with a byte-order mark
    lambda text: text.encode("gb18030"),                   # GBK/GB18030, declared nowhere
], ids=["utf8-bom", "gb18030"])
def test_corpus_reports_read_alike_in_every_encoding(name, encode) -> None:
    """A stored report file without a content type or a name (sniffed): the byte-order mark goes,
    undeclared GBK reads as GB18030, and the report parses as its UTF-8 original."""
    text = (DATA / name).read_text(encoding="utf-8").replace('charset="utf-8"', "")
    parsed, original = parse_report(encode(text)), load(name)
    assert (parsed.format, parsed.title, parsed.year) == (original.format, original.title, original.year)
    assert parsed.table3.rows == original.table3.rows and parsed.table4.cells == original.table4.cells


def test_deeply_nested_report_keeps_its_tables() -> None:
    """300 unclosed <div>s around the body (a CMS template loop): libxml2's default depth limit
    (255) dropped every table and section, and A4 failed a complete report."""
    html = (DATA / "pingtan_2024.html").read_text(encoding="utf-8").replace("<body", "<div>" * 300 + "<body", 1)
    parsed, original = parse_report(html.encode(), "text/html"), load("pingtan_2024.html")
    assert parsed.table3.rows == original.table3.rows and parsed.sections == original.sections


def test_gb18030_html_bytes() -> None:
    html = (DATA / "pingtan_2024.html").read_text(encoding="utf-8").replace('charset="utf-8"', 'charset="gbk"')
    parsed = parse_report(html.encode("gb18030"), "text/html")
    assert parsed.table3.rows == load("pingtan_2024.html").table3.rows
