"""W7 互动回应 (issue 11 item 4): the board reader on the common layouts, the pure checks (unanswered >
3 months, late replies, no channel at all) with their pass / fail / uncertain cases, and a real crawl
of a local board."""
from __future__ import annotations

from pathlib import Path

from pytest_httpserver import HTTPServer

from crawler.messages import interaction_links, read_messages
from monitor.checks.columns import check_columns
from monitor.checks.interaction import check_boards, check_channel
from monitor.config import load_config
from monitor.evaluation import evaluate
from monitor.messages import Message, latest_messages
from monitor.observations import HomePage, sync_units
from monitor.results import Result
from monitor.store import open_db
from monitor.workdays import WorkCalendar
from tests.helpers import column, make_config
from tests.test_faults_network import CRAWL, HTML, config_yaml, county_host, crawl_units, other_host  # noqa: F401 - fixtures
from tests.test_spider import TODAY, crawl

DATA = Path(__file__).parent / "data" / "messages"
BOARD = "http://127.0.0.1:9/xzspj/xzxx/"
UNITS = f"""units:
  - id: xzspj
    name: 衡山县行政审批服务局
    type: government
    site: http://127.0.0.1:9/xzspj/
    interaction: {BOARD}
"""


def board_results(messages: list[Message] | None, **col):
    config = make_config(units=UNITS)
    _, verdicts = check_columns(config, [column("互动交流", url=BOARD, **col)], TODAY)
    board = verdicts[0].column.id
    results = check_boards(config, verdicts, {board: messages} if messages is not None else {}, TODAY, WorkCalendar())
    return {r.kind: r for r in results}


def test_reader_table_layout():
    messages = read_messages((DATA / "table.html").read_text(encoding="utf-8"), "http://x.gov.cn/hdjl/xzxx/")
    assert [(m.asked, m.replied, m.state) for m in messages] == [
        ("2026-11-20", None, "pending"), ("2026-06-02", None, "pending"), ("2026-09-01", "2026-09-03", "replied"),
        ("2026-08-03", "2026-08-28", "replied"), ("2025-03-01", None, "pending")]
    assert messages[0].url == "http://x.gov.cn/hdjl/xzxx/1001.html" and messages[0].title == "关于小区路灯不亮的问题"


def test_reader_labelled_rows_and_non_boards():
    messages = read_messages((DATA / "labels.html").read_text(encoding="utf-8"), "http://x.gov.cn/ly/")
    assert [(m.title, m.replied, m.state) for m in messages] == [
        ("咨询公租房申请条件", "2026-10-12", "replied"), ("反映集贸市场占道经营", None, "pending"),
        ("询问新生入学材料", None, None)]
    assert read_messages("<ul><li><a href='/a'>工作动态</a> 2026-01-01</li></ul>", "http://x/") is None
    assert interaction_links("<a href='/xx/'>县长信箱</a><a href='/n/'>要闻</a>", "http://x/") == ["http://x/xx/"]


def test_unanswered_fails_and_late_replies_warn():
    table = read_messages((DATA / "table.html").read_text(encoding="utf-8"), BOARD)
    results = board_results(table)
    unanswered, late = results["interaction_unanswered"], results["interaction_late_replies"]
    # 06-02 is over 3 months old; 11-20 is recent and 2025-03-01 is older than a year: neither counts
    assert unanswered.status == "fail" and unanswered.evidence["count"] == 1
    assert unanswered.evidence["oldest_asked"] == "2026-06-02" and "单项否决" in unanswered.message
    # 09-01 → 09-03 is 2 working days; 08-03 → 08-28 is well over 5
    assert late.status == "warning" and late.evidence["count"] == 1 and late.evidence["reply_workdays"] == 5


def test_all_answered_in_time_passes_and_reply_workdays_is_configurable():
    ok = [Message("问题", None, "2026-09-01", "2026-09-03", "replied"), Message("新", None, "2026-11-20", None, "pending")]
    results = board_results(ok)
    assert results["interaction_unanswered"].status == "pass"
    assert results["interaction_late_replies"].status == "pass"
    config = make_config("rules: {reply_workdays: 1}\n", units=UNITS)
    _, verdicts = check_columns(config, [column("互动交流", url=BOARD)], TODAY)
    (late,) = [r for r in check_boards(config, verdicts, {verdicts[0].column.id: ok}, TODAY, WorkCalendar())
               if r.kind == "interaction_late_replies"]
    assert late.status == "warning"


