"""Deterministic generator of the demo county portal (docs/design.md §5).

The scenario units carry the quirks and the real-portal layouts (each named in SCENARIOS); further
units, up to `units`, are ordinary departments and township offices. Dates are relative to `today`, so the
same seed always shows the same live findings, and `County.expected` holds the verdict a
correct crawl + check should reach for every column.
"""
from __future__ import annotations

import random
from html import escape
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from itertools import cycle as endless
from urllib.parse import parse_qs

from monitor.categories import DEFAULT_CYCLES, REQUIRED_COLUMNS, Cycle, cycle_key, infer_category
from monitor.checks.columns import KEY_CATEGORIES
from monitor.demo import content, html, scenarios
from monitor.demo.model import UNREACHABLE_KINDS, Column, ExpectedColumn, Item, Page, Unit
from monitor.demo.reports import ReportData
from monitor.demo.reports import report_html as render_report
from monitor.reports.years import report_year

_GAP_DAYS = {"dynamic": (1, 5), "notice": (6, 40), "policy": (6, 40), "personnel": (20, 90),
             "planning": (20, 90), "static": (200, 400)}
_CST = timezone(timedelta(hours=8))
BACKDATE_TOLERANCE = 7        # the default rules.backdate_tolerance_days
PORTAL_NEWS_AGE_DAYS = 20     # the county portal's home page shows nothing newer (W1: over 14 days)
UNSTABLE_SITE = "czj"         # its site page fails one request in ten (W6 网站不可用 under `gongkai serve`)

# Scenario tags per column: a status (fresh due_soon stale blank undated), a quirk (404 500 slow
# robots flaky oversize deep script, see _KINDS), `paged` (3 list pages), `unsorted` (pinned old
# items first), `left=N` (exact days until due; negative = overdue), `plain` (5 items, for scale); on a
# `tree` site `sub` (under 法定主动公开内容) or `tile`; `pages=N` (the config reads N list pages);
# `quiet=N` (no item in the last N complete months nor in the current one: N zero months for W16).
_KINDS = {"404": "http_404", "500": "http_500", "slow": "slow_timeout", "robots": "robots", "flaky": "flaky_503",
          "oversize": "oversize", "deep": "deep_nesting", "script": "script_titles"}


@dataclass(frozen=True)
class Scenario:
    id: str
    name: str
    type: str
    cms: str
    markup: str
    date_format: str
    encoding: str = "utf-8"
    header_charset: str | None = "utf-8"
    paging: str = "index"
    columns: dict[str, str] = field(default_factory=dict)
    #: explicit config columns: name -> (slug, category, cycle, in_nav, tags)
    configured: dict[str, tuple[str, str, str | None, bool, str]] = field(default_factory=dict)
    default_tags: str = ""      # tags of the columns not named in `columns` ("plain": 5 items, fast)
    omits: tuple[str, ...] = ()  # required 信息公开平台 columns (W10) its navigation lacks
    site_layout: str = "nav"    # Unit.site_layout
    min_monthly_items: int | None = None    # a standard of its own (config `units[].min_monthly_items`)
    board: tuple[str, str] | None = None    # (name, slug) of a message board its navigation links, not configured


