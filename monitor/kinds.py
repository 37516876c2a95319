"""The finding kinds, each declared once: its rule ids, Chinese label, the results its findings can
have, the severity and bulletin deduction of a violation, its bulletin section, its dashboard list
and how its evidence reads in a sentence. The config (deductions), the findings table, the bulletin,
the warnings, the dashboard, `gongkai kinds` and the README's table all derive from this list, so a
new kind is one declaration here (plus its check and a test)."""
from __future__ import annotations

import difflib
from dataclasses import dataclass
from datetime import date
from typing import Callable, Literal

from monitor import sentences
from monitor.finding import Finding

#: a violation of a kind with no `deduction` costs this many points (`bulletin.scoring.default_deduction`)
DEFAULT_DEDUCTION = 2.0
FAMILIES = ("column", "site", "report", "item", "unit", "interaction", "link")
#: where a kind's findings appear in the monthly bulletin besides 未能检测 (which lists every uncertain
#: finding): "problems" = 二、主要问题 grouped by kind (warnings among 疑似问题), "review" = 发布审核与时效
#: (violations and warnings together); None = not in the bulletin (a warning of the coming month)
Section = Literal["problems", "review"]
#: the dashboard's lists: the three column lists, the header counts, the reports page
DashboardList = Literal["overdue", "due_soon", "unreachable", "header", "reports"]
Describer = Callable[[Finding, date], str]


@dataclass(frozen=True, slots=True)
class Kind:
    name: str                           # family_what, e.g. column_stale
    rules: tuple[str, ...]              # rule ids of docs/rules.md
    label: str                          # Chinese, what people read
    results: tuple[str, ...]            # what its findings can be: fail, warning, uncertain
    what: str                           # one line in English: the README table and `gongkai kinds`
    severity: str = "medium"            # of a violation, and of any result whose check names none
    deduction: float | None = None      # bulletin points per open violation; None: DEFAULT_DEDUCTION
    bulletin: Section | None = "problems"
    dashboard: DashboardList | None = None
    describe: Describer | None = None   # a violation's evidence in a sentence; None: the finding's message

    @property
    def family(self) -> str:
        return self.name.partition("_")[0]

    @property
    def points(self) -> float | None:
        """What one open violation costs in the bulletin's score; None when it cannot be a violation."""
        if "fail" not in self.results:
            return None
        return DEFAULT_DEDUCTION if self.deduction is None else self.deduction


