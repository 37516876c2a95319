"""Server time of every dashboard page over a store with 100,000 columns.

The store is made by the real pipeline minus the network: columns are written to the `columns`
table, evaluated by `check_columns` and reconciled into findings on two consecutive days (so some
are resolved), annual-report presence checks run for every unit and three years; the trend
history (180 days), runs, report documents and sent mail are filled in directly.

    python bench/bench_dashboard.py [--columns 100000] [--units 1000] [--repeat 7] [--db PATH]

Each page is requested once to warm up, then `--repeat` times through Flask's test client; the
median and the worst time are printed (the budget is 300 ms of server time per page).
"""
from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from monitor.checks.columns import check_columns  # noqa: E402
from monitor.config import Config  # noqa: E402
from monitor.findings import reconcile  # noqa: E402
from monitor.observations import ColumnState, column_id  # noqa: E402
from monitor.reports.checks import check_presence  # noqa: E402
from monitor.results import Result  # noqa: E402
from monitor.store import open_db, utcnow  # noqa: E402
from monitor.web import create_app  # noqa: E402

TODAY = date(2026, 11, 26)
NAMES = ("通知公告", "工作动态", "政策文件", "人事信息", "规划计划", "财政预决算", "政策解读", "机构职能",
         "政府信息公开指南", "公示公告", "部门动态", "规范性文件", "招聘信息", "统计信息", "乡镇要闻", "其他栏目")
KINDS_OF_STATE = (("fresh", 0.55), ("stale", 0.25), ("due_soon", 0.04), ("blank", 0.06), ("undated", 0.03),
                  ("unreachable", 0.04), ("old_fresh", 0.03))


def column_state(unit: str, index: int, rng: random.Random) -> ColumnState:
    name = f"{NAMES[index % len(NAMES)]}{'' if index < len(NAMES) else index // len(NAMES) + 1}"
    url = f"http://{unit}.example.gov.cn/col{index}/"
    state = rng.choices([k for k, _ in KINDS_OF_STATE], [w for _, w in KINDS_OF_STATE])[0]
    newest = {"fresh": TODAY - timedelta(days=rng.randint(0, 10)),
              "stale": TODAY - timedelta(days=rng.randint(200, 900)),
              "due_soon": TODAY - timedelta(days=182),
              "old_fresh": TODAY - timedelta(days=rng.randint(20, 150))}.get(state)
    items = 0 if state == "blank" else rng.randint(3, 40)
    return ColumnState(
        id=column_id(unit, url), unit_id=unit, name=name, url=url, in_config=0, discovered=1,
        last_outcome="network_error" if state == "unreachable" else "ok",
        last_http_status=None if state == "unreachable" else 200, last_error=None,
        last_fetch_at="2026-11-26T01:00:00+00:00", item_count=items,
        dated_count=0 if state == "undated" else items,
        newest_date=newest.isoformat() if newest else None,
        newest_title=f"关于{name}工作的通知（第{index}号）" if newest else None,
        newest_url=url + "t1.html" if newest else None)