SCENARIOS: tuple[Scenario, ...] = (
    Scenario("xzspj", "衡山县行政审批服务局", "department", "trs", "dl", "iso",
             columns={"工作动态": "paged", "通知公告": "due_soon", "政策解读": "unsorted"},
             configured={"政务服务动态": ("zwfwdt", "dynamic", "7d", False, "stale left=-3"),
                         # a board (W7) named in the config: it wins over the board discovery finds
                         scenarios.BOARD[1]: ("ldxx", "interaction", None, True, "")}),
    Scenario("fgj", "衡山县发展和改革局", "department", "hanweb", "table", "slash", paging="query",
             columns={"工作动态": "paged", "政策文件": "unsorted", "规划计划": "stale", "人事信息": "due_soon"},
             min_monthly_items=15),     # it publishes 8–11 items a month: below its standard (W15)
    Scenario("jyj", "衡山县教育局", "department", "trs", "ul", "iso", "gbk", None,
             columns={"工作动态": "unsorted", "政策解读": "stale"}, omits=("政府信息公开指南",)),
    Scenario("czj", "衡山县财政局", "department", "hanweb", "ul", "cn", "gbk", "utf-8",
             columns={"通知公告": "stale", "工作动态": "due_soon"}),
    Scenario("rsj", "衡山县人力资源和社会保障局", "department", "trs", "ul", "short",
             columns={"政策解读": "undated", "通知公告": "due_soon unsorted", "人事信息": "stale"},
             board=(scenarios.DISCOVERED_BOARD[1], "jzxx")),     # found by discovery alone (W7)
    Scenario("zjj", "衡山县住房和城乡建设局", "department", "trs", "table", "label",
             columns={"工作动态": "stale", "通知公告": "stale", "政策文件": "stale", "政策解读": "stale",
                      "公示公告": "stale", "规划计划": "stale", "政府信息公开指南": "blank"}),
    Scenario("sthj", "衡阳市生态环境局衡山分局", "department", "hanweb", "table", "dot",
             columns={"工作动态": "paged", "政策文件": "404", "规划计划": "500", "通知公告": "due_soon"}),
    Scenario("wjj", "衡山县卫生健康局", "department", "trs", "custom", "iso",
             columns={"通知公告": "flaky", "政策文件": "slow", "人事信息": "stale"}),
    Scenario("nyncj", "衡山县农业农村局", "department", "hanweb", "ul", "iso",
             columns={"政策解读": "robots", "人事信息": "blank", "工作动态": "undated"},
             configured={"乡村振兴": ("xczx", "dynamic", "30d", True, "due_soon left=2")}),
    Scenario("kyz", "开云镇人民政府", "township", "trs", "dl", "iso",
             columns={"工作动态": "stale quiet=3", "规划计划": "blank"}),
    Scenario("bgz", "白果镇人民政府", "township", "hanweb", "table", "slash", "gbk", None,
             columns={"通知公告": "stale", "人事信息": "stale", "政策文件": "due_soon"}),
    Scenario("dmz", "店门镇人民政府", "township", "trs", "ul", "cn",
             columns={"政策文件": "undated", "工作动态": "due_soon", "财政预决算": "stale"}),
)
#: Units in three more layouts of real county portals (html.py names the markup each copies): a Hanweb
#: JCMS site whose lists are jpage datastores continued by dataproxy.jsp, a 博达 VSB site, and a site
#: whose 公开目录 is a tree with a 法定主动公开内容 page of sub-columns and tiles, its long column paged
#: by a `javascript:gotoCurrentPage()` pager. All healthy: they test reading, not rules.
SCENARIOS += (
    Scenario("gxj", "衡山县工业和信息化局", "department", "jcms", "datastore", "iso",
             columns={"工作动态": "paged pages=2"}),
    Scenario("qxj", "衡山县气象局", "department", "vsb", "vsb", "iso",
             columns={"通知公告": "paged pages=2"}),
    Scenario("sjj", "衡山县审计局", "department", "trs", "ul", "iso", paging="js", site_layout="tree",
             columns={"工作动态": "sub paged pages=2", "通知公告": "sub", "政策文件": "sub", "政策解读": "sub",
                      "人事信息": "sub", "规划计划": "tile", "财政预决算": "tile"}),
)
HOSTILE = Scenario("hostile", "衡山县异常页面测试站点", "department", "trs", "ul", "iso",
                   columns={"工作动态": "oversize", "通知公告": "deep", "政策文件": "script"})