_DECLARED = (
    Kind("column_stale", ("W2", "W3"), "栏目超期未更新", ("fail",), deduction=3, dashboard="overdue",
         describe=sentences.stale,
         what="newest item older than the category's cycle (动态 14 d, 通知/政策 6 m, 人事/规划 1 y)"),
    Kind("column_due_soon", ("W2", "W3"), "栏目即将超期", ("warning",), severity="low", bulletin=None,
         dashboard="due_soon", describe=sentences.due_soon,
         what="within `rules.warn_days_before` days of its cycle (in the daily warnings)"),
    Kind("column_blank", ("W4",), "空白栏目", ("fail",), deduction=3, dashboard="overdue", describe=sentences.blank,
         what="no items at all"),
    Kind("column_undated", ("W5",), "未标注发布日期", ("fail",), deduction=2, dashboard="overdue",
         describe=sentences.undated, what="items but no readable date (counts as not updated)"),
    Kind("column_unreachable", ("W6",), "未能检测", ("uncertain",), severity="info", dashboard="unreachable",
         what="the list could not be read (HTTP error, timeout, robots.txt, too large, unrecognised page, "
              "no read within `rules.max_observation_age` days)"),
    Kind("column_removed", ("W14",), "已从导航中移除", ("warning",), severity="info",
         what="a discovered column that left the unit's navigation (reported once for review, never as stale)"),
    Kind("site_failing", ("W2", "W3", "W4"), "单项否决", ("fail", "uncertain"), severity="critical", deduction=0,
         dashboard="header", describe=sentences.site_failing,
         what="单项否决 per site: ≥ 5 stale 动态+通知/政策 columns, ≥ 10 overdue, ≥ 5 blank (the unit fails)"),
    Kind("site_unreachable", ("W6",), "网站无法访问", ("uncertain",), severity="info",
         what="the unit's site page, where its columns are found, could not be read"),
    Kind("site_unavailable", ("W6",), "网站不可用", ("fail", "uncertain"), severity="critical", deduction=0,
         what="单项否决: ≥ 5 % of the availability probes of 7 days failed (error or > 15 s), ≥ 20 a day "
              "(only `gongkai serve` probes, every `schedule.probe_minutes`)"),
    Kind("site_home_stale", ("W1",), "首页不更新", ("fail", "uncertain"), severity="high",
         what="newest dated item on the county portal's home page (单项否决, `county_portal`) or a unit's site "
              "page (else its columns) older than 14 days"),
    Kind("site_column_missing", ("W10",), "信息公开平台栏目缺失", ("fail", "uncertain"),
         what="no 政府信息公开指南, 制度, 法定主动公开内容 or 年报 among the unit's columns (61号)"),
    Kind("report_missing", ("A1",), "年报未公开", ("fail", "uncertain"), severity="critical", deduction=20,
         dashboard="reports", describe=sentences.report_missing,
         what="annual report not published by the deadline for the unit type"),
    Kind("report_late", ("A2",), "年报逾期公开", ("fail", "uncertain"), severity="high", deduction=5,
         dashboard="reports", describe=sentences.report_late, what="annual report published after the deadline"),
    Kind("report_inconsistent", ("K1", "K2", "K3", "K4", "K5", "K6"), "年报勾稽错误", ("fail", "warning", "uncertain"),
         severity="high", deduction=5, dashboard="reports", describe=sentences.report_inconsistent,
         what="勾稽关系 of tables 三 and 四, every violated relation with its values; blank cells as not reported"),
    Kind("report_outdated_format", ("A3",), "年报格式过时", ("fail", "uncertain"), deduction=3, dashboard="reports",
         what="2019 format after 2020, or the pre-2019 structure"),
    Kind("report_sections_missing", ("A4",), "年报要素缺失", ("fail", "warning", "uncertain"), deduction=3,
         dashboard="reports", what="one of the six sections missing or empty"),
    Kind("report_carryover_mismatch", ("K7",), "年报跨年结转不符", ("warning", "uncertain"), dashboard="reports",
         what="上年结转 differs from last year's 结转下年度继续办理"),
    Kind("report_narrative_mismatch", ("K11",), "年报文字与表格不符", ("warning", "uncertain"), dashboard="reports",
         what="numbers in the text differ from the tables"),
    Kind("report_year_mismatch", ("K12",), "年报年份不符", ("warning", "uncertain"), dashboard="reports",
         what="title, 统计期限 and 本年 name different years"),
    Kind("item_modified_after_publication", ("A15",), "发布后修改", ("fail",), bulletin="review",
         what="main text or title changed after it was first read (with the diff; annual reports high)"),
    Kind("item_backdated", ("W8",), "疑似倒填发布日期", ("warning",), bulletin="review",
         what="first seen well after its displayed date, which the previous crawl's listing covered"),
    Kind("item_deleted", ("A15",), "已发布信息被删除", ("fail", "uncertain"), bulletin="review",
         what="left its list and its URL answers 404/410"),
    Kind("item_late_disclosure", ("W9",), "信息公开不及时（超20个工作日）", ("fail", "uncertain"), bulletin="review",
         what="发布日期 more than 20 working days after 成文日期"),
    Kind("report_invalid_value", ("K10",), "年报数据不规范", ("fail", "uncertain"), severity="low",
         dashboard="reports", what="a cell of tables 三 or 四 that is not a non-negative integer"),
    Kind("report_duplicate", ("A14",), "年报与上年雷同", ("warning", "uncertain"), dashboard="reports",
         what="text ≥ 90 % similar to last year's report (雷同)"),
    Kind("report_table2_implausible", ("K13",), "年报表二数量不合理", ("warning", "uncertain"), severity="low",
         dashboard="reports", what="2019 format: 对外公开总数量 below 本年新公开数量"),
    Kind("report_title_wrong", ("A16",), "年报标题不规范", ("fail", "uncertain"), severity="low",
         dashboard="reports", what="title does not name the organ, the year and 政府信息公开工作年度报告"),
    Kind("report_rollforward_mismatch", ("K8", "K9"), "年报表二跨年数量不符", ("warning", "uncertain"),
         severity="low", dashboard="reports",
         what="table 二 counts that do not follow from last year's (现行有效件数; 上一年项目数量)"),
    Kind("link_broken", ("W12",), "链接无法访问", ("fail", "uncertain"), severity="low",
         what="a link on the county's hosts answers 404/410 or its host name does not resolve: a column, page, "
              "report or attachment link the crawl followed, or any link of a site, list or report page it read "
              "(checked with HEAD within the budget), with the page it is on and its text"),
    Kind("report_numbers_vs_columns", ("K14",), "年报数量与栏目发布不符", ("warning", "uncertain"), severity="low",
         dashboard="reports",
         what="2021 format: table 二 规范性文件 制发件数 (行政许可, 行政处罚 决定数量) far from what the unit's columns "
              "published that year (difference ≥ max(3, 50 %))"),
    Kind("unit_below_minimum", ("W15",), "信息发布量低于最低标准", ("fail", "uncertain"),
         what="last month's items (once per URL, by the date shown) below `min_monthly_items`; 未能统计 if a column was unread"),
    Kind("unit_no_dynamic", ("W16",), "动态信息发布量为零", ("fail", "uncertain"),
         what="no 动态类 item last month, with the run of zero months; 未能统计 if a 动态 column was unread"),
    Kind("interaction_unanswered", ("W7",), "留言超3个月未回复", ("fail", "uncertain"), severity="critical",
         what="单项否决: a board message of the past year shown unanswered for more than 3 months"),
    Kind("interaction_late_replies", ("W7",), "留言回复不及时", ("warning", "uncertain"),
         what="board messages of the past year answered after `rules.reply_workdays` working days (default 5)"),
    Kind("interaction_missing", ("W7",), "无互动交流渠道", ("fail", "uncertain"), severity="critical",
         what="单项否决: the county portal shows no 政务咨询 / 领导信箱 / 留言 channel"),
)



