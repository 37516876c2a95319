"""CSV for people who open it in Excel or WPS — every CSV this project writes goes through `csv_text`.

Cells come from scraped pages (column names, titles, URLs), so a cell such as `=HYPERLINK(…)` or
`@SUM(…)` would run as a formula when the file is opened (CSV / formula injection). As OWASP
recommends, a cell that starts with a formula trigger gets a leading single quote, which the
spreadsheet shows as text. Excel and WPS also take the full-width ＝＋－＠ (typed with a Chinese IME)
as formula starts, so those are neutralised too. Plain negative numbers stay numbers: an int or
float, or a text that is exactly `-digits[.digits]`, which cannot hold a formula.
"""
from __future__ import annotations

import csv
import io
import re
from typing import Any, Iterable, Mapping

#: First characters that make a spreadsheet evaluate a cell (OWASP: = + - @ tab CR; ASVS adds NUL;
#: LF for good measure) and their full-width forms.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n", "\0", "＝", "＋", "－", "＠")
_PLAIN_NEGATIVE = re.compile(r"-[0-9]+(?:\.[0-9]+)?")


def spreadsheet_cell(value: Any) -> Any:
    """`value` as it may be written to a CSV cell: text that would start a formula, quoted."""
    if not isinstance(value, str) or not value.startswith(FORMULA_TRIGGERS) or _PLAIN_NEGATIVE.fullmatch(value):
        return value
    return "'" + value


def csv_text(fields: list[str], rows: Iterable[Mapping[str, Any]]) -> str:
    """A CSV document with a UTF-8 BOM (so that Excel shows the Chinese) and every cell made safe."""
    buf = io.StringIO()
    buf.write("\ufeff")
    writer = csv.DictWriter(buf, fieldnames=fields, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({name: spreadsheet_cell(value) for name, value in row.items()})
    return buf.getvalue()
