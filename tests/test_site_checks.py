"""W1 首页不更新 (the county portal's home page, each unit's site page) and W10 the required
政府信息公开平台 columns: pass, fail and not-assessable cases of the pure checks, the newest dated
link of a home page, and the store's record of a home page request."""
from datetime import date

import pytest
from click.testing import CliRunner

from crawler.homepage import newest_dated_link
from monitor.checks.columns import check_columns
from monitor.checks.site import HOME_STALE_DAYS, check_sites, home_urls
from monitor.cli import cli
from monitor.finding import Finding
from monitor.observations import HomePage, ListItem, SiteState, home_pages, record_home
from monitor.store import open_db
from tests.helpers import BASE_CONFIG, column, make_config

TODAY = date(2026, 11, 26)
SITE = "http://127.0.0.1:9/xzspj/"
PORTAL = "http://127.0.0.1:9/"
READ = "2026-11-26T00:00:00+00:00"
CONFIG = make_config(f"county_portal: {PORTAL}\n")
REQUIRED = ("政府信息公开指南", "政府信息公开制度", "法定主动公开内容", "政府信息公开年报")


def page(url: str = SITE, newest: str | None = "2026-11-20", outcome: str = "ok", read_at: str | None = READ,
         http_status: int | None = 200) -> HomePage:
    return HomePage(url, outcome, http_status, None, READ, read_at, newest, "要闻" if newest else None,
                    url + "t1.html" if newest else None)


def site(outcome: str = "ok", fetch_at: str = READ, status: int | None = 200) -> SiteState:
    return SiteState("xzspj", SITE, outcome, status, None, fetch_at)


def run(homes=(), sites=None, columns=(), config=CONFIG):
    _, verdicts = check_columns(config, list(columns), TODAY)
    results = check_sites(config, {h.url: h for h in homes}, sites or {}, verdicts, TODAY)
    return results


def w1(results, url=SITE):
    (result,) = [r for r in results if r.kind == "site_home_stale" and r.subject["site"] == url]
    return result


def w10(results):
    return {r.subject.get("column", "*"): r for r in results if r.kind == "site_column_missing"}


# ------------------------------------------------------------------------------ W1

@pytest.mark.parametrize("newest,status", [
    (date.fromordinal(TODAY.toordinal() - HOME_STALE_DAYS).isoformat(), "pass"),      # 14 days: still fresh
    (date.fromordinal(TODAY.toordinal() - HOME_STALE_DAYS - 1).isoformat(), "fail"),  # 15 days: stale
])
def test_home_page_both_sides_of_14_days(newest, status):
    results = run([page(PORTAL, newest), page(SITE, newest)])
    portal, unit = w1(results, PORTAL), w1(results, SITE)
    assert portal.status == unit.status == status and portal.rule == "W1"
    if status == "fail":
        assert portal.severity == "critical" and "单项否决" in portal.message and "衡山县人民政府门户网站首页" in portal.message
        assert unit.severity == "high" and "单项否决" not in unit.message
        assert portal.evidence["days_since_update"] == 15 and portal.evidence["newest_item_date"] == newest
        assert portal.evidence["newest_item_url"] == PORTAL + "t1.html"


@pytest.mark.parametrize("state,why", [
    (None, "尚未读取"),
    (page(outcome="http_error", http_status=503, read_at=None), "HTTP 503"),
    (page(outcome="network_error", newest="2026-01-01"), "网络错误"),      # an old read does not count
    (page(newest="2026-01-01", read_at="2026-11-01T00:00:00+00:00"), "已超过"),  # not read recently
    (page(newest=None), "未显示带日期的信息"),                                # nothing dated, no columns
])
def test_home_page_without_evidence_is_uncertain(state, why):
    result = w1(run([state] if state else []))
    assert result.status == "uncertain" and why in result.message, result.message


