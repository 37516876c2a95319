"""Column categories, their default update cycles, and inference from a column's name.

Cycles follow docs/rules.md §4 and §8 (W2/W3): 动态要闻 14 days, 通知公告/政策文件 6 months,
人事/规划 1 year [unverified in the rules, hence configurable]. `report`, `static` and `interaction` columns have no
update cycle (a blank one still counts as blank). A name that matches no keyword is an `other` column
with the cycle `default` (6 months: "其他栏目…原则上最多不得超过6个月", as real bulletins put it), shown as
a default guess so the user can override it: discovery takes every column of the navigation, so an
unknown name must still be checked.
"""
from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Literal

Category = Literal["dynamic", "notice", "policy", "personnel", "planning", "report", "static", "interaction",
                   "other"]
CATEGORY_LABELS: dict[Category, str] = {
    "dynamic": "动态要闻类", "notice": "通知公告类", "policy": "政策文件类", "personnel": "人事类",
    "planning": "规划计划类", "report": "年报类", "static": "静态类", "interaction": "互动交流类",
    "other": "其他栏目",
}
#: per category; `default` is the cycle of `other` columns (no keyword matched their name)
DEFAULT_CYCLES = {"dynamic": "14d", "notice": "6m", "policy": "6m", "personnel": "1y", "planning": "1y",
                  "default": "6m"}

#: the words a message board's name carries (县长信箱, 政务咨询, 网民留言, 网络问政, 来信选登 …)
BOARD_WORDS = ("咨询", "信箱", "留言", "问政", "来信")
# Ordered: the first matching category wins, so specific words come before generic ones
# (政府信息公开年报 before 政府信息公开指南 before 公开 …).
_KEYWORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("report", ("年报", "年度报告")),
    # a 政务咨询 / 领导信箱 / 网民留言 board: no update cycle, its messages are judged (W7); 互动 alone
    # (互动交流, 政民互动) names a section of boards, not one
    ("interaction", (*BOARD_WORDS, "互动")),
    ("static", ("指南", "制度", "机构职能", "机构设置", "领导信息", "领导分工", "职能职责", "机构概况",
                "联系方式", "单位概况", "乡镇概况", "部门概况", "简介", "办公地址", "权责清单", "法定主动公开内容")),
    ("personnel", ("人事", "任免", "招聘", "招考", "录用", "干部", "人才")),
    ("planning", ("规划", "计划", "总结", "预算", "决算", "预决算", "统计", "财政", "三公")),
    ("policy", ("政策", "文件", "解读", "规章", "法规", "决策")),
    ("notice", ("通知", "公告", "公示", "通告", "招标", "采购")),
    ("dynamic", ("动态", "要闻", "新闻", "工作进展", "简报", "资讯", "快讯", "头条", "政务信息")),
)
_DISCLOSURE_WORDS = ("公开", "公示", "公告", "栏目")
#: the first-level columns every unit's 政府信息公开平台 must have (国办公开办函〔2019〕61号; docs/rules.md
#: §4.3, W10), each with the words a column name that stands for it contains (办事指南 is no 公开指南)
REQUIRED_COLUMNS: dict[str, tuple[str, ...]] = {
    "政府信息公开指南": ("公开指南",),
    "政府信息公开制度": ("公开制度",),
    "法定主动公开内容": ("法定主动公开", "主动公开内容", "主动公开目录"),
    "政府信息公开年报": _KEYWORDS[0][1],
}


@lru_cache(maxsize=8192)
def infer_category(name: str) -> tuple[str, bool]:
    """(category, matched): `matched` is False when no keyword fits and `other` is a default guess."""
    for category, words in _KEYWORDS:
        if any(w in name for w in words):
            return category, True
    return "other", False


def board_name(name: str) -> bool:
    """The name of a message board (W7): of category `interaction` and naming a board, not a section."""
    return infer_category(name)[0] == "interaction" and any(w in name for w in BOARD_WORDS)


def cycle_key(category: str) -> str:
    """The `rules.cycles` key of a category: `other` columns take the `default` cycle."""
    return "default" if category == "other" else category


_CYCLE = re.compile(r"^\s*(\d+)\s*([dwmy])\s*$")


@dataclass(frozen=True, slots=True)
class Cycle:
    """An update cycle such as 14d, 2w, 6m, 1y; months and years are calendar months."""

    count: int
    unit: str  # d, w, m, y

    @classmethod
    def parse(cls, text: str) -> "Cycle":
        return _parse_cycle(str(text))

    def due(self, start: date) -> date:
        """The day by which a column last updated on `start` must be updated again."""
        if self.unit in "dw":
            return date.fromordinal(start.toordinal() + self.count * (7 if self.unit == "w" else 1))
        months = self.count * (12 if self.unit == "y" else 1)
        y, m = divmod(start.month - 1 + months, 12)
        year, month = start.year + y, m + 1
        return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))

    def __str__(self) -> str:
        return f"{self.count}{self.unit}"

    def label(self) -> str:
        return f"{self.count}{ {'d': '天', 'w': '周', 'm': '个月', 'y': '年'}[self.unit]}"


@lru_cache(maxsize=256)
def _parse_cycle(text: str) -> Cycle:
    m = _CYCLE.match(text.lower())
    if not m or int(m.group(1)) <= 0:
        raise ValueError(f"cycle should look like 14d, 2w, 6m or 1y (got {text!r})")
    return Cycle(int(m.group(1)), m.group(2))
