"""Publication statistics (issue 11 item 1): counts per unit and month from a real store, judged
against the minimum standard (W15) and for zero 动态 months (W16), through `gongkai stats`."""
from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner

from monitor.checks.publication import check_publication, judge
from monitor.cli import cli
from monitor.config import parse_config
from monitor.observations import ListItem, column_id, record_discovery, record_fetch, record_list, sync_units
from monitor.months import Month
from monitor.stats import load_publication, month_period, parse_period
from monitor.store import open_db

TODAY = datetime.now(ZoneInfo("Asia/Shanghai")).date()     # the store stamps reads with the real clock
LAST = Month.of(TODAY) + -1
SITE = "http://127.0.0.1:9/"

CONFIG = f"""\
county: 衡山县
supervisor: {{name: 衡山县行政审批服务局}}
rules: {{min_monthly_items: {{department: 4, township: 2}}}}
units:
  - {{id: a, name: 甲局, type: department, site: "{SITE}a/"}}
  - {{id: b, name: 乙镇, type: township, site: "{SITE}b/"}}
  - {{id: c, name: 丙局, type: department, site: "{SITE}c/", min_monthly_items: 1}}
"""


def day_in(month: Month, d: int = 10) -> str:
    return date(month.year, month.month, d).isoformat()


def items(*days: str, prefix: str) -> list[ListItem]:
    return [ListItem(f"信息{n}", f"{SITE}{prefix}/t{n}.html", d) for n, d in enumerate(days)]


def listing(db, unit: str, name: str, entries: list[ListItem], *, complete: bool | None = True) -> str:
    cid = column_id(unit, f"{SITE}{unit}/{name}/")
    record_list(db, run_id=1, column_id=cid, items=entries, pages_seen=1, http_status=200, etag=None,
                last_modified=None, body_hash=None, complete=complete)
    return cid


@pytest.fixture
def store(tmp_path: Path):
    config = parse_config(CONFIG)
    db = open_db(tmp_path / "store.db")
    sync_units(db, config.units)
    for unit, names in {"a": ("工作动态", "通知公告", "政策文件"), "b": ("工作动态", "通知公告"),
                        "c": ("工作动态", "人事信息")}.items():
        record_discovery(db, unit, [(n, f"{SITE}{unit}/{n}/") for n in names])
    return config, db


def test_counts_once_per_url_by_the_shown_month_split_by_type(store):
    config, db = store
    shared = ListItem("同一信息", f"{SITE}a/shared.html", day_in(LAST, 3))
    listing(db, "a", "工作动态", items(day_in(LAST, 1), day_in(LAST, 20), day_in(LAST + -1), prefix="a/d") + [shared])
    listing(db, "a", "通知公告", items(day_in(LAST, 5), day_in(LAST + -2), prefix="a/n") + [shared])
    listing(db, "a", "政策文件", [])
    (pub,) = load_publication(db, config, (LAST + -2, LAST + -1, LAST), TODAY, unit_ids=["a"])
    stat = judge(config, pub, month_period(LAST))
    assert (stat.items, stat.dynamic, stat.disclosure) == (4, 3, 1)     # the shared page once, as 动态
    assert stat.columns == {"工作动态": 3, "通知公告": 1}
    assert (stat.status, stat.minimum, stat.all_read) == ("ok", 4, True)
    quarter = judge(config, pub, parse_period(quarter=f"{LAST.year}-Q{(LAST.month - 1) // 3 + 1}", today=TODAY))
    assert quarter.items == sum(pub.total([m]).items for m in quarter_months(LAST) if m <= LAST + 1)


def quarter_months(month: Month) -> list[Month]:
    first = Month(month.year, month.month - (month.month - 1) % 3)
    return [first, first + 1, first + 2]


