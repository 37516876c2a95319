"""Calendar months, as the bulletin, `gongkai stats` and the publication checks name them (2026-10)."""
from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta


@dataclass(frozen=True, slots=True, order=True)
class Month:
    year: int
    month: int

    @classmethod
    def parse(cls, text: str) -> "Month":
        try:
            year, month = (int(p) for p in text.split("-"))
            date(year, month, 1)
        except ValueError:
            raise ValueError(f"month should be YYYY-MM (got {text!r})") from None
        return cls(year, month)

    @classmethod
    def of(cls, day: date) -> "Month":
        return cls(day.year, day.month)

    @classmethod
    def before(cls, day: date) -> "Month":
        """The month that ended before `day`'s month began (what a bulletin issued on `day` covers)."""
        last = day.replace(day=1) - timedelta(days=1)
        return cls(last.year, last.month)

    @classmethod
    def from_ordinal(cls, ordinal: int) -> "Month":
        return cls(ordinal // 12, ordinal % 12 + 1)

    @property
    def ordinal(self) -> int:
        """Months since year 0: consecutive months differ by one."""
        return self.year * 12 + self.month - 1

    @property
    def first(self) -> date:
        return date(self.year, self.month, 1)

    @property
    def last(self) -> date:
        return date(self.year, self.month, calendar.monthrange(self.year, self.month)[1])

    @property
    def previous(self) -> "Month":
        return Month.before(self.first)

    @property
    def label(self) -> str:
        return f"{self.year}年{self.month}月"

    def __add__(self, months: int) -> "Month":
        return Month.from_ordinal(self.ordinal + months)

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"
