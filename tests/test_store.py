"""The SQLite store: WAL, versioned migrations, idempotent writes, raw observations kept."""
import sqlite3
from datetime import datetime, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from monitor.observations import (GONE, LINKED, SUB, ListItem, active_columns, canonical_url, column_id,
                                  record_discovery, record_fetch, record_home, record_list, record_not_modified, site_states,
                                  site_validators_for, sync_units)
from monitor.store import MIGRATIONS, atomic, open_db, open_readonly, schema_version, stamp, utcnow
from tests.helpers import make_config


def test_new_database_is_wal_and_migrated(tmp_path: Path):
    db = open_db(tmp_path / "sub" / "g.db")
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert schema_version(db) == len(MIGRATIONS)
    assert {"runs", "units", "columns", "fetches", "items", "findings"} <= set(db.table_names())


def test_reopening_does_not_migrate_twice(tmp_path: Path):
    path = tmp_path / "g.db"
    open_db(path)["units"].insert({"id": "a", "name": "A", "type": "department", "updated_at": "x"})
    db = open_db(path)
    assert schema_version(db) == len(MIGRATIONS) and db["units"].count == 1


def test_old_database_is_upgraded_in_place(tmp_path: Path):
    path = tmp_path / "old.db"
    sqlite3.connect(path).execute("CREATE TABLE keep_me (x)").connection.commit()
    db = open_db(path)
    assert "keep_me" in db.table_names() and schema_version(db) == len(MIGRATIONS)


def test_report_documents_survive_the_upgrade_that_drops_their_parsed_json(tmp_path: Path):
    path = tmp_path / "v6.db"
    conn = sqlite3.connect(path)
    for script in MIGRATIONS[:6]:
        conn.executescript(script)
    conn.execute("PRAGMA user_version = 6")
    conn.execute("""INSERT INTO documents (unit_id, url, year, content_hash, raw, parsed, first_fetched, last_fetched)
                    VALUES ('u', 'http://x/nb.html', 2025, 'h', x'3c703e', '{}', 't1', 't2')""")
    conn.commit()
    conn.close()
    db = open_db(path)
    assert schema_version(db) == len(MIGRATIONS)
    assert "parsed" not in db["documents"].columns_dict
    assert db.execute("SELECT unit_id, url, year, raw, last_fetched FROM documents").fetchall() == \
        [("u", "http://x/nb.html", 2025, b"<p>", "t2")]
    assert "documents_unit_year" in {i.name for i in db["documents"].indexes}


def test_readonly_connection_cannot_write(tmp_path: Path):
    open_db(tmp_path / "g.db")
    ro = open_readonly(tmp_path / "g.db")
    try:
        ro.execute("INSERT INTO runs (kind, started_at) VALUES ('x', 'y')")
    except sqlite3.OperationalError as exc:
        assert "readonly" in str(exc)
    else:
        raise AssertionError("read-only connection accepted a write")


def test_one_timestamp_format_for_every_writer():
    """Crawler budgets, the outbox and the store compare stored times as text: one format, UTC, seconds."""
    local = datetime(2026, 11, 26, 8, 30, 15, 999_999, tzinfo=ZoneInfo("Asia/Shanghai"))
    assert stamp(local) == "2026-11-26T00:30:15+00:00"
    before = stamp(datetime.now(timezone.utc))
    assert before <= utcnow() <= stamp(datetime.now(timezone.utc)) and utcnow().endswith("+00:00")


def test_canonical_url_merges_index_spellings():
    same = {canonical_url(u) for u in ("http://A.gov.cn:80/x/zfxxgknb/nlist.htm", "http://a.gov.cn/x/zfxxgknb/",
                                       "http://a.gov.cn/x/zfxxgknb", "http://a.gov.cn/x/zfxxgknb/index.html#top")}
    assert same == {"http://a.gov.cn/x/zfxxgknb/"}
    assert canonical_url("http://a.gov.cn/x/t2026_1.html") == "http://a.gov.cn/x/t2026_1.html"