def test_below_minimum_fails_when_every_column_was_read_and_is_uncertain_when_not(store):
    config, db = store
    listing(db, "a", "工作动态", items(day_in(LAST), prefix="a/d"))
    listing(db, "a", "通知公告", items(day_in(LAST), prefix="a/n"))
    listing(db, "a", "政策文件", items(day_in(LAST + -5), prefix="a/p"))
    results = {r.kind: r for r in check_publication(config, load_publication(db, config, (LAST,), TODAY), LAST)
               if r.unit_id == "a"}
    assert results["unit_below_minimum"].status == "fail"
    assert results["unit_below_minimum"].evidence["items"] == 2
    assert results["unit_no_dynamic"].status == "pass"
    # the same counts, but one column could not be read: 未能统计, not a violation
    record_fetch(db, run_id=2, url=f"{SITE}a/政策文件/", purpose="list", outcome="http_error", unit_id="a",
                 column_id=column_id("a", f"{SITE}a/政策文件/"), http_status=500)
    db.execute("UPDATE columns SET last_ok_at = NULL WHERE id = ?", [column_id("a", f"{SITE}a/政策文件/")])
    (pub,) = load_publication(db, config, (LAST,), TODAY, unit_ids=["a"])
    assert judge(config, pub, month_period(LAST)).status == "not_counted"
    (result,) = [r for r in check_publication(config, [pub], LAST) if r.kind == "unit_below_minimum"]
    assert result.status == "uncertain" and "未能统计" in result.message


def test_a_month_whose_columns_were_never_read_is_not_counted_not_zero(store):
    config, db = store
    (pub,) = load_publication(db, config, (LAST,), TODAY, unit_ids=["c"])
    stat = judge(config, pub, month_period(LAST))
    assert (stat.items, stat.status) == (0, "not_counted")
    assert {r.kind: r.status for r in check_publication(config, [pub], LAST)} == {
        "unit_below_minimum": "uncertain", "unit_no_dynamic": "uncertain"}


def test_zero_dynamic_months_run_back_to_the_last_dynamic_item(store):
    config, db = store
    listing(db, "b", "工作动态", items(day_in(LAST + -3), day_in(LAST + -4), prefix="b/d"))
    listing(db, "b", "通知公告", items(day_in(LAST, 2), day_in(LAST, 3), prefix="b/n"))
    (pub,) = load_publication(db, config, (LAST,), TODAY, unit_ids=["b"])
    stat = judge(config, pub, month_period(LAST))
    assert (stat.status, stat.zero_months, stat.zero_months_at_least) == ("zero", 3, False)
    results = {r.kind: r for r in check_publication(config, [pub], LAST)}
    assert results["unit_no_dynamic"].status == "fail" and "连续3个月" in results["unit_no_dynamic"].message
    assert results["unit_below_minimum"].status == "pass"
    # the same from a 12-month load (the dashboard's): the run ends inside the months loaded
    (pub12,) = load_publication(db, config, tuple(LAST + -k for k in range(11, -1, -1)), TODAY, unit_ids=["b"])
    assert pub12.zero_run(LAST) == (3, False)


def test_a_run_longer_than_the_store_history_says_at_least(store):
    config, db = store
    listing(db, "b", "工作动态", [], complete=True)
    listing(db, "b", "通知公告", items(day_in(LAST + -2), day_in(LAST, 2), day_in(LAST, 4), prefix="b/n"),
            complete=False)
    # the store first saw the (empty) 动态 column in the month before last: the run is "at least 2"
    db.execute("UPDATE columns SET first_seen = ? WHERE name = '工作动态' AND unit_id = 'b'",
               [f"{(LAST + -1).first}T12:00:00+00:00"])
    (pub,) = load_publication(db, config, (LAST,), TODAY, unit_ids=["b"])
    stat = judge(config, pub, month_period(LAST))
    assert (stat.status, stat.zero_months, stat.zero_months_at_least) == ("zero", 2, True)
    # a listing that shows an older 动态 item reaches back to it: the run is known
    listing(db, "b", "工作动态", items(day_in(LAST + -6), prefix="b/d"), complete=False)
    (pub,) = load_publication(db, config, (LAST,), TODAY, unit_ids=["b"])
    assert pub.zero_run(LAST) == (6, False)