@dataclass
class County:
    """The generated portal: served `pages` and the `expected` verdict per column path."""

    today: date
    units: list[Unit]
    columns: dict[str, Column]
    pages: dict[str, Page]
    expected: dict[str, ExpectedColumn]
    articles: bool = True          # item detail pages are served too (not in scale mode; reports always are)
    #: (unit id, report year) -> the report findings a correct run should reach (issue 3)
    expected_reports: dict[tuple[str, int], scenarios.ReportTruth] = field(default_factory=dict)
    #: detail page path -> {item finding kind: status} for the issue-6 scenarios
    expected_items: dict[str, dict[str, str]] = field(default_factory=dict)
    reports: dict[str, ReportData] = field(default_factory=dict)   # generated report by detail page path
    #: items taken off their column by `delete` (they were served, so they were published)
    removed: list[tuple[Column, Item]] = field(default_factory=list)

    def unit(self, unit_id: str) -> Unit:
        return next(u for u in self.units if u.id == unit_id)

    def counts(self) -> Counter[str]:
        """How many columns should end in each status."""
        return Counter(e.status for e in self.expected.values())

    def failing_units(self, stale_key_columns: int = 5) -> list[str]:
        """Units that should fail 单项否决 on stale dynamic/notice/policy columns."""
        stale = Counter(e.unit_id for e in self.expected.values()
                        if e.status == "stale" and e.category in KEY_CATEGORIES)
        return sorted(u for u, n in stale.items() if n >= stale_key_columns)

    def touch(self, column_path: str, title: str | None = None, day: date | None = None) -> None:
        """Publish a new item at the top of a column (new body, ETag and Last-Modified)."""
        col = self.columns[column_path]
        if col.status == "unreachable":
            raise ValueError(f"{column_path} is unreachable by design; touch a reachable column")
        day = day or self.today
        unit = self.unit(col.unit_id)
        title = title or content.item_title(random.Random(len(col.items)), col.category, unit.name, day)
        col.items.insert(0, Item(title, day, _article_href(unit, col, day, 900000 + len(col.items))))
        col.status = _status_of(col, self.today)
        self._render(col)

    def _render(self, col: Column) -> None:
        unit = self.unit(col.unit_id)
        self.pages.update(_column_pages(unit, col, self.articles, modified=datetime.now(timezone.utc)))
        self.expected[col.path] = ExpectedColumn.of(col)

    def _find(self, item_path: str) -> tuple[Column, Item]:
        for col in self.columns.values():
            for item in col.items:
                if html.article_path(col, item) == item_path:
                    return col, item
        raise KeyError(item_path)

    def edit(self, item_path: str, sentence: str = "（本文内容已更新。）") -> None:
        """Change an item's main text after publication (new body and ETag): an A15 finding."""
        col, item = self._find(item_path)
        report = self.reports.get(item_path)
        if report is not None:
            report.note += sentence
            item.body = render_report(report, self.unit(col.unit_id).type)
        else:
            item.body = (item.body or f"<p>{escape(item.title)}。</p>") + f"<p>{escape(sentence)}</p>"
        page = self.pages[item_path]
        self.pages[item_path] = _page(html.article_html(self.unit(col.unit_id), col, item),
                                      self.unit(col.unit_id).encoding, page.content_type, self.today, counter=True)
        self._expect(item_path, "item_modified_after_publication", "fail")

    def backdate(self, column_path: str, title: str | None = None, day: date | None = None) -> str:
        """Publish an item dated well before today (default: the date of the column's second
        item, so it sorts onto the first list page); returns its detail page path (W8)."""
        col = self.columns[column_path]
        day = day or col.items[1].date or self.today - timedelta(days=60)
        unit = self.unit(col.unit_id)
        title = title or content.item_title(random.Random(day.toordinal()), col.category, unit.name, day)
        item = Item(title, day, _article_href(unit, col, day, 800000 + len(col.items)))
        col.items.insert(next((n for n, i in enumerate(col.items) if i.date and i.date < day), len(col.items)), item)
        self._render(col)
        path = html.article_path(col, item)
        self._expect(path, "item_backdated", "warning" if (self.today - day).days > BACKDATE_TOLERANCE else "pass")
        return path

    def delete(self, item_path: str) -> None:
        """Take an item off its column; its URL then answers 404 (a deletion finding)."""
        col, item = self._find(item_path)
        col.items.remove(item)
        self.removed.append((col, item))
        self._render(col)
        del self.pages[item_path]
        self._expect(item_path, "item_deleted", "fail")

    def skip_review(self) -> dict[str, str]:
        """The issue-6 changes between a first and a second crawl: an edited item, an edited
        annual report, a back-dated item and a deleted item. Returns what was done where."""
        edited = html.article_path(self.columns["/xzspj/zcjd/"], self.columns["/xzspj/zcjd/"].items[0])
        report = next(p for p, r in self.reports.items() if r.unit_name.startswith("衡山县发展和改革局")
                      and r.year == max(d.year for d in self.reports.values() if d.unit_name == r.unit_name))
        deleted = html.article_path(self.columns["/kyz/gzdt/"], self.columns["/kyz/gzdt/"].items[1])
        self.edit(edited)
        self.edit(report, "（经复核，本报告部分表述已修订。）")
        backdated = self.backdate("/xzspj/tzgg/")
        self.delete(deleted)
        return {"edited": edited, "edited_report": report, "backdated": backdated, "deleted": deleted}

    def publication(self) -> dict[tuple[str, str], tuple[int, int]]:
        """(unit id, YYYY-MM) -> (动态类, 信息公开类): the items every column served with a date, once
        per detail page, in the month its list shows — deleted ones too, back-dated ones in their shown
        month. Columns a polite crawl cannot read (or that show no dates) are left out: see `counted_from`;
        so are message boards (their rows are questions, not publications)."""
        pages: dict[tuple[str, str], tuple[date, bool]] = {}
        served = [(c, i) for c in self.columns.values() for i in c.items] + self.removed
        for col, item in served:
            if item.date and col.status not in ("unreachable", "undated") and col.category != "interaction":
                pages[(col.unit_id, html.article_path(col, item))] = (item.date, col.category == "dynamic")
        out: Counter[tuple[str, str, bool]] = Counter(
            (unit, f"{day:%Y-%m}", dynamic) for (unit, _), (day, dynamic) in pages.items())
        return {(unit, month): (out[(unit, month, True)], out[(unit, month, False)])
                for unit, month, _ in out}

    def counted_from(self) -> dict[str, tuple[bool, str]]:
        """unit id -> (every column can be read and shows dates, the first month — YYYY-MM, "" for
        all — whose items a crawl sees whole). A crawl reads each column's first list page, or the
        `max_pages` its config names, as `crawler/spiders/portal.py` does (a report column's every
        page), so a longer column is seen whole from the month after the oldest date it reads."""
        out: dict[str, tuple[bool, str]] = {}
        for unit in self.units:
            firsts = [min(i.date for i in c.items[:c.per_page * (c.max_pages or 1)] if i.date) for c in unit.columns
                      if c.pages > (c.max_pages or 1) and c.category != "report"
                      and c.status not in ("unreachable", "undated")]
            out[unit.id] = (all(c.status not in ("unreachable", "undated") for c in unit.columns),
                            max((f"{(d.replace(day=28) + timedelta(days=5)):%Y-%m}" for d in firsts), default=""))
        return out

    def _expect(self, item_path: str, kind: str, status: str) -> None:
        self.expected_items.setdefault(item_path, {})[kind] = status

    def dataproxy(self, query: str) -> Page | None:
        """Hanweb jpage's dataproxy.jsp answer: records `startrecord`…`endrecord` (1-based) of the
        jcms column `columnid`; None for a request that names no such column or range."""
        args = parse_qs(query)
        try:
            number, start, end = (int(args[key][0]) for key in ("columnid", "startrecord", "endrecord"))
        except (KeyError, ValueError):
            return None
        col = next((c for c in self.columns.values()
                    if self.unit(c.unit_id).cms == "jcms" and html.column_number(c) == number), None)
        if col is None or start < 1:
            return None
        unit = self.unit(col.unit_id)
        return Page(html.dataproxy_xml(unit, col, start, end).encode(), "text/xml; charset=utf-8")


