"""Column checks (W2–W5) and the per-site 单项否决 thresholds, with fixed `today` values on both
sides of every threshold."""
from datetime import date

import pytest

from monitor.checks.columns import check_columns, evaluate_column, site_reachability
from monitor.observations import SiteState
from monitor.results import Result
from tests.helpers import column, make_config

CONFIG = make_config()
UNIT = CONFIG.units[0]


def by_kind(results: list[Result]) -> dict[str, Result]:
    return {r.kind: r for r in results}


def verdict(col, today, config=CONFIG, configured=None):
    return evaluate_column(config.units[0], col, configured, config, today)


@pytest.mark.parametrize("name,newest,today,expected", [
    # dynamic: 14 days
    ("工作动态", "2026-11-01", date(2026, 11, 15), "due_soon"),   # due today
    ("工作动态", "2026-11-01", date(2026, 11, 16), "stale"),      # one day over
    ("工作动态", "2026-11-01", date(2026, 11, 11), "fresh"),      # 4 days left > warn 3
    ("工作动态", "2026-11-01", date(2026, 11, 12), "due_soon"),   # 3 days left
    # notice: 6 calendar months
    ("通知公告", "2026-04-12", date(2026, 10, 12), "due_soon"),
    ("通知公告", "2026-04-12", date(2026, 10, 13), "stale"),
    # policy: 6 months, end-of-month clamp (08-31 + 6m = 02-28)
    ("政策文件", "2025-08-31", date(2026, 2, 28), "due_soon"),
    ("政策文件", "2025-08-31", date(2026, 3, 1), "stale"),
    # personnel / planning: 1 year
    ("人事信息", "2025-11-20", date(2026, 11, 20), "due_soon"),
    ("人事信息", "2025-11-20", date(2026, 11, 21), "stale"),
    ("规划计划", "2025-06-01", date(2026, 5, 1), "fresh"),
    # a name no keyword matches (政府公报, 常务会议): `other`, rules.cycles.default = 6 months
    ("政府公报", "2026-04-12", date(2026, 10, 12), "due_soon"),
    ("常务会议", "2026-04-12", date(2026, 10, 13), "stale"),
])
def test_staleness_both_sides_of_the_cycle(name, newest, today, expected):
    v = verdict(column(name, newest=newest), today)
    assert v.state == expected
    (result,) = v.results   # one result per column, superseding the other column kinds
    assert (result.kind, result.status) == {"stale": ("column_stale", "fail"), "fresh": ("column_stale", "pass"),
                                            "due_soon": ("column_due_soon", "warning")}[expected]
    assert result.kind not in result.supersedes and "column_unreachable" in result.supersedes


def test_stale_evidence_and_message():
    v = verdict(column("通知公告", newest="2026-04-12"), date(2026, 11, 8))
    stale = by_kind(v.results)["column_stale"]
    assert stale.rule == "W2" and stale.severity == "medium"
    assert stale.evidence["due"] == "2026-10-12" and stale.evidence["days_overdue"] == 27
    assert stale.evidence["cycle_days"] == 183 and stale.evidence["newest_item_date"] == "2026-04-12"
    assert "已超期 27 天未更新" in stale.message


def test_personnel_staleness_is_w3():
    v = verdict(column("人事任免", newest="2024-01-01"), date(2026, 11, 1))
    assert by_kind(v.results)["column_stale"].rule == "W3"


def test_blank_column_fails_w4_and_is_not_stale():
    v = verdict(column("通知公告", items=0), date(2026, 11, 26))
    (blank,) = v.results
    assert v.state == "blank"
    assert (blank.kind, blank.status, blank.rule) == ("column_blank", "fail", "W4")
    assert "column_stale" in blank.supersedes


def test_undated_items_count_as_not_updated():
    v = verdict(column("工作动态", items=7, dated=0), date(2026, 11, 26))
    (undated,) = v.results
    assert v.state == "undated"
    assert (undated.kind, undated.status, undated.rule) == ("column_undated", "fail", "W5")
    assert undated.evidence["item_count"] == 7


def test_freshness_uses_the_newest_date_even_when_few_items_are_dated():
    v = verdict(column("工作动态", items=10, dated=2, newest="2026-11-20"), date(2026, 11, 26))
    assert v.state == "fresh"


