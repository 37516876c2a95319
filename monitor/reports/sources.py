"""Turn each input format into one `Document`: narrative text plus tables as rows of cells.

HTML keeps colspans as grid positions (rowspan cells are not repeated: labels carry over through
the row matcher's group state instead). Text inputs use ` | ` rows (corpus transcriptions,
`[表三]…[/表三]`) or, for PDF text without tables, `plain_rows` splits label/number runs.
"""
from __future__ import annotations

import io
import re
import zipfile
import zlib
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Iterator

from lxml import etree
from lxml import html as lxml_html

from monitor.reports.limits import DEFAULT_LIMITS, MB, Deadline, DocumentTooLarge, Limits, megabytes
from monitor.reports.model import Cell, Row
from monitor.reports.text import collapse_spaces, squash
from monitor.scraped import clean_markup, clean_text

Table = list[Row]
_BLOCK_TAGS = ("p", "div", "br", "tr", "li", "h1", "h2", "h3", "h4", "h5", "h6", "title", "table")
_MARKED_TABLE_RE = re.compile(r"\[表([二三四])\](.*?)\[/表\1\]", re.S)
_APPENDIX_RE = re.compile(r"^=+\s*附[：:].*", re.M | re.S)
_DATE_RE = re.compile(r"(?:发布日期|发布时间|PubDate|时间)\s*[：:]?\s*(\d{4})[-年/.](\d{1,2})[-月/.](\d{1,2})")


@dataclass(slots=True)
class Document:
    kind: str
    text: str
    tables: list[Table] = field(default_factory=list)
    title: str | None = None
    published: date | None = None
    labelled: dict[str, Table] = field(default_factory=dict)   # "二"/"三"/"四" when the source says
    scanned: bool = False                                       # pages are images: no text to read


def find_published(text: str) -> date | None:
    match = _DATE_RE.search(text)
    if not match:
        return None
    try:
        return date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError:
        return None


# ---------------------------------------------------------------- HTML
def _cell_text(element) -> str:
    parts = [element.text or ""]
    for child in element.iterdescendants():
        parts.append(child.text or "")
        parts.append(child.tail or "")
    return collapse_spaces("".join(parts))


def _html_table(table) -> Table:
    rows: Table = []
    occupied: dict[int, set[int]] = {}
    for r, tr in enumerate(table.iter("tr")):
        row: Row = []
        col = 0
        taken = occupied.get(r, set())
        for td in tr:
            if td.tag not in ("td", "th"):
                continue
            while col in taken:
                col += 1
            span = _int_attr(td, "colspan")
            for extra in range(1, _int_attr(td, "rowspan")):
                occupied.setdefault(r + extra, set()).update(range(col, col + span))
            row.append(Cell(_cell_text(td), col, span))
            col += span
        rows.append(row)
    return rows


def _int_attr(td, name: str) -> int:
    try:
        return max(1, min(int(td.get(name, "1")), 100))
    except ValueError:
        return 1


def read_html(source: str) -> Document:
    try:
        # huge_tree, as in crawler.pages.html.parse_page: a report nested deeper than 255
        # elements would otherwise lose its tables silently (a parser per call: the dashboard's threads)
        root = lxml_html.fromstring(clean_markup(source), parser=lxml_html.HTMLParser(huge_tree=True))
    except (etree.ParserError, ValueError):       # empty or only a comment/doctype
        root = lxml_html.fromstring("<html><body></body></html>")
    for bad in root.xpath("//script|//style|//comment()"):
        if bad.getparent() is not None:
            bad.drop_tree()
    tables = [_html_table(t) for t in root.iter("table") if not list(t.iterancestors("table"))]
    titles = root.xpath("//meta[@name='ArticleTitle']/@content") + root.xpath("//title/text()")
    meta_date = root.xpath("//meta[@name='PubDate']/@content")
    for table in root.xpath("//table"):
        if not list(table.iterancestors("table")):
            table.drop_tree()
    for element in root.iter(*_BLOCK_TAGS):
        element.tail = "\n" + (element.tail or "")
    text = "\n".join(collapse_spaces(line) for line in root.text_content().splitlines())
    text = re.sub(r"\n+", "\n", text).strip()
    title = collapse_spaces(titles[0]).split("_")[0] if titles else None
    published = find_published("PubDate:" + meta_date[0]) if meta_date else find_published(text)
    return Document("html", text, tables, title, published)


# ---------------------------------------------------------------- text
def _pipe_row(line: str) -> Row:
    cells = [collapse_spaces(part) for part in line.split("|")]
    return [Cell(text, i) for i, text in enumerate(cells)]