def generate_county(today: date, *, units: int = len(SCENARIOS), columns_per_unit: int = 8, seed: int = 1,
                    scale: bool = False, hostile: bool = False) -> County:
    """Build the county. `scale` makes the units beyond the scenarios plain and healthy (fast: only
    their annual reports get detail pages, as every real county serves those); `hostile` adds a unit serving a 10 MB page, 10,000-level nesting and script-laden titles."""
    if not 8 <= columns_per_unit <= len(content.COLUMN_POOL):
        raise ValueError(f"columns_per_unit should be 8 … {len(content.COLUMN_POOL)}")
    rng = random.Random(seed)
    specs = list(SCENARIOS[:units]) + _extra_scenarios(max(0, units - len(SCENARIOS)), rng, scale)
    if hostile:
        specs.append(HOSTILE)
    built = [_build_unit(spec, index, today, columns_per_unit, rng) for index, spec in enumerate(specs)]
    extra, report_truths, reports = scenarios.shape_reports(
        built, today, seed, lambda day: _page("", "utf-8", "", day).modified)
    _report_against_column(built, reports, report_truths)
    item_truths = {} if scale else scenarios.date_policy_items(built)
    item_truths.update(_broken_attachment(built))
    item_truths.update({_dead_link(u)[1]: {"link_broken": "fail"} for u in built if u.id == scenarios.DEAD_LINK_UNIT})
    pages: dict[str, Page] = {"/": _page(html.home_html(built, _home_news(today)), "utf-8", "text/html; charset=utf-8",
                                         today),
                              "/robots.txt": Page(_robots(built).encode(), "text/plain; charset=utf-8")}
    for unit in built:
        pages.update(_unit_pages(unit, today, articles=not scale))
    pages.update(extra)
    columns = {c.path: c for u in built for c in u.columns}
    return County(today, built, columns, pages, {p: ExpectedColumn.of(c) for p, c in columns.items()},
                  articles=not scale, expected_reports=report_truths, expected_items=item_truths, reports=reports)


