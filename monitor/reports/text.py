"""Text normalisation and cell-number parsing shared by every source format.

Cells keep three states apart: a number, *blank* (None: nothing written, "&nbsp;", "—", "/",
"无"), and *invalid* (text where a number belongs). Blank is "not reported", never silently 0.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

_FULLWIDTH = str.maketrans("０１２３４５６７８９．，－：（）", "0123456789.,-:（）")
_HALF_PARENS = str.maketrans({"(": "（", ")": "）"})
_SPACE_RE = re.compile(r"[\s\u00a0\u3000\u200b\ufeff]+")
_NUMBER_RE = re.compile(r"^([-+]?\d+(?:\.\d+)?)(万元|元|件|个|条|宗|项|次)?$")
BLANK_MARKS = frozenset({"", "-", "—", "——", "－", "/", "／", "无", "\\"})


def squash(text: str) -> str:
    """Remove all whitespace (incl. &nbsp; and full-width spaces): labels are split arbitrarily."""
    return _SPACE_RE.sub("", text)


def norm_label(text: str) -> str:
    """Canonical form for matching labels: no spaces, half-width digits, full-width parentheses."""
    return squash(text).translate(_FULLWIDTH).translate(_HALF_PARENS)


def collapse_spaces(text: str) -> str:
    return _SPACE_RE.sub(" ", text).strip()


@dataclass(frozen=True, slots=True)
class Number:
    """A parsed cell: `value` is None for blank or invalid; `unit` keeps 元/万元 when written."""

    value: int | float | None
    blank: bool
    valid: bool
    unit: str | None = None


def parse_number(raw: str | None) -> Number:
    """Parse one table cell as written; `251000元`, ` 0 `, `-18`, `24252.311082` are all numbers."""
    if raw is None:
        return Number(None, True, True)
    text = squash(raw).translate(_FULLWIDTH).replace(",", "")
    if text in BLANK_MARKS:
        return Number(None, True, True)
    match = _NUMBER_RE.match(text)
    if not match:
        return Number(None, False, False)
    number = float(match.group(1))
    value: int | float = int(number) if number.is_integer() and "." not in match.group(1) else number
    return Number(value, False, True, match.group(2))


def is_value_like(raw: str) -> bool:
    """True for cells that sit in a value position: numbers, blanks and short non-label text."""
    text = squash(raw)
    if parse_number(text).valid:
        return True
    cjk = sum(1 for ch in text if "\u4e00" <= ch <= "\u9fff")
    return (cjk == 0 and len(text) <= 12) or text in ("暂无", "空")
