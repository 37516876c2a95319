"""The typed finding between the store and its readers: the stable JSON round-trips, the evidence
values readers compute with are typed, the bulletin scores findings and describes each once."""
from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import alerts.model
from alerts.model import Month, build_bulletin
from alerts.render import render
from alerts.scoring import score_units
from monitor.finding import Finding
from monitor.findings import query_findings
from tests.test_bulletin import ISSUE, county_config, county_store

STALE_ROW = {
    "id": "0123456789abcdef", "rule": "W2", "kind": "column_stale", "severity": "medium", "status": "resolved",
    "result": "fail", "unit_id": "xzspj", "unit_name": "衡山县行政审批服务局",
    "subject": '{"column": "通知公告", "url": "http://127.0.0.1:9/xzspj/tzgg/"}', "message": "超期",
    "evidence": '{"category": "notice", "checked_url": "http://127.0.0.1:9/xzspj/tzgg/", "newest_item_date": '
                '"2026-04-12", "cycle": "6m", "due": "2026-10-12", "days_overdue": 45}',
    "first_seen": "2026-10-13", "last_seen": "2026-11-26", "resolved_at": "2026-11-27",
}
REPORT_ROW = {
    **STALE_ROW, "id": "fedcba9876543210", "rule": "A1", "kind": "report_missing", "status": "open",
    "subject": '{"year": 2025}', "resolved_at": None,
    "evidence": '{"unit_type": "township", "deadline": "2026-01-31", "published": null, "today": "2026-10-15"}',
}


def test_the_row_becomes_typed_and_the_json_is_the_stable_object():
    f = Finding.from_row(STALE_ROW)
    assert (f.due, f.newest_item_date, f.days_overdue, f.cycle, f.category) == (
        date(2026, 10, 12), date(2026, 4, 12), 45, "6m", "notice")
    assert (f.first_seen, f.resolved_at, f.column, f.year, f.deadline) == (
        date(2026, 10, 13), date(2026, 11, 27), "通知公告", None, None)
    assert list(f.to_json()) == ["id", "rule", "kind", "severity", "status", "result", "unit", "subject",
                                 "message", "evidence", "first_seen", "last_seen", "resolved_at"]
    assert f.to_json()["unit"] == {"id": "xzspj", "name": "衡山县行政审批服务局"}
    assert f.to_json()["resolved_at"] == "2026-11-27" and f.to_json()["evidence"] == json.loads(STALE_ROW["evidence"])
    report = Finding.from_row(REPORT_ROW)
    assert (report.year, report.deadline, report.published, report.due, report.days_overdue) == (
        2025, date(2026, 1, 31), None, None, None)
    assert report.to_json()["resolved_at"] is None and report.link is None


def test_open_at_a_day_counts_from_first_seen_until_resolved():
    f = Finding.from_row(STALE_ROW)
    assert not f.open_at(date(2026, 10, 12))
    assert f.open_at(date(2026, 10, 13)) and f.open_at(date(2026, 11, 26))
    assert not f.open_at(date(2026, 11, 27))            # resolved that day
    assert Finding.from_row(REPORT_ROW).open_at(date(2030, 1, 1))


def test_scores_are_computed_from_findings(tmp_path: Path):
    config = county_config()
    db = county_store(tmp_path / "g.db", config)
    fails = [f for f in query_findings(db) if f.result == "fail"]
    scores = {s.unit_id: s for s in score_units(config.bulletin.scoring, config.units, fails, {"kyz", "xzspj"})}
    assert scores["kyz"].veto and scores["kyz"].rating == "不合格（单项否决）"
    assert scores["xzspj"].assessed and scores["jyj"].rating == "未能检测"


def test_the_bulletin_describes_each_finding_once_when_rendered(tmp_path: Path, monkeypatch):
    config = county_config()
    db = county_store(tmp_path / "g.db", config)
    described: list[str] = []
    real = alerts.model.entry
    monkeypatch.setattr(alerts.model, "entry", lambda f, as_of: described.append(f.id) or real(f, as_of))
    b = build_bulletin(config, db, Month(2026, 10), ISSUE)
    assert described == []                              # building it describes nothing
    render("bulletin", b=b)
    render("bulletin", b=b)
    assert described and len(described) == len(set(described))
    # a problem still open from last month is the same line in 三、整改情况 as in 二、主要问题
    still_open = [e for p in b.progress for e in p.still_open]
    assert still_open and all(any(e is v for v in b.violations) for e in still_open)
