"""The demo county's site scenarios (issue 11, items 2, 5 and 8): its portal home page shows
nothing newer than 20 days (W1, 单项否决), 衡山县教育局 has no 政府信息公开指南 (W10), and the seed
report is titled "…工作报告" (A16) — each reached by the real crawl and check of `gongkai demo`."""
import json

from monitor.demo.generator import PORTAL_NEWS_AGE_DAYS
from monitor.store import open_db


def open_of(out, kind: str) -> list[dict]:
    rows = open_db(out / "demo.db").execute(
        "SELECT unit_id, result, subject, evidence, message FROM findings WHERE status = 'open' AND kind = ?", [kind])
    return [{"unit": u, "result": r, "subject": json.loads(s), "evidence": json.loads(e), "message": m}
            for u, r, s, e, m in rows]


def test_the_stale_portal_home_page_is_a_veto(demo):
    out, _, county = demo
    (portal,) = [f for f in open_of(out, "site_home_stale") if f["evidence"].get("county_portal")]
    assert portal["result"] == "fail" and portal["unit"] == county.units[0].id   # no government unit: the first
    assert portal["evidence"]["days_since_update"] == PORTAL_NEWS_AGE_DAYS and portal["evidence"]["source"] == "page"
    assert "单项否决" in portal["message"]
    bulletin = next((out / "bulletin").glob("*.txt")).read_text(encoding="utf-8")
    assert "首页不更新" in bulletin
    owner = county.units[0].name       # its unit is 不合格 whatever its score
    assert any(owner in line and "单项否决" in line for line in bulletin.splitlines()), bulletin


def test_a_unit_site_page_without_dates_is_judged_by_its_columns(demo):
    """The demo's site pages are navigation only: a unit fails W1 when none of its readable columns
    shows an item from the last 14 days."""
    out, _, county = demo
    newest = {u.id: max(i.date for c in u.columns if c.status != "unreachable" for i in c.items if i.date)
              for u in county.units}
    stale = {u for u, day in newest.items() if (county.today - day).days > 14}
    found = {f["unit"]: f for f in open_of(out, "site_home_stale") if not f["evidence"].get("county_portal")}
    assert set(found) == stale and stale
    assert all(f["evidence"]["source"] == "columns" and f["result"] == "fail" for f in found.values())


def test_the_unit_without_a_guide_is_named(demo):
    out, _, county = demo
    missing = [(f["unit"], f["subject"].get("column"), f["result"]) for f in open_of(out, "site_column_missing")]
    assert missing == [("jyj", "政府信息公开指南", "fail")]
    bulletin = next((out / "bulletin").glob("*.txt")).read_text(encoding="utf-8")
    assert "衡山县教育局" in bulletin and "政府信息公开指南" in bulletin


def test_the_seed_report_title_is_reported(demo):
    out, _, _ = demo
    titles = [(f["unit"], f["subject"]["year"], f["result"], f["evidence"]["title"])
              for f in open_of(out, "report_title_wrong")]
    assert titles == [("xzspj", 2020, "fail", "衡山县行政审批服务局2020年政府信息公开工作报告")]
