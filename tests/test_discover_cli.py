"""`gongkai discover [--unit ID | URL] [--yaml]` and the column counts of `validate` (issue 10 item 2),
against a real local server."""
from __future__ import annotations

from pathlib import Path

import yaml
from click.testing import CliRunner
from pytest_httpserver import HTTPServer

from monitor.cli import cli
from monitor.config import parse_config
from tests.test_discover_crawl import NAV, SITE
from tests.test_faults_network import CRAWL, HTML, ITEMS, config_yaml, county_host  # noqa: F401
from tests.test_spider_details import list_page


def serve(server: HTTPServer) -> None:
    server.no_handler_status_code = 404
    server.expect_request("/a/").respond_with_data(
        SITE.format(links='<li><a href="zfgb/">政府公报</a></li><li><a href="tzgg/">通知公告</a></li>'),
        content_type=HTML)
    server.expect_request("/a/fdzdgknr/").respond_with_data(NAV, content_type=HTML)
    server.expect_request("/a/zfgb/").respond_with_data(list_page(ITEMS, next_page="index_1.html"), content_type=HTML)
    server.expect_request("/a/tzgg/").respond_with_data("", status=500)
    for path in ("/a/fdzdgknr/jy/", "/a/fdzdgknr/yl/"):
        server.expect_request(path).respond_with_data(list_page(ITEMS), content_type=HTML)


def write_config(tmp_path: Path, base: str) -> Path:
    path = tmp_path / "config.yaml"
    unit = f"  - id: a\n    name: 单位a\n    site: {base}/a/\n"
    crawl = CRAWL.replace("retries: 3", "retries: 0")
    path.write_text(config_yaml(tmp_path / "store.db", unit, crawl), encoding="utf-8")
    return path


def test_discover_unit_shows_the_column_tree_and_the_links_not_taken(county_host: HTTPServer, tmp_path: Path):
    serve(county_host)
    base = county_host.url_for("").rstrip("/")
    config = write_config(tmp_path, base)
    result = CliRunner().invoke(cli, ["--config", str(config), "discover", "--unit", "a"])
    assert result.exit_code == 0, result.output
    out = result.output
    assert "发现 5 个栏目" in out                     # 政府公报, 通知公告, 法定主动公开内容 + its 2 sub-columns
    assert "政府公报" in out and "其他栏目（名称未匹配任何类别" in out and "更新周期6个月" in out
    assert f"读到 3 条，最新 {ITEMS[0][2].isoformat()}，下一页 {base}/a/zfgb/index_1.html" in out
    assert "通知公告类（按名称推断）" in out and "无法读取：HTTP 500" in out
    assert "子栏目导航（2 个子栏目）" in out and "└ 教育" in out and "└ 医疗卫生" in out
    assert "搜索  " in out and "搜索、登录、互动交流等功能链接" in out
    assert "中国政府网  http://www.gov.cn/  — 其他网站" in out


def test_discover_reads_column_pages_only_where_robots_allow(county_host: HTTPServer, tmp_path: Path):
    serve(county_host)
    county_host.expect_request("/robots.txt").respond_with_data("User-agent: *\nDisallow: /a/zfgb/\n",
                                                                content_type="text/plain")
    config = write_config(tmp_path, county_host.url_for("").rstrip("/"))
    result = CliRunner().invoke(cli, ["--config", str(config), "discover", "--unit", "a"])
    assert result.exit_code == 0, result.output
    assert "无法读取：robots.txt 禁止抓取" in result.output
    assert "/a/zfgb/" not in [r.path for r, _ in county_host.log]
    assert [r.path for r, _ in county_host.log].count("/robots.txt") == 1


def test_discover_yaml_is_a_columns_block_for_the_config(county_host: HTTPServer, tmp_path: Path):
    serve(county_host)
    base = county_host.url_for("").rstrip("/")
    config = write_config(tmp_path, base)
    result = CliRunner().invoke(cli, ["--config", str(config), "discover", "--unit", "a", "--yaml"])
    assert result.exit_code == 0, result.output
    block = yaml.safe_load(result.output)["columns"]
    assert [(c["name"], c["category"]) for c in block] == [("政府公报", "other"), ("通知公告", "notice"),
                                                            ("教育", "other"), ("医疗卫生", "other")]
    pasted = config.read_text(encoding="utf-8") + result.output       # pasted under the unit
    assert [c.name for c in parse_config(pasted).units[0].columns] == ["政府公报", "通知公告", "教育", "医疗卫生"]


