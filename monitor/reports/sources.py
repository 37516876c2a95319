"""Turn each input format into one `Document`: narrative text plus tables as rows of cells.

HTML keeps colspans as grid positions (rowspan cells are not repeated: labels carry over through
the row matcher's group state instead). Text inputs use ` | ` rows (corpus transcriptions,
`[表三]…[/表三]`) or, for PDF text without tables, `plain_rows` splits label/number runs.
"""
from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from datetime import date

from lxml import etree
from lxml import html as lxml_html

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


def decode(data: bytes, declared: str | None = None) -> str:
    """Decode bytes trying the declared charset, UTF-8, then GB18030 (superset of GBK/GB2312)."""
    head = data[:2048].decode("ascii", "ignore").lower()
    meta = re.search(r"charset=[\"']?([\w-]+)", head)
    candidates = [c for c in (declared, meta.group(1) if meta else None, "utf-8", "gb18030") if c]
    for encoding in candidates:
        try:
            return data.decode("gb18030" if encoding.lower() in ("gbk", "gb2312") else encoding)
        except (LookupError, UnicodeDecodeError):
            continue
    return data.decode("utf-8", "replace")


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
        root = lxml_html.fromstring(clean_markup(source))
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


def extract_text_pdf(data: bytes) -> Extracted:
    import pdfplumber

    texts: list[str] = []
    tables: list[list[list[str]]] = []
    images = 0
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        for page in pdf.pages:
            texts.append(page.extract_text() or "")
            images += len(page.images)
            for table in page.extract_tables():
                tables.append([[cell or "" for cell in row] for row in table])
        pages = len(pdf.pages)
    text = "\n".join(texts)
    scanned = images > 0 and len(squash(text)) < _SCAN_CHARS_PER_PAGE * max(pages, 1)
    return Extracted(text, tables, scanned)


def extract_docx(data: bytes) -> Extracted:
    import docx

    document = docx.Document(io.BytesIO(data))
    text = "\n".join(p.text for p in document.paragraphs)
    tables: list[list[list[str]]] = []
    for table in document.tables:
        rows: list[list[str]] = []
        for tr in table.rows:
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