@pytest.mark.parametrize("outcome,status", [("http_error", 404), ("http_error", 500), ("network_error", None),
                                            ("robots", None), ("too_large", 200)])
def test_unreachable_column_is_uncertain_never_stale(outcome, status):
    # the stored summary still says the list was stale last time: it must not be reported stale now
    col = column("工作动态", outcome=outcome, http_status=status, newest="2020-01-01")
    v = verdict(col, date(2026, 11, 26))
    assert v.state == "unreachable"
    assert [(r.kind, r.status, r.supersedes) for r in v.results] == [("column_unreachable", "uncertain", ())]
    if status == 404:
        assert "HTTP 404" in v.results[0].message


def test_static_and_report_columns_have_no_cycle():
    for name in ("政府信息公开指南", "政府信息公开年报"):
        v = verdict(column(name, newest="2015-01-01"), date(2026, 11, 26))
        assert v.state == "unchecked"
        assert by_kind(v.results)["column_stale"].status == "not_applicable"
    blank = verdict(column("政府信息公开制度", items=0), date(2026, 11, 26))
    assert by_kind(blank.results)["column_blank"].status == "fail"


def test_an_unmatched_name_is_shown_as_a_default_guess_with_the_default_cycle():
    v = verdict(column("重大建设项目", newest="2026-01-01"), date(2026, 11, 26))
    stale = by_kind(v.results)["column_stale"]
    assert (v.category, v.category_source, str(v.cycle)) == ("other", "default", "6m")
    assert stale.rule == "W3" and stale.evidence["category_source"] == "default"
    config = make_config(units="""units:
  - id: xzspj
    name: 衡山县行政审批服务局
    site: http://127.0.0.1:9/xzspj/
rules:
  cycles: {default: 1y}
""")
    assert verdict(column("重大建设项目", newest="2026-01-01"), date(2026, 11, 26), config).state == "fresh"


def test_config_overrides_category_and_cycle():
    config = make_config(units="""units:
  - id: xzspj
    name: 衡山县行政审批服务局
    site: http://127.0.0.1:9/xzspj/
    columns:
      - {name: 审批公示, url: "http://127.0.0.1:9/xzspj/spgs/", category: dynamic, cycle: 30d}
rules:
  cycles: {dynamic: 7d}
""")
    configured = config.units[0].columns[0]
    col = column("审批公示", url=configured.url, newest="2026-10-01")
    assert verdict(col, date(2026, 10, 31), config, configured).state == "due_soon"   # 30d from config
    assert verdict(col, date(2026, 11, 1), config, configured).state == "stale"
    # a discovered dynamic column gets the rules-level override (7 days)
    other = column("工作动态", newest="2026-10-01")
    assert verdict(other, date(2026, 10, 9), config).state == "stale"
    v = verdict(col, date(2026, 11, 1), config, configured)
    assert (v.category, v.category_source) == ("dynamic", "config")


def _site(columns, today=date(2026, 11, 26), config=CONFIG):
    results, _ = check_columns(config, columns, today)
    return [r for r in results if r.kind == "site_failing"][0]


def test_site_failing_at_five_stale_key_columns():
    four = [column(f"工作动态{i}", newest="2026-01-01") for i in range(4)]
    fresh = [column(f"通知公告{i}", newest="2026-11-20") for i in range(3)]
    assert _site(four + fresh).status == "pass"
    five = four + [column("政策文件", newest="2025-01-01")]
    r = _site(five + fresh)
    assert (r.status, r.rule, r.severity) == ("fail", "W2", "critical")
    assert r.evidence["counts"]["W2"] == 5 and "单项否决" in r.message


def test_site_failing_overdue_ten_counts_undated_and_personnel():
    cols = [column(f"人事{i}", newest="2024-01-01") for i in range(6)]
    cols += [column(f"动态{i}", items=3, dated=0) for i in range(3)]
    assert _site(cols).status == "pass"
    r = _site(cols + [column("规划", newest="2020-01-01")])
    assert r.status == "fail" and r.rule == "W3" and r.evidence["counts"]["W3"] == 10


def test_site_failing_blank_five():
    blanks = [column(f"空栏目{i}", items=0) for i in range(4)]
    assert _site(blanks).status == "pass"
    r = _site(blanks + [column("另一个", items=0)])
    assert r.status == "fail" and r.rule == "W4"