def _by_name(declared: tuple[Kind, ...]) -> dict[str, Kind]:
    """A kind declared twice (two branches adding the same one) fails at import, not in a bulletin."""
    out: dict[str, Kind] = {}
    for k in declared:
        if k.name in out:
            raise ValueError(f"finding kind {k.name} is declared twice")
        out[k.name] = k
    return out


#: every kind by name, in the order the bulletin groups them
KINDS: dict[str, Kind] = _by_name(_DECLARED)
LABELS: dict[str, str] = {k.name: k.label for k in _DECLARED}
DEFAULT_DEDUCTIONS: dict[str, float] = {k.name: k.deduction for k in _DECLARED if k.deduction is not None}


def label(name: str) -> str:
    """The Chinese label, or the name itself for a kind this version does not know (an older store)."""
    return LABELS.get(name, name)


def bulletin_section(name: str) -> Section | None:
    """A kind this version does not know (an older store) is listed among the problems."""
    kind = KINDS.get(name)
    return kind.bulletin if kind else "problems"


def on_dashboard(lists: tuple[str, ...]) -> tuple[str, ...]:
    """The kinds shown in the dashboard's `lists`, in the order of `lists`, then registry order."""
    return tuple(k.name for place in lists for k in _DECLARED if k.dashboard == place)


def of_family(family: str) -> tuple[str, ...]:
    return tuple(k.name for k in _DECLARED if k.family == family)


def check_name(name: str) -> str:
    """`name` if it is a registered kind; otherwise a ValueError naming it and the nearest kind."""
    if name in KINDS:
        return name
    near = difflib.get_close_matches(name, KINDS, n=1)
    hint = f"did you mean {near[0]}?" if near else "`gongkai kinds` lists them"
    raise ValueError(f"unknown finding kind {name!r} ({hint})")


def kinds_table() -> str:
    """The registry as a Markdown table: the README's table of finding kinds is this text."""
    lines = ["| finding kind | 名称 | rule | result | points | what |", "|---|---|---|---|---|---|"]
    for k in _DECLARED:
        points = "" if k.points is None else f"{k.points:g}"
        lines.append(f"| `{k.name}` | {k.label} | {', '.join(k.rules)} | {', '.join(k.results)} | {points} | {k.what} |")
    return "\n".join(lines) + "\n"

