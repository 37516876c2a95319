"""Build tables 二/三/四 from rows of cells, whatever the source.

A row is read as "label cells, then value cells". Value cells are matched to columns by order when
their count is right (this survives misaligned colspans such as 上海 2019 table 二); surplus trailing
blanks from text extraction are dropped; anything else makes the row — and the table — unreadable.
"""
from __future__ import annotations

from monitor.reports.labels import (
    FORMAT_2019_MARKERS, FORMAT_2021_MARKERS, GROUP_RE, ROW_NUMBER_RE, T2_BLOCK_RE, T2_COLUMNS, T3_GROUP,
    T3_GROUP_ROWS, T3_LABELS, T3_ORDER, match_t3_row,
)
from monitor.reports.model import Row, Table2, Table2Entry, Table3, Table4, T4_COLUMNS
from monitor.reports.text import is_value_like, norm_label, parse_number, squash


def split_row(row: Row) -> tuple[str, list[str]]:
    """(joined normalised label, value texts): values are the trailing value-like cells."""
    cut = len(row)
    while cut > 0 and is_value_like(row[cut - 1].text):
        cut -= 1
    label = "/".join(norm_label(c.text) for c in row[:cut] if squash(c.text))
    return label, [c.text for c in row[cut:]]


def fit(values: list[str], width: int) -> list[str] | None:
    """Exactly `width` values, dropping surplus trailing blanks; None when that is impossible."""
    values = list(values)
    while len(values) > width and not squash(values[-1]):
        values.pop()
    while len(values) > width and not squash(values[0]):
        values.pop(0)
    return values if len(values) == width else None


def classify(table: list[Row]) -> str | None:
    """Which official table ("二"/"三"/"四") a source table is, from its labels."""
    joined = norm_label("".join(c.text for row in table[:40] for c in row))
    if "本年新收" in joined or "予以公开" in joined:
        return "三"
    if "第二十条" in joined or "信息内容" in joined:
        return "二"
    if "结果维持" in joined or "结果纠正" in joined:
        return "四"
    return None


def is_text_box(table: list[Row]) -> bool:
    """A "table" with at most one filled cell per row is text: WPS exports text boxes so, and the PDF
    extractor returns them as one-column tables that would otherwise join the table before them.
    A lone 表二 block heading ("第二十条第（八）项" cut off by a page break) is still table."""
    return all(sum(1 for cell in row if squash(cell.text)) <= 1 for row in table) and not any(
        T2_BLOCK_RE.search(norm_label(cell.text)) for row in table for cell in row)


# ---------------------------------------------------------------- 表三
def build_table3(rows: list[Row]) -> Table3:
    table = Table3()
    group: str | None = None
    unmatched: list[tuple[str | None, str, list[str]]] = []     # (group, label, 7 cells) of unknown rows
    for row in rows:
        label, values = split_row(row)
        if not label:
            continue
        found = GROUP_RE.findall(label)
        group = found[-1] if found else group
        rid = match_t3_row(label, group)
        if rid is not None:
            group = T3_GROUP[rid] or None
        if not values and rid is None:
            continue                      # header row
        if not values:
            if rid is not None and not GROUP_RE.search(label):
                table.problems.append(f"{T3_LABELS[rid]}：无数值单元格")
            continue
        cells = fit(values, 7)
        if rid is None:
            if cells is not None:
                unmatched.append((group, label, cells))
            continue
        if cells is None:
            table.problems.append(f"{T3_LABELS[rid]}：应有 7 个单元格，实有 {len(values)} 个（无法分列）")
            continue
        if rid in table.rows:
            table.problems.append(f"{T3_LABELS[rid]}：重复出现")
            continue
        table.rows[rid] = cells
        table.labels[rid] = label
    _match_by_position(table, unmatched)
    if any(r in table.rows for r in ("r_other_nocorrect", "r_other_nofee", "r_other_else")):
        table.format = "2021"
    elif "r_other" in table.rows:
        table.format = "2019"
    expected = T3_ORDER[table.format or "2019"]
    missing = [T3_LABELS[r] for r in expected if r not in table.rows]
    if missing and table.format is None and not table.problems:
        table.problems.append("未识别出（六）其他处理行，无法判断格式")
    if missing:
        table.problems.append("缺少行：" + "、".join(missing))
    table.readable = not table.problems
    return table