def read_text(source: str, kind: str = "text") -> Document:
    """Corpus transcriptions and extracted text: `#` header, `[表X]` blocks, `|` rows, appendix."""
    source = clean_text(source)
    header = [line[1:].strip() for line in source.splitlines() if line.startswith("#")]
    body = "\n".join(line for line in source.splitlines() if not line.startswith("#"))
    body = _APPENDIX_RE.sub("", body)
    labelled: dict[str, Table] = {}
    for match in _MARKED_TABLE_RE.finditer(body):
        labelled[match.group(1)] = [_pipe_row(l) for l in match.group(2).strip().splitlines() if l.strip()]
    body = _MARKED_TABLE_RE.sub("\n", body)
    tables: list[Table] = []
    lines: list[str] = []
    current: Table = []
    for line in body.splitlines():
        if "|" in line:
            current.append(_pipe_row(line))
            continue
        if current:
            tables.append(current)
            current = []
        lines.append(line)
    if current:
        tables.append(current)
    text = "\n".join(lines).strip()
    meta = "\n".join(header)
    title_match = re.search(r"标题\s*[:：]\s*(.+)", meta)
    title = title_match.group(1).strip() if title_match else _first_title_line(text)
    published = find_published(meta) or find_published(text[:600])
    return Document(kind, text, tables, title, published, labelled)


def _first_title_line(text: str) -> str | None:
    for line in text.splitlines()[:12]:
        line = line.strip()
        if re.search(r"\d{4}\s*年.{0,40}报告", line) and len(line) < 80:
            return line
    return None


# ---------------------------------------------------------------- PDF / DOCX
@dataclass(slots=True)
class Extracted:
    """Text plus tables as lists of rows of cell strings (None cells become "")."""

    text: str
    tables: list[list[list[str]]]
    scanned: bool = False


#: fewer readable characters than this per page, with images on the pages, is a scan (a page number is not text)
_SCAN_CHARS_PER_PAGE = 20


def extract_text_pdf(data: bytes, limits: Limits = DEFAULT_LIMITS) -> Extracted:
    import pdfplumber

    texts: list[str] = []
    tables: list[list[list[str]]] = []
    images = pages = 0
    pdf = pdfplumber.open(io.BytesIO(data))     # not `with`: its close() builds every page object
    for page in limited_pages(pdf, limits):
        texts.append(page.extract_text() or "")
        images += len(page.images)
        pages += 1
        for table in page.extract_tables():
            tables.append([[cell or "" for cell in row] for row in table])
    text = "\n".join(texts)
    scanned = images > 0 and len(squash(text)) < _SCAN_CHARS_PER_PAGE * max(pages, 1)
    return Extracted(text, tables, scanned)


def limited_pages(pdf: Any, limits: Limits) -> Iterator[Any]:
    """The pages of an open pdfplumber PDF within `limits`: refused before any extraction when the
    page tree declares more than `pdf_pages` (its /Count, read without walking the pages), stopped
    when more pages turn up anyway or the document's time is up (checked between pages). Each
    page's cached layout is dropped once the caller is done with it; pdfplumber keeps them all."""
    from pdfminer.pdfpage import PDFPage
    from pdfplumber.page import Page

    deadline = Deadline(limits)
    declared = _declared_pages(pdf.doc)
    if declared > limits.pdf_pages:
        raise DocumentTooLarge("pdf_pages", f"PDF 共 {declared} 页，超过上限 {limits.pdf_pages} 页")
    _check_inflated(pdf.doc, limits)
    doctop = 0.0
    for number, page_object in enumerate(PDFPage.create_pages(pdf.doc), 1):
        if number > limits.pdf_pages:
            raise DocumentTooLarge("pdf_pages", f"PDF 超过上限 {limits.pdf_pages} 页")
        deadline.check(f"已读 {number - 1} 页")
        page = Page(pdf, page_object, page_number=number, initial_doctop=doctop)
        yield page
        doctop += page.height
        page.close()


def _declared_pages(document: Any) -> int:
    """The page tree's /Count (0 when missing or malformed: the page loop still counts)."""
    from pdfminer.pdftypes import resolve1

    try:
        return int(resolve1(resolve1(document.catalog["Pages"])["Count"]))
    except (KeyError, TypeError, ValueError):
        return 0


