"""The registry of finding kinds (monitor/kinds.py) is the one place a kind is declared: every kind
the checks produce is in it, the config's deductions are checked against it, and the README's
table and `gongkai kinds` are generated from it."""
from __future__ import annotations

import ast
import re
from pathlib import Path
from typing import get_args

import pytest
from click.testing import CliRunner

from monitor.cli import cli
from monitor.config import ConfigError
from monitor.findings import SEVERITY_ORDER
from monitor.kinds import FAMILIES, KINDS, DashboardList, Section, kinds_table
from monitor.store import open_db
from tests.helpers import make_config

ROOT = Path(__file__).resolve().parent.parent
RULE_ID = re.compile(r"[AKW]\d{1,2}")


def test_every_kind_and_result_the_demo_county_produces_is_registered(demo):
    out, _, _ = demo
    produced = set(open_db(out / "demo.db").execute("SELECT DISTINCT kind, result, severity FROM findings"))
    assert {kind for kind, _, _ in produced} >= {"column_stale", "column_blank", "report_missing", "item_deleted"}
    unregistered = sorted((kind, result) for kind, result, _ in produced
                          if kind not in KINDS or result not in KINDS[kind].results)
    assert not unregistered, f"declare these in monitor/kinds.py: {unregistered}"
    # a violation is at least as severe as its kind says (a check may raise it, never lower it)
    milder = sorted((kind, severity) for kind, result, severity in produced if result == "fail"
                    and SEVERITY_ORDER[severity] > SEVERITY_ORDER[KINDS[kind].severity])
    assert not milder, f"violations milder than their kind's severity: {milder}"


def test_declarations_are_consistent():
    for kind in KINDS.values():
        assert kind.family in FAMILIES, kind.name
        assert kind.results and set(kind.results) <= {"fail", "warning", "uncertain"}, kind.name
        assert kind.bulletin in (*get_args(Section), None), kind.name
        assert kind.dashboard in (*get_args(DashboardList), None), kind.name
        assert kind.deduction is None or "fail" in kind.results, f"{kind.name} never fails, so never costs points"
        assert kind.describe is None or "fail" in kind.results or "warning" in kind.results, kind.name


@pytest.mark.parametrize("key, near", [("column_stail", "column_stale"), ("stale", None)])
def test_config_rejects_an_unknown_kind_in_deductions_in_one_line(key: str, near: str | None):
    with pytest.raises(ConfigError) as err:
        make_config(f"bulletin: {{scoring: {{deductions: {{{key}: 1}}}}}}\n")
    (line,) = [m for m in err.value.messages if key in m]
    assert "bulletin.scoring.deductions" in line and "\n" not in line
    assert (near in line) if near else "gongkai kinds" in line


def test_config_accepts_every_registered_kind():
    deductions = ", ".join(f"{name}: 1" for name in KINDS)      # report_table2_implausible has a digit
    config = make_config(f"bulletin: {{scoring: {{deductions: {{{deductions}}}}}}}\n")
    assert config.bulletin.scoring.deductions == {name: 1 for name in KINDS}


def test_readme_table_is_the_registry():
    lines = (ROOT / "README.md").read_text(encoding="utf-8").splitlines()
    start = next(n for n, line in enumerate(lines) if line.startswith("| finding kind |"))
    end = next((n for n in range(start, len(lines)) if not lines[n].startswith("|")), len(lines))
    assert "\n".join(lines[start:end]) + "\n" == kinds_table(), "regenerate it: gongkai kinds --markdown"


def test_gongkai_kinds_prints_the_registry():
    assert CliRunner().invoke(cli, ["kinds", "--markdown"]).output == kinds_table()
    listed = CliRunner().invoke(cli, ["kinds"])
    assert listed.exit_code == 0 and all(name in listed.output for name in KINDS)


def _rule_ids_in_code() -> set[str]:
    """Rule ids written as string constants anywhere in the three packages."""
    found = set()
    for package in ("monitor", "crawler", "alerts"):
        for path in (ROOT / package).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Constant) and isinstance(node.value, str) and RULE_ID.fullmatch(node.value):
                    found.add(node.value)
    return found


def test_every_rule_id_in_code_and_registry_is_in_rules_md():
    rules_md = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
    documented = set(re.findall(r"^\| ([AKW]\d{1,2}) \|", rules_md, re.M))
    used = _rule_ids_in_code() | {rule for kind in KINDS.values() for rule in kind.rules}
    assert {"A1", "K1", "W2", "W9"} <= used
    assert not used - documented, f"add to docs/rules.md: {sorted(used - documented)}"