def test_site_threshold_uncertain_when_unreachable_columns_could_tip_it():
    cols = [column(f"工作动态{i}", newest="2026-01-01") for i in range(4)]
    cols.append(column("通知公告", outcome="network_error", http_status=None))
    r = _site(cols)
    assert r.status == "uncertain" and r.evidence["unreachable_columns"] == 1


# --- issue 14 case 1: a page without a list is not a blank column

@pytest.mark.parametrize("reason,shown", [("binary", "不是文本"), ("empty_body", "内容为空"), ("login", "登录页"),
                                          ("script_only", "运行脚本"), ("list_unrecognised", "分页"),
                                          ("no_list", "没有信息列表")])
def test_unreadable_page_is_uncertain_not_blank(reason, shown):
    v = verdict(column("通知公告", items=0, page_kind="unreadable", page_note=reason), date(2026, 11, 26))
    assert v.state == "unreadable" and not v.listed
    (result,) = v.results
    assert (result.kind, result.status, result.supersedes) == ("column_unreachable", "uncertain", ())
    assert shown in result.message and result.evidence["reason"] == reason


def test_empty_list_page_is_blank_with_its_notice():
    v = verdict(column("通知公告", items=0, page_note="暂无信息"), date(2026, 11, 26))
    (result,) = v.results
    assert (v.state, result.kind, result.status) == ("blank", "column_blank", "fail")
    assert result.evidence["empty_notice"] == "暂无信息" and v.listed


@pytest.mark.parametrize("name", ["政府信息公开指南", "政府信息公开制度", "机构职能"])
def test_article_column_is_present(name):
    v = verdict(column(name, items=0, page_kind="article", page_note="2021-03-01"), date(2026, 11, 26))
    (result,) = v.results
    assert v.state == "content" and result.status == "pass" and not result.is_finding
    assert {"column_blank", "column_stale", "column_unreachable"} <= {result.kind, *result.supersedes}


def test_article_page_in_a_column_with_a_cycle_is_not_assessed():
    v = verdict(column("工作动态", items=0, page_kind="article", page_note="2021-03-01"), date(2026, 11, 26))
    assert v.state == "unreadable" and v.results[0].status == "uncertain"
    assert "单篇文章" in v.results[0].message


def test_unreadable_columns_can_tip_the_site_threshold_only_to_uncertain():
    blanks = [column(f"空栏目{i}", items=0) for i in range(4)]
    r = _site(blanks + [column("规划计划", items=0, page_kind="unreadable", page_note="binary")])
    assert r.status == "uncertain" and r.evidence["counts"]["W4"] == 4


def test_every_reason_the_extractor_gives_has_a_label():
    from crawler.extract import PAGE_REASONS
    from monitor.checks.columns import PAGE_LABELS
    from crawler.messages import BOARD_NOTES
    assert {*PAGE_REASONS, *BOARD_NOTES} <= set(PAGE_LABELS)


# --- issue 14 case 2: staleness needs a recent read

@pytest.mark.parametrize("read_at,state", [
    ("2026-11-23T16:00:00+00:00", "stale"),        # 11-24 00:00 in Shanghai: two days before today
    ("2026-11-23T15:59:59+00:00", "not_recent"),   # 11-23 23:59 in Shanghai
    ("2026-11-30T00:00:00+00:00", "stale"),        # read after `today` (a re-evaluation of history)
])
def test_staleness_needs_a_read_within_max_observation_age(read_at, state):
    v = verdict(column("工作动态", newest="2026-09-01", read_at=read_at), date(2026, 11, 26))
    assert v.state == state
    if state == "not_recent":
        (result,) = v.results
        assert (result.kind, result.status, result.supersedes) == ("column_unreachable", "uncertain", ())
        assert result.evidence == {**result.evidence, "last_read_at": read_at, "max_observation_age": 2}
        assert "2026-11-23" in result.message and "已超期" not in result.message


@pytest.mark.parametrize("kwargs", [dict(items=0), dict(items=5, dated=0), dict(newest="2026-11-12"),
                                    dict(page_kind="unreadable", items=0, page_note="binary")])
def test_an_old_read_judges_nothing(kwargs):
    v = verdict(column("工作动态", read_at="2026-11-01T02:00:00+00:00", **kwargs), date(2026, 11, 26))
    assert v.state == "not_recent" and [r.status for r in v.results] == ["uncertain"]


