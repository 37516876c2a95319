"""The monthly bulletin built from a real store: structure, numbers, routing, deadline, escaping,
and the text version compared with a reviewed snapshot."""
from __future__ import annotations

import csv
import email
import io
from datetime import date
from email import policy
from pathlib import Path

import pytest
from click.testing import CliRunner

from alerts.bulletin import queue_bulletin, write_bulletin
from alerts.cli import bulletin
from alerts.model import Bulletin, Month, build_bulletin
from alerts.outbox import outbox_rows
from alerts.render import render
from monitor.cli import Context
from monitor.config import Config, ConfigError, parse_config
from monitor.checks.columns import check_columns
from monitor.findings import reconcile
from monitor.observations import ListItem, active_columns, column_id, record_fetch, record_list, sync_units
from monitor.runs import finish_run, start_run
from monitor.results import Result
from monitor.store import open_db

SITE = "http://127.0.0.1:9"

COUNTY_CONFIG = f"""\
county: 衡山县
supervisor: {{name: 衡山县行政审批服务局, email: zwgk@hs.example.gov.cn}}
smtp: {{host: 127.0.0.1, port: 2525, ssl: false, sender: "衡山县政务公开监测 <monitor@hs.example.gov.cn>"}}
bulletin: {{cc: [ldbgs@hs.example.gov.cn]}}
rules: {{rectify_workdays: 8}}
units:
  - id: xzspj
    name: 衡山县行政审批服务局
    contact: {{name: 王芳, email: wangfang@hs.example.gov.cn}}
    columns:
      - {{name: 通知公告, url: "{SITE}/xzspj/tzgg/"}}
      - {{name: 工作动态, url: "{SITE}/xzspj/gzdt/"}}
      - {{name: 政策文件, url: "{SITE}/xzspj/zcwj/"}}
  - id: jyj
    name: 衡山县教育局
    contact: {{name: 李明, email: liming@hs.example.gov.cn}}
    columns:
      - {{name: 教育动态, url: "{SITE}/jyj/jydt/"}}
      - {{name: 人事信息, url: "{SITE}/jyj/rsxx/"}}
      - {{name: 通知公告, url: "{SITE}/jyj/tzgg/"}}
  - id: kyz
    name: 开云镇人民政府
    type: township
    contact: {{name: 赵磊, email: zhaolei@hs.example.gov.cn}}
    columns:
      - {{name: 乡镇动态, url: "{SITE}/kyz/xzdt/"}}
      - {{name: 工作动态, url: "{SITE}/kyz/gzdt/"}}
      - {{name: 要闻, url: "{SITE}/kyz/yw/"}}
      - {{name: 通知公告, url: "{SITE}/kyz/tzgg/"}}
      - {{name: 政策文件, url: "{SITE}/kyz/zcwj/"}}
  - id: wjj
    name: 衡山县卫生健康局
    contact: {{name: 陈静, email: chenjing@hs.example.gov.cn}}
    columns:
      - {{name: 通知公告, url: "{SITE}/wjj/tzgg/"}}
      - {{name: 工作动态, url: "{SITE}/wjj/gzdt/"}}
  - id: dmz
    name: 店门镇人民政府
    type: township
    contact: {{name: 刘洋, email: liuyang@hs.example.gov.cn}}
    columns:
      - {{name: 工作动态, url: "{SITE}/dmz/gzdt/"}}
      - {{name: 通知公告, url: "{SITE}/dmz/tzgg/"}}
"""

# newest item date per column on each check day; None = blank column, "down" = unreachable
HISTORY: dict[str, dict[str, str | None]] = {
    "2026-09-30": {
        "xzspj/tzgg": "2026-03-20", "xzspj/gzdt": "2026-09-01", "xzspj/zcwj": "2026-04-17",
        "jyj/jydt": "2026-09-01", "jyj/rsxx": None, "jyj/tzgg": "2026-07-01",
        "kyz/xzdt": "2026-09-25", "kyz/gzdt": "2026-09-25", "kyz/yw": "2026-09-25", "kyz/tzgg": "2026-03-01",
        "kyz/zcwj": "2026-06-01", "wjj/tzgg": "2026-09-20", "wjj/gzdt": "2026-09-28",
        "dmz/gzdt": "2026-09-28", "dmz/tzgg": "2026-08-01",
    },
    "2026-10-15": {"xzspj/gzdt": "2026-10-12", "kyz/zcwj": "2026-04-10", "wjj/tzgg": "down", "wjj/gzdt": "down",
                   "dmz/gzdt": "2026-10-14"},
    "2026-10-31": {"dmz/gzdt": "2026-10-28", "xzspj/gzdt": "2026-10-27"},
}