def _newest_report(unit: Unit) -> tuple[Column, Item]:
    col = next(c for c in unit.columns if c.category == "report" and c.items)
    return col, max(col.items, key=lambda i: report_year(i.title) or 0)


def _report_against_column(units: list[Unit], reports: dict[str, ReportData],
                           truths: dict[tuple[str, int], scenarios.ReportTruth]) -> None:
    """K14: the newest report of `REPORT_VS_COLUMN_UNIT` counts far more 规范性文件 than its 政策文件
    column shows for that year (two documents of the year added, and one of the year before, so the
    listing reaches back); 现行有效件数 moves with it, so the report stays consistent (K8)."""
    unit = next(u for u in units if u.id == scenarios.REPORT_VS_COLUMN_UNIT)
    reports_col, report = _newest_report(unit)
    year = report_year(report.title) or 0
    col = next(c for c in unit.columns if c.name == "政策文件")
    for n, day in enumerate((date(year, 9, 15), date(year, 4, 8), date(year - 1, 11, 20))):
        title = f"关于印发《{unit.name}第{n + 1}号管理办法》的通知"
        col.items.append(Item(title, day, _article_href(unit, col, day, 700000 + n)))
    published = sum(1 for i in col.items if i.date and i.date.year == year)
    data = reports[html.article_path(reports_col, report)]
    cells = data.t2["行政规范性文件"]
    extra = max(9, 3 * published) - int(cells[0])
    cells[0], cells[2] = str(int(cells[0]) + extra), str(int(cells[2]) + extra)
    data.valid_rules += extra
    report.body = render_report(data, unit.type)
    truths[(unit.id, year)].findings["report_numbers_vs_columns"] = "warning"
    for other in units:     # a 政策文件 column that cannot be read: the newest 2021-format report is not checked
        newest = max((t.year for t in truths.values() if t.unit_id == other.id and t.url_path in reports
                      and reports[t.url_path].format == "2021"), default=None)
        if newest and any(c.name == "政策文件" and c.status == "unreachable" for c in other.columns):
            truths[(other.id, newest)].findings["report_numbers_vs_columns"] = "uncertain"


def _broken_attachment(units: list[Unit]) -> dict[str, dict[str, str]]:
    """W12: the newest report page of `BROKEN_ATTACHMENT_UNIT` links an attachment nobody serves (404)."""
    unit = next(u for u in units if u.id == scenarios.BROKEN_ATTACHMENT_UNIT)
    col, report = _newest_report(unit)
    name = f"P0{report_year(report.title)}{unit.id}fb.pdf"
    report.body = (report.body or "") + f'<p>附件：<a href="{name}">{escape(report.title)}附表.pdf</a></p>'
    return {html.article_path(col, report).rsplit("/", 1)[0] + "/" + name: {"link_broken": "fail"}}


def _dead_link(unit: Unit) -> tuple[Column, str]:
    """W12: the first list page of `DEAD_LINK_UNIT`'s first plain column links, beside its list, a
    办事指南 page nobody serves (404); the column and the dead path."""
    col = next(c for c in unit.columns if c.kind is None and c.category not in ("report", "interaction"))
    return col, f"{unit.site_path}bszn.html"


def _home_news(today: date) -> list[Item]:
    """The county portal's 要闻 block, last updated `PORTAL_NEWS_AGE_DAYS` ago (W1: more than 14 days)."""
    rng = random.Random("home")
    days = [today - timedelta(days=PORTAL_NEWS_AGE_DAYS + 6 * n) for n in range(6)]
    return [Item(content.item_title(rng, "dynamic", f"{content.COUNTY}人民政府", day), day,
                 f"/xwzx/{day:%Y%m}/t{day:%Y%m%d}_{n}.html") for n, day in enumerate(days)]


