"""Rectification deadlines in working days: the official calendar (holidays, 调休 weekends), the
fallback for years chinesecalendar does not cover, and the config overrides."""
import logging
from datetime import date

import pytest

from monitor.config import ConfigError
from monitor.workdays import WorkCalendar
from tests.helpers import make_config


def test_national_day_is_skipped_and_adjusted_sunday_counts():
    cal = WorkCalendar()
    # 2026-09-20 is a working Sunday; 9/25–9/27 中秋, 10/1–10/7 国庆; 10/10 a working Saturday
    assert cal.is_workday(date(2026, 9, 20)) and not cal.is_workday(date(2026, 10, 5))
    assert cal.add_workdays(date(2026, 9, 18), 1) == date(2026, 9, 20)
    assert cal.add_workdays(date(2026, 9, 18), 10) == date(2026, 10, 9)
    assert cal.add_workdays(date(2026, 9, 29), 3) == date(2026, 10, 9)
    assert cal.add_workdays(date(2026, 10, 9), 1) == date(2026, 10, 10)
    assert cal.fallback_years == set()


def test_2025_national_day_with_working_sunday_before_it():
    # 2025: Sunday 9/28 and Saturday 10/11 are working days, 10/1–10/8 holidays
    # 9/28, 9/29, 9/30, 10/9, 10/10, 10/11, 10/13, 10/14
    assert WorkCalendar().add_workdays(date(2025, 9, 26), 8) == date(2025, 10, 14)


def test_fallback_outside_the_official_data_logs_a_warning(caplog):
    cal = WorkCalendar()
    with caplog.at_level(logging.WARNING, logger="gongkai.workdays"):
        # 2027-09-30 is a Thursday; 10/1 (Fri) is a fixed holiday, then the weekend, 10/2-10/3
        assert cal.add_workdays(date(2027, 9, 30), 2) == date(2027, 10, 5)
        cal.add_workdays(date(2027, 1, 1), 3)
    assert cal.fallback_years == {2027}
    assert sum("2027" in r.getMessage() for r in caplog.records) == 1


def test_config_overrides_correct_the_fallback_and_the_official_data():
    config = make_config("calendar:\n  extra_holidays: [2027-02-08, 2026-11-03]\n  extra_workdays: ['2027-02-06']\n")
    cal = WorkCalendar.from_config(config)
    assert cal.is_workday(date(2027, 2, 6))                  # a Saturday made a working day
    assert not cal.is_workday(date(2027, 2, 8))              # a Monday made a holiday (春节)
    assert cal.add_workdays(date(2027, 2, 5), 2) == date(2027, 2, 9)
    assert cal.add_workdays(date(2026, 11, 2), 1) == date(2026, 11, 4)   # a local holiday in a covered year


def test_calendar_config_rejects_non_dates():
    with pytest.raises(ConfigError) as err:
        make_config("calendar:\n  extra_holidays: [next tuesday]\n")
    assert "calendar.extra_holidays.0" in str(err.value)
