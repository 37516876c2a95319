"""The structured model of one parsed annual report (JSON-serialisable via `to_dict`)."""
from __future__ import annotations

import types
from dataclasses import asdict, dataclass, field, fields, is_dataclass
from datetime import date
from typing import Any, Iterable, Union, get_args, get_origin, get_type_hints

from monitor.reports.text import parse_number

T3_COLUMNS: tuple[str, ...] = ("自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计")
T4_GROUPS: tuple[str, ...] = ("行政复议", "未经复议直接起诉", "复议后起诉")
T4_FIELDS: tuple[str, ...] = ("结果维持", "结果纠正", "其他结果", "尚未审结", "总计")
T4_COLUMNS: tuple[tuple[str, str], ...] = tuple((g, f) for g in T4_GROUPS for f in T4_FIELDS)


def has_figures(cells: Iterable[str]) -> bool:
    """False for a table left blank: "未填报", which is neither a pass nor an error."""
    return any(not parse_number(cell).blank for cell in cells)


@dataclass(slots=True)
class Cell:
    """One source table cell: its text, first grid column and column span."""

    text: str
    col: int = 0
    span: int = 1


Row = list[Cell]


@dataclass(slots=True)
class Table2Entry:
    block: str            # "一", "五", "六", "八", "九"
    item: str             # row label as written, e.g. "行政规范性文件"
    column: str           # canonical column name for the detected format
    raw: str

    @property
    def value(self) -> int | float | None:
        return parse_number(self.raw).value


@dataclass(slots=True)
class Table2:
    entries: list[Table2Entry] = field(default_factory=list)
    format: str | None = None        # "2019" / "2021" / None
    readable: bool = False
    problems: list[str] = field(default_factory=list)

    @property
    def has_figures(self) -> bool:
        return has_figures(entry.raw for entry in self.entries)


@dataclass(slots=True)
class Table3:
    """Rows keyed by stable ids (`new`, `carried_in`, `r_grant`, … `total`, `carried_out`), 7 raw cells each."""

    rows: dict[str, list[str]] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)
    extra_rows: dict[str, list[str]] = field(default_factory=dict)
    by_position: dict[str, str] = field(default_factory=dict)   # row id → damaged label matched by its number
    format: str | None = None
    readable: bool = False
    problems: list[str] = field(default_factory=list)

    def value(self, row: str, col: int) -> int | float | None:
        return parse_number(self.rows[row][col]).value

    @property
    def has_figures(self) -> bool:
        return has_figures(cell for cells in self.rows.values() for cell in cells)


@dataclass(slots=True)
class Table4:
    """The 15 raw cells in the official order (复议 ×5, 直接起诉 ×5, 复议后起诉 ×5)."""

    cells: list[str] = field(default_factory=list)
    readable: bool = False
    problems: list[str] = field(default_factory=list)

    def value(self, group: str, name: str) -> int | float | None:
        return parse_number(self.cells[T4_COLUMNS.index((group, name))]).value

    @property
    def has_figures(self) -> bool:
        return has_figures(self.cells)


@dataclass(slots=True)
class NarrativeNumber:
    """A number stated in the narrative, with the sentence it came from (quoted in findings)."""

    key: str          # e.g. "received", "carried_in", "review_total"
    value: int | None
    sentence: str     # normalised (PDF line breaks and spaces around digits removed)
    raw: str | None = None   # the sentence as extracted, when normalising changed it


@dataclass(slots=True)
class ParsedReport:
    source: str                                  # "html" / "text" / "pdf" / "docx"
    title: str | None = None
    year_title: int | None = None
    year_period: int | None = None
    year_opening: int | None = None              # "2021年，…" opening 一、总体情况
    published: date | None = None
    format: str = "unknown"                      # "2019" / "2021" / "pre2019" / "unknown"
    sections: dict[str, str] = field(default_factory=dict)   # "一".."六" → heading as written
    table2: Table2 = field(default_factory=Table2)
    table3: Table3 = field(default_factory=Table3)
    table4: Table4 = field(default_factory=Table4)
    narrative: list[NarrativeNumber] = field(default_factory=list)
    text: str = ""                               # narrative text without tables
    unreadable: str | None = None                # why nothing could be read (a scan), for `uncertain` results

    @property
    def year(self) -> int | None:
        return self.year_title or self.year_period

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["published"] = self.published.isoformat() if self.published else None
        data["year"] = self.year
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "ParsedReport":
        """The inverse of `to_dict`, for parse results kept in the store."""
        return _build(cls, data)


def _build(cls: type, data: dict[str, Any]) -> Any:
    hints = get_type_hints(cls)
    return cls(**{f.name: _value(hints[f.name], data[f.name]) for f in fields(cls) if f.name in data})


def _value(hint: Any, value: Any) -> Any:
    """`value` from JSON as the annotated type: nested dataclasses, lists of them, dates."""
    if value is None:
        return None
    if get_origin(hint) in (Union, types.UnionType):
        hint = next(arg for arg in get_args(hint) if arg is not type(None))
    if is_dataclass(hint):
        return _build(hint, value)   # type: ignore[arg-type]
    if get_origin(hint) is list:
        return [_value(get_args(hint)[0], item) for item in value]
    if hint is date:
        return date.fromisoformat(value)
    return value
