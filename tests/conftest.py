"""Fixtures shared by several test files."""
from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from monitor.cli import cli
from monitor.demo.generator import generate_county
from monitor.store import open_db


@pytest.fixture(scope="session")
def demo(tmp_path_factory) -> tuple[Path, str, object]:
    """`gongkai demo` run once: (its directory, its output, the county as generated and changed)."""
    out = tmp_path_factory.mktemp("demo") / "demo"
    result = CliRunner().invoke(cli, ["demo", "--no-serve", "--port", "0", "--dir", str(out)])
    assert result.exit_code == 0, result.output
    db = open_db(out / "demo.db")
    (today,) = db.execute("SELECT today FROM runs WHERE kind = 'check' ORDER BY id DESC").fetchone()
    county = generate_county(date.fromisoformat(today))
    county.skip_review()     # the same changes the demo made between its two crawls
    return out, result.output, county
