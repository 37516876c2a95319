"""K7 carry-over on the 平潭 year pairs and A14 near-duplicates."""
from __future__ import annotations

import copy

from tests.report_support import load, one, run


def test_k7_consecutive_pingtan_years_agree() -> None:
    result = one(run(load("pingtan_2022.txt"), previous=load("pingtan_2021.txt")), "K7")
    assert result.status == "pass"


def test_k7_non_consecutive_years_not_applicable() -> None:
    for now, before in (("pingtan_2021.txt", "pingtan_2019.txt"), ("pingtan_2024.html", "pingtan_2022.txt")):
        assert one(run(load(now), previous=load(before)), "K7").status == "not_applicable"


def test_k7_mismatch_is_a_medium_warning_with_evidence() -> None:
    previous = copy.deepcopy(load("pingtan_2021.txt"))
    previous.table3.rows["carried_out"][6] = "4"
    result = one(run(load("pingtan_2022.txt"), previous=previous), "K7")
    assert (result.status, result.severity, result.kind) == ("warning", "medium", "report_carryover_mismatch")
    assert {"rule": "K7", "column": "总计", "expected": 4, "found": 1} in result.evidence["violations"]


def test_k7_unreadable_previous_is_uncertain() -> None:
    assert one(run(load("pingtan_2022.txt"), previous=load("partial/laifeng_zwfwdsjj_2021_partial.txt")),
               "K7").status == "uncertain"


def test_a14_copied_report_is_flagged_and_distinct_years_are_not() -> None:
    this_year = load("pingtan_2022.txt")
    copied = copy.deepcopy(this_year)
    copied.text = this_year.text.replace("2022", "2021")
    copied.year_title = 2021
    duplicate = one(run(this_year, previous=copied), "A14")
    assert (duplicate.status, duplicate.kind) == ("warning", "report_duplicate")
    assert duplicate.evidence["similarity"] >= 0.9
    assert one(run(this_year, previous=load("pingtan_2021.txt")), "A14").status == "pass"
