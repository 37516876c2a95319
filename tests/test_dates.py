"""Displayed dates on list pages: full forms, labels, split calendar tiles, and month-day
forms whose year comes from the article URL or from `today` (around new year)."""
from __future__ import annotations

from datetime import date

import pytest

from crawler.dates import find_date, parse_date, parse_full_date, shows_year, year_from_url, years_from_order

TODAY = date(2026, 11, 26)


@pytest.mark.parametrize("text, expected", [
    ("2026-11-20", date(2026, 11, 20)),
    ("2026/11/20", date(2026, 11, 20)),
    ("2026.11.20", date(2026, 11, 20)),
    ("2026年11月20日", date(2026, 11, 20)),
    ("2026年1月5日", date(2026, 1, 5)),
    ("2026-11-20 10:30", date(2026, 11, 20)),
    ("发布时间：2026-11-20", date(2026, 11, 20)),
    ("发布日期:2021-01-30 来源：县政府办", date(2021, 1, 30)),
    ("\n        2026-03-10\n    ", date(2026, 3, 10)),
    ("20 2026-11", date(2026, 11, 20)),        # calendar tile: day, then year-month
    ("2026-11 20", date(2026, 11, 20)),        # year-month, then day
    ("[11-20]", date(2026, 11, 20)),
    ("11-20", date(2026, 11, 20)),
    ("11/20", date(2026, 11, 20)),
    ("11月20日", date(2026, 11, 20)),
])
def test_formats(text, expected):
    assert parse_date(text, today=TODAY) == expected


@pytest.mark.parametrize("text", ["", "关于做好冬季安全生产工作的通知", "第3期", "2026-13-45", "浏览次数：2026", "10:30"])
def test_no_date(text):
    assert parse_date(text, today=TODAY) is None


def test_month_day_around_new_year():
    # early January: December dates belong to last year, January ones to this year
    jan = date(2027, 1, 5)
    assert parse_date("[12-30]", today=jan) == date(2026, 12, 30)
    assert parse_date("[01-03]", today=jan) == date(2027, 1, 3)
    # late December: a date after today is last year's
    dec = date(2026, 12, 31)
    assert parse_date("[12-31]", today=dec) == date(2026, 12, 31)
    assert parse_date("[11-20]", today=date(2026, 11, 19)) == date(2025, 11, 20)


def test_month_day_takes_the_year_from_the_url():
    url = "http://x.gov.cn/xxgk/tzgg/202512/t20251230_1.htm"
    assert year_from_url(url) == 2025
    assert parse_date("[12-30]", today=date(2027, 1, 5), context_year=year_from_url(url)) == date(2025, 12, 30)
    assert year_from_url("http://x.gov.cn/art/20260115/i3849993.html") == 2026
    assert year_from_url("http://x.gov.cn/col/col123/index.html") is None


def test_find_date_returns_the_text_it_read():
    assert find_date("来源：县政府 发布时间：2026-11-20 10:30", today=TODAY) == (date(2026, 11, 20), "2026-11-20")
    assert find_date("[11-20]", today=TODAY) == (date(2026, 11, 20), "11-20")


def test_invalid_then_valid_full_date():
    assert parse_full_date("2026-02-30 2026-02-28") == date(2026, 2, 28)
    assert parse_date("02-29", today=TODAY) == date(2024, 2, 29)  # the latest year that has the day


def test_a_year_shown_alone_next_to_the_month_day_is_its_year():
    # the year kept in a comment or a hidden element beside the visible MM-DD (passed in as text)
    assert parse_date("2015 06-16", today=date(2018, 7, 7)) == date(2015, 6, 16)
    assert parse_date("06-16 2015", today=date(2018, 7, 7)) == date(2015, 6, 16)
    assert parse_date("06-16", today=date(2018, 7, 7)) == date(2018, 6, 16)        # no year shown: today's
    assert shows_year("<!-- 2018-->") and not shows_year("07-04") and not shows_year("浏览12018次")


def test_years_from_order_between_known_years():
    d = date
    # newest first: a guessed month-day between two known rows takes the year that keeps the order
    dates = [d(2018, 1, 5), d(2026, 12, 30), d(2026, 12, 10), d(2017, 12, 1)]
    guessed = [False, True, True, False]
    assert years_from_order(dates, guessed) == [d(2018, 1, 5), d(2017, 12, 30), d(2017, 12, 10), d(2017, 12, 1)]
    # rows above the first or below the last known row keep today's guess (a pinned row moves nothing)
    assert years_from_order([d(2024, 3, 1), d(2026, 11, 20), d(2026, 11, 19)], [False, True, True]) == \
        [d(2024, 3, 1), d(2026, 11, 20), d(2026, 11, 19)]
    # a row that fits no year between its neighbours (the list is not in date order there) keeps it too
    assert years_from_order([d(2018, 1, 5), d(2026, 6, 1), d(2017, 12, 1)], [False, True, False]) == \
        [d(2018, 1, 5), d(2026, 6, 1), d(2017, 12, 1)]
    assert years_from_order([None, d(2026, 2, 28)], [False, True]) == [None, d(2026, 2, 28)]