def build(path: Path, n_columns: int, n_units: int) -> None:
    rng = random.Random(20261126)
    db = open_db(path)
    unit_ids = [f"u{i:04d}" for i in range(n_units)]
    types = ("department", "township", "government")
    config = Config.model_validate({
        "county": "测试县", "supervisor": {"name": "测试县政务公开办"},
        "units": [{"id": u, "name": f"测试县第{i}单位", "type": types[i % 3], "site": f"http://{u}.example.gov.cn/"}
                  for i, u in enumerate(unit_ids)]})
    per_unit = n_columns // n_units
    states = [column_state(u, i, rng) for u in unit_ids for i in range(per_unit)]
    now = utcnow()
    with db.atomic():
        db.conn.executemany(
            "INSERT INTO units (id, name, type, site, updated_at) VALUES (?, ?, ?, ?, ?)",
            [(u.id, u.name, u.type, u.site, now) for u in config.units])
        db.conn.executemany(
            """INSERT INTO columns (id, unit_id, name, url, discovered, first_seen, last_seen, last_fetch_at,
                                    last_outcome, last_http_status, item_count, dated_count, newest_date,
                                    newest_title, newest_url)
               VALUES (?, ?, ?, ?, 1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            [(c.id, c.unit_id, c.name, c.url, now, now, c.last_fetch_at, c.last_outcome, c.last_http_status,
              c.item_count, c.dated_count, c.newest_date, c.newest_title, c.newest_url) for c in states])
    for run_id, day in ((1, TODAY - timedelta(days=1)), (2, TODAY)):
        if run_id == 2:      # a tenth of the stale columns were updated overnight: their findings resolve
            states = [c._replace(newest_date=TODAY.isoformat())
                      if c.newest_date and c.newest_date < "2026-06-01" and rng.random() < 0.1 else c for c in states]
        results, verdicts = check_columns(config, states, day)
        reconcile(db, results, day, run_id)
    with db.atomic():
        db.conn.executemany("UPDATE columns SET category = ?, category_source = ? WHERE id = ?",
                            [(v.category, v.category_source, v.column.id) for v in verdicts])
    reports: list[Result] = []
    for i, unit in enumerate(config.units):
        for year in (2023, 2024, 2025):
            published = None if (i + year) % 7 == 0 else date(year + 1, 1, 10) + timedelta(days=(i + year) % 40)
            reports += check_presence(unit_id=unit.id, unit_name=unit.name, unit_type=unit.type, year=year,
                                      published=published, today=TODAY)
            if (i + year) % 11 == 0:
                violation = {"rule": "K3", "table": "三", "row": "total", "column": "总计", "expected": 767,
                             "found": 760}
                reports.append(Result("K3", "report_inconsistent", "fail", unit.id, unit.name,
                                      {"year": year, "relation": "arithmetic"}, "勾稽关系错误 1 处", "high",
                                      {"violations": [violation], "checked": 12}))
    reconcile(db, reports, TODAY)
    raw = (Path(__file__).resolve().parent.parent / "tests/data/reports/pingtan_2024.html").read_bytes()   # parsed on display
    with db.atomic():
        db.conn.executemany(
            """INSERT INTO documents (unit_id, url, title, year, published, content_type, content_hash, raw,
                                      first_fetched, last_fetched) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            [(u, f"http://{u}.example.gov.cn/nb{y}.html", f"{y}年政府信息公开工作年度报告", y, f"{y + 1}-01-20",
              "text/html", f"{u}{y}", raw, now, now) for u in unit_ids for y in (2024, 2025)])
        kinds = [k for (k,) in db.execute("SELECT DISTINCT kind FROM findings")]
        db.conn.executemany(
            "INSERT OR REPLACE INTO finding_history (run_id, day, kind, open_count) VALUES (?, ?, ?, ?)",
            [(1000 + d, (TODAY - timedelta(days=180 - d)).isoformat(), k, rng.randint(100, 30_000))
             for d in range(180) for k in kinds])
        db.conn.executemany(
            """INSERT INTO runs (kind, started_at, finished_at, status, units, pages, errors, summary)
               VALUES (?, ?, ?, 'ok', ?, ?, ?, '{"line": "crawl ok"}')""",
            [("crawl" if i % 2 else "check", f"2026-{6 + i // 120:02d}-01T02:30:00+00:00",
              f"2026-{6 + i // 120:02d}-01T03:10:00+00:00", n_units, n_columns, i % 50) for i in range(600)])
        db.conn.executemany(
            """INSERT INTO outbox (key, kind, period, recipient, message_id, subject, eml, status, created_at, sent_at)
               VALUES (?, 'bulletin', ?, ?, ?, '【月度通报】', x'00', 'sent', ?, ?)""",
            [(f"bulletin:{i}", "2026-10", f"liaison{i}@example.gov.cn", f"<{i}@x>", now, now) for i in range(500)])
    db.conn.close()


def pages(db_path: Path) -> dict[str, str]:
    db = open_db(db_path)
    stale = db.execute("SELECT id, unit_id FROM findings WHERE kind = 'column_stale' AND status = 'open' LIMIT 1").fetchone()
    db.conn.close()
    return {
        "overdue (default page)": "/", "overdue, unit filter": f"/?unit={stale[1]}",
        "overdue, category filter": "/?category=notice", "overdue, kind filter": "/?kind=column_blank",
        "overdue, page 100": "/?page=100", "due soon (full list)": "/due-soon", "unreachable (full list)": "/unreachable",
        "unit page": f"/unit/{stale[1]}", "finding": f"/finding/{stale[0]}", "annual reports matrix": "/reports",
        "annual reports, page 5": "/reports?page=5", "parsed report": "/report/1", "trend (180 days)": "/trend",
        "runs": "/runs", "export CSV (all open)": "/export/findings.csv", "export JSON (all open)": "/export/findings.json",
        "export JSON (one unit)": f"/export/findings.json?unit={stale[1]}",
    }


def measure(db_path: Path, repeat: int) -> list[tuple[str, float, float, int]]:
    client = create_app(db_path).test_client()
    rows = []
    for label, url in pages(db_path).items():
        assert client.get(url).status_code == 200, url
        times = []
        for _ in range(repeat):
            started = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200
        rows.append((label, statistics.median(times), max(times), len(response.data)))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--columns", type=int, default=100_000)
    parser.add_argument("--units", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--db", type=Path, default=Path("/tmp/gongkai-bench-dashboard.db"))
    parser.add_argument("--reuse", action="store_true", help="Keep an existing store at --db.")
    args = parser.parse_args()
    if not (args.reuse and args.db.exists()):
        for suffix in ("", "-wal", "-shm"):
            Path(f"{args.db}{suffix}").unlink(missing_ok=True)
        started = time.perf_counter()
        build(args.db, args.columns, args.units)
        print(f"built {args.db} in {time.perf_counter() - started:.1f}s", file=sys.stderr)
    db = open_db(args.db)
    counts = dict(db.execute("SELECT status, count(*) FROM findings GROUP BY status").fetchall())
    n_columns = db.execute("SELECT count(*) FROM columns").fetchone()[0]
    db.conn.close()
    print(f"store: {n_columns} columns, {counts.get('open', 0)} open and {counts.get('resolved', 0)} resolved findings")
    print("| page | median ms | max ms | bytes |\n|---|---:|---:|---:|")
    for label, median, worst, size in measure(args.db, args.repeat):
        print(f"| {label} | {median:.1f} | {worst:.1f} | {size:,} |")


if __name__ == "__main__":
    main()
