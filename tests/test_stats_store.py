"""Publication counts at scale (issue 11 quality bar: `gongkai stats` over 5 million items < 3 s, the
发布统计 page < 300 ms): a period is counted from its own items through store migration 17's index,
and the dashboard counts again only when what the counts are made of changed."""
from __future__ import annotations

from pathlib import Path

from monitor.checks.publication import judge_each, publication_stats
from monitor.config import parse_config
from monitor.observations import ListItem, Probe, record_discovery, record_probe, sync_units
from monitor.stats import Period, load_publication, month_period, parse_period, publication_versions
from monitor.store import MIGRATIONS, open_db, open_readonly, utcnow
from monitor.web.listing import Warmer
from monitor.web.queries import publication_grid
from tests.test_publication import CONFIG, LAST, SITE, TODAY, day_in, items, listing


def _store(path: Path):
    config = parse_config(CONFIG)
    db = open_db(path)
    sync_units(db, config.units)
    for unit, names in {"a": ("工作动态", "通知公告"), "b": ("工作动态",)}.items():
        record_discovery(db, unit, [(n, f"{SITE}{unit}/{n}/") for n in names])
    listing(db, "a", "工作动态", items(*(day_in(LAST, d) for d in (1, 2, 3)), day_in(LAST + -13), prefix="a/d"),
            complete=False)
    listing(db, "a", "通知公告", items(day_in(LAST + -1), prefix="a/n"))
    listing(db, "b", "工作动态", items(day_in(LAST + -4), prefix="b/d"))
    return config, db


def _plans(db, run) -> list[str]:
    """The query plans of the statements `run` makes on `db` that read the items."""
    statements: list[str] = []
    db.conn.set_trace_callback(statements.append)
    try:
        run()
    finally:
        db.conn.set_trace_callback(None)
    return [" / ".join(row[3] for row in db.execute(f"EXPLAIN QUERY PLAN {sql}"))
            for sql in statements if sql.lstrip().upper().startswith("SELECT") and "items" in sql]


def test_a_period_is_counted_from_its_own_items_through_the_index(tmp_path: Path):
    """The counts of the months asked for, and whether a listing reaches back before them, are read
    through items_column_date (column, date shown, first seen): a month reads its own items, not the
    store's millions; before migration 17 every count read every item."""
    config, db = _store(tmp_path / "s.db")
    plans = _plans(db, lambda: load_publication(db, config, (LAST,), TODAY))
    assert any("SEARCH i USING COVERING INDEX items_column_date (column_id=? AND date>? AND date<?)" in p
               for p in plans), plans
    assert any("SEARCH i USING COVERING INDEX items_column_date (column_id=? AND date<?)" in p for p in plans), plans


def _counts(pubs) -> list[tuple]:
    return [(p.unit_id, p.counted, p.dynamic_counted, p.dynamic_history, p.last_dynamic_before,
             {m: (c.items, c.dynamic, c.backdated, dict(c.columns)) for m, c in p.months.items()}) for p in pubs]