# ------------------------------------------------------------------------------ units

def _extra_scenarios(count: int, rng: random.Random, scale: bool) -> list[Scenario]:
    """Ordinary units after the scenario units: departments, townships, then township offices."""
    names = list(content.EXTRA_UNITS) + [
        (f"t{t:02d}{slug}", f"{content.COUNTY}{town}{office}", "department")
        for t, town in enumerate(content.TOWNS) for slug, office in content.TOWN_OFFICES]
    names += [(f"u{n:05d}", f"{content.COUNTY}第{n}号信息公开单位", "department") for n in range(count)]
    layouts = endless([("trs", "ul", "iso"), ("hanweb", "table", "slash"), ("trs", "dl", "iso"),
                       ("hanweb", "ul", "cn"), ("trs", "table", "dot")])
    out = []
    for (uid, name, kind), (cms, markup, fmt) in zip(names[:count], layouts):
        gbk = not scale and rng.random() < 0.2
        tags = {} if scale else {name: rng.choice(("stale", "due_soon", "fresh", "fresh"))
                                 for name, _ in rng.sample(content.COLUMN_POOL[:7], 2)}
        out.append(Scenario(uid, name, kind, cms, markup, fmt, "gbk" if gbk else "utf-8",
                            None if gbk else "utf-8", columns=tags, default_tags="plain" if scale else ""))
    return out


def _build_unit(spec: Scenario, index: int, today: date, per_unit: int, rng: random.Random) -> Unit:
    wanted = ({name for name, _ in content.COLUMN_POOL[:per_unit]} | set(spec.columns)) - set(spec.omits)
    pool = [(name, slug) for name, slug in content.COLUMN_POOL if name in wanted]
    shell = Unit(spec.id, spec.name, spec.type, spec.cms, spec.markup, spec.date_format, spec.encoding,
                 spec.header_charset, spec.paging, content.CONTACTS[index % len(content.CONTACTS)],
                 site_layout=spec.site_layout, min_monthly_items=spec.min_monthly_items)
    cols = []
    for number, (name, slug) in enumerate(pool):
        category = infer_category(name)[0]
        cols.append(_column(shell, name, slug, category, DEFAULT_CYCLES.get(cycle_key(category)), spec.columns.get(name, spec.default_tags),
                            index * 100 + number, today, rng, configured=False, in_nav=True))
    for number, (name, (slug, category, cyc, in_nav, tags)) in enumerate(spec.configured.items(), len(pool)):
        cols.append(_column(shell, name, slug, category, cyc, tags, index * 100 + number, today, rng,
                            configured=True, in_nav=in_nav))
    # the required columns (W10) after the others, from their own random stream, so adding them
    # changed neither the other columns' URLs nor their items
    # (a unit with a 法定主动公开内容 tree has that column already: the tree's own page)
    tree = {html.TREE_ROOT[0]} if any("sub" in tags.split() for tags in spec.columns.values()) else set()
    required = [(n, s) for n, s in content.COLUMN_POOL
                if n in REQUIRED_COLUMNS and n not in wanted | set(spec.omits) | tree]
    own = random.Random(f"required-{spec.id}")
    for number, (name, slug) in enumerate(required, len(cols)):
        cols.append(_column(shell, name, slug, infer_category(name)[0], None, "plain", index * 100 + number, today,
                            own, configured=False, in_nav=True))
    if spec.board:          # last, so the other columns keep their URLs
        cols.append(_column(shell, *spec.board, "interaction", None, "", index * 100 + len(cols), today, rng,
                            configured=False, in_nav=True))
    return Unit(**{**shell.__dict__, "columns": tuple(cols)})


