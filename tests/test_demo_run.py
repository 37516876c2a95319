"""`gongkai demo` end to end: the demo county served on 127.0.0.1, crawled in a child process,
changed (edits, back-dating, deletion), crawled again, checked, the overdue table printed and the
bulletin written — and every column, report and item reaches what the generator says it should.
The demo runs once per session (the `demo` fixture in conftest.py; tests/test_kinds.py reads it too)."""
import json
from pathlib import Path
from urllib.parse import urlsplit

from click.testing import CliRunner

from monitor.cli import cli
from monitor.config import load_config
from monitor.demo.html import article_path
from monitor.demo.scenarios import BOARD, BOARD_TRUTH, DISCOVERED_BOARD
from monitor.finding import Finding
from monitor.observations import SUB, canonical_url
from monitor.store import open_db
from tests.json_schema import errors, load_findings_schema


def open_findings(out: Path) -> dict[tuple[str, str], str]:
    """(URL path, kind) → result of every open finding, and (unit, year) keys for reports."""
    found = {}
    for unit, kind, result, subject in open_db(out / "demo.db").execute(
            "SELECT unit_id, kind, result, subject FROM findings WHERE status = 'open'"):
        subject = json.loads(subject)
        if "year" in subject:
            found[(unit, subject["year"], kind)] = result
        elif subject.get("url"):
            found[(urlsplit(canonical_url(subject["url"])).path, kind)] = result
    return found


def test_demo_runs_everything_and_matches_the_generator(demo):
    out, output, county = demo
    result_output = output
    assert "超期及问题栏目" in result_output and "单项否决" in result_output
    assert "check " in result_output and "crawl #" in result_output and " links checked (0 waiting)" in result_output
    bulletin = next((out / "bulletin").glob("*.txt")).read_text(encoding="utf-8")
    assert "通报" in bulletin
    db = open_db(out / "demo.db")
    found = {}
    # a column's own finding (a board's W7 findings name its URL too: test_demo_board_reaches_its_truth)
    for kind, subject in db.execute("SELECT kind, subject FROM findings WHERE status = 'open' AND rule != 'W7'"):
        url = json.loads(subject).get("url")
        if url and kind.startswith("column_"):     # a column's 404 is also a broken link (W12)
            found[urlsplit(canonical_url(url)).path] = kind
    wanted = {"stale": "column_stale", "due_soon": "column_due_soon", "blank": "column_blank",
              "undated": "column_undated", "unreachable": "column_unreachable"}
    for path, expected in county.expected.items():
        key = urlsplit(canonical_url("http://h" + path)).path
        assert found.get(key) == wanted.get(expected.status), (path, expected.status)


def _path(url: str) -> str:
    return urlsplit(canonical_url(url)).path


def test_every_column_of_every_unit_is_found_and_read(demo):
    """Issue 10 item 8: in every layout of the county (TRS, Hanweb, Hanweb JCMS datastores, 博达 VSB, a
    公开目录 tree with a 法定主动公开内容 page of sub-columns and tiles) each column the generator defines
    is found (discovered, or named in the config) and read (as many items as the list pages the config
    reads hold); a long column's later pages (dataproxy.jsp, VSB 下页, a gotoCurrentPage pager) are read."""
    out, _, county = demo
    max_pages = load_config(out / "config.yaml").crawl.max_pages_per_column      # report columns
    assert {"jcms", "vsb"} <= {u.cms for u in county.units} and any(u.site_layout == "tree" for u in county.units)
    db = open_db(out / "demo.db")
    cursor = db.execute("SELECT * FROM columns")
    rows = {_path(row["url"]): row for row in (dict(zip([d[0] for d in cursor.description], r)) for r in cursor)}
    paged = []
    for path, col in county.columns.items():
        row = rows.get(_path("http://h" + path))
        assert row is not None and (row["discovered"] > 0 or row["in_config"]), (col.unit_id, col.name, path)
        if col.place == "sub":           # found on the 法定主动公开内容 page, not on the site page
            assert row["discovered"] == SUB, (col.unit_id, col.name, row["discovered"])
        if col.status == "unreachable":
            continue
        # read by the last crawl: answered, or unchanged since the first (304)
        assert row["last_outcome"] in ("ok", "not_modified"), (col.unit_id, col.name, row["last_outcome"])
        pages = col.max_pages or (max_pages if col.category == "report" else 1)
        assert row["item_count"] == len(col.items[:pages * col.per_page]), (col.unit_id, col.name, row["item_count"])
        if col.max_pages and col.pages > 1:
            paged.append(col)
            stored = {_path(url) for (url,) in db.execute("SELECT url FROM items WHERE column_id = ?", [row["id"]])}
            second = {_path("http://h" + article_path(col, item)) for item in col.items[col.per_page:2 * col.per_page]}
            assert row["pages_seen"] == col.max_pages and second and second <= stored, (col.unit_id, col.name)
    assert {county.unit(c.unit_id).cms for c in paged} == {"jcms", "vsb", "trs"}


