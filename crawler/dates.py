"""Dates as Chinese portals show them, parsed by a few compiled regexes.

This sits on the hot path (every list item), so it avoids dateparser (≈1000× slower here,
and wrong for bare `MM-DD`, see docs/design.md §7.8). Handled:
`2026-11-20`, `2026/11/20`, `2026.11.20`, `2026年11月20日`, `2026-11-20 10:30`, with or without
labels such as `发布时间：`; `[11-20]`, `11-20`, `11月20日` with the year taken from context (the
row's URL, a year shown alone next to it: a comment or hidden element, or the list's order); and the
calendar-tile layout where the day and the year-month sit in separate elements (`20 2026-11`,
`2026-11 20`).
"""
from __future__ import annotations

import re
from datetime import date

_FULL = re.compile(
    r"(?<!\d)((?:19|20)\d{2})\s*(?:[-/.]|年)\s*(\d{1,2})\s*(?:[-/.]|月)\s*(\d{1,2})(?!\d)"
)
# calendar tiles: <span>20</span><span>2026-11</span> or the other way round
_DAY_THEN_MONTH = re.compile(r"(?<![\d\-/.:])(\d{1,2})\s+((?:19|20)\d{2})\s*[-/.年]\s*(\d{1,2})(?![\d\-/.])")
_MONTH_THEN_DAY = re.compile(r"(?<![\d\-/.:])((?:19|20)\d{2})\s*[-/.年]\s*(\d{1,2})月?\s+(\d{1,2})(?![\d\-/.:])")
_SHORT = re.compile(r"(?<![\d\-/.年])(\d{1,2})\s*(?:-|/|月)\s*(\d{1,2})(?:日|(?![\d\-/.:]))")
# dates embedded in CMS article URLs: TRS t20261120_123.htm, Hanweb /20261120/i123.html, /202611/
_URL_DAY = re.compile(r"(?<!\d)((?:19|20)\d{2})(\d{2})(\d{2})(?!\d)")
_URL_MONTH = re.compile(r"/((?:19|20)\d{2})(\d{2})/")
# a year on its own (`<!-- 2018-->07-04`, `<span class="hide">2018</span>`), not part of a date
_LONE_YEAR = re.compile(r"(?<![\d\-/.年])((?:19|20)\d{2})(?!\d|\s*[-/.年月]\s*\d)")
_ANY_YEAR = re.compile(r"(?<!\d)(?:19|20)\d{2}(?!\d)")


def _make(y: int, m: int, d: int) -> date | None:
    try:
        return date(y, m, d)
    except ValueError:
        return None


def _first_full(text: str) -> tuple[date, str] | None:
    for m in _FULL.finditer(text):
        found = _make(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        if found:
            return found, m.group(0)
    return None


def parse_full_date(text: str) -> date | None:
    """The first complete year-month-day date in `text`, or None."""
    found = _first_full(text)
    return found[0] if found else None


def year_from_url(url: str) -> int | None:
    """Publication year as encoded in a CMS article URL, when it is there."""
    m = _URL_DAY.search(url) or _URL_MONTH.search(url)
    return int(m.group(1)) if m else None


def find_date(text: str, *, today: date, context_year: int | None = None) -> tuple[date, str] | None:
    """(date, the text it was read from): the first full date, else a split calendar-tile date,
    else a month-day whose year is `context_year` or the latest year not after `today`."""
    if not text:
        return None
    if full := _first_full(text):
        return full
    for pattern, order in ((_DAY_THEN_MONTH, (2, 3, 1)), (_MONTH_THEN_DAY, (1, 2, 3))):
        for m in pattern.finditer(text):
            found = _make(*(int(m.group(i)) for i in order))
            if found:
                return found, m.group(0)
    if context_year is None and (lone := _LONE_YEAR.search(text)):
        context_year = int(lone.group(1))
    for m in _SHORT.finditer(text):
        month, day = int(m.group(1)), int(m.group(2))
        if context_year is not None:
            found = _make(context_year, month, day)
        else:  # the latest year in which the day exists and is not after today (02-29: up to 4 back)
            found = next((d for y in range(today.year, today.year - 5, -1)
                          if (d := _make(y, month, day)) and d <= today), None)
        if found:
            return found, m.group(0)
    return None


def shows_year(text: str) -> bool:
    """Whether `text` names a year (else a month-day read from it got its year from `today`)."""
    return _ANY_YEAR.search(text) is not None


def years_from_order(dates: list[date | None], guessed: list[bool]) -> list[date | None]:
    """A list shown newest first: a month-day whose year was only guessed from today, between two
    rows whose years are known, takes the latest year that keeps it between them (the row above
    it, the known row below). Rows above the first or below the last known row keep the guess (a
    pinned row must not move the others), and so does a row that fits no year (the list is not
    in date order there)."""
    out = list(dates)
    known = [i for i, (found, guess) in enumerate(zip(dates, guessed)) if found is not None and not guess]
    for upper, lower in zip(known, known[1:]):
        ceiling, floor = out[upper], out[lower]
        if ceiling < floor:          # not newest first here
            continue
        for i in range(upper + 1, lower):
            found = dates[i]
            if found is None:
                continue
            year = ceiling.year if (found.month, found.day) <= (ceiling.month, ceiling.day) else ceiling.year - 1
            placed = _make(year, found.month, found.day)
            if placed is not None and placed >= floor:
                out[i] = ceiling = placed
    return out


def parse_date(text: str, *, today: date, context_year: int | None = None) -> date | None:
    """Parse a displayed date; a month-day without a year gets `context_year`, or else the
    latest year that does not put the date in the future relative to `today`."""
    found = find_date(text, today=today, context_year=context_year)
    return found[0] if found else None