def _column(unit: Unit, name: str, slug: str, category: str, cyc: str | None, tags_text: str, number: int,
            today: date, rng: random.Random, *, configured: bool, in_nav: bool) -> Column:
    tags = tags_text.split()
    place = next((t for t in tags if t in ("sub", "tile")), "")
    path = html.column_path(unit, f"{html.TREE_ROOT[1]}/{slug}" if place == "sub" else slug, unit.cms, 3849 + number)
    alt = None
    if slug == "zfxxgknb" and unit.cms != "vsb":     # VSB serves a column at one URL only
        alt = path + "nlist.htm" if unit.cms == "trs" else path.removesuffix("index.html")
    kind = next((_KINDS[t] for t in tags if t in _KINDS), None)
    wanted = next((t for t in tags if t in ("fresh", "due_soon", "stale", "blank", "undated")), "fresh")
    max_pages = next((int(t[6:]) for t in tags if t.startswith("pages=")), None)
    col = Column(unit.id, name, slug, path, category, cyc, wanted, kind, alt_path=alt, in_nav=in_nav,
                 configured=configured or max_pages is not None, place=place, max_pages=max_pages)
    if category == "interaction":
        col.items = scenarios.board_messages(today)
    elif wanted != "blank":
        col.items = _items(unit, col, today, rng, tags)
    col.status = "unreachable" if kind in UNREACHABLE_KINDS else _status_of(col, today)
    return col


# ------------------------------------------------------------------------------ items and dates

def _items(unit: Unit, col: Column, today: date, rng: random.Random, tags: list[str]) -> list[Item]:
    left = next((int(t[5:]) for t in tags if t.startswith("left=")), None)
    count = 2 * col.per_page + 5 if "paged" in tags else 5 if "plain" in tags else rng.randint(6, 14)
    if col.category == "report":
        days = [date(today.year - k - (today < date(today.year, 1, 25)), 1, rng.randint(10, 25))
                for k in range(min(count, 8))]
    else:
        days = [_newest(col, today, rng, left)]
        quiet = next((int(t[6:]) for t in tags if t.startswith("quiet=")), None)
        if quiet is not None:
            days = [_before_months(today, quiet)]
        low, high = _GAP_DAYS.get(col.category, (5, 30))
        while len(days) < count:
            days.append(days[-1] - timedelta(days=rng.randint(low, high)))
    rare = unit.encoding == "gbk"
    items = []
    for n, day in enumerate(days):
        if col.category == "report":
            title = content.report_title(unit.name, day.year - 1)
        else:
            title = content.item_title(rng, col.category, unit.name, day, rare=rare and n == 1)
        if col.kind == "script_titles":
            title = f"<script>alert(1)</script>{title}"
        shown = None if col.status == "undated" else day
        # as on 平潭, a report's URL carries its upload day, a few days after the date shown
        linked = shown + timedelta(days=3) if shown and col.category == "report" else shown
        items.append(Item(title, shown, _article_href(unit, col, linked, rng.randint(100000, 999999))))
    if "unsorted" in tags and len(items) > 4:
        items = items[3:5] + items[:3] + items[5:]   # manual priority: two older items pinned first
    return items


def _newest(col: Column, today: date, rng: random.Random, left: int | None) -> date:
    """Newest item date giving the wanted status: `left` days until the column falls due."""
    if col.cycle is None:
        return today - timedelta(days=rng.randint(30, 400))
    if left is None:
        left = {"due_soon": rng.randint(1, 3), "stale": -rng.randint(5, 120)}.get(col.status, None)
    cyc = Cycle.parse(col.cycle)
    length = (cyc.due(today) - today).days
    if left is None:
        left = rng.randint(4, max(4, length))
    day = today - timedelta(days=length - left)
    while (cyc.due(day) - today).days > left:
        day -= timedelta(days=1)
    while (cyc.due(day) - today).days < left:
        day += timedelta(days=1)
    return min(day, today)


def _before_months(today: date, months: int) -> date:
    """The last day of the month before the `months` complete months preceding today's."""
    first = today.replace(day=1)
    for _ in range(months):
        first = (first - timedelta(days=1)).replace(day=1)
    return first - timedelta(days=1)


def _status_of(col: Column, today: date) -> str:
    """The state `monitor.checks.columns` gives a reachable column with these items."""
    dated = [i.date for i in col.items if i.date]
    if not col.items:
        return "blank"
    if not dated:
        return "undated"
    if col.cycle is None:
        return "unchecked"
    left = (Cycle.parse(col.cycle).due(max(dated)) - today).days
    return "stale" if left < 0 else "due_soon" if left <= 3 else "fresh"