def county_config(*, smtp_port: int = 2525, rectify_workdays: int = 8, bulletin: str = "") -> Config:
    """The county above; `bulletin` adds keys to its bulletin section, e.g. "all_clear: true"."""
    text = (COUNTY_CONFIG.replace("port: 2525", f"port: {smtp_port}")
            .replace("rectify_workdays: 8", f"rectify_workdays: {rectify_workdays}")
            .replace("bulletin: {cc: [ldbgs@hs.example.gov.cn]}",
                     f"bulletin: {{cc: [ldbgs@hs.example.gov.cn]{', ' + bulletin if bulletin else ''}}}"))
    return parse_config(text)


def _record(db, key: str, newest: str | None, title: str) -> None:
    unit, path = key.split("/")
    cid = column_id(unit, f"{SITE}/{unit}/{path}/")
    if newest == "down":
        record_fetch(db, run_id=None, url=f"{SITE}/{unit}/{path}/", purpose="list", outcome="network_error",
                     unit_id=unit, column_id=cid, error="timed out")
        return
    items = [] if newest is None else [ListItem(title, f"{SITE}/{unit}/{path}/t1.html", newest),
                                       ListItem("关于开展2026年度统计工作的通知", f"{SITE}/{unit}/{path}/t0.html",
                                                "2026-01-05")]
    record_list(db, run_id=None, column_id=cid, items=items, pages_seen=1, http_status=200, etag=None,
                last_modified=None, body_hash=None)


def report_results(config: Config) -> list[Result]:
    jyj = config.unit("jyj")
    return [
        Result("K2", "report_inconsistent", "fail", jyj.id, jyj.name,
               {"year": 2025, "url": f"{SITE}/jyj/ndbg/t2026.html", "relation": "arithmetic"},
               "勾稽关系错误 1 处", "high",
               {"violations": [{"rule": "K2", "table": "三", "row": "total", "column": "自然人",
                                "expected": 41, "found": 40}], "checked": 120, "unassessable": []}),
        Result("A1", "report_missing", "fail", "kyz", "开云镇人民政府", {"year": 2025},
               "2025年度政府信息公开工作年度报告逾期未公布（期限 2026-01-31）", "critical",
               {"unit_type": "township", "deadline": "2026-01-31", "published": None, "today": "2026-10-15"}),
    ]


def county_store(path: Path, config: Config, *, title: str = "关于做好冬季安全生产工作的通知",
                 until: str = "2026-10-31"):
    """A store as the daily runs would leave it: September's last check, then two in October
    (column checks and reconciliation as `check` does them, report findings from October on)."""
    db = open_db(path)
    sync_units(db, config.units)
    db.execute("UPDATE columns SET first_seen = '2026-09-01T00:00:00+00:00'")
    state: dict[str, str | None] = {}
    for day, changes in HISTORY.items():
        if day > until:
            break
        today = date.fromisoformat(day)
        state.update(changes)
        for key, newest in state.items():
            _record(db, key, newest, title)
        run_id = start_run(db, "check", day)
        results, _ = check_columns(config, active_columns(db), today)
        reconcile(db, results + (report_results(config) if day >= "2026-10-15" else []), today, run_id)
        finish_run(db, run_id, "ok")
        db["runs"].insert({"kind": "crawl", "started_at": f"{day}T18:30:00+00:00", "status": "ok",
                           "pages": 15 * 3})
    return db


SNAPSHOT = Path(__file__).parent / "data" / "snapshots" / "bulletin-2026-10.txt"
ISSUE = date(2026, 11, 2)


def october(tmp_path: Path, config: Config | None = None, **store) -> Bulletin:
    config = config or county_config()
    return build_bulletin(config, county_store(tmp_path / "g.db", config, **store), Month(2026, 10), ISSUE)


