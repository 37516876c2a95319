"""Annual report (政府信息公开工作年度报告) parser and checks, as a pure library.

Entry points: `parse_report` (bytes + content type → `ParsedReport`), `check_report`,
`check_presence`; the click group lives in `monitor.reports.cli:report`.
"""
from monitor.reports.checks import check_presence, check_report
from monitor.reports.deadlines import deadline_for
from monitor.reports.model import ParsedReport
from monitor.reports.parse import UnreadableInput, parse_html, parse_report, parse_text
from monitor.reports.sources import extract_docx, extract_text_pdf

__all__ = [
    "ParsedReport", "UnreadableInput", "check_presence", "check_report", "deadline_for", "extract_docx",
    "extract_text_pdf", "parse_html", "parse_report", "parse_text",
]
