"""`gongkai demo` end to end: the demo county served on 127.0.0.1, crawled in a child process,
checked, the overdue table printed and the bulletin written — and every column's state is what
the generator says it should be."""
import json
from pathlib import Path

from datetime import date
from urllib.parse import urlsplit

from click.testing import CliRunner

from monitor.cli import cli
from monitor.demo.generator import generate_county
from monitor.observations import canonical_url
from monitor.store import open_db


def test_demo_runs_everything_and_matches_the_generator(tmp_path: Path):
    out = tmp_path / "demo"
    result = CliRunner().invoke(cli, ["demo", "--no-serve", "--port", "0", "--dir", str(out)])
    assert result.exit_code == 0, result.output
    assert "超期及问题栏目" in result.output and "单项否决" in result.output
    assert "check " in result.output and "crawl #1" in result.output
    bulletin = next((out / "bulletin").glob("*.txt")).read_text(encoding="utf-8")
    assert "通报" in bulletin
    db = open_db(out / "demo.db")
    (today,) = db.execute("SELECT today FROM runs WHERE kind = 'check'").fetchone()
    county = generate_county(date.fromisoformat(today))
    found = {}
    for kind, subject in db.execute("SELECT kind, subject FROM findings WHERE status = 'open'"):
        url = json.loads(subject).get("url")
        if url:
            found[urlsplit(canonical_url(url)).path] = kind
    wanted = {"stale": "column_stale", "due_soon": "column_due_soon", "blank": "column_blank",
              "undated": "column_undated", "unreachable": "column_unreachable"}
    for path, expected in county.expected.items():
        key = urlsplit(canonical_url("http://h" + path)).path
        assert found.get(key) == wanted.get(expected.status), (path, expected.status)