def test_text_bulletin_matches_the_reviewed_snapshot(tmp_path: Path):
    text = render("bulletin", b=october(tmp_path)).text
    if not SNAPSHOT.exists():   # first run writes it for review; the test then fails until committed
        SNAPSHOT.parent.mkdir(parents=True, exist_ok=True)
        SNAPSHOT.write_text(text, encoding="utf-8")
        raise AssertionError(f"snapshot written to {SNAPSHOT}; review it")
    assert text == SNAPSHOT.read_text(encoding="utf-8")


def test_overview_numbers_and_unassessable_units(tmp_path: Path):
    b = october(tmp_path)
    assert b.title == "关于2026年10月全县政府信息公开栏目更新情况的通报"
    assert (b.units_total, b.units_assessed, b.columns_checked, b.pages_fetched, b.check_days) == (5, 4, 15, 90, 2)
    assert b.columns_read == 13      # 总体情况 says how many of the monitored columns could be read
    assert b.veto_units == ["开云镇人民政府"] and b.units_passed == 3 and b.pass_rate == 0.75
    assert b.previous is not None and b.previous.pass_rate == 1.0
    # the unreachable 卫健局 columns are 未能检测: never a violation, never scored
    assert {e.unit_id for e in b.unassessed} == {"wjj"} and len(b.unassessed) == 2
    assert all(e.unit_id != "wjj" for e in b.violations)
    assert b.score_of("wjj").rating == "未能检测" and b.score_of("wjj").rank is None
    kinds = [g.label for g in b.groups]
    assert kinds == ["栏目超期未更新", "空白栏目", "单项否决", "年报未公开", "年报勾稽错误"]


def test_report_evidence_names_year_relation_and_values(tmp_path: Path):
    (e,) = [e for e in october(tmp_path).violations if e.kind == "report_inconsistent"]
    assert e.subject == "2025年度报告" and "（七）总计" in e.detail and "应为 41，实为 40" in e.detail


def test_rectification_progress_against_last_month(tmp_path: Path):
    b = october(tmp_path)
    progress = {p.unit_name: ([e.subject for e in p.fixed], [e.subject for e in p.still_open]) for p in b.progress}
    assert progress["衡山县行政审批服务局"] == (["工作动态"], ["通知公告"])
    assert progress["衡山县教育局"] == ([], ["教育动态", "人事信息"])
    assert (b.fixed_count, b.still_open_count) == (1, 4)


def test_deadline_skips_national_day_and_counts_the_adjusted_working_days(tmp_path: Path):
    config = county_config()
    db = county_store(tmp_path / "g.db", config, until="2026-09-30")
    # issued Tue 2026-09-29: 9/30, then 10/1–10/7 off, 10/8, 10/9, Sat 10/10 (调休), 10/12 … 10/15
    b = build_bulletin(config, db, Month(2026, 9), date(2026, 9, 29))
    assert b.deadline == date(2026, 10, 15) and not b.calendar_fallback
    assert "请被通报单位于2026年10月15日前（8个工作日内）" in render("bulletin", b=b).text
    # issued Fri 2026-09-18 with 10 working days: Sunday 9/20 is a working day
    ten = county_config(rectify_workdays=10)
    assert build_bulletin(ten, db, Month(2026, 9), date(2026, 9, 18)).deadline == date(2026, 10, 9)


def test_deadline_outside_the_official_calendar_is_marked(tmp_path: Path):
    config = county_config()
    b = build_bulletin(config, open_db(tmp_path / "g.db"), Month(2027, 1), date(2027, 2, 1))
    assert b.calendar_fallback and b.deadline == date(2027, 2, 11)
    assert "按周一至周五计算工作日" in render("bulletin", b=b).text


def test_hostile_scraped_titles_are_escaped(tmp_path: Path):
    hostile = '<script>alert("x")</script><img src=x onerror=alert(1)>\n链接：http://evil.example/'
    b = october(tmp_path, title=hostile)
    out = render("bulletin", b=b)
    assert "<script>" not in out.html and "<img" not in out.html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in out.html
    line = next(l for l in out.text.splitlines() if "<script>" in l)
    assert "http://evil.example/" in line            # the forged line break was flattened
    assert not any(l.strip().startswith("链接：http://evil") for l in out.text.splitlines())