def _match_by_position(table: Table3, unmatched: list[tuple[str | None, str, list[str]]]) -> None:
    """A damaged label ("2.其他法律行政止公开") takes the row its number holds in its group.

    Only when the row is still missing and the group's numbers are unambiguous (each at most once, none beyond
    the group's row count); anything else stays an extra row, so the table reads as before.
    """
    numbered: dict[str, list[tuple[int, str, list[str]]]] = {}
    for group, label, cells in unmatched:
        match = ROW_NUMBER_RE.search(label)
        numbered.setdefault(group if group in T3_GROUP_ROWS and match else "", []).append(
            (int(match.group(1)) if match else 0, label, cells))
    for group, entries in numbered.items():
        expected = T3_GROUP_ROWS.get(group, ())
        numbers = [n for n, _, _ in entries]
        for number, label, cells in entries:
            rid = expected[number - 1] if 1 <= number <= len(expected) else None
            if rid is None or rid in table.rows or numbers.count(number) > 1:
                if any(squash(v) for v in cells):
                    table.extra_rows[label] = cells
                continue
            table.rows[rid] = cells
            table.labels[rid] = label
            table.by_position[rid] = label


# ---------------------------------------------------------------- 表四
def build_table4(rows: list[Row]) -> Table4:
    """The data row is the last row that ends in value cells; else a row of 15 blank cells (未填报)."""
    table = Table4()
    split = [split_row(row) for row in reversed(rows)]
    filled = next((texts for _, texts in split if any(squash(t) for t in texts)), None)
    blank = next((texts for label, texts in split if not label and len(texts) >= len(T4_COLUMNS)), None)
    texts = filled if filled is not None else blank
    cells = fit(texts, len(T4_COLUMNS)) if texts is not None else None
    if texts is None:
        table.problems.append("未找到表四数据行")
    elif cells is None:
        table.problems.append(f"表四数据行应有 15 个单元格，实有 {len(texts)} 个（无法分列）")
    else:
        table.cells = cells
    table.readable = not table.problems
    return table


# ---------------------------------------------------------------- 表二
def build_table2(rows: list[Row]) -> Table2:
    table = Table2()
    block: str | None = None
    headers: list[str] = []
    pending: list[tuple[str, str, list[str]]] = []       # (block, item, values)
    header_texts: list[str] = []
    for row in rows:
        joined = norm_label("".join(c.text for c in row))
        match = T2_BLOCK_RE.search(joined)
        if match:
            block, headers = match.group(1), []
            continue
        if "信息内容" in joined:
            headers = [norm_label(c.text) for c in row[1:] if squash(c.text)]
            header_texts.extend(headers)
            continue
        label, values = split_row(row)
        if block and label and values:
            pending.append((block, label, values))
    markers = "".join(header_texts) + "".join(f"第二十条第（{b}）项" for b, _, _ in pending)
    if any(m in markers for m in FORMAT_2021_MARKERS):
        table.format = "2021"
    elif any(m in markers for m in FORMAT_2019_MARKERS):
        table.format = "2019"
    columns = T2_COLUMNS.get(table.format or "", {})
    for block_id, item, values in pending:
        names = columns.get(block_id)
        cells = fit(values, len(names)) if names else None
        if names is None or cells is None:
            table.problems.append(f"第二十条第（{block_id}）项“{item}”：无法对应到列")
            continue
        table.entries.extend(Table2Entry(block_id, item, n, v) for n, v in zip(names, cells))
    if not pending:
        table.problems.append("未找到表二数据")
    table.readable = not table.problems
    return table


def cell_problems(raw: str) -> str | None:
    """K10 reason for one 表三/表四 cell, or None when it is a blank or a non-negative integer."""
    number = parse_number(raw)
    if not number.valid:
        return "非数字"
    if number.blank:
        return None
    if isinstance(number.value, float):
        return "非整数"
    if number.value is not None and number.value < 0:
        return "负数"
    return None