def test_a_site_page_that_is_only_navigation_is_judged_by_its_columns():
    stale = run([page(newest=None)], columns=[column("工作动态", newest="2026-10-01"),
                                               column("通知公告", newest="2026-11-02")])
    assert w1(stale).status == "fail" and w1(stale).evidence["source"] == "columns"
    assert w1(stale).evidence["column"] == "通知公告" and "未显示带日期的信息，其栏目已 24 天未更新" in w1(stale).message
    fresh = run([page(newest=None)], columns=[column("工作动态", newest="2026-11-20")])
    assert w1(fresh).status == "pass"
    unread = run([page(newest=None)], columns=[column("工作动态", newest="2026-11-20", outcome="http_error")])
    assert w1(unread).status == "uncertain"


def test_county_portal_goes_to_the_government_unit_and_only_when_configured():
    units = ("units:\n  - {id: bgs, name: 衡山县人民政府办公室, type: government, site: http://127.0.0.1:9/bgs/}\n"
             f"  - {{id: xzspj, name: 衡山县行政审批服务局, site: {SITE}}}\n")
    config = make_config(f"county_portal: {PORTAL}\n", units=units)
    assert config.portal_owner.id == "bgs" and home_urls(config)[0] == PORTAL
    assert w1(run([page(PORTAL, "2026-10-01")], config=config), PORTAL).unit_id == "bgs"
    plain = make_config()
    assert home_urls(plain) == [SITE]
    assert not [r for r in run([page(PORTAL, "2026-10-01")], config=plain) if r.subject["site"] == PORTAL]


def test_a_unit_whose_site_page_is_never_read_has_no_w1():
    config = make_config(units="units:\n  - id: xzspj\n    name: 衡山县行政审批服务局\n    site: " + SITE +
                         "\n    discover: false\n    columns: [{name: 工作动态, url: http://127.0.0.1:9/x/}]\n")
    assert home_urls(config) == []
    assert not [r for r in run(config=config) if r.kind == "site_home_stale"]


# ------------------------------------------------------------------------------ W10

def test_required_columns_present_pass_and_one_missing_fails():
    cols = [column(n) for n in ("信息公开指南", "政府信息公开制度", "法定主动公开内容", "政府信息公开年报", "工作动态")]
    found = w10(run(sites={"xzspj": site()}, columns=cols))
    assert {k: r.status for k, r in found.items()} == {"*": "pass", **{n: "pass" for n in REQUIRED}}
    missing = w10(run(sites={"xzspj": site()}, columns=[c for c in cols if "指南" not in c.name]))
    bad = missing["政府信息公开指南"]
    assert bad.status == "fail" and bad.severity == "medium" and bad.rule == "W10"
    assert "未设“政府信息公开指南”栏目" in bad.message and "工作动态" in bad.evidence["columns_seen"]
    assert missing["政府信息公开制度"].status == "pass"


def test_a_service_guide_is_no_disclosure_guide():
    cols = [column(n) for n in ("办事指南", "政府信息公开制度", "主动公开目录", "年度报告")]
    found = w10(run(sites={"xzspj": site()}, columns=cols))
    assert found["政府信息公开指南"].status == "fail"
    assert found["法定主动公开内容"].status == "pass" and found["政府信息公开年报"].status == "pass"


@pytest.mark.parametrize("state,why", [
    (None, "尚未读取"),
    (site("http_error", status=503), "HTTP 503"),
    (site(fetch_at="2026-11-01T00:00:00+00:00"), "未能读取"),
])
def test_w10_never_fires_on_a_site_page_not_read(state, why):
    found = w10(run(sites={"xzspj": state} if state else {}, columns=[column("工作动态")]))
    assert list(found) == ["*"] and found["*"].status == "uncertain" and why in found["*"].message
    assert "政府信息公开指南" in found["*"].evidence["not_found"]


def test_w10_is_uncertain_when_the_navigation_shows_no_columns():
    found = w10(run(sites={"xzspj": site()}, columns=[column("工作动态")._replace(discovered=0, in_config=1)]))
    assert found["*"].status == "uncertain" and "未识别到栏目导航" in found["*"].message


