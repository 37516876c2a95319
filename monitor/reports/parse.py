"""Parse a report from bytes (HTML, corpus text, PDF, DOCX) into a `ParsedReport`."""
from __future__ import annotations

import hashlib
from functools import cache
from importlib import metadata
from pathlib import Path

from monitor import charset
from monitor.reports.labels import PRE2019_MARKERS
from monitor.reports.limits import DEFAULT_LIMITS, DocumentTooLarge, Limits, megabytes
from monitor.reports.model import ParsedReport, Row, Table2, Table3, Table4
from monitor.reports.narrative import (
    find_sections, narrative_numbers, opening_year, period_year, section_text, title_year,
)
from monitor.reports.sources import (
    Document, extract_docx, extract_text_pdf, from_extracted, plain_rows, read_html, read_text,
)
from monitor.reports.tables import build_table2, build_table3, build_table4, classify, is_text_box

SCANNED = "扫描件，无法提取文字"
_NEXT_SECTION = {"二": "三", "三": "四", "四": "五"}
_READER_LIBRARIES = ("pdfplumber", "pdfminer.six", "python-docx", "lxml", "w3lib")


class UnreadableInput(ValueError):
    """The bytes are not a readable PDF/DOCX (corrupt or truncated file)."""


def parse_report(data: bytes, content_type: str | None = None, *, name: str = "",
                 limits: Limits = DEFAULT_LIMITS) -> ParsedReport:
    """Dispatch on content type, else the file name, else magic bytes; raises `UnreadableInput`,
    or `DocumentTooLarge` for a document over one of `limits`."""
    if len(data) > limits.document_bytes:
        raise DocumentTooLarge("document_bytes", f"文件超过上限 {megabytes(limits.document_bytes)}")
    kind = (content_type or "").lower()
    lower = name.lower()
    sniff = not kind and not lower.endswith((".html", ".htm", ".txt"))
    binary = None
    if "pdf" in kind or lower.endswith(".pdf") or (sniff and data[:5] == b"%PDF-"):
        binary = ("pdf", extract_text_pdf)
    elif "word" in kind or "officedocument" in kind or lower.endswith(".docx") or (sniff and data[:2] == b"PK"):
        binary = ("docx", extract_docx)
    if binary:
        try:
            extracted = binary[1](data, limits)
        except DocumentTooLarge:
            raise
        except Exception as error:  # noqa: BLE001 — pdfminer/zipfile raise many unrelated types
            raise UnreadableInput(f"{binary[0]}: {type(error).__name__}: {error}") from error
        return from_document(from_extracted(extracted, binary[0]))
    source = charset.decode_html(data, content_type)[1]
    if "html" in kind or ("text/plain" not in kind
                          and (lower.endswith((".html", ".htm")) or source.lstrip().startswith("<"))):
        return parse_html(source)
    return parse_text(source)


@cache
def parser_version() -> str:
    """What a stored parse result is valid for: a digest of this package's source, of the decoder's
    and of the versions of the libraries that read the files, so any change to how a report is read
    makes cached results stale (parser fixes still apply to history) without anyone bumping a number."""
    digest = hashlib.sha256()
    for path in [*sorted(Path(__file__).parent.glob("*.py")), Path(charset.__file__)]:
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    for library in _READER_LIBRARIES:
        try:
            digest.update(f"{library}=={metadata.version(library)}".encode())
        except metadata.PackageNotFoundError:
            continue
    return digest.hexdigest()[:16]


def parse_html(source: str) -> ParsedReport:
    return from_document(read_html(source))


def parse_text(source: str) -> ParsedReport:
    return from_document(read_text(source))


def group_tables(doc: Document) -> dict[str, list[Row]]:
    """Source tables per official table; an unrecognised table continues the previous one (page breaks),
    except text boxes, which are text."""
    grouped: dict[str, list[Row]] = {key: list(rows) for key, rows in doc.labelled.items()}
    previous: str | None = None
    for table in doc.tables:
        if is_text_box(table):
            continue
        kind = classify(table) or previous
        if kind and kind not in doc.labelled:
            grouped.setdefault(kind, []).extend(table)
        previous = kind
    return grouped


def from_document(doc: Document) -> ParsedReport:
    sections = find_sections(doc.text)
    grouped = group_tables(doc)
    for key in ("二", "三", "四"):       # plain text (PDF without ruled tables): label/number runs
        if key not in grouped and key in sections:
            region = section_text(doc.text, sections, key)
            rows = plain_rows(region[len(sections[key][1]):])
            if rows:
                grouped[key] = rows
    table2 = build_table2(grouped["二"]) if "二" in grouped else Table2(problems=["未找到表二"])
    table3 = build_table3(grouped["三"]) if "三" in grouped else Table3(problems=["未找到表三"])
    table4 = build_table4(grouped["四"]) if "四" in grouped else Table4(problems=["未找到表四"])
    overview = section_text(doc.text, sections, "一") or doc.text[:sections["二"][0] if "二" in sections else None]
    report = ParsedReport(
        source=doc.kind,
        title=doc.title,
        year_title=title_year(doc.title) or title_year(doc.text[:300]),
        year_period=period_year(doc.text),
        year_opening=opening_year(section_text(doc.text, sections, "一")),
        published=doc.published,
        sections={key: heading for key, (_, heading) in sections.items()},
        table2=table2,
        table3=table3,
        table4=table4,
        narrative=narrative_numbers(overview, wrapped=doc.kind == "pdf"),
        text=doc.text,
    )
    report.format = _format(report)
    if doc.scanned:
        report.unreadable = SCANNED
    return report


def _format(report: ParsedReport) -> str:
    formats = {report.table3.format, report.table2.format} - {None}
    if "2019" in formats:
        return "2019"
    if "2021" in formats:
        return "2021"
    if any(marker in report.text for marker in PRE2019_MARKERS):
        return "pre2019"
    return "unknown"