def test_scoring_is_configurable(tmp_path: Path):
    config = county_config(bulletin="scoring: {base: 100, pass_score: 95, deductions: {column_stale: 10}}")
    b = october(tmp_path, config)
    assert b.score_of("xzspj").score == 80 and b.score_of("xzspj").rating == "不合格"   # 2 stale columns
    assert b.score_of("dmz").rank == 1 and b.units_passed == 1
    assert "栏目超期未更新每个扣10分" in b.scoring_text


def test_scoring_config_rejects_unknown_kinds():
    with pytest.raises(ConfigError) as err:
        county_config(bulletin="scoring: {deductions: {stale: 3}}")
    assert "bulletin.scoring.deductions" in str(err.value)


def test_write_bulletin_files(tmp_path: Path):
    config = county_config()
    db = county_store(tmp_path / "g.db", config)
    files = write_bulletin(config, db, "2026-10", tmp_path / "out", issue_date=ISSUE)
    assert [p.name for p in (files.eml, files.html, files.txt, files.csv)] == [
        "bulletin-2026-10.eml", "bulletin-2026-10.html", "bulletin-2026-10.txt", "bulletin-2026-10.csv"]
    msg = email.message_from_bytes(files.eml.read_bytes(), policy=policy.default)
    assert msg["Subject"] == "关于2026年10月全县政府信息公开栏目更新情况的通报"
    assert msg.get_body(("plain",)).get_content() == files.txt.read_text(encoding="utf-8")
    rows = list(csv.DictReader(io.StringIO(files.csv.read_text(encoding="utf-8-sig"))))
    assert {r["unit_id"] for r in rows if r["result"] == "uncertain"} == {"wjj"}
    assert any(r["status"] == "resolved" and r["column"] == "工作动态" for r in rows)
    assert "@page" in files.html.read_text(encoding="utf-8")


def test_routing_nothing_for_units_without_problems_unless_all_clear(tmp_path: Path):
    config = county_config()
    db = county_store(tmp_path / "g.db", config)
    assert queue_bulletin(config, db, Month(2026, 10), ISSUE) == 5
    assert queue_bulletin(config, db, Month(2026, 10), ISSUE) == 0
    liaisons = {r["recipient"] for r in outbox_rows(db) if r["kind"] == "liaison"}
    assert "liuyang@hs.example.gov.cn" not in liaisons and "chenjing@hs.example.gov.cn" not in liaisons
    clear = county_config(bulletin="all_clear: true")
    assert queue_bulletin(clear, db, Month(2026, 10), ISSUE) == 1       # only the new all-clear for 店门镇
    (row,) = [r for r in outbox_rows(db) if r["recipient"] == "liuyang@hs.example.gov.cn"]
    assert row["subject"] == "【监测结果】2026年10月政府信息公开栏目监测未发现问题（店门镇人民政府）"


def test_cli_bulletin_out_writes_files(tmp_path: Path):
    (tmp_path / "config.yaml").write_text(COUNTY_CONFIG, encoding="utf-8")
    county_store(tmp_path / "g.db", county_config())
    result = CliRunner().invoke(bulletin, ["--month", "2026-10", "--out", str(tmp_path / "out"),
                                           "--today", "2026-11-02"],
                                obj=Context(tmp_path / "config.yaml", tmp_path / "g.db"))
    assert result.exit_code == 0, result.output
    assert (tmp_path / "out" / "bulletin-2026-10.txt").read_text(encoding="utf-8") == SNAPSHOT.read_text(encoding="utf-8")
    bad = CliRunner().invoke(bulletin, ["--month", "2026-13"], obj=Context(tmp_path / "config.yaml", None))
    assert bad.exit_code == 2 and "YYYY-MM" in bad.output