def test_no_minimum_no_standard_and_no_dynamic_column_nothing_to_find(store):
    config = parse_config(CONFIG.replace("rules: {min_monthly_items: {department: 4, township: 2}}\n", ""))
    _, db = store
    listing(db, "c", "人事信息", items(day_in(LAST), prefix="c/r"))
    db.execute("UPDATE columns SET discovered = 0 WHERE unit_id = 'c' AND name = '工作动态'")
    (pub,) = load_publication(db, config, (LAST,), TODAY, unit_ids=["c"])
    assert judge(config, pub, month_period(LAST)).minimum == 1           # its own standard stays
    assert {r.kind: r.status for r in check_publication(config, [pub], LAST)} == {
        "unit_below_minimum": "pass", "unit_no_dynamic": "not_applicable"}


def test_backdated_items_count_in_the_month_shown_and_are_flagged(store):
    config, db = store
    cid = listing(db, "a", "通知公告", items(day_in(LAST, 1), day_in(LAST + -3, 1), prefix="a/n"))
    (pub,) = load_publication(db, config, (LAST,), TODAY, unit_ids=["a"])
    assert judge(config, pub, month_period(LAST)).backdated == 0      # on the column's first listing: not back-dated
    # the column was listed long before these items appeared: the one shown last month is back-dated
    db.execute("UPDATE columns SET first_seen = '2020-01-01T00:00:00+00:00' WHERE id = ?", [cid])
    (pub,) = load_publication(db, config, (LAST,), TODAY, unit_ids=["a"])
    stat = judge(config, pub, month_period(LAST))
    assert (stat.items, stat.backdated) == (1, 1)


def test_periods():
    today = date(2026, 11, 26)
    assert parse_period(today=today).label == "2026-10"
    assert [str(m) for m in parse_period(quarter="2026-Q4", today=today).months] == ["2026-10", "2026-11"]
    assert len(parse_period(year="2025", today=today).months) == 12
    for bad in ({"month": "2026-13"}, {"quarter": "2026-Q5"}, {"year": "2027"}, {"month": "2026-01", "year": "2026"}):
        with pytest.raises(ValueError):
            parse_period(today=today, **bad)


def test_config_rejects_an_unknown_unit_type_standard():
    from monitor.config import ConfigError

    with pytest.raises(ConfigError):
        parse_config(CONFIG.replace("township: 2", "village: 2"))


def test_stats_command_json_csv_table(store, tmp_path):
    config, db = store
    listing(db, "a", "工作动态", items(day_in(LAST), prefix="a/d"))
    cfg = tmp_path / "config.yaml"
    cfg.write_text(CONFIG.replace("county:", f"database: {tmp_path / 'store.db'}\ncounty:"), encoding="utf-8")
    run = CliRunner().invoke
    out = run(cli, ["--config", str(cfg), "stats", "--month", str(LAST), "--format", "json"])
    assert out.exit_code == 0, out.output
    rows = json.loads(out.output)
    assert [r["unit"]["id"] for r in rows] == ["a", "b", "c"]
    assert set(rows[0]) >= {"unit", "period", "items", "dynamic", "disclosure", "status", "minimum", "zero_months",
                            "columns"}
    assert (rows[0]["items"], rows[0]["minimum"], rows[0]["columns"]) == (1, 4, {"工作动态": 1})
    assert rows[1]["status"] == "not_counted"
    csv_out = run(cli, ["--config", str(cfg), "stats", "--unit", "a", "--format", "csv"])
    assert csv_out.exit_code == 0 and csv_out.output.splitlines()[1].startswith("a,甲局,")
    table = run(cli, ["--config", str(cfg), "stats", "--year", str(LAST.year)])
    assert table.exit_code == 0 and "信息发布情况" in table.output and "未能统计" in table.output
    bad = run(cli, ["--config", str(cfg), "stats", "--month", "2026-13"])
    assert bad.exit_code == 2 and "YYYY-MM" in bad.output
