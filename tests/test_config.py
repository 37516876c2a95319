"""config.yaml validation: every error names the file, the line and the field; exit code 2."""
from pathlib import Path
from typing import get_args

import pytest
from click.testing import CliRunner

from monitor.categories import CATEGORY_LABELS, Category
from monitor.cli import cli
from monitor.config import ConfigError, county_today, load_config, parse_config
from tests.helpers import BASE_CONFIG


def errors(text: str) -> list[str]:
    with pytest.raises(ConfigError) as exc:
        parse_config(text, name="config.yaml")
    return exc.value.messages


def test_minimal_config_gets_official_defaults():
    config = parse_config(BASE_CONFIG)
    assert config.rules.cycles == {"dynamic": "14d", "notice": "6m", "policy": "6m",
                                   "personnel": "1y", "planning": "1y", "default": "6m"}
    assert config.rules.report_deadlines["department"] == "01-31"
    assert config.crawl.obey_robots and config.timezone == "Asia/Shanghai"


def test_today_is_the_countys_day_not_the_servers():
    """One `county_today` for the CLI, the scheduler's jobs, the crawler and the dashboard."""
    assert county_today("Pacific/Kiritimati") > county_today("Pacific/Pago_Pago")   # UTC+14 vs UTC-11


def test_the_categories_a_column_may_name_are_the_labelled_ones():
    """One enumeration of categories (monitor.categories) for the config, the labels and the checks."""
    assert get_args(Category) == tuple(CATEGORY_LABELS)
    for category in CATEGORY_LABELS:
        text = BASE_CONFIG + f"    columns:\n      - {{name: 栏目, url: 'http://x/c/', category: {category}}}\n"
        assert parse_config(text).units[0].columns[0].category == category


@pytest.mark.parametrize("snippet,expected", [
    ("    site: ftp://bad/\n", "config.yaml:10: units.1.site: URL scheme should be http or https (got 'ftp://bad/')"),
    ("    colour: red\n", "config.yaml:10: units.1.colour: unknown key"),
    ("    type: ministry\n", "config.yaml:10: units.1.type: Input should be 'department', 'government' or 'township'"),
    ("    columns:\n      - {name: 通知公告, url: 'http://x/tzgg/', cycle: 3x}\n",
     "config.yaml:11: units.1.columns.0.cycle: cycle should look like 14d, 2w, 6m or 1y (got '3x')"),
    ("    columns:\n      - {name: 通知公告, url: 'http://x/tzgg/', category: news}\n",
     "config.yaml:11: units.1.columns.0.category: Input should be"),
])
def test_unit_errors_name_line_and_field(snippet, expected):
    text = BASE_CONFIG + "    id: second\n".replace("    id", "  - id") + "    name: 第二单位\n" + snippet
    if "site:" not in snippet:
        text += "    site: http://127.0.0.1:9/second/\n"
    assert any(line.startswith(expected) for line in errors(text)), errors(text)


def test_secret_in_config_is_rejected_with_a_hint():
    text = BASE_CONFIG + "smtp: {host: smtp.example.gov.cn, sender: a@b.cn, password: hunter2}\n"
    (line,) = errors(text)
    assert line.startswith("config.yaml:8: smtp.password: unknown key")
    assert "password_env" in line


def test_several_errors_are_all_reported():
    text = BASE_CONFIG.replace("county: 衡山县\n", "") + "crawl: {delay_seconds: -1, timeout_seconds: 0}\n"
    found = errors(text)
    assert any("county: Field required" in e for e in found)
    assert any(e.startswith("config.yaml:7: crawl.delay_seconds:") for e in found)
    assert any(e.startswith("config.yaml:7: crawl.timeout_seconds:") for e in found)


def test_duplicate_unit_ids_and_bad_times():
    text = BASE_CONFIG + "  - {id: xzspj, name: 重复, site: 'http://127.0.0.1:9/x/'}\nschedule: {daily: '25:99'}\n"
    found = errors(text)
    assert any("duplicate unit id 'xzspj'" in e for e in found)
    assert any(e.startswith("config.yaml:9: schedule.daily:") for e in found)


def test_yaml_syntax_error_names_the_line():
    (line,) = errors("county: x\nunits: [\n  - id: a\n")
    assert line.startswith("config.yaml:") and "YAML syntax error" in line


def test_unit_without_site_or_columns():
    (line,) = errors(BASE_CONFIG.replace("    site: http://127.0.0.1:9/xzspj/\n", ""))
    assert "units.0: a unit needs a site or at least one column" in line


def test_missing_file(tmp_path: Path):
    with pytest.raises(ConfigError, match="file not found"):
        load_config(tmp_path / "nope.yaml")


def test_smtp_password_comes_from_the_environment(monkeypatch):
    config = parse_config(BASE_CONFIG + "smtp: {host: h, sender: 's@x.cn', password_env: GK_TEST_PW}\n")
    monkeypatch.setenv("GK_TEST_PW", "s3cret")
    assert config.smtp.password() == "s3cret"


def test_validate_command_exit_codes(tmp_path: Path):
    good = tmp_path / "config.yaml"
    good.write_text(BASE_CONFIG + "    columns:\n      - {name: 审批公示, url: 'http://127.0.0.1:9/xzspj/spgs/', "
                    "cycle: 30d}\n      - {name: 机构职能, url: 'http://127.0.0.1:9/xzspj/jgzn/'}\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["--config", str(good), "validate"])
    assert result.exit_code == 0, result.output
    assert "审批公示" in result.output and "cycle 30天" in result.output
    assert "机构职能" in result.output and "category static (inferred)" in result.output
    bad = tmp_path / "bad.yaml"
    bad.write_text(BASE_CONFIG.replace("type: department", "type: dept"), encoding="utf-8")
    result = CliRunner().invoke(cli, ["--config", str(bad), "validate"])
    assert result.exit_code == 2
    assert f"{bad}:6: units.0.type:" in result.output