def test_configured_columns_without_discovery_pass_only_when_named():
    units = ("units:\n  - id: xzspj\n    name: 衡山县行政审批服务局\n    discover: false\n    columns:\n"
             + "".join(f"      - {{name: {n}, url: http://127.0.0.1:9/c{i}/}}\n" for i, n in enumerate(REQUIRED)))
    named = make_config(units=units)
    assert {r.status for r in w10(run(config=named)).values()} == {"pass"}
    partial = make_config(units=units.rsplit("      - ", 1)[0])
    found = w10(run(config=partial))
    assert list(found) == ["*"] and found["*"].status == "uncertain" and "未启用栏目发现" in found["*"].message


# ------------------------------------------------------------------------------ crawl side

def test_newest_dated_link_reads_every_block_and_ignores_future_dates():
    """A table row's date sits in another cell; a date inside a title is not its publication day."""
    html = ("<html><body><ul class='nav'><li><a href='/zwgk/'>政务公开</a></li></ul>"
            "<div><h2>要闻</h2><ul><li><a href='/a/1.html'>县长调研安全生产</a><span>2026-11-02</span></li>"
            "<li><a href='/a/2.html'>全县秋冬季森林防火工作会议召开</a><span>2026-10-30</span></li></ul></div>"
            "<div><h2>通知公告</h2><ul><li><a href='/b/3.html'>关于2026年度征兵的通告</a> [11-12]</li>"
            "<li><a href='/b/4.html'>关于元旦活动的预告</a>2027-01-01</li></ul></div>"
            "<table><tr><td><a href='/c/5.html'>关于2026年11月25日停水的通知</a></td><td>2026-11-10</td></tr>"
            "<tr><td><a href='/c/6.html'>政策解读</a></td><td><span>2026-11-14</span></td></tr></table></body></html>")
    newest = newest_dated_link(html, "http://h/", today=TODAY)
    assert newest == ListItem("政策解读", "http://h/c/6.html", "2026-11-14", "2026-11-14")
    assert newest_dated_link("<html><body><a href='/x/'>政务公开</a></body></html>", "http://h/", today=TODAY) is None


def test_home_page_record_keeps_the_last_read_through_failures(tmp_path):
    db = open_db(tmp_path / "s.db")
    record_home(db, SITE, outcome="ok", http_status=200, newest=ListItem("要闻", SITE + "1.html", "2026-11-20"))
    record_home(db, SITE, outcome="network_error", error="TimeoutError")
    state = home_pages(db, [SITE])[SITE]
    assert state.outcome == "network_error" and state.newest_date == "2026-11-20" and state.read_at
    record_home(db, SITE, outcome="not_modified", http_status=304)     # unchanged page: same newest item
    assert home_pages(db, [SITE])[SITE].newest_date == "2026-11-20"
    record_home(db, SITE, outcome="ok", http_status=200)                # read again, nothing dated any more
    assert home_pages(db, [SITE])[SITE].newest_date is None
    assert home_pages(db, [PORTAL]) == {}


def test_only_the_county_portal_home_page_failing_is_a_veto():
    base = dict(id="x", rule="W1", kind="site_home_stale", severity="high", status="open", result="fail",
                unit_id="xzspj", unit_name="衡山县行政审批服务局", subject={"site": PORTAL}, message="",
                first_seen=TODAY, last_seen=TODAY, resolved_at=None)
    portal = w1(run([page(PORTAL, "2026-10-01")]), PORTAL)
    unit = w1(run([page(SITE, "2026-10-01")]), SITE)
    assert Finding(**base, evidence=portal.evidence).veto
    assert not Finding(**base, evidence=unit.evidence).veto
    assert not Finding(**{**base, "result": "uncertain"}, evidence=portal.evidence).veto


def test_validate_names_the_county_portal_and_its_unit(tmp_path):
    path = tmp_path / "config.yaml"
    path.write_text(f"county_portal: {PORTAL}\n" + BASE_CONFIG, encoding="utf-8")
    result = CliRunner().invoke(cli, ["--config", str(path), "validate"])
    assert result.exit_code == 0, result.output
    assert f"county portal: {PORTAL}" in result.output and "xzspj" in result.output
    path.write_text("county_portal: not-a-url\n" + BASE_CONFIG, encoding="utf-8")
    assert CliRunner().invoke(cli, ["--config", str(path), "validate"]).exit_code == 2
