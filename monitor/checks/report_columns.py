"""K14: table 二's counts of the 2021 format against what the unit's own columns published that
year (docs/rules.md §1.1). Columns are often incomplete, so a large gap is a `warning` for a human
to look at, with the column's items as evidence, never a violation.

Counted: 规范性文件 本年制发件数 against the items dated that year in the unit's 规范性文件 / 政策文件
columns that look normative; 行政许可 and 行政处罚 本年处理决定数量 against every item dated that
year in the unit's 行政许可 / 行政处罚 columns, where it has such columns."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from monitor.checks.reports import ReportDocument
from monitor.config import UnitConfig
from monitor.reports import ParsedReport
from monitor.results import Result

#: a gap is large when |report − columns| ≥ max(MIN_GAP, SHARE × the larger of the two)
MIN_GAP = 3
SHARE = 0.5
MAX_EVIDENCE = 30
#: a 文号 of an issued document: …发〔2021〕3号 (县政发, 县政办发, 县农发 …) or …规〔2021〕1号
_DOC_NO = re.compile(r"[发规]\s*[〔［\[(（]\s*\d{4}\s*[〕］\])）]\s*第?\s*\d+\s*号")


@dataclass(frozen=True, slots=True)
class Subject:
    """One count of table 二 and the columns that publish what it counts."""

    what: str                          # Chinese, as the finding names it
    block: str                         # table 二 block (第二十条第（N）项)
    row: str                           # a word of the row label ("" : the block's only row)
    column: str                        # the table 二 column (2021 format)
    columns: tuple[str, ...]           # words of the unit's column names
    normative_only: bool = False


SUBJECTS = (
    Subject("规范性文件", "一", "规范性文件", "本年制发件数", ("规范性文件", "政策文件"), normative_only=True),
    Subject("行政许可", "五", "", "本年处理决定数量", ("行政许可",)),
    Subject("行政处罚", "六", "", "本年处理决定数量", ("行政处罚",)),
)


@dataclass(frozen=True, slots=True)
class ColumnItem:
    title: str
    url: str
    date: date | None
    doc_no: str | None = None          # 文号 of its detail page, when read


@dataclass(slots=True)
class UnitColumn:
    """A unit's column as last listed: read at all, its items."""

    name: str
    url: str
    read: bool
    items: list[ColumnItem] = field(default_factory=list)

    def covers(self, year: int) -> bool:
        """The listing reaches back before `year`: an item dated earlier is shown. A complete listing
        that begins within the year is not enough (a column opened then, or a new site, says nothing
        of what was published before)."""
        return any(i.date and i.date.year < year for i in self.items)


def is_normative(item: ColumnItem) -> bool:
    """Conservative: the title says 规范性文件, or the title or 文号 carries an issued document's 文号."""
    return "规范性文件" in item.title or bool(_DOC_NO.search(item.title) or _DOC_NO.search(item.doc_no or ""))


def large_gap(reported: float, published: int) -> bool:
    return abs(reported - published) >= max(MIN_GAP, SHARE * max(reported, published))


def check_report_columns(unit: UnitConfig, documents: dict[int, ReportDocument], columns: list[UnitColumn],
                         ) -> list[Result]:
    """Per subject the unit has columns for: each parsed 2021-format report year its columns'
    listings reach back before, passing or a warning on a large gap (uncertain when the cell
    cannot be read). A column that could not be read is one `uncertain`, on the newest report. A
    year the listings do not reach back before is not assessed and says nothing: most lists are
    read a few pages deep, and this is a soft cross-check, not a finding of its own."""
    reports = {year: d.report for year, d in documents.items()
               if isinstance(d.report, ParsedReport) and d.report.format == "2021"}
    results = []
    for subject in SUBJECTS:
        mine = [c for c in columns if any(w in c.name for w in subject.columns)]
        if not mine or not reports:
            continue
        unread = [c.name for c in mine if not c.read]
        if unread:
            newest = max(reports)
            results.append(_emit(unit, newest, subject, mine, "uncertain",
                                 f"栏目{'、'.join(unread)}未能读取，无法核对{_label(newest, subject)}"))
            continue
        results += [_compare(unit, year, reports[year], subject, mine) for year in sorted(reports)
                    if all(c.covers(year) for c in mine)]
    return results


def _label(year: int, subject: Subject) -> str:
    return f"{year}年度报告表二{subject.what}{subject.column}"


def _emit(unit: UnitConfig, year: int, subject: Subject, columns: list[UnitColumn], status: str, message: str,
          **evidence: object) -> Result:
    return Result("K14", "report_numbers_vs_columns", status, unit.id, unit.name,
                  {"year": year, "what": subject.what}, message, "low" if status == "warning" else "info",
                  {"columns": [c.name for c in columns], **evidence})


def _compare(unit: UnitConfig, year: int, report: ParsedReport, subject: Subject,
             columns: list[UnitColumn]) -> Result:
    label = _label(year, subject)
    cell = next((e for e in report.table2.entries if e.block == subject.block and subject.row in e.item
                 and e.column == subject.column), None)
    reported = cell.value if cell else None
    if reported is None:
        return _emit(unit, year, subject, columns, "uncertain", f"{label}无法读取", cell=cell.raw if cell else None)
    items = {i.url: i for c in columns for i in c.items if i.date and i.date.year == year
             and (is_normative(i) or not subject.normative_only)}
    listed = sorted(items.values(), key=lambda i: (i.date, i.url))
    evidence = {"reported": reported, "published": len(listed),
                "items": [{"title": i.title, "date": i.date.isoformat() if i.date else None, "doc_no": i.doc_no,
                           "url": i.url} for i in listed[:MAX_EVIDENCE]]}
    if large_gap(reported, len(listed)):
        return _emit(unit, year, subject, columns, "warning",
                     f"{label}为{reported:g}件，栏目中{year}年发布{len(listed)}件，相差较大", **evidence)
    return _emit(unit, year, subject, columns, "pass", f"{label}与栏目发布情况大致相符", **evidence)