def test_unread_or_unrecognised_board_is_uncertain_never_pass():
    for results in (board_results(None, outcome="http_error", http_status=500), board_results(None)):
        assert {r.status for r in results.values()} == {"uncertain"}
    # a state the page does not show is unknown, not unanswered
    results = board_results([Message("旧", None, "2026-05-06", None, None)])
    assert results["interaction_unanswered"].status == "uncertain"


def test_configured_interaction_is_a_column_of_its_category():
    unit = make_config(units=UNITS).units[0]
    assert [(c.name, str(c.url), c.category) for c in unit.columns] == [("互动交流", BOARD, "interaction")]


def test_channel_missing_fails_only_on_a_recent_read():
    config = make_config(f"county_portal: http://127.0.0.1:9/\n", units=UNITS.replace(f"    interaction: {BOARD}\n", ""))
    home = HomePage("http://127.0.0.1:9/", "ok", 200, None, "2026-11-26T00:00:00+00:00",
                    "2026-11-26T00:00:00+00:00", None, None, None)
    assert check_channel(config, [], home, TODAY, owner_id="xzspj").status == "fail"
    assert check_channel(config, [], home._replace(interaction_url="http://127.0.0.1:9/xx/"), TODAY,
                         owner_id="xzspj").status == "pass"
    assert check_channel(config, [], home._replace(outcome="http_error"), TODAY, owner_id="xzspj").status == "uncertain"
    assert check_channel(config, [], None, TODAY, owner_id="xzspj").status == "uncertain"
    assert check_channel(make_config(units=UNITS), [], None, TODAY, owner_id="xzspj") is None


def test_a_local_board_is_crawled_stored_and_judged(county_host: HTTPServer, other_host: HTTPServer, tmp_path: Path):
    base, portal = county_host.url_for("").rstrip("/"), other_host.url_for("/")
    county_host.no_handler_status_code = other_host.no_handler_status_code = 404
    county_host.expect_request("/a/").respond_with_data("<html><body><p>本单位</p></body></html>", content_type=HTML)
    county_host.expect_request("/a/xx/").respond_with_data((DATA / "table.html").read_text(encoding="utf-8"),
                                                           content_type=HTML)
    other_host.expect_request("/").respond_with_data("<html><body><a href='/news/'>要闻</a></body></html>",
                                                     content_type=HTML)
    db, config_path = tmp_path / "store.db", tmp_path / "config.yaml"
    units = f"  - id: a\n    name: 单位a\n    type: government\n    site: {base}/a/\n    interaction: {base}/a/xx/\n"
    config_path.write_text(f"county_portal: {portal}\n" + config_yaml(db, units), encoding="utf-8")
    code, _, stderr = crawl(config_path, db, 1)
    assert code == 0, stderr[-2000:]
    config, store = load_config(config_path), open_db(db)
    sync_units(store, config.units)
    results, verdicts = evaluate(config, store, TODAY)
    (board,) = [v.column.id for v in verdicts if v.category == "interaction"]
    assert len(latest_messages(store, [board])[board]) == 5
    by_kind = {r.kind: r for r in results if r.rule == "W7"}
    assert by_kind["interaction_unanswered"].status == "fail"
    assert by_kind["interaction_late_replies"].status == "warning"
    # the portal's home page links no channel, but the owner's board is one
    assert by_kind["interaction_missing"].status == "pass"


def test_reader_real_mailbox_template_with_state_but_no_reply_date():
    messages = read_messages((DATA / "mailbox.html").read_text(encoding="utf-8"), "http://x.gov.cn/")
    assert [(m.asked, m.replied, m.state) for m in messages] == [("2026-10-09", None, "replied"),
                                                                 ("2026-04-20", None, "pending")]
    results = board_results(messages)
    assert results["interaction_unanswered"].status == "fail"
    # answered, but the list shows no reply date: whether in time is not known
    assert results["interaction_late_replies"].status == "uncertain"


