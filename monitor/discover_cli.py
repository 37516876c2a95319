"""`gongkai discover [--unit ID | URL] [--yaml]`: the columns the monitor will check for a unit, and
the links of its navigation it does not take, each with the reason.

A clerk configures a county by pointing the tool at each unit's 政府信息公开 page; this shows, in one
command, what discovery makes of it (the same `crawler.discover` the crawl uses): every column with
its category and why, and — read politely, one page at a time with the crawl's user agent, timeout,
size limit and delay, and robots.txt for the column pages — how many items its first page lists, its
newest date and whether it has a next page. A message board (政务咨询, 领导信箱 …) is shown as the
unit's interaction channel, with the messages its page lists (or why it is no board: a form); a
board configured with `interaction:` wins over a discovered one. A URL is read without a config (only
the page itself unless `--read-columns`); `--yaml` prints an `interaction:` line and a `columns:` block
to paste into config.yaml.

Exit status: 0 the page was read, 1 it could not be read (the reason on one line), 2 usage/config.
"""
from __future__ import annotations

import time
import urllib.error
import urllib.request
from urllib.parse import urlsplit
from urllib.robotparser import RobotFileParser
from dataclasses import dataclass, field
from datetime import date

import click
from w3lib.encoding import html_to_unicode

from crawler.discover import FOUND_VIA, SKIP_REASONS, Link, navigation, sub_columns
from crawler.extract import extract_list
from crawler.hosts import county_hosts, host_of
from crawler.messages import no_board_note, read_messages
from monitor.categories import CATEGORY_LABELS
from monitor.checks.columns import PAGE_LABELS
from monitor.cli_context import Context
from monitor.config import ColumnConfig, Config, CrawlConfig, RulesConfig, column_category
from monitor.observations import canonical_url
from monitor.outcomes import fetch_reason

_SOURCE_WORDS = {"config": "配置指定", "inferred": "按名称推断", "default": "名称未匹配任何类别，按默认周期，可在配置中指定"}


@dataclass
class Column:
    """A discovered column as `discover` shows it; `read` None when its page was not requested."""

    name: str
    url: str
    category: str
    source: str
    cycle: str | None
    via: str | None = None         # how it was found when not as a link (a FOUND_VIA key)
    read: str | None = None        # what its first page is, or why it could not be read
    items: int | None = None
    newest: str | None = None
    next_page: str | None = None
    subs: list["Column"] = field(default_factory=list)
    overridden: bool = False       # a discovered board of a unit whose board is configured: not read

    @property
    def board(self) -> bool:
        """The unit's interaction channel (W7), read as a message board by the crawl."""
        return self.category == "interaction" and not self.overridden


class Reader:
    """Pages read one at a time, `delay_seconds` apart, with the crawl's user agent and limits; the
    column pages only where robots.txt allows them (when `crawl.obey_robots`), as the crawl does."""

    def __init__(self, crawl: CrawlConfig):
        self.crawl = crawl
        self._last = 0.0
        self._robots: dict[str, RobotFileParser] = {}

    def column_text(self, url: str) -> str:
        """A column page's text, unless robots.txt forbids it (OSError with the reason)."""
        if self.crawl.obey_robots and not self._robots_for(url).can_fetch(self.crawl.user_agent, url):
            raise OSError(fetch_reason("robots"))
        return self.text(url)

    def _robots_for(self, url: str) -> RobotFileParser:
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        if origin not in self._robots:
            parser = RobotFileParser()
            try:
                parser.parse(self.text(f"{origin}/robots.txt").splitlines())
            except OSError:          # none, or unreadable: allowed, as Scrapy treats it
                parser.parse([])
            self._robots[origin] = parser
        return self._robots[origin]

    def text(self, url: str) -> str:
        """The page's text; OSError (with a one-line reason) when it cannot be read."""
        wait = self._last + self.crawl.delay_seconds - time.monotonic()
        if wait > 0:
            time.sleep(wait)
        request = urllib.request.Request(url, headers={"User-Agent": self.crawl.user_agent})
        try:
            with urllib.request.urlopen(request, timeout=self.crawl.timeout_seconds) as response:  # noqa: S310
                body = response.read(self.crawl.max_page_bytes + 1)
                content_type = response.headers.get("Content-Type")
        except urllib.error.HTTPError as error:
            raise OSError(f"HTTP {error.code}") from None
        except (urllib.error.URLError, TimeoutError, ValueError) as error:
            raise OSError(f"无法连接（{getattr(error, 'reason', error)}）") from None
        finally:
            self._last = time.monotonic()
        if len(body) > self.crawl.max_page_bytes:
            raise OSError(f"页面超过 {self.crawl.max_page_bytes} 字节")
        return html_to_unicode(content_type, body)[1]


@click.command("discover")
@click.argument("url", required=False)
@click.option("--unit", "unit_id", metavar="ID", help="A unit of config.yaml (its site page and the county's hosts).")
@click.option("--yaml", "as_yaml", is_flag=True, help="Print a `columns:` block to paste into config.yaml.")
@click.option("--read-columns/--no-read-columns", default=None,
              help="Also read each column's first page (default: yes with --unit, no with a URL).")
@click.option("--host", "hosts", multiple=True, metavar="HOST",
              help="With a URL: another host of the same government whose columns count (repeatable).")
