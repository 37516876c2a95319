"""Working-day arithmetic for rectification deadlines (整改期限).

A deadline of "N working days" must skip the official holidays and count the adjusted working
weekends (调休), or a bulletin issued before National Day gives units a week less than it says.
The official calendar comes from `chinesecalendar`, which only knows the years the State Council
has published (2004–2026 in 1.11). For other years we fall back to Monday–Friday minus the
fixed-date holidays (1/1, 5/1, 10/1–10/3) and log a warning once per year: lunar holidays and
调休 cannot be derived, so `calendar.extra_holidays` / `extra_workdays` in config.yaml correct
it (they also override the official data, e.g. for a local holiday).
"""
from __future__ import annotations

import logging
from datetime import date, timedelta
from typing import Iterable

import chinese_calendar

from monitor.config import Config

log = logging.getLogger("gongkai.workdays")

FIXED_HOLIDAYS = frozenset({(1, 1), (5, 1), (10, 1), (10, 2), (10, 3)})


class WorkCalendar:
    """Which days are working days, from the official calendar, the fallback and the overrides."""

    def __init__(self, extra_holidays: Iterable[date] = (), extra_workdays: Iterable[date] = ()):
        self.extra_holidays = frozenset(extra_holidays)
        self.extra_workdays = frozenset(extra_workdays)
        #: years for which the fallback rule was used (shown next to a deadline that depends on it)
        self.fallback_years: set[int] = set()

    @classmethod
    def from_config(cls, config: Config) -> "WorkCalendar":
        return cls(config.calendar.extra_holidays, config.calendar.extra_workdays)

    def is_workday(self, day: date) -> bool:
        if day in self.extra_workdays:
            return True
        if day in self.extra_holidays:
            return False
        try:
            return chinese_calendar.is_workday(day)
        except NotImplementedError:
            if day.year not in self.fallback_years:
                self.fallback_years.add(day.year)
                log.warning("no official holiday calendar for %s (upgrade chinesecalendar); using Mon–Fri "
                            "minus fixed-date holidays plus calendar.extra_holidays/extra_workdays", day.year)
            return day.weekday() < 5 and (day.month, day.day) not in FIXED_HOLIDAYS

    def add_workdays(self, start: date, count: int) -> date:
        """The `count`-th working day after `start` (the start day itself is not counted)."""
        day, left = start, count
        while left > 0:
            day += timedelta(days=1)
            if self.is_workday(day):
                left -= 1
        return day
