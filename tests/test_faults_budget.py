"""Issue 14, cases 15–17: `--today` reaches the crawl child; detail re-reads within the politeness
window, conditional and fair across a one-host county; a complete previous listing makes an item
dated before all of it back-dated."""
from __future__ import annotations

from datetime import date
from pathlib import Path

from click.testing import CliRunner

from monitor.cli import cli
from monitor.demo.server import DemoServer
from tests.test_spider_details import Portal, rows

UNIT = "衡山县行政审批服务局"


def test_run_today_gives_month_day_dates_their_year(tmp_path: Path):
    """15: `gongkai run --today D` crawls as of D, so `[MM-DD]` dates are read against D, not the
    machine's clock (which would put 12-20 in a later year)."""
    portal = Portal()
    portal.put("/xzspj/tzgg/", '<html><head><meta charset="utf-8"></head><body><ul class="list">'
                               '<li><a href="./art_1.html">关于春节值班安排的通知</a><span>[01-15]</span></li>'
                               '<li><a href="./art_2.html">关于冬季防火工作的通知</a><span>[12-20]</span></li>'
                               '</ul></body></html>')
    db = tmp_path / "store.db"
    with DemoServer(portal) as server:   # type: ignore[arg-type]  # it reads only `pages`
        config = tmp_path / "config.yaml"
        config.write_text(f"""\
county: 衡山县
supervisor: {{name: {UNIT}, email: zwgk@example.gov.cn}}
database: {db}
timezone: Asia/Shanghai
crawl: {{delay_seconds: 0, timeout_seconds: 5, retries: 0, detail_budget_per_site: 0}}
units:
  - id: xzspj
    name: {UNIT}
    discover: false
    columns:
      - {{name: 通知公告, url: {server.base_url}xzspj/tzgg/, category: notice}}
""", encoding="utf-8")
        result = CliRunner().invoke(cli, ["--config", str(config), "run", "--today", "2025-02-10"])
    assert result.exit_code == 0, result.output
    dates = {r["title"]: r["date"] for r in rows(db, "SELECT title, date FROM items")}
    assert dates == {"关于春节值班安排的通知": "2025-01-15", "关于冬季防火工作的通知": "2024-12-20"}
    assert rows(db, "SELECT today FROM runs WHERE kind = 'check'")[0]["today"] == date(2025, 2, 10).isoformat()