def test_rerunning_observations_never_duplicates(tmp_path: Path):
    db = open_db(tmp_path / "g.db")
    config = make_config()
    cid = column_id("xzspj", "http://127.0.0.1:9/xzspj/tzgg/")
    items = [ListItem("关于A的通知", "http://127.0.0.1:9/xzspj/tzgg/a.html", "2026-11-01"),
             ListItem("关于B的通知", "http://127.0.0.1:9/xzspj/tzgg/b.html", None)]
    for run in (1, 2):
        sync_units(db, config.units)
        record_discovery(db, "xzspj", [("通知公告", "http://127.0.0.1:9/xzspj/tzgg/"),
                                       ("通知公告", "http://127.0.0.1:9/xzspj/tzgg/index.html")])
        record_list(db, run_id=run, column_id=cid, items=items, pages_seen=1, http_status=200,
                    etag='"v1"', last_modified=None, body_hash="h")
    assert db["units"].count == 1 and db["columns"].count == 1 and db["items"].count == 2
    item = db.execute("SELECT first_run, last_run FROM items WHERE url LIKE '%a.html'").fetchone()
    assert item == (1, 2)
    (col,) = active_columns(db)
    assert (col.item_count, col.dated_count, col.newest_date) == (2, 1, "2026-11-01")


def test_not_modified_keeps_items_and_marks_them_seen(tmp_path: Path):
    db = open_db(tmp_path / "g.db")
    record_discovery(db, "xzspj", [("工作动态", "http://127.0.0.1:9/xzspj/gzdt/")])
    cid = column_id("xzspj", "http://127.0.0.1:9/xzspj/gzdt/")
    record_list(db, run_id=1, column_id=cid, items=[ListItem("t", "http://127.0.0.1:9/t.html", "2026-11-02")],
                pages_seen=1, http_status=200, etag='"e"', last_modified=None, body_hash="h")
    record_not_modified(db, run_id=2, column_id=cid)
    (col,) = active_columns(db)
    assert col.last_outcome == "not_modified" and col.newest_date == "2026-11-02" and col.item_count == 1
    assert db.execute("SELECT last_run FROM items").fetchone()[0] == 2


def test_failed_fetch_is_recorded_and_summarised(tmp_path: Path):
    db = open_db(tmp_path / "g.db")
    record_discovery(db, "xzspj", [("工作动态", "http://127.0.0.1:9/xzspj/gzdt/")])
    cid = column_id("xzspj", "http://127.0.0.1:9/xzspj/gzdt/")
    record_fetch(db, run_id=3, url="http://127.0.0.1:9/xzspj/gzdt/", purpose="list", outcome="http_error",
                 unit_id="xzspj", column_id=cid, http_status=500, error="x" * 5000, elapsed_ms=12, nbytes=10)
    (col,) = active_columns(db)
    assert (col.last_outcome, col.last_http_status) == ("http_error", 500)
    row = db.execute("SELECT outcome, http_status, length(error) FROM fetches").fetchone()
    assert row == ("http_error", 500, 500)


def test_discovery_drops_columns_no_longer_linked_but_keeps_configured(tmp_path: Path):
    db = open_db(tmp_path / "g.db")
    config = make_config(units="""units:
  - id: xzspj
    name: 衡山县行政审批服务局
    site: http://127.0.0.1:9/xzspj/
    columns: [{name: 审批公示, url: "http://127.0.0.1:9/xzspj/spgs/"}]
""")
    sync_units(db, config.units)
    record_discovery(db, "xzspj", [("工作动态", "http://127.0.0.1:9/xzspj/gzdt/"),
                                   ("公示（导航名）", "http://127.0.0.1:9/xzspj/spgs/")])
    assert {c.name for c in active_columns(db)} == {"工作动态", "审批公示"}   # configured name wins
    record_discovery(db, "xzspj", [])
    # the column that left the navigation stays, marked GONE (the checks report it once as such)
    assert {(c.name, c.discovered) for c in active_columns(db)} == {("审批公示", GONE), ("工作动态", GONE)}
    assert {c.name for c in active_columns(db) if c.in_config or c.discovered > 0} == {"审批公示"}
    record_discovery(db, "xzspj", [("工作动态", "http://127.0.0.1:9/xzspj/gzdt/")])   # back again
    assert {(c.name, c.discovered) for c in active_columns(db)} == {("审批公示", GONE), ("工作动态", LINKED)}


