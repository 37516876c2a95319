"""Publication statistics of the demo run against the generator's truth (issue 11 item 1): the
generator knows every item it served and the date its list showed, so every unit and month of the
last two years is compared, and the demo county shows a unit below its standard (发改局, a
standard of its own) and one whose 动态 column has been silent for three months (开云镇)."""
from __future__ import annotations

import json
from datetime import date

from click.testing import CliRunner

from monitor.checks.publication import monthly_minimum, publication_stats
from monitor.cli import cli
from monitor.config import load_config
from monitor.months import Month
from monitor.stats import Period, load_publication
from monitor.store import open_db


def _today(out) -> date:
    (today,) = open_db(out / "demo.db").execute(
        "SELECT today FROM runs WHERE kind = 'check' ORDER BY id DESC").fetchone()
    return date.fromisoformat(today)


def test_every_unit_and_month_matches_the_generator(demo):
    out, _, county = demo
    config, today = load_config(out / "config.yaml"), _today(out)
    months = tuple(Month.of(today) + k for k in range(-24, 1))
    truth, counted_from = county.publication(), county.counted_from()
    assert {readable for readable, _ in counted_from.values()} == {True, False}
    assert "" in {start for _, start in counted_from.values()} and len(set(counted_from.values())) > 2
    pubs = load_publication(open_db(out / "demo.db"), config, months, today)
    assert [p.unit_id for p in pubs] == [u.id for u in county.units]
    for pub in pubs:
        readable, start = counted_from[pub.unit_id]
        for month in months:
            got, want = pub.total([month]), truth.get((pub.unit_id, str(month)), (0, 0))
            assert pub.all_read([month]) == (readable and str(month) >= start), (pub.unit_id, str(month))
            if str(month) >= start:   # read whole (the truth leaves the unreadable columns out too)
                assert (got.dynamic, got.disclosure) == want, (pub.unit_id, str(month))
            else:                      # older items beyond a column's first page: a lower bound, 未能统计
                assert got.dynamic <= want[0] and got.disclosure <= want[1], (pub.unit_id, str(month))


def test_statuses_follow_the_truth_and_the_demo_shows_both_cases(demo):
    out, _, county = demo
    config, today = load_config(out / "config.yaml"), _today(out)
    last = Month.of(today) + -1
    truth, counted_from = county.publication(), county.counted_from()
    counted = {u for u, (readable, start) in counted_from.items() if readable and str(last) >= start}
    stats = {s.unit_id: s for s in publication_stats(
        config, load_publication(open_db(out / "demo.db"), config, (last,), today), Period(str(last), (last,)))}
    for unit in county.units:
        dynamic, disclosure = truth.get((unit.id, str(last)), (0, 0))
        minimum = monthly_minimum(config, unit.id, unit.type)
        has_dynamic = any(c.category == "dynamic" for c in unit.columns)
        zero, below = has_dynamic and dynamic == 0, minimum is not None and dynamic + disclosure < minimum
        expected = ("zero" if zero and unit.id in counted else "below_minimum" if below and unit.id in counted
                    else "not_counted" if zero or below else "ok")
        assert stats[unit.id].status == expected, (unit.id, dynamic, disclosure, minimum)
    assert stats["fgj"].status == "below_minimum" and stats["fgj"].minimum == 15
    assert (stats["kyz"].status, stats["kyz"].zero_months, stats["kyz"].zero_months_at_least) == ("zero", 3, False)


def test_the_demo_check_opens_the_publication_findings(demo):
    out, _, _ = demo
    found = {(u, k): (r, json.loads(e)) for u, k, r, e in open_db(out / "demo.db").execute(
        "SELECT unit_id, kind, result, evidence FROM findings WHERE status = 'open' AND kind LIKE 'unit_%'")}
    assert found[("fgj", "unit_below_minimum")][0] == "fail"
    result, evidence = found[("kyz", "unit_no_dynamic")]
    assert result == "fail" and evidence["zero_months"] == 3
    # a unit with an unreadable column is 未能统计 when its count could be too low, never a violation
    unreadable = [r for (u, _), (r, _) in found.items() if u in ("sthj", "wjj", "nyncj", "rsj", "dmz")]
    assert unreadable and set(unreadable) == {"uncertain"}


def test_stats_command_on_the_demo(demo):
    out, _, _ = demo
    result = CliRunner().invoke(cli, ["--config", str(out / "config.yaml"), "stats", "--unit", "kyz",
                                      "--format", "json"])
    assert result.exit_code == 0, result.output
    (row,) = json.loads(result.output)
    assert (row["unit"]["id"], row["status"], row["zero_months"]) == ("kyz", "zero", 3)
