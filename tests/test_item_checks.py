"""Item checks (A15 edits, W8 back-dating, deletion, W9 late disclosure): pure, fixed today,
both sides of every threshold, the official holiday calendar."""
from __future__ import annotations

from dataclasses import replace
from datetime import date

from monitor.checks.items import check_items, workdays_after
from crawler.pages.layouts import main_text
from monitor.item_observations import ItemObservation, ItemVersion
from monitor.workdays import WorkCalendar
from tests.helpers import make_config

TODAY = date(2026, 11, 26)
CONFIG = make_config()
URL = "http://127.0.0.1:9/xzspj/tzgg/202611/t20261110_1.html"


def version(text: str = "第一段。\n第二段。", *, at: str = "2026-11-10T02:00:00+00:00", title: str = "关于开展森林防火检查的通知",
            written: str | None = None, pub: str | None = "2026-11-10", index_no: str | None = None) -> ItemVersion:
    import hashlib
    return ItemVersion(at, at, title, hashlib.sha256(text.encode()).hexdigest(), text, pub, written, "衡山县行政审批服务局",
                       index_no, None)


def item(*versions: ItemVersion, title: str = "关于开展森林防火检查的通知", date_: str | None = "2026-11-10",
         first_seen: str = "2026-11-10T18:30:00+00:00", previous: str | None = None, oldest: str | None = None,
         left: str | None = None, status: int | None = 200, checked: str | None = "2026-11-25T18:30:00+00:00",
         last_seen: str = "2026-11-20T18:30:00+00:00", complete: bool | None = None) -> ItemObservation:
    return ItemObservation("xzspj", "c1", "通知公告", URL, title, date_, first_seen, last_seen, checked, status, left,
                           previous, oldest, versions, complete)


def kinds(obs: ItemObservation, **kw) -> dict[str, tuple[str, str]]:
    return {r.kind: (r.status, r.severity) for r in check_items(CONFIG, [obs], TODAY, **kw)}


def only(obs: ItemObservation, kind: str):
    return next(r for r in check_items(CONFIG, [obs], TODAY) if r.kind == kind)


# ------------------------------------------------------------------------------------- A15

def test_one_version_passes_two_fail_with_a_diff():
    assert kinds(item(version()))["item_modified_after_publication"] == ("pass", "medium")
    edited = item(version(), version("第一段。\n第二段（已修改）。", at="2026-11-20T02:00:00+00:00"))
    result = only(edited, "item_modified_after_publication")
    assert (result.status, result.severity, result.rule) == ("fail", "medium", "A15")
    assert result.subject == {"item": "关于开展森林防火检查的通知", "url": URL}
    assert "-第二段。" in result.evidence["diff"] and "+第二段（已修改）。" in result.evidence["diff"]
    assert len(result.evidence["versions"]) == 2 and "2026-11-20" in result.message


def test_annual_report_edit_is_high_and_long_diff_is_capped():
    title = "衡山县行政审批服务局2025年政府信息公开工作年度报告"
    old = "\n".join(f"第{n}行" for n in range(500))
    new = "\n".join(f"第{n}行改" for n in range(500))
    result = only(item(version(old, title=title), version(new, title=title, at="2026-11-20T02:00:00+00:00"),
                       title=title), "item_modified_after_publication")
    assert result.severity == "high"
    assert result.evidence["diff"].endswith("…（差异过长，已截断）") and len(result.evidence["diff"]) < 7000


def test_title_change_is_an_edit():
    result = only(item(version(), version(title="关于开展森林防火专项检查的通知", at="2026-11-20T02:00:00+00:00")),
                  "item_modified_after_publication")
    assert result.status == "fail" and "+标题：关于开展森林防火专项检查的通知" in result.evidence["diff"]


def test_boilerplate_only_changes_give_one_version():
    page = ('<html><body><div class="nav"><a href="/">首页</a>{nav}</div><div class="article_content">'
            '<p>为做好冬季森林防火工作，现通知如下。</p><p>浏览次数：{views}</p><p>【打印】【关闭】</p></div>'
            '<div class="footer">访问量：{views}</div></body></html>')
    texts = {main_text(page.format(views=n, nav=nav)) for n, nav in ((1, ""), (2, ""), (999, "<a>新栏目</a>"))}
    assert texts == {"为做好冬季森林防火工作，现通知如下。"}
    assert not any(r.is_finding for r in check_items(CONFIG, [item(version(texts.pop()))], TODAY))


def test_no_detail_page_read_means_no_result():
    assert kinds(item(status=None, checked=None)) == {}


# ------------------------------------------------------------------------------------- W8

def test_backdated_on_both_sides_of_the_tolerance():
    previous = "2026-11-20T18:30:00+00:00"          # 2026-11-21 in Asia/Shanghai
    new = dict(first_seen="2026-11-25T18:30:00+00:00", previous=previous, oldest="2026-08-01")
    assert kinds(item(date_="2026-11-14", **new))["item_backdated"] == ("pass", "medium")    # 7 days: tolerated
    result = only(item(date_="2026-11-13", **new), "item_backdated")                      # 8 days
    assert (result.status, result.severity, result.rule) == ("warning", "medium", "W8")
    assert result.evidence["days_before_previous_crawl"] == 8 and "人工核实" in result.message
    assert kinds(item(date_="2026-11-01", **new), )["item_backdated"][0] == "warning"


def test_tolerance_comes_from_config():
    config = make_config("rules: {backdate_tolerance_days: 30}\n")
    obs = item(date_="2026-11-01", first_seen="2026-11-25T18:30:00+00:00", previous="2026-11-20T18:30:00+00:00")
    assert [r.status for r in check_items(config, [obs], TODAY) if r.kind == "item_backdated"] == ["pass"]