def test_max_observation_age_is_configurable():
    config = make_config("rules: {max_observation_age: 30}\n")
    v = verdict(column("工作动态", newest="2026-09-01", read_at="2026-11-01T02:00:00+00:00"),
                date(2026, 11, 26), config)
    assert v.state == "stale"


# --- issue 14 case 3: a site page that cannot be read

def test_site_unreachable_is_uncertain_and_a_read_site_passes():
    unit = CONFIG.units[0]
    down = site_reachability(unit, SiteState(unit.id, unit.site, "http_error", 503, "HTTP 503", "2026-11-26T01:00:00+00:00"))
    assert (down.kind, down.status, down.rule) == ("site_unreachable", "uncertain", "W6")
    assert "HTTP 503" in down.message and down.evidence["last_fetch_at"] == "2026-11-26T01:00:00+00:00"
    refused = site_reachability(unit, SiteState(unit.id, unit.site, "network_error", None, "refused", "x"))
    assert "网络错误" in refused.message
    for outcome in ("ok", "not_modified"):
        ok = site_reachability(unit, SiteState(unit.id, unit.site, outcome, 200, None, "x"))
        assert ok.status == "pass" and ok.subject == down.subject


def test_a_unit_without_columns_gets_only_its_site_result():
    unit = CONFIG.units[0]
    sites = {unit.id: SiteState(unit.id, unit.site, "network_error", None, "Connection refused", "x")}
    results, verdicts = check_columns(CONFIG, [], date(2026, 11, 26), sites)
    assert verdicts == [] and [(r.kind, r.status) for r in results] == [("site_unreachable", "uncertain")]
    assert check_columns(CONFIG, [], date(2026, 11, 26)) == ([], [])


def test_a_discovered_column_is_not_judged_before_its_first_read():
    """No false accusation from discovery: nothing before the first attempt; a failed first read is
    uncertain (未能检测); a configured column never read is uncertain as before."""
    found = column("重大建设项目", outcome=None, items=0, http_status=None)._replace(last_fetch_at=None)
    v = verdict(found, date(2026, 11, 26))
    assert (v.state, v.results, v.monitored) == ("pending", (), False)
    failed = found._replace(last_outcome="network_error", last_fetch_at="2026-11-26T00:00:00+00:00")
    (result,) = verdict(failed, date(2026, 11, 26)).results
    assert (result.kind, result.status) == ("column_unreachable", "uncertain")
    assert verdict(found._replace(in_config=1), date(2026, 11, 26)).state == "unreachable"
    results, _ = check_columns(CONFIG, [found, column("工作动态", newest="2026-11-25")], date(2026, 11, 26))
    assert [r.kind for r in results] == ["column_stale", "site_failing"]   # nothing for the pending one
    pending_only, _ = check_columns(CONFIG, [found], date(2026, 11, 26))
    assert pending_only == []


def test_a_column_that_left_the_navigation_is_reported_as_gone_not_stale():
    gone = column("常务会议", newest="2025-01-01")._replace(discovered=-1, last_seen="2026-11-20T02:00:00+00:00")
    v = verdict(gone, date(2026, 11, 26))
    (result,) = v.results
    assert (v.state, result.kind, result.status, result.rule) == ("removed", "column_removed", "warning", "W14")
    assert "已从导航中移除" in result.message and "2026-11-20" in result.message
    assert "column_stale" in result.supersedes and not v.monitored
    # back in the navigation: judged again, and that result supersedes column_removed
    (back,) = verdict(gone._replace(discovered=1), date(2026, 11, 26)).results
    assert back.kind == "column_stale" and back.status == "fail" and "column_removed" in back.supersedes
    # a configured column that is no longer linked stays a configured column
    assert verdict(gone._replace(in_config=1), date(2026, 11, 26)).state == "stale"


def test_a_column_page_that_is_a_navigation_is_not_judged_itself():
    nav = column("法定主动公开内容", items=30, newest="2020-01-01", page_kind="navigation", page_note="12")
    v = verdict(nav, date(2026, 11, 26))
    (result,) = v.results
    assert (v.state, result.status, v.monitored) == ("navigation", "not_applicable", False)