@click.pass_context
def discover(ctx: click.Context, url: str | None, unit_id: str | None, as_yaml: bool, read_columns: bool | None,
             hosts: tuple[str, ...]) -> None:
    """Show the columns discovery finds on a unit's navigation page, and the links it does not take.

    With --unit, the unit's site page is read with the config's crawl settings and every column's
    first page too (items read, newest date, next page); with a URL, only that page, no config needed.
    """
    if bool(url) == bool(unit_id):
        raise click.UsageError("give either --unit ID or a URL")
    obj: Context = ctx.obj
    config = obj.config if unit_id or obj.config_path.exists() else None    # a URL needs none
    if unit_id:
        try:
            unit = config.unit(unit_id)
        except KeyError:
            raise click.UsageError(f"unknown unit {unit_id!r}") from None
        if not unit.site:
            raise click.UsageError(f"unit {unit_id!r} has no site page to discover columns from")
        url, configured = unit.site, {canonical_url(c.url): c for c in unit.columns}
    else:
        unit, configured = None, {}
    county = set(county_hosts(config)[1]) if config else set()
    county |= {host_of(f"http://{h}/") for h in hosts}
    reader = Reader(config.crawl if config else CrawlConfig())
    try:
        text = reader.text(url)
    except OSError as error:
        click.echo(f"无法读取 {url}：{error}", err=True)
        raise SystemExit(1) from None
    nav = navigation(text, url, county)
    columns = [_column(link, configured, config) for link in nav.columns]
    for col in columns:
        col.overridden = unit is not None and canonical_url(col.url) not in configured \
            and not unit.takes_discovered(col.name)
    if read_columns if read_columns is not None else unit_id is not None:
        today = obj.today(None) if config else date.today()
        for col in columns:
            if not col.overridden:
                _read(reader, col, county, configured, config, today)
    click.echo(_yaml(columns) if as_yaml else _tree(url, columns, nav.skipped))


def _column(link: Link, configured: dict[str, ColumnConfig], config: Config | None) -> Column:
    col_config = configured.get(canonical_url(link.url))
    category, source = column_category(col_config, link.name)
    rules = config.rules if config else RulesConfig()
    cycle = rules.cycle_for(category, col_config.cycle if col_config else None)
    return Column(link.name, link.url, category, source, cycle.label() if cycle else None, link.via)


def _read(reader: Reader, col: Column, hosts: set[str], configured: dict[str, ColumnConfig],
          config: Config | None, today: date, *, sub: bool = False) -> None:
    """Read a column's first page as the crawl would: a navigation's sub-columns (one level), or
    its list."""
    try:
        text = reader.column_text(col.url)
    except OSError as error:
        col.read = f"无法读取：{error}"
        return
    if col.category == "interaction":      # a board: its messages, as the crawl reads them (W7)
        messages = read_messages(text, col.url)
        col.read = (f"留言列表，读到 {len(messages)} 条留言" if messages is not None
                    else f"不是留言列表：{PAGE_LABELS[no_board_note(text)]}")
        return
    subs = [] if sub else sub_columns(text, col.url, hosts)
    if subs:
        col.read = f"子栏目导航（{len(subs)} 个子栏目）"
        col.subs = [_column(Link(name, url), configured, config) for name, url in subs]
        for child in col.subs:
            _read(reader, child, hosts, configured, config, today, sub=True)
        return
    page = extract_list(text, col.url, today=today)
    dated = [i.date for i in page.items if i.date]
    col.read = {"list": "列表", "empty": "空列表", "article": "单篇文章"}.get(page.kind, f"无法识别（{page.note}）")
    col.items, col.newest, col.next_page = len(page.items), max(dated, default=None), page.next_page


def _tree(url: str, columns: list[Column], skipped: list[Link]) -> str:
    count = len(columns) + sum(len(c.subs) for c in columns)
    lines = [f"{url}：发现 {count} 个栏目"]
    for col in columns:
        lines += _column_lines(col, "  ")
        lines += [line for sub in col.subs for line in _column_lines(sub, "      └ ")]
    lines.append(f"\n未采用的链接（{len(skipped)} 个）：")
    articles = [s for s in skipped if s.reason == "article"]
    for link in skipped:
        if link.reason != "article":
            lines.append(f"  {link.name or '（无名称）'}  {link.url}  — {SKIP_REASONS[link.reason or '']}")
    if articles:
        lines.append(f"  另有 {len(articles)} 个链接指向文章或文件（不是栏目）")
    return "\n".join(lines)


def _column_lines(col: Column, indent: str) -> list[str]:
    cycle = f"更新周期{col.cycle}" if col.cycle else "不检查更新周期"
    lines = [f"{indent}{col.name}  {col.url}",
             f"{indent}    {CATEGORY_LABELS[col.category]}（{_SOURCE_WORDS[col.source]}），{cycle}"]
    if col.via is not None:
        lines.append(f"{indent}    {FOUND_VIA[col.via]}")
    if col.overridden:
        lines.append(f"{indent}    已在配置中指定 interaction（以配置为准），不读取此链接")
    elif col.board:
        lines.append(f"{indent}    本单位的互动交流渠道：读取留言，检测互动回应（W7）")
    if col.read is not None:
        detail = col.read
        if col.items is not None:
            detail += f"，读到 {col.items} 条，最新 {col.newest or '无日期'}，下一页 {col.next_page or '无'}"
        lines.append(f"{indent}    {detail}")
    return lines


def _yaml(columns: list[Column]) -> str:
    """`interaction: URL` for the first message board found, then a `columns:` block: the navigation's
    columns (a navigation's sub-columns instead of it; no board a configured one overrides)."""
    found = [c for col in columns for c in col.subs or [col] if not c.overridden]
    board = next((c for c in found if c.board), None)
    lines = [f'    interaction: "{_quote(board.url)}"   # {board.name}：互动交流渠道（W7）'] if board else []
    lines.append("    columns:")
    for c in found:
        if c is not board:
            note = "  # 名称未匹配任何类别：按默认周期，请核对 category" if c.source == "default" else ""
            lines.append(f'      - {{name: "{_quote(c.name)}", url: "{_quote(c.url)}", category: {c.category}}}{note}')
    return "\n".join(lines)


def _quote(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"')