def test_sub_columns_leave_with_their_navigation_column(tmp_path: Path):
    """A column page that is a navigation: its sub-columns (SUB) are replaced by the next reading of
    that page, and all of them are GONE once the site page no longer links the navigation column."""
    db = open_db(tmp_path / "g.db")
    nav, jy, yl = ("http://127.0.0.1:9/xzspj/fdzdgknr/", "http://127.0.0.1:9/xzspj/fdzdgknr/jy/",
                   "http://127.0.0.1:9/xzspj/fdzdgknr/yl/")
    record_discovery(db, "xzspj", [("法定主动公开内容", nav), ("工作动态", "http://127.0.0.1:9/xzspj/gzdt/")])
    record_discovery(db, "xzspj", [("教育", jy), ("医疗卫生", yl)], parent=nav)
    levels = lambda: {c.name: c.discovered for c in active_columns(db)}   # noqa: E731
    assert levels() == {"法定主动公开内容": LINKED, "工作动态": LINKED, "教育": SUB, "医疗卫生": SUB}
    record_discovery(db, "xzspj", [("教育", jy)], parent=nav)
    assert levels()["医疗卫生"] == GONE and levels()["工作动态"] == LINKED
    record_discovery(db, "xzspj", [("法定主动公开内容", nav), ("工作动态", "http://127.0.0.1:9/xzspj/gzdt/")])
    assert levels()["教育"] == SUB            # the site page still links its navigation column
    record_discovery(db, "xzspj", [("工作动态", "http://127.0.0.1:9/xzspj/gzdt/")])
    assert levels() == {"法定主动公开内容": GONE, "工作动态": LINKED, "教育": GONE, "医疗卫生": GONE}


def test_site_validators_follow_discovery_and_are_dropped_when_the_site_url_changes(tmp_path: Path):
    db = open_db(tmp_path / "g.db")
    units = """units:
  - id: xzspj
    name: 衡山县行政审批服务局
    site: {site}
"""
    sync_units(db, make_config(units=units.format(site="http://127.0.0.1:9/xzspj/")).units)
    assert site_validators_for(db) == {}
    record_discovery(db, "xzspj", [("工作动态", "http://127.0.0.1:9/xzspj/gzdt/")], etag='"v1"',
                     last_modified="Tue, 24 Nov 2026 02:00:00 GMT")
    assert site_validators_for(db) == {}       # its newest dated item (W1) is not stored yet: a 304 cannot stand for it
    record_home(db, "http://127.0.0.1:9/xzspj/", outcome="ok", http_status=200)
    expected = {"http://127.0.0.1:9/xzspj/": {"etag": '"v1"', "last_modified": "Tue, 24 Nov 2026 02:00:00 GMT"}}
    assert site_validators_for(db) == expected
    sync_units(db, make_config(units=units.format(site="http://127.0.0.1:9/xzspj/")).units)   # daily re-sync
    assert site_validators_for(db, ["xzspj"]) == expected and site_validators_for(db, ["other"]) == {}
    record_discovery(db, "xzspj", [("工作动态", "http://127.0.0.1:9/xzspj/gzdt/")])   # a page without validators
    assert site_validators_for(db) == {}
    record_discovery(db, "xzspj", [], etag='"v2"')
    sync_units(db, make_config(units=units.format(site="http://127.0.0.1:9/xzspj/new/")).units)
    assert site_validators_for(db) == {}          # never sent to a URL they were not received from