def test_demo_reports_reach_their_truths(demo):
    out, _, county = demo
    found = open_findings(out)
    for (unit, year), truth in county.expected_reports.items():
        for kind, status in truth.findings.items():
            assert found.get((unit, year, kind)) == status, (unit, year, truth.case, kind)
    assert not [k for k in found if len(k) == 3 and (k[0], k[1]) not in county.expected_reports], found


def test_demo_review_scenarios_reach_their_truths(demo):
    out, _, county = demo
    found = open_findings(out)
    for path, kinds in county.expected_items.items():
        for kind, status in kinds.items():
            assert found.get((urlsplit(canonical_url("http://h" + path)).path, kind)) == (
                None if status == "pass" else status), (path, kind)


def test_demo_broken_links_are_the_generator_s(demo):
    """W12: the dead 办事指南 link beside a list and the missing report attachment are broken links, and
    no other link of a page the crawl read is (a column answering 404 is its own request: `list`)."""
    out, _, county = demo
    found = {_path(json.loads(subject)["url"]): json.loads(evidence)
             for subject, evidence in open_db(out / "demo.db").execute(
                 "SELECT subject, evidence FROM findings WHERE kind = 'link_broken' AND status = 'open'")}
    expected = {_path("http://h" + path) for path, kinds in county.expected_items.items() if "link_broken" in kinds}
    assert {path for path, evidence in found.items() if evidence["purpose"] != "list"} == expected
    dead = next(evidence for evidence in found.values() if evidence["purpose"] == "link")
    assert dead["text"] == "办事指南" and _path(dead["page"]) in {_path("http://h" + path) for path in county.columns}


def test_demo_findings_have_the_documented_shape(demo):
    """Every finding of a real demo run, as `gongkai findings --format json` prints it, is an object
    of docs/findings.schema.json (the stable contract)."""
    out, _, _ = demo
    result = CliRunner().invoke(cli, ["--db", str(out / "demo.db"), "findings", "--format", "json", "--all"])
    assert result.exit_code == 0, result.output
    findings = json.loads(result.stdout)
    assert len({f["kind"] for f in findings}) >= 10 and {f["result"] for f in findings} >= {"fail", "uncertain"}
    assert errors(findings, load_findings_schema()) == []


def _design_json(row: dict) -> dict:
    """A `findings` row as docs/design.md §2 JSON, exactly as `finding_json` built it before findings were
    typed: the reference `Finding.to_json` must reproduce."""
    return {
        "id": row["id"], "rule": row["rule"], "kind": row["kind"], "severity": row["severity"],
        "status": row["status"], "result": row["result"],
        "unit": {"id": row["unit_id"], "name": row["unit_name"]},
        "subject": json.loads(row["subject"]), "message": row["message"],
        "evidence": json.loads(row["evidence"]),
        "first_seen": row["first_seen"], "last_seen": row["last_seen"], "resolved_at": row["resolved_at"],
    }


def test_findings_json_is_unchanged_by_the_typed_finding(demo):
    out, _, _ = demo
    db = open_db(out / "demo.db")
    cursor = db.execute("SELECT * FROM findings")
    rows = [dict(zip([d[0] for d in cursor.description], r)) for r in cursor.fetchall()]
    assert len(rows) > 30
    for row in rows:
        assert json.dumps(Finding.from_row(row).to_json(), ensure_ascii=False) == \
            json.dumps(_design_json(row), ensure_ascii=False)        # same keys, same order, same values
    # the CLI's output byte for byte, in the documented order: most severe, most overdue first
    severity = {"critical": 0, "high": 1, "medium": 2, "low": 3, "info": 4}
    expected = sorted((_design_json(r) for r in rows), key=lambda f: (
        f["status"] != "open", severity.get(f["severity"], 9), -(f["evidence"].get("days_overdue") or 0),
        f["unit"]["id"], f["kind"], json.dumps(f["subject"], ensure_ascii=False)))
    result = CliRunner().invoke(cli, ["--config", str(out / "config.yaml"), "findings", "--format", "json", "--all"])
    assert result.exit_code == 0, result.output
    assert result.output == json.dumps(expected, ensure_ascii=False, indent=2) + "\n"


def test_demo_board_reaches_its_truth(demo):
    """Issue 11 items 4 and 9: the demo's 领导信箱 (configured) and 局长信箱 (linked from its unit's
    navigation only, found by discovery) each have a message unanswered for over 3 months (单项否决)
    and two late replies; the county portal has a channel (the board of its owner)."""
    out, _, county = demo
    assert not any(c.configured for c in county.unit(DISCOVERED_BOARD[0]).columns if c.name == DISCOVERED_BOARD[1])
    paths = [next(c.path for c in county.unit(unit).columns if c.name == name) for unit, name in (BOARD, DISCOVERED_BOARD)]
    rows = {(_path(json.loads(subject)["url"]), kind): (result, json.loads(evidence).get("count"))
            for kind, result, subject, evidence in open_db(out / "demo.db").execute(
                "SELECT kind, result, subject, evidence FROM findings WHERE status = 'open' AND rule = 'W7'")}
    assert rows == {(path, kind): truth for path in paths for kind, truth in BOARD_TRUTH.items()}