def test_a_store_from_before_migration_17_upgrades_with_the_same_counts(tmp_path: Path):
    """An existing store gets the index and the change counter in place; what it counts does not change."""
    config, db = _store(tmp_path / "s.db")
    months = tuple(LAST + k for k in range(-13, 1))
    before = _counts(load_publication(db, config, months, TODAY))
    db.conn.executescript("DROP TRIGGER items_listed; DROP TRIGGER items_removed; DROP TRIGGER items_redated; "
                          "DROP TRIGGER columns_added; DROP TRIGGER columns_removed; DROP TRIGGER columns_changed; "
                          "DROP TRIGGER columns_read; "
                          "DROP TABLE publication_changes; DROP INDEX items_column_date; "
                          f"PRAGMA user_version = {len(MIGRATIONS) - 1};")
    db.conn.close()
    db = open_db(tmp_path / "s.db")
    assert publication_versions(db) == {}
    assert "items_column_date" in {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
    assert _counts(load_publication(db, config, months, TODAY)) == before
    assert sum(c[0] for *_, counts in before for c in counts.values()) == 6


def test_a_period_judged_from_its_totals_is_judged_as_from_its_months(tmp_path: Path):
    """`gongkai stats --quarter/--year` loads a period's totals per column (no grouping per month):
    the same statuses, counts, columns, back-dated items, pages listed twice and runs of zero months
    as judged from every month's counts."""
    config, db = _store(tmp_path / "s.db")
    shared = ListItem("同一信息", f"{SITE}a/shared.html", day_in(LAST + -2, 3))
    listing(db, "a", "工作动态", [*items(day_in(LAST, 1), day_in(LAST + -5), prefix="a/d"), shared], complete=False)
    listing(db, "a", "通知公告", [*items(day_in(LAST + -1), prefix="a/n"),
                                  ListItem("同一信息", shared.url, day_in(LAST, 9))])
    record_discovery(db, "b", [(n, f"{SITE}b/{n}/") for n in ("工作动态", "通知公告")])
    cid = listing(db, "b", "通知公告", items(day_in(LAST, 2), day_in(LAST + -7), prefix="b/n"))
    db.execute("UPDATE columns SET first_seen = '2020-01-01T00:00:00+00:00' WHERE id = ?", [cid])
    judged = {}
    for period in (parse_period(year=str(LAST.year), today=TODAY), parse_period(month=str(LAST), today=TODAY),
                   Period("3", (LAST + -2, LAST + -1, LAST)), Period("12", tuple(LAST + k for k in range(-11, 1)))):
        by_month = publication_stats(config, load_publication(db, config, period.months, TODAY), period)
        totals = publication_stats(config, load_publication(db, config, period.months, TODAY, by_month=False), period)
        assert [s.to_json() for s in totals] == [s.to_json() for s in by_month]
        judged[period.label] = {s.unit_id: s for s in totals}
    a, b = judged["12"]["a"], judged["12"]["b"]
    assert (a.items, a.dynamic, a.columns["工作动态"], b.items, b.backdated) == (5, 4, 4, 3, 2)
    assert (judged["3"]["b"].status, judged["3"]["b"].zero_months) == ("zero", 4)


def test_the_store_counts_changes_per_month_shown_and_per_kind_of_column_change(tmp_path: Path):
    """Probes, findings, items seen again, detail reads and a check syncing the same config change no
    counter; an item listed, re-dated or removed changes those of the months it is shown in; a column
    read changes 'reads', a column re-categorised 'columns'."""
    config, db = _store(tmp_path / "s.db")
    cid = listing(db, "b", "工作动态", items(day_in(LAST + -4), prefix="b/d"))
    versions = publication_versions(db)
    assert versions is not None and {str(LAST), str(LAST + -1), "columns", "reads"} <= set(versions)
    record_probe(db, Probe(f"{SITE}a/", "a", utcnow(), "ok", 200, 12, None))
    db.execute("INSERT INTO findings (id, rule, kind, severity, result, status, unit_id, unit_name, subject, "
               "message, evidence, first_seen, last_seen) VALUES ('f', 'W1', 'k', 'low', 'fail', 'open', 'a', "
               "'甲局', '{}', '', '{}', ?, ?)", [utcnow(), utcnow()])
    db.execute("UPDATE items SET last_seen = ?, title = '同一信息', detail_status = 200", [utcnow()])
    sync_units(db, config.units)
    db.execute("UPDATE columns SET category = category")
    assert publication_versions(db) == versions
    new = f"{SITE}b/d/new.html"
    for change, changed in (
            (lambda: listing(db, "b", "工作动态", [ListItem("新", new, day_in(LAST))]), {str(LAST)}),
            (lambda: db.execute("UPDATE items SET date = ? WHERE url = ?", [day_in(LAST + -2), new]),
             {str(LAST), str(LAST + -2)}),
            (lambda: db.execute("DELETE FROM items WHERE url = ?", [new]), {str(LAST + -2)}),
            (lambda: db.execute("UPDATE columns SET last_ok_at = '2000-01-01T00:00:00+00:00' WHERE id = ?", [cid]),
             {"reads"}),
            (lambda: db.execute("UPDATE columns SET category = 'notice' WHERE id = ?", [cid]), {"columns"})):
        before = publication_versions(db)
        change()
        after = publication_versions(db)
        assert {k for k in after if after[k] != before.get(k)} - {"reads"} == changed - {"reads"}
        assert "reads" not in changed or after["reads"] != before["reads"]


def test_the_publication_grid_counts_again_only_when_the_counts_can_have_changed(tmp_path: Path):
    """The 发布统计 page after a probe (recorded every 30 minutes under `gongkai serve`) or a check's
    findings is the one already counted; after a crawl lists an item it is counted again and shows it."""
    config, db = _store(tmp_path / "s.db")
    months, rows = publication_grid(db, config, TODAY)
    record_probe(db, Probe(f"{SITE}a/", "a", utcnow(), "ok", 200, 12, None))
    assert publication_grid(db, config, TODAY)[1] is rows
    listing(db, "b", "工作动态", [*items(day_in(LAST + -4), prefix="b/d"),
                                  ListItem("新", f"{SITE}b/d/new.html", day_in(LAST))])
    recounted = publication_grid(db, config, TODAY)[1]
    assert recounted is not rows
    cell = {r.unit_id: r for r in recounted}["b"].cells[months.index(LAST)]
    assert (cell.items, cell.dynamic) == (1, 1)
    assert {r.unit_id: r for r in rows}["b"].cells[months.index(LAST)].items == 0


def test_after_a_crawl_that_listed_this_months_items_the_grid_counts_no_item_again(tmp_path: Path):
    """The grid shows the last 12 complete months: a crawl that lists items of the month under way
    (the usual day) makes it judge the columns' reads again but not count the items again; an item
    shown in one of its months is counted."""
    config, db = _store(tmp_path / "s.db")
    months, _ = publication_grid(db, config, TODAY)

    def grid() -> tuple[dict, list[str]]:
        statements: list[str] = []
        db.conn.set_trace_callback(statements.append)
        try:
            rows = publication_grid(db, config, TODAY)[1]
        finally:
            db.conn.set_trace_callback(None)
        counted = [sql for sql in statements if "JOIN items" in sql or "GROUP BY url" in sql]
        return {r.unit_id: [(c.items, c.dynamic, c.status) for c in r.cells] for r in rows}, counted

    listing(db, "a", "工作动态", [*items(*(day_in(LAST, d) for d in (1, 2, 3)), day_in(LAST + -13), prefix="a/d"),
                                  ListItem("今天", f"{SITE}a/d/today.html", TODAY.isoformat())], complete=False)
    db.execute("UPDATE columns SET last_ok_at = '2000-01-01T00:00:00+00:00' WHERE unit_id = 'b'")   # b unread now
    cells, counted = grid()
    assert counted == []
    fresh = judge_each(config, next(p for p in load_publication(db, config, tuple(months), TODAY) if p.unit_id == "b"),
                       [month_period(m) for m in months])
    assert cells["b"] == [(c.items, c.dynamic, c.status) for c in fresh] and cells["b"][-1][2] == "not_counted"
    listing(db, "a", "通知公告", [*items(day_in(LAST + -1), prefix="a/n"),
                                  ListItem("上月", f"{SITE}a/n/x.html", day_in(LAST))])
    cells, counted = grid()
    assert counted and cells["a"][-1][:2] == (4, 3)


def test_an_old_store_read_only_is_still_counted(tmp_path: Path):
    """A dashboard opened read-only on a store not yet migrated (no counter) counts per store change."""
    config, db = _store(tmp_path / "s.db")
    db.conn.executescript("DROP TABLE publication_changes; DROP INDEX items_column_date;")
    reader = open_readonly(tmp_path / "s.db")
    assert publication_versions(reader) is None
    months, rows = publication_grid(reader, config, TODAY)
    assert {r.unit_id: r for r in rows}["a"].cells[months.index(LAST)].items == 3


def test_the_warm_up_counts_once_the_store_is_quiet_not_after_each_write_of_a_crawl(tmp_path: Path):
    """`gongkai serve` warms the dashboard's caches in a thread: at start, then once the store has
    stayed as it is for one look — not after each of a crawl's writes, and a write the counts do not
    depend on costs no count."""
    config, db = _store(tmp_path / "s.db")
    grids: list[object] = []
    warmer = Warmer(tmp_path / "s.db", also=lambda conn: grids.append(publication_grid(conn, config, TODAY)[1]))
    assert warmer.step() and len(grids) == 1
    assert not warmer.step()                                     # nothing changed
    for day in (1, 2, 3):                                        # a crawl writing between looks
        listing(db, "b", "工作动态", items(*(day_in(LAST, d) for d in range(1, day + 1)), prefix="b/d"))
        assert not warmer.step()
    assert warmer.step() and len(grids) == 2                     # quiet since the last look
    assert {r.unit_id: r for r in grids[1]}["b"].cells[-1].items == 3
    record_probe(db, Probe(f"{SITE}a/", "a", utcnow(), "ok", 200, 12, None))
    assert not warmer.step() and warmer.step() and len(grids) == 3
    assert grids[2] is grids[1]                                  # warmed, not counted again