def test_reply_date_is_read_from_the_message_page_when_the_list_shows_only_the_state(county_host: HTTPServer,
                                                                                        tmp_path: Path):
    base = county_host.url_for("").rstrip("/")
    county_host.no_handler_status_code = 404
    board = (DATA / "mailbox.html").read_text(encoding="utf-8").replace("/index.php?g=DirectorMail&m=Index&a=mail&mailid=",
                                                                        "/a/xx/mail_")
    county_host.expect_request("/a/xx/").respond_with_data(board, content_type=HTML)
    county_host.expect_request("/a/xx/mail_31").respond_with_data(
        "<html><body><table><tr><td>来信时间：</td><td>2026-10-09 10:12:33</td></tr>"
        "<tr><td>回复时间：</td><td>2026-10-30 09:00:00</td></tr></table><p>您好，已转交……</p></body></html>",
        content_type=HTML)
    county_host.expect_request("/a/xx/mail_30").respond_with_data("<html><body><p>尚未回复</p></body></html>",
                                                                  content_type=HTML)
    db, config_path = tmp_path / "store.db", tmp_path / "config.yaml"
    units = f"  - id: a\n    name: 单位a\n    discover: false\n    interaction: {base}/a/xx/\n"
    config_path.write_text(config_yaml(db, units, CRAWL), encoding="utf-8")    # item pages read (no 0 budget)
    code, _, stderr = crawl(config_path, db, 1)
    assert code == 0, stderr[-2000:]
    config, store = load_config(config_path), open_db(db)
    results, _ = evaluate(config, store, TODAY)
    by_kind = {r.kind: r for r in results if r.rule == "W7"}
    # 10-09 → 10-30 is more than 5 working days (National Day is before it)
    assert by_kind["interaction_late_replies"].status == "warning"
    assert by_kind["interaction_late_replies"].evidence["messages"][0]["replied"] == "2026-10-30"
    assert by_kind["interaction_unanswered"].status == "fail"
    # the next list read (no reply date shown) keeps the reply date read from the page
    code, _, stderr = crawl(config_path, db, 2)
    assert code == 0, stderr[-2000:]
    results, _ = evaluate(config, store, TODAY)
    (late,) = [r for r in results if r.kind == "interaction_late_replies"]
    assert late.status == "warning" and late.evidence["messages"][0]["replied"] == "2026-10-30"


FORM = ("<html><body><h2>在线咨询</h2><form method='post' action='/a/zxzx/submit'>标题：<input name='t'>"
        "内容：<textarea name='c'></textarea><button>提交</button></form></body></html>")


def serve_unit_with_boards(server: HTTPServer) -> None:
    """Unit a links its 领导信箱 (a list of messages) and its 在线咨询 (a form); unit b has no board."""
    server.no_handler_status_code = 404
    server.expect_request("/a/").respond_with_data(
        "<html><body><ul class='nav'><li><a href='/a/gzdt/'>工作动态</a></li><li><a href='/a/ldxx/'>领导信箱</a></li>"
        "<li><a href='/a/zxzx/'>在线咨询</a></li></ul></body></html>", content_type=HTML)
    server.expect_request("/a/gzdt/").respond_with_data(
        "<html><body><ul><li><a href='/a/gzdt/1.html'>全县安全生产工作会议召开</a><span>2026-11-20</span></li>"
        "<li><a href='/a/gzdt/2.html'>开展冬季消防检查</a><span>2026-11-10</span></li></ul></body></html>",
        content_type=HTML)
    server.expect_request("/a/ldxx/").respond_with_data((DATA / "table.html").read_text(encoding="utf-8"),
                                                        content_type=HTML)
    server.expect_request("/a/zxzx/").respond_with_data(FORM, content_type=HTML)
    server.expect_request("/a/xx/").respond_with_data((DATA / "table.html").read_text(encoding="utf-8"),
                                                      content_type=HTML)
    server.expect_request("/b/").respond_with_data(
        "<html><body><ul class='nav'><li><a href='/b/gzdt/'>工作动态</a></li></ul></body></html>", content_type=HTML)
    server.expect_request("/b/gzdt/").respond_with_data(
        "<html><body><ul><li><a href='/b/gzdt/1.html'>召开会议</a><span>2026-11-20</span></li></ul></body></html>",
        content_type=HTML)


def w7_by_board(config_path: Path, db: Path) -> tuple[dict[tuple[str, str, str], Result], list[Result]]:
    config, store = load_config(config_path), open_db(db)
    sync_units(store, config.units)             # as a check does
    results, _ = evaluate(config, store, TODAY)
    return {(r.unit_id, r.subject.get("board") or "", r.kind): r for r in results if r.rule == "W7"}, results