def test_site_page_outcome_is_kept_per_unit_and_dropped_when_the_site_url_changes(tmp_path: Path):
    """Migration 8: the latest site page fetch per unit, for `site_unreachable`."""
    db = open_db(tmp_path / "g.db")
    units = "units:\n  - {{id: xzspj, name: 衡山县行政审批服务局, site: '{site}'}}\n"
    sync_units(db, make_config(units=units.format(site="http://127.0.0.1:9/xzspj/")).units)
    assert site_states(db) == {}                                     # never requested: nothing to say
    record_fetch(db, run_id=1, url="http://127.0.0.1:9/xzspj/", purpose="site", outcome="http_error",
                 unit_id="xzspj", http_status=503, error="HTTP 503")
    (state,) = site_states(db).values()
    assert (state.outcome, state.http_status, state.error, state.site) == ("http_error", 503, "HTTP 503",
                                                                         "http://127.0.0.1:9/xzspj/")
    record_fetch(db, run_id=2, url="http://127.0.0.1:9/xzspj/", purpose="site", outcome="not_modified",
                 unit_id="xzspj", http_status=304)
    record_fetch(db, run_id=2, url="http://127.0.0.1:9/xzspj/gzdt/", purpose="list", outcome="network_error",
                 unit_id="xzspj")                                    # a list page is not the site page
    assert site_states(db, ["xzspj"])["xzspj"].outcome == "not_modified" and site_states(db, ["other"]) == {}
    sync_units(db, make_config(units=units.format(site="http://127.0.0.1:9/xzspj/new/")).units)
    assert site_states(db) == {}                                     # the outcome was another URL's


def test_list_record_keeps_what_the_page_is(tmp_path: Path):
    db = open_db(tmp_path / "g.db")
    url = "http://127.0.0.1:9/xzspj/zn/"
    (cid,) = record_discovery(db, "xzspj", [("政府信息公开指南", url)])
    record_list(db, run_id=1, column_id=cid, items=[], pages_seen=1, http_status=200, etag=None,
                last_modified=None, body_hash=None, page_kind="article", page_note="2025-03-01")
    record_not_modified(db, run_id=2, column_id=cid)
    (col,) = active_columns(db)
    assert (col.page_kind, col.page_note, col.item_count, col.last_outcome) == ("article", "2025-03-01", 0,
                                                                                "not_modified")


def test_nested_atomic_blocks_undo_only_their_own_writes(tmp_path: Path):
    """Every savepoint has the same name (monitor.store.atomic): each block still releases or
    rolls back its own, the innermost of that name."""
    db = open_db(tmp_path / "g.db")
    db.execute("CREATE TABLE t (x TEXT)")
    with atomic(db):
        db.execute("INSERT INTO t VALUES ('a')")
        with pytest.raises(ValueError), atomic(db):
            db.execute("INSERT INTO t VALUES ('b')")
            with atomic(db):
                db.execute("INSERT INTO t VALUES ('c')")
            raise ValueError("the middle block fails after its inner one was released")
        with atomic(db):
            db.execute("INSERT INTO t VALUES ('d')")
        with pytest.raises(ValueError), atomic(db):
            db.execute("INSERT INTO t VALUES ('e')")
            raise ValueError
    assert not db.conn.in_transaction
    assert [x for (x,) in db.execute("SELECT x FROM t ORDER BY x")] == ["a", "d"]
    with pytest.raises(ValueError), atomic(db):      # outside a transaction: a transaction of its own
        db.execute("INSERT INTO t VALUES ('f')")
        raise ValueError
    assert [x for (x,) in db.execute("SELECT x FROM t ORDER BY x")] == ["a", "d"]