def test_review_findings_get_their_own_section(tmp_path: Path):
    """Issue 6: edits after publication, back-dating, deletion and late disclosure are listed under
    发布审核与时效, apart from the column problems."""
    config = county_config()
    db = county_store(tmp_path / "g.db", config)
    xz = config.unit("xzspj")
    item = {"item": "关于调整审批事项的公告", "url": f"{SITE}/xzspj/tzgg/t9.html"}
    reconcile(db, [
        Result("A15", "item_modified_after_publication", "fail", xz.id, xz.name, item,
               "《关于调整审批事项的公告》发布后正文被修改", "medium", {"diff": "-旧\n+新"}),
        Result("W8", "item_backdated", "warning", xz.id, xz.name, {**item, "url": f"{SITE}/xzspj/tzgg/t8.html"},
               "疑似倒填发布日期", "medium", {}),
    ], date(2026, 10, 31), None)
    text = render("bulletin", b=build_bulletin(config, db, Month(2026, 10), ISSUE)).text
    section = text.split("发布审核与时效")[1].split("三、整改情况")[0]
    assert "发布后正文被修改" in section and "疑似倒填发布日期" in section
    assert "衡山县行政审批服务局：" in section and "“网站”" not in section   # the detail names the item
    problems = text.split("二、主要问题")[1].split("发布审核与时效")[0]
    assert "发布后修改" not in problems and "倒填" not in problems


def test_publication_section_and_attachment_table(tmp_path: Path):
    """信息发布情况 (issue 11): totals, best and lowest, units below the standard, zero 动态 units, units
    not counted, and the attachment table 各单位信息发布情况一览表 in the text, HTML and CSV."""
    config = parse_config(COUNTY_CONFIG.replace(
        "rules: {rectify_workdays: 8}", "rules: {rectify_workdays: 8, min_monthly_items: {department: 1, township: 2}}"))
    db = county_store(tmp_path / "g.db", config)
    db.execute("UPDATE columns SET last_ok_at = NULL WHERE unit_id = 'wjj'")     # its columns never read
    files = write_bulletin(config, db, "2026-10", tmp_path / "out", issue_date=ISSUE)
    text = files.txt.read_text(encoding="utf-8")
    assert "信息发布情况：全县各单位本月共发布政府信息2条，其中动态类2条、信息公开类0条" in text
    assert "发布较多的单位：店门镇人民政府（1条）；发布较少的单位：开云镇人民政府（0条）。" in text
    assert "低于最低标准的单位2家：开云镇人民政府（0条，最低标准2条）、店门镇人民政府（1条，最低标准2条）。" in text
    assert "本月动态信息发布量为零的单位：衡山县教育局、开云镇人民政府。" in text
    assert "以下单位的发布量未能统计（不计为零）：衡山县卫生健康局。" in text
    assert "附件：各单位信息发布情况一览表" in text and "各单位信息发布情况一览表" in files.html.read_text(encoding="utf-8")
    rows = list(csv.DictReader(io.StringIO(files.publication_csv.read_text(encoding="utf-8-sig"))))
    assert list(rows[0]) == ["单位", "动态类", "信息公开类", "合计", "最低标准", "是否达标"]
    assert {r["单位"]: r["是否达标"] for r in rows} == {
        # 教育局: no 动态 item, but its 人事信息 list never showed how far back it reaches
        "衡山县行政审批服务局": "是", "衡山县教育局": "未能统计", "开云镇人民政府": "否", "衡山县卫生健康局": "未能统计",
        "店门镇人民政府": "否"}
    msg = email.message_from_bytes(files.eml.read_bytes(), policy=policy.default)
    assert [a.get_filename() for a in msg.iter_attachments()] == [
        "衡山县2026年10月问题清单.csv", "衡山县2026年10月各单位信息发布情况一览表.csv"]


def test_a_month_still_running_is_counted_not_judged(tmp_path: Path):
    config = parse_config(COUNTY_CONFIG.replace(
        "rules: {rectify_workdays: 8}", "rules: {rectify_workdays: 8, min_monthly_items: {department: 1, township: 2}}"))
    b = build_bulletin(config, county_store(tmp_path / "g.db", config), Month(2026, 10), date(2026, 10, 20))
    text = render("bulletin", b=b).text
    assert "本月尚未结束，为截至2026年10月20日的发布量，不评定是否达标" in text
    assert "低于最低标准的单位" not in text and "动态信息发布量为零的单位" not in text
    assert {b.publication.meets(s) for s in b.publication.stats} == {"本月未结束"}