def _check_inflated(document: Any, limits: Limits) -> None:
    """Refuse a PDF whose deflated streams (page content, fonts, object streams; images are not
    decoded to read text) inflate past `pdf_inflated_bytes` in all: pdfminer inflates a stream
    whole and keeps it, so a small file can hold gigabytes (a flate bomb). Counted here a step at
    a time, keeping nothing. (A cross-reference stream is inflated when the file is opened, before
    this runs; `document_bytes` bounds it.)"""
    from pdfminer.pdftypes import LITERALS_FLATE_DECODE, PDFStream
    from pdfminer.psparser import LIT

    left = limits.pdf_inflated_bytes
    seen: set[int] = set()
    for xref in document.xrefs:
        for objid in xref.get_objids():
            if objid in seen:
                continue                    # an older revision of an object (incremental update)
            seen.add(objid)
            try:
                if xref.get_pos(objid)[0] is not None:
                    continue                # in an object stream, so not a stream itself
                stream = document.getobj(objid)
            except Exception:  # noqa: BLE001 — a broken object is the extraction's to report
                continue
            if not isinstance(stream, PDFStream) or stream.rawdata is None or stream.get("Subtype") is LIT("Image"):
                continue
            filters = stream.get_filters()
            if not filters or filters[0][0] not in LITERALS_FLATE_DECODE:
                continue
            data = stream.rawdata
            if stream.decipher:
                data = stream.decipher(stream.objid, stream.genno, data, stream.attrs)
            left -= _inflated_size(data, left)
            if left < 0:
                raise DocumentTooLarge("pdf_inflated_bytes",
                                       f"PDF 解压后超过上限 {megabytes(limits.pdf_inflated_bytes)}")


def _inflated_size(data: bytes, cap: int) -> int:
    """The size `data` inflates to, counted 1 MB at a time and stopped once past `cap`."""
    inflater = zlib.decompressobj()
    size = 0
    try:
        while data and size <= cap:
            size += len(inflater.decompress(data, MB))
            data = inflater.unconsumed_tail
    except zlib.error:
        pass                # pdfminer keeps what inflates before the error, and so is it counted
    return size


def check_archive(data: bytes, limits: Limits) -> None:
    """Refuse a .docx (a zip) whose members would inflate past the limits, before python-docx reads
    them: the declared sizes, then every member read through in chunks. Read in full, `zipfile`
    inflates a member's whole compressed data at once and only then cuts it to the declared size,
    so a header that understates it (a zip bomb) would cost the true size; read in chunks it stops
    at the declared size and fails the CRC. A .docx only stores or deflates its members: other
    methods (bzip2, LZMA) inflate without a cap even in chunks, so they are refused."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        members = archive.infolist()
        total = 0
        for member in members:
            if member.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
                raise ValueError(f"{member.filename}: compression method {member.compress_type} is not used by .docx")
            if member.file_size > limits.archive_member_bytes:
                raise DocumentTooLarge("archive_member_bytes", f"{member.filename} 解压后 "
                                       f"{megabytes(member.file_size)}，超过上限 {megabytes(limits.archive_member_bytes)}")
            total += member.file_size
        if total > limits.archive_bytes:
            raise DocumentTooLarge("archive_bytes", f"解压后共 {megabytes(total)}，超过上限 {megabytes(limits.archive_bytes)}")
        for member in members:
            with archive.open(member) as stream:
                while stream.read(1 << 16):
                    pass


def extract_docx(data: bytes, limits: Limits = DEFAULT_LIMITS) -> Extracted:
    import docx

    deadline = Deadline(limits)
    check_archive(data, limits)
    document = docx.Document(io.BytesIO(data))
    texts: list[str] = []
    for paragraph in document.paragraphs:
        deadline.check(f"已读 {len(texts)} 段")
        texts.append(paragraph.text)
    text = "\n".join(texts)
    tables: list[list[list[str]]] = []
    for table in document.tables:
        rows: list[list[str]] = []
        for tr in table.rows:
            deadline.check(f"已读 {len(tables)} 个表格")
            seen: list[object] = []
            cells: list[str] = []
            for cell in tr.cells:        # a merged cell is repeated: keep it once
                if any(cell._tc is s for s in seen):
                    continue
                seen.append(cell._tc)
                cells.append(cell.text)
            rows.append(cells)
        tables.append(rows)
    return Extracted(text, tables)


def from_extracted(extracted: Extracted, kind: str) -> Document:
    doc = read_text(extracted.text, kind)
    tables = [[[Cell(collapse_spaces(clean_text(text)), i) for i, text in enumerate(row)] for row in table]
              for table in extracted.tables]
    doc.tables = tables or doc.tables
    doc.scanned = extracted.scanned
    return doc


# ---------------------------------------------------------------- plain text tables
_TOKEN_RE = re.compile(r"(?<![\d.])[-+]?\d+(?:\.\d+)?(?:万元|元)?(?![\d.]*[、.．]?[\u4e00-\u9fff“])")


def plain_rows(text: str) -> Table:
    """Rows from text without cell separators: each label run followed by its numbers.

    A flattened row ("640020470") stays one value and so fails the column count: it is never split.
    """
    rows: Table = []
    last = 0
    label = ""
    values: list[str] = []
    for match in _TOKEN_RE.finditer(text):
        gap = text[last:match.start()]
        if gap.strip():
            if values:
                rows.append([Cell(label)] + [Cell(v, i + 1) for i, v in enumerate(values)])
                label, values = "", []
            label += gap
        values.append(match.group(0))
        last = match.end()
    if values:
        rows.append([Cell(label)] + [Cell(v, i + 1) for i, v in enumerate(values)])
    return rows
