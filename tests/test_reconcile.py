"""Findings reconciled over consecutive check runs: open, keep first_seen, resolve, never
resolve what could not be assessed; JSON exactly as docs/design.md §2."""
from datetime import date
from pathlib import Path

from monitor.checks.columns import check_columns
from monitor.findings import query_findings, reconcile
from monitor.store import open_db
from tests.helpers import column, make_config

CONFIG = make_config()
URL = "http://127.0.0.1:9/xzspj/tzgg/"


def run(db, cols, today, run_id):
    results, _ = check_columns(CONFIG, cols, today)
    return reconcile(db, results, today, run_id)


def stale_findings(db, **kw):
    return [f.to_json() for f in query_findings(db, **kw) if f.kind == "column_stale"]


def test_three_runs_open_update_resolve(tmp_path: Path):
    db = open_db(tmp_path / "g.db")
    stale = column("通知公告", url=URL, newest="2026-04-12")
    s1 = run(db, [stale], date(2026, 10, 13), 1)
    (f,) = stale_findings(db)
    assert s1.opened >= 1 and f["first_seen"] == "2026-10-13" and f["evidence"]["days_overdue"] == 1
    s2 = run(db, [stale], date(2026, 11, 26), 2)
    (f2,) = stale_findings(db)
    assert s2.opened == 0 and f2["id"] == f["id"]
    assert (f2["first_seen"], f2["last_seen"], f2["evidence"]["days_overdue"]) == ("2026-10-13", "2026-11-26", 45)
    fresh = column("通知公告", url=URL, newest="2026-11-25")
    s3 = run(db, [fresh], date(2026, 11, 27), 3)
    assert s3.resolved == 1 and stale_findings(db) == []
    (closed,) = stale_findings(db, include_resolved=True)
    assert closed["status"] == "resolved" and closed["resolved_at"] == "2026-11-27"
    assert db.execute("SELECT count(*) FROM findings").fetchone()[0] == len(query_findings(db, include_resolved=True))


def test_unreachable_run_neither_resolves_nor_updates(tmp_path: Path):
    db = open_db(tmp_path / "g.db")
    run(db, [column("通知公告", url=URL, newest="2026-04-12")], date(2026, 11, 1), 1)
    run(db, [column("通知公告", url=URL, outcome="network_error", http_status=None)], date(2026, 11, 2), 2)
    (f,) = stale_findings(db)
    assert f["status"] == "open" and f["last_seen"] == "2026-11-01"
    kinds = {x.kind for x in query_findings(db)}
    assert "column_unreachable" in kinds


def test_resolved_finding_reopens_with_a_new_first_seen(tmp_path: Path):
    db = open_db(tmp_path / "g.db")
    run(db, [column("工作动态", url=URL, newest="2026-10-01")], date(2026, 10, 20), 1)
    run(db, [column("工作动态", url=URL, newest="2026-10-19")], date(2026, 10, 21), 2)
    run(db, [column("工作动态", url=URL, newest="2026-10-19")], date(2026, 11, 20), 3)
    (f,) = stale_findings(db)
    assert f["first_seen"] == "2026-11-20" and f["resolved_at"] is None


def test_finding_json_matches_design_contract(tmp_path: Path):
    db = open_db(tmp_path / "g.db")
    run(db, [column("通知公告", url=URL, newest="2026-04-12")], date(2026, 11, 8), 1)
    (f,) = stale_findings(db)
    assert set(f) >= {"id", "rule", "kind", "severity", "status", "unit", "subject", "message", "evidence",
                      "first_seen", "last_seen", "resolved_at"}
    assert f["unit"] == {"id": "xzspj", "name": "衡山县行政审批服务局"}
    assert f["subject"] == {"column": "通知公告", "url": URL}
    assert (f["rule"], f["severity"], f["status"]) == ("W2", "medium", "open")
    assert f["evidence"]["due"] == "2026-10-12" and f["evidence"]["checked_url"] == URL
    assert len(f["id"]) == 16


def test_history_counts_open_findings_per_kind(tmp_path: Path):
    db = open_db(tmp_path / "g.db")
    run(db, [column("通知公告", url=URL, newest="2026-04-12"), column("空", items=0)], date(2026, 11, 8), 7)
    rows = dict(db.execute("SELECT kind, open_count FROM finding_history WHERE run_id = 7").fetchall())
    assert rows["column_stale"] == 1 and rows["column_blank"] == 1


def test_a_stale_column_that_becomes_blank_swaps_findings(tmp_path: Path):
    db = open_db(tmp_path / "g.db")
    run(db, [column("通知公告", url=URL, newest="2026-04-12")], date(2026, 11, 1), 1)
    run(db, [column("通知公告", url=URL, items=0)], date(2026, 11, 2), 2)
    assert stale_findings(db) == []
    assert [f.kind for f in query_findings(db) if f.subject.get("url") == URL] == ["column_blank"]


def test_unit_not_checked_keeps_its_findings(tmp_path: Path):
    db = open_db(tmp_path / "g.db")
    run(db, [column("通知公告", url=URL, newest="2026-04-12")], date(2026, 11, 1), 1)
    run(db, [], date(2026, 11, 2), 2)   # e.g. `check --unit other`: nothing assessed here
    assert len(stale_findings(db)) == 1


def test_unchanged_finding_is_only_seen_again(tmp_path: Path):
    """Same evidence on the next run: last_seen moves, nothing else is rewritten."""
    db = open_db(tmp_path / "g.db")
    blank = column("空白栏目", url=URL, items=0)
    run(db, [blank], date(2026, 11, 1), 1)
    before = db.execute("SELECT evidence, message, first_seen FROM findings WHERE kind = 'column_blank'").fetchone()
    summary = run(db, [blank], date(2026, 11, 2), 2)
    after = db.execute("SELECT evidence, message, first_seen, last_seen, check_run FROM findings "
                       "WHERE kind = 'column_blank'").fetchone()
    assert after[:3] == before and after[3:] == ("2026-11-02", 2) and summary.opened == 0