def test_not_assessed_when_seen_at_first_crawl_or_older_than_an_incomplete_listing_showed():
    assert "item_backdated" not in kinds(item(date_="2020-01-01"))       # there at the column's first crawl
    # older than anything the previous listing showed, and that listing had more pages than were
    # read (or is not known to have ended): it may have moved up from page 2, so no result — not
    # a pass, which the check used to give without evidence
    for complete in (False, None):
        moved_up = item(date_="2026-03-01", first_seen="2026-11-25T18:30:00+00:00",
                        previous="2026-11-20T18:30:00+00:00", oldest="2026-06-01", complete=complete)
        assert "item_backdated" not in kinds(moved_up)


def test_backdated_before_everything_a_complete_listing_showed():
    """Issue 14 case 17: the previous listing reached its end, so an item dated before its oldest
    item that appears now was back-dated."""
    new = dict(first_seen="2026-11-25T18:30:00+00:00", previous="2026-11-20T18:30:00+00:00", oldest="2026-06-01",
               complete=True)
    result = only(item(date_="2026-03-01", **new), "item_backdated")
    assert (result.status, result.rule) == ("warning", "W8")
    assert result.evidence["previous_list_complete"] is True and "完整读取" in result.message
    assert result.evidence["previous_list_oldest_date"] == "2026-06-01"
    # within the tolerance of the previous crawl it passes, complete listing or not
    assert kinds(item(date_="2026-11-14", **{**new, "oldest": "2026-11-18"}))["item_backdated"] == ("pass", "medium")


def test_backdating_falls_back_to_the_detail_page_date():
    obs = item(version(pub="2026-10-01"), date_=None, first_seen="2026-11-25T18:30:00+00:00",
               previous="2026-11-20T18:30:00+00:00")
    assert kinds(obs)["item_backdated"][0] == "warning"


# ------------------------------------------------------------------------------------- deletion

def test_deleted_when_unlisted_and_gone():
    gone = item(version(), left="2026-11-24T18:30:00+00:00", status=404)
    result = only(gone, "item_deleted")
    assert (result.status, result.severity) == ("fail", "medium") and result.evidence["http_status"] == 404
    assert result.evidence["last_text_excerpt"].startswith("第一段")
    report = "衡山县行政审批服务局2024年政府信息公开工作年度报告"
    assert kinds(replace(gone, title=report, detail_status=410))["item_deleted"] == ("fail", "high")


def test_unlisted_but_still_online_or_unchecked_or_listed_again():
    assert kinds(item(left="2026-11-24T18:30:00+00:00", status=200))["item_deleted"] == ("pass", "medium")
    unchecked = item(left="2026-11-24T18:30:00+00:00", status=200, checked="2026-11-20T00:00:00+00:00")
    assert kinds(unchecked)["item_deleted"] == ("uncertain", "info")
    assert kinds(item(left="2026-11-24T18:30:00+00:00", status=503))["item_deleted"] == ("uncertain", "info")
    relisted = item(left="2026-11-24T18:30:00+00:00", last_seen="2026-11-25T18:30:00+00:00", status=404)
    assert "item_deleted" not in kinds(relisted)
    assert "item_deleted" not in kinds(item(status=404))      # a dead link, not a deletion


# ------------------------------------------------------------------------------------- W9

def late(written: str, pub: str) -> tuple[str, str]:
    return kinds(item(version(written=written, pub=pub)))["item_late_disclosure"]


def test_twenty_workdays_across_national_day_with_adjusted_weekends():
    # 2025-09-28 (Sun) and 2025-10-11 (Sat) are working days, 10-01 … 10-08 are holidays
    calendar = WorkCalendar()
    assert workdays_after(calendar, date(2025, 9, 19), date(2025, 10, 23)) == 20
    assert late("2025-09-19", "2025-10-23") == ("pass", "medium")
    assert late("2025-09-19", "2025-10-24") == ("fail", "medium")
    naive = sum(date.fromordinal(d).weekday() < 5 for d in range(date(2025, 9, 20).toordinal(),
                                                                  date(2025, 10, 24).toordinal()))
    assert naive == 24      # Monday–Friday alone would call the 20-day case late


def test_twenty_workdays_across_spring_festival():
    # 2025 春节 01-28 … 02-04 off, 01-26 (Sun) and 02-08 (Sat) worked; 2026: 02-14 and 02-28 worked
    assert late("2025-01-17", "2025-02-20") == ("pass", "medium")
    assert late("2025-01-17", "2025-02-21") == ("fail", "medium")
    assert late("2026-01-30", "2026-03-05") == ("pass", "medium")
    assert late("2026-01-30", "2026-03-06") == ("fail", "medium")


def test_late_evidence_and_weekend_publication():
    result = only(item(version(written="2026-09-18", pub="2026-11-02")), "item_late_disclosure")
    assert result.rule == "W9" and result.evidence["workdays"] > 20 and "工作日" in result.message
    # published on the Saturday after the 20th working day (Friday 12-05): still 20 working days
    assert late("2025-11-07", "2025-12-06") == ("pass", "medium")
    assert late("2025-11-07", "2025-12-08") == ("fail", "medium")


def test_missing_dates_are_uncertain_only_for_formal_documents():
    assert kinds(item(version(written="2026-11-01", pub=None)))["item_late_disclosure"] == ("uncertain", "info")
    assert "item_late_disclosure" not in kinds(item(version(index_no="430423/2026-01234")))
    assert "item_late_disclosure" not in kinds(item(version()))       # a news item: no 成文日期 to measure
    assert kinds(item(version(written="2026-11-20", pub="2026-11-10")))["item_late_disclosure"][0] == "uncertain"


def test_other_units_items_are_ignored():
    assert check_items(CONFIG, [replace(item(version(), version("改")), unit_id="other")], TODAY) == []
