"""Findings as the lines people read in a bulletin or a warning: who, which column or report,
what is wrong, and the evidence (each kind's sentence, `monitor.sentences`), with a link."""
from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date

from monitor.finding import Finding
from monitor.kinds import KINDS, label
from monitor.scraped import clean_text

_BREAKS = re.compile(r"[\t\n\u2028\u2029]+")     # what `clean_text` keeps of line structure


def one_line(text: str | None) -> str:
    """Scraped text as one line: no line breaks or control characters to forge lines with."""
    return _BREAKS.sub(" ", clean_text(text or "")).strip()


@dataclass(frozen=True, slots=True)
class Entry:
    unit_id: str
    unit_name: str
    kind: str
    label: str          # Chinese name of the kind
    subject: str        # column name, "2025年度报告", "信息发布量", "网站"
    detail: str         # the evidence, one sentence
    url: str | None
    result: str         # fail | warning | uncertain
    due: date | None = None  # the day the column had to be / will have to be updated, the report published


def _subject(f: Finding) -> str:
    """What the finding is about, quoted after the unit; empty for an item, whose detail names it."""
    if "item" in f.subject:
        return ""
    if f.column is not None or "board" in f.subject:      # a column, a message board (W7)
        return f.column or f.subject["board"]
    if f.year is not None:
        return f"{f.year}年度报告"
    if "publication" in f.subject:
        return "信息发布量"
    return "网站"


def entry(f: Finding, as_of: date) -> Entry:
    """One finding as a bulletin line, with its evidence as of `as_of`. The
    evidence sentences describe violations; an uncertain finding says what could not be checked
    in its own message (an uncertain `report_missing` is not 逾期未公开)."""
    kind = KINDS.get(f.kind)
    detail = kind.describe if kind and f.result != "uncertain" else None
    url = one_line(f.link)
    return Entry(unit_id=f.unit_id, unit_name=one_line(f.unit_name), kind=f.kind,
                 label=label(f.kind), subject=one_line(_subject(f)),
                 detail=one_line(detail(f, as_of) if detail else f.message),
                 url=url if re.match(r"https?://", url, re.I) else None,   # never a javascript: link
                 result=f.result,
                 due=None if f.result == "uncertain" else f.due or f.deadline)


def one_per_subject(entries: list[Entry]) -> list[Entry]:
    """One line per unit and subject (a report year, a column, the site; an item by its URL) with
    all its reasons: a report that cannot be read is uncertain in every content check, and one
    line saying so is clearer than five."""
    merged: dict[tuple[str, str], Entry] = {}
    for e in entries:
        key = (e.unit_id, e.subject or e.url or "")
        first = merged.get(key)
        if first is None:
            merged[key] = e
        elif e.detail not in first.detail.split("；"):
            merged[key] = replace(first, detail=f"{first.detail}；{e.detail}", url=first.url or e.url)
    return list(merged.values())