def test_discover_url_needs_no_config_and_sends_one_request(county_host: HTTPServer, tmp_path: Path):
    serve(county_host)
    url = county_host.url_for("/a/")
    result = CliRunner().invoke(cli, ["--config", str(tmp_path / "none.yaml"), "discover", url])
    assert result.exit_code == 0, result.output
    assert "发现 3 个栏目" in result.output and "读到" not in result.output
    assert [r.path for r, _ in county_host.log] == ["/a/"]
    assert county_host.log[0][0].headers["User-Agent"].startswith("gongkai-monitor/")
    other = CliRunner().invoke(cli, ["--config", str(tmp_path / "none.yaml"), "discover", url, "--host", "WWW.GOV.CN"])
    assert "中国政府网  http://www.gov.cn/  — 网站首页" in other.output    # the county's now: its home page


def test_discover_faults_exit_with_one_line(county_host: HTTPServer, tmp_path: Path):
    serve(county_host)
    runner = CliRunner()
    gone = runner.invoke(cli, ["--config", str(tmp_path / "none.yaml"), "discover", county_host.url_for("/nope/")])
    assert gone.exit_code == 1 and gone.output.strip().endswith("HTTP 404")
    both = runner.invoke(cli, ["--config", str(tmp_path / "none.yaml"), "discover"])
    assert both.exit_code == 2
    config = write_config(tmp_path, county_host.url_for("").rstrip("/"))
    unknown = runner.invoke(cli, ["--config", str(config), "discover", "--unit", "zz"])
    assert unknown.exit_code == 2 and "unknown unit" in unknown.output


def test_validate_says_how_many_columns_each_unit_has(county_host: HTTPServer, tmp_path: Path):
    config = write_config(tmp_path, county_host.url_for("").rstrip("/"))
    result = CliRunner().invoke(cli, ["--config", str(config), "validate"])
    assert result.exit_code == 0, result.output
    out = " ".join(result.output.split())            # rich wraps long lines
    assert "0 columns (0 configured, 0 discovered by earlier crawls)" in out and "gongkai discover --unit a" in out


def test_discover_shows_the_units_board_as_its_interaction_channel(county_host: HTTPServer, tmp_path: Path):
    """Issue 11 item 4: a discovered board is the unit's interaction channel (its messages read, or
    why it is no board); `--yaml` prints `interaction: URL`; a configured board wins."""
    from tests.test_interaction import serve_unit_with_boards
    serve_unit_with_boards(county_host)
    base = county_host.url_for("").rstrip("/")
    config = write_config(tmp_path, base)
    out = CliRunner().invoke(cli, ["--config", str(config), "discover", "--unit", "a"]).output
    assert out.count("本单位的互动交流渠道：读取留言，检测互动回应（W7）") == 2
    assert "留言列表，读到 5 条留言" in out and "不是留言列表：页面为留言表单，未列出留言，不是留言列表" in out
    result = CliRunner().invoke(cli, ["--config", str(config), "discover", "--unit", "a", "--yaml"])
    pasted = config.read_text(encoding="utf-8") + result.output
    unit = parse_config(pasted).units[0]
    assert str(unit.interaction) == f"{base}/a/ldxx/"
    assert [(c.name, c.category) for c in unit.columns] == [("工作动态", "dynamic"), ("在线咨询", "interaction"),
                                                             ("互动交流", "interaction")]
    config.write_text(config.read_text(encoding="utf-8") + f"    interaction: {base}/a/xx/\n", encoding="utf-8")
    county_host.clear_log()
    out = CliRunner().invoke(cli, ["--config", str(config), "discover", "--unit", "a"]).output
    assert out.count("已在配置中指定 interaction（以配置为准），不读取此链接") == 2
    assert not {r.path for r, _ in county_host.log} & {"/a/ldxx/", "/a/zxzx/"}
    yaml_out = CliRunner().invoke(cli, ["--config", str(config), "discover", "--unit", "a", "--yaml"]).output
    assert "interaction:" not in yaml_out and "领导信箱" not in yaml_out
