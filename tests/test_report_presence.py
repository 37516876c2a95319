"""A1/A2: deadlines per unit type, evaluated at a fixed `today` on both sides of each deadline."""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from monitor.reports import check_presence, deadline_for
from tests.report_support import load, one, run

DEADLINES = {"township": "02-20"}
CASES = [("department", 2023, date(2024, 1, 31)), ("government", 2023, date(2024, 3, 31)),
         ("township", 2023, date(2024, 2, 20)), ("department", 2018, date(2019, 3, 31)),
         ("township", 2015, date(2016, 3, 31))]


def presence(unit_type: str, year: int, published: date | None, today: date):
    return check_presence(unit_id="u", unit_name="单位", unit_type=unit_type, year=year, published=published,
                          today=today, deadlines=DEADLINES)


@pytest.mark.parametrize(("unit_type", "year", "due"), CASES)
def test_deadline_table(unit_type: str, year: int, due: date) -> None:
    assert deadline_for(year, unit_type, DEADLINES) == due


@pytest.mark.parametrize(("unit_type", "year", "due"), CASES)
def test_missing_before_and_after_deadline(unit_type: str, year: int, due: date) -> None:
    assert one(presence(unit_type, year, None, due), "A1").status == "not_applicable"
    late = one(presence(unit_type, year, None, due + timedelta(days=1)), "A1")
    assert (late.status, late.severity) == ("fail", "critical")
    assert late.evidence["deadline"] == due.isoformat()


@pytest.mark.parametrize(("unit_type", "year", "due"), CASES)
def test_published_on_time_and_late(unit_type: str, year: int, due: date) -> None:
    on_time = presence(unit_type, year, due, due + timedelta(days=30))
    assert [r.status for r in on_time] == ["pass", "pass"]
    late = one(presence(unit_type, year, due + timedelta(days=3), due + timedelta(days=30)), "A2")
    assert (late.status, late.severity, late.evidence["days_late"]) == ("fail", "high", 3)


def test_unconfigured_township_is_uncertain() -> None:
    result = check_presence(unit_id="u", unit_name="镇", unit_type="township", year=2023, published=None,
                            today=date(2025, 1, 1), deadlines={})
    assert one(result, "A1").status == "uncertain"


def test_check_report_uses_published_date_of_the_page() -> None:
    report = load("pingtan_2021.txt")                         # published 2022-02-08
    assert one(run(report, unit_type="government"), "A2").status == "pass"
    assert one(run(report, unit_type="department"), "A2").status == "fail"