def test_a_discovered_board_is_read_like_a_configured_one(county_host: HTTPServer, tmp_path: Path):
    """Issue 11 item 4: a board found only by discovery is read and judged as a configured one; a
    link whose page is a form is no board (uncertain, saying so, never a blank column); a unit
    without a board is not accused."""
    serve_unit_with_boards(county_host)
    base = county_host.url_for("").rstrip("/")
    units = (f"  - id: a\n    name: 单位a\n    site: {base}/a/\n"
             f"  - id: b\n    name: 单位b\n    site: {base}/b/\n")
    db, config_path = crawl_units(tmp_path, units)
    w7, results = w7_by_board(config_path, db)
    assert {key: r.status for key, r in w7.items()} == {
        ("a", "领导信箱", "interaction_unanswered"): "fail", ("a", "领导信箱", "interaction_late_replies"): "warning",
        ("a", "在线咨询", "interaction_unanswered"): "uncertain", ("a", "在线咨询", "interaction_late_replies"): "uncertain"}
    assert "留言表单" in w7[("a", "在线咨询", "interaction_unanswered")].message
    assert w7[("a", "领导信箱", "interaction_unanswered")].evidence["count"] == 1
    # neither board is judged as a column of publications (no 空白栏目, no 未标注日期)
    assert not [r for r in results if r.subject.get("url", "").startswith(f"{base}/a/") and r.rule != "W7"
                and r.status != "not_applicable" and "/gzdt/" not in r.subject["url"]]


def test_a_board_every_units_header_links_is_no_units_own(county_host: HTTPServer, tmp_path: Path):
    """The site-wide header's 县长信箱, linked from each unit's page: no unit answers for its messages
    (nor is any accused), unless one configures it as its own."""
    county_host.no_handler_status_code = 404
    header = "<div class='top'><a href='/hdjl/xzxx/'>县长信箱</a></div>"
    for unit in ("a", "b"):
        county_host.expect_request(f"/{unit}/").respond_with_data(
            f"<html><body>{header}<ul><li><a href='/{unit}/gzdt/'>工作动态</a></li></ul></body></html>",
            content_type=HTML)
    county_host.expect_request("/hdjl/xzxx/").respond_with_data((DATA / "table.html").read_text(encoding="utf-8"),
                                                                content_type=HTML)
    base = county_host.url_for("").rstrip("/")
    units = f"  - id: a\n    name: 单位a\n    site: {base}/a/\n  - id: b\n    name: 单位b\n    site: {base}/b/\n"
    db, config_path = crawl_units(tmp_path, units)
    w7, _ = w7_by_board(config_path, db)
    assert w7 == {}
    config_path.write_text(config_yaml(db, units.replace("/b/\n", f"/b/\n    interaction: {base}/hdjl/xzxx/\n")),
                           encoding="utf-8")
    w7, _ = w7_by_board(config_path, db)
    assert {key: r.status for key, r in w7.items()} == {("b", "互动交流", "interaction_unanswered"): "fail",
                                                        ("b", "互动交流", "interaction_late_replies"): "warning"}


def test_a_configured_board_wins_over_the_discovered_ones(county_host: HTTPServer, tmp_path: Path):
    serve_unit_with_boards(county_host)
    base = county_host.url_for("").rstrip("/")
    db, config_path = tmp_path / "store.db", tmp_path / "config.yaml"
    config_path.write_text(config_yaml(db, f"  - id: a\n    name: 单位a\n    site: {base}/a/\n"
                                           f"    interaction: {base}/a/xx/\n"), encoding="utf-8")
    code, _, stderr = crawl(config_path, db, 1)
    assert code == 0, stderr[-2000:]
    asked = {request.path for request, _ in county_host.log}
    assert "/a/xx/" in asked and not asked & {"/a/ldxx/", "/a/zxzx/"}
    w7, _ = w7_by_board(config_path, db)
    assert {board for _, board, _ in w7} == {"互动交流"}


def test_a_board_is_never_judged_as_a_column_of_publications_and_a_form_says_so():
    """A board's rows are messages (W7), so an empty board, undated rows or a form are no 空白栏目 /
    未标注日期 / unreadable column; the form is named in the uncertain W7 results."""
    config = make_config(units=UNITS)
    for col in (column("互动交流", url=BOARD, items=0), column("互动交流", url=BOARD, items=3, dated=0),
                column("互动交流", url=BOARD, items=0, page_kind="unreadable", page_note="form")):
        results, _ = check_columns(config, [col], TODAY)
        assert {r.status for r in results if r.subject.get("url") == BOARD} == {"not_applicable"}
    results = board_results(None, items=0, page_kind="unreadable", page_note="form")
    assert {r.status for r in results.values()} == {"uncertain"}
    assert results["interaction_unanswered"].message == "互动交流页面为留言表单，未列出留言，不是留言列表，未能检测互动回应情况"