def _article_href(unit: Unit, col: Column, day: date | None, doc: int) -> str:
    if unit.cms == "jcms" and day:
        return f"/{unit.id}/art/{day.year}/{day.month}/{day.day}/art_{html.column_number(col)}_{doc}.html"
    if unit.cms == "vsb":
        return f"/{unit.id}/info/{html.column_number(col)}/{doc}.htm"
    if unit.cms == "trs":
        return f"./{day:%Y%m}/t{day:%Y%m%d}_{doc}.html" if day else f"./content_{doc}.html"
    return f"/{unit.id}/{col.slug}/{day:%Y%m%d}/i{doc}.html" if day else f"/{unit.id}/art/i{doc}.html"


# ------------------------------------------------------------------------------ pages

def _content_type(unit: Unit) -> str:
    return f"text/html; charset={unit.header_charset}" if unit.header_charset else "text/html"


def _page(text: str, encoding: str, content_type: str, day: date, **kw: object) -> Page:
    modified = datetime.combine(day, time(9, 30), _CST).astimezone(timezone.utc)
    return Page(text.encode(encoding), content_type, modified=modified, **kw)  # type: ignore[arg-type]


def _unit_pages(unit: Unit, today: date, articles: bool) -> dict[str, Page]:
    ctype, since = _content_type(unit), today - timedelta(days=40)
    site = html.tree_site_html(unit) if unit.site_layout == "tree" else html.site_html(unit)
    pages = {unit.site_path: _page(site, unit.encoding, ctype, since,
                                   behaviour="unstable" if unit.id == UNSTABLE_SITE else ""),
             f"{unit.site_path}lxwm.html": _page(html.static_html(unit, "联系我们", f"联系人：{unit.contact}"),
                                                 unit.encoding, ctype, since),
             f"{unit.site_path}wzdt.html": _page(html.static_html(unit, "网站地图", "本站栏目见导航。"),
                                                 unit.encoding, ctype, since)}
    if any(c.place == "sub" for c in unit.columns):
        pages[unit.site_path + html.TREE_ROOT[1] + "/"] = _page(html.sub_navigation_html(unit), unit.encoding, ctype, since)
    for col in unit.columns:
        pages.update(_column_pages(unit, col, articles))
    return pages


def _column_pages(unit: Unit, col: Column, articles: bool, modified: datetime | None = None) -> dict[str, Page]:
    """List pages (and detail pages when `articles`) of a column, with its quirk applied."""
    ctype = _content_type(unit)
    dated = [i.date for i in col.items if i.date]
    day = max(dated) if dated else date(2025, 6, 1)
    if col.kind in ("http_404", "http_500"):
        status = int(col.kind[5:])
        text = "<html><body><h1>404 页面不存在</h1></body></html>" if status == 404 else \
            "<html><body><h1>500 Internal Server Error</h1></body></html>"
        return {col.path: Page(text.encode(), "text/html; charset=utf-8", status=status)}
    behaviour = {"flaky_503": "flaky_503", "slow_timeout": "slow"}.get(col.kind or "", "")
    tail = _hostile_tail(col.kind)
    if unit.id == scenarios.DEAD_LINK_UNIT and _dead_link(unit)[0] is col:
        tail += f'<div class="related">相关链接：<a href="{_dead_link(unit)[1]}">办事指南</a></div>'
    out = {}
    for page in range(1 if unit.cms == "jcms" else col.pages):     # jcms: later records from dataproxy.jsp
        built = _page(html.list_html(unit, col, page, tail if page == 0 else ""), unit.encoding, ctype, day,
                      behaviour=behaviour)
        if modified:
            built.modified = modified
        out[html.page_path(unit, col, page)] = built
    if col.alt_path:
        out[col.alt_path] = out[col.path]
    for item in col.items if articles or col.category == "report" else ():
        out[html.article_path(col, item)] = _page(html.article_html(unit, col, item), unit.encoding, ctype,
                                                  item.date or day, counter=articles)   # scale pages are plain
    return out


def _hostile_tail(kind: str | None) -> str:
    if kind == "oversize":
        return '<div style="display:none">' + "<p>衡山县政务公开填充内容，用于测试下载大小上限。</p>\n" * 140_000 + "</div>"
    if kind == "deep_nesting":
        return "<div>" * 10_000 + "深层嵌套" + "</div>" * 10_000
    return ""


def _robots(units: list[Unit]) -> str:
    blocked = [c.path.rsplit("/", 1)[0] + "/" for u in units for c in u.columns if c.kind == "robots"]
    return "User-agent: *\nDisallow: /search/\n" + "".join(f"Disallow: {p}\n" for p in blocked)
