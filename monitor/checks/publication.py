"""Publication volume (issue 11, docs/rules.md W15/W16): each unit's counts for a period judged
against its minimum standard, and units without a 动态 item.

Pure over `monitor.stats.UnitPublication`. A count can only be too low if every column it comes
from was read: otherwise the unit is 未能统计 (`not_counted`, findings `uncertain`), never zero.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Iterable

from monitor.config import Config
from monitor.csvsafe import csv_text
from monitor.kinds import KINDS
from monitor.results import Result
from monitor.stats import Month, Period, UnitPublication, month_period

STATUS_LABELS = {"ok": "达标", "below_minimum": "低于最低标准", "zero": "动态信息为零", "not_counted": "未能统计"}
SUBJECT = {"publication": "monthly"}      # one finding per unit and kind, whichever month it is about


@dataclass(frozen=True, slots=True)
class PublicationStat:
    unit_id: str
    unit_name: str
    period: str
    items: int
    dynamic: int
    backdated: int
    status: str                       # ok | below_minimum | zero | not_counted
    minimum: int | None               # for the whole period; None: no standard
    zero_months: int                  # months in a row without a 动态 item, up to the period's end
    zero_months_at_least: bool        # the store's history ends before the run does
    columns: dict[str, int]
    all_read: bool                    # every column of the unit covers the period

    @property
    def disclosure(self) -> int:
        return self.items - self.dynamic

    @property
    def meets(self) -> str:
        """是否达标, as the attachment table says it."""
        if self.minimum is None:
            return "未设标准"
        if self.items >= self.minimum:
            return "是"
        return "否" if self.all_read else "未能统计"

    def to_json(self) -> dict[str, Any]:
        return {"unit": {"id": self.unit_id, "name": self.unit_name}, "period": self.period, "items": self.items,
                "dynamic": self.dynamic, "disclosure": self.disclosure, "status": self.status,
                "minimum": self.minimum, "zero_months": self.zero_months,
                "zero_months_at_least": self.zero_months_at_least, "backdated": self.backdated,
                "columns": self.columns}


CSV_FIELDS = ["unit_id", "unit_name", "period", "dynamic", "disclosure", "items", "minimum", "status",
              "zero_months", "zero_months_at_least", "backdated", "columns"]


def stats_csv(stats: Iterable[PublicationStat]) -> str:
    """`gongkai stats --format csv` and the dashboard's export."""
    return csv_text(CSV_FIELDS, ({**{k: v for k, v in s.to_json().items() if k in CSV_FIELDS},
                                  "unit_id": s.unit_id, "unit_name": s.unit_name,
                                  "minimum": "" if s.minimum is None else s.minimum,
                                  "columns": json.dumps(s.columns, ensure_ascii=False)} for s in stats))


def monthly_minimum(config: Config, unit_id: str, unit_type: str) -> int | None:
    """The unit's own `min_monthly_items`, else that of its type in `rules.min_monthly_items`."""
    own = next((u.min_monthly_items for u in config.units if u.id == unit_id), None)
    return own if own is not None else config.rules.min_monthly_items.get(unit_type)  # type: ignore[call-overload]


def judge(config: Config, pub: UnitPublication, period: Period) -> PublicationStat:
    return _judged(pub, period, monthly_minimum(config, pub.unit_id, pub.unit_type))


def judge_each(config: Config, pub: UnitPublication, periods: Iterable[Period]) -> list[PublicationStat]:
    """`judge` for each of `periods` (the dashboard's months), the unit's standard looked up once."""
    monthly = monthly_minimum(config, pub.unit_id, pub.unit_type)
    return [_judged(pub, period, monthly) for period in periods]


def _judged(pub: UnitPublication, period: Period, monthly: int | None) -> PublicationStat:
    total = pub.total(period.months)
    minimum = None if monthly is None else monthly * len(period.months)
    all_read = pub.all_read(period.months)
    below = minimum is not None and total.items < minimum
    zero = pub.dynamic_columns > 0 and total.dynamic == 0
    if zero and pub.dynamic_read(period.months):
        status = "zero"
    elif below and all_read:
        status = "below_minimum"
    elif zero or below or (total.items == 0 and not all_read):
        status = "not_counted"
    else:
        status = "ok"
    run, at_least = pub.zero_run(period.last) if zero else (0, False)
    return PublicationStat(pub.unit_id, pub.unit_name, period.label, total.items, total.dynamic, total.backdated,
                           status, minimum, run, at_least, dict(total.columns.most_common()), all_read)


def publication_stats(config: Config, pubs: Iterable[UnitPublication], period: Period) -> list[PublicationStat]:
    return [judge(config, p, period) for p in pubs]


def check_publication(config: Config, pubs: Iterable[UnitPublication], month: Month) -> list[Result]:
    """W15 and W16 for `month` (the last complete one): one result per unit and kind."""
    results = []
    for pub in pubs:
        stat = judge(config, pub, month_period(month))
        results += [_below_minimum(pub, stat), _no_dynamic(pub, stat)]
    return results


def _result(pub: UnitPublication, kind: str, status: str, message: str, stat: PublicationStat) -> Result:
    evidence = {} if status in ("pass", "not_applicable") else {
        "month": stat.period, "items": stat.items, "dynamic": stat.dynamic, "disclosure": stat.disclosure,
        "minimum": stat.minimum, "zero_months": stat.zero_months, "zero_months_at_least": stat.zero_months_at_least,
        "columns": stat.columns}
    return Result(KINDS[kind].rules[0], kind, status, pub.unit_id, pub.unit_name, dict(SUBJECT),  # type: ignore[arg-type]
                  message, KINDS[kind].severity, evidence)


def _below_minimum(pub: UnitPublication, stat: PublicationStat) -> Result:
    kind = "unit_below_minimum"
    if stat.minimum is None:
        return _result(pub, kind, "not_applicable", "", stat)
    if stat.items >= stat.minimum:
        return _result(pub, kind, "pass", "", stat)
    if not stat.all_read:
        return _result(pub, kind, "uncertain", f"{stat.period} 信息发布量未能统计：部分栏目未能读取"
                       f"（已读取栏目共 {stat.items} 条，最低标准 {stat.minimum} 条）", stat)
    return _result(pub, kind, "fail", f"{stat.period} 发布信息 {stat.items} 条，低于最低标准 {stat.minimum} 条"
                   f"（动态类 {stat.dynamic} 条，信息公开类 {stat.disclosure} 条）", stat)


def _no_dynamic(pub: UnitPublication, stat: PublicationStat) -> Result:
    kind = "unit_no_dynamic"
    if pub.dynamic_columns == 0:
        return _result(pub, kind, "not_applicable", "", stat)
    if stat.dynamic > 0:
        return _result(pub, kind, "pass", "", stat)
    if stat.status != "zero":
        return _result(pub, kind, "uncertain", f"{stat.period} 动态信息发布量未能统计：部分动态类栏目未能读取", stat)
    return _result(pub, kind, "fail", f"{stat.period} 动态信息发布量为零（{zero_run_text(stat)}）", stat)


def zero_run_text(stat: PublicationStat) -> str:
    """连续N个月未有动态信息发布, "至少" when the store's history is shorter than the run."""
    return f"{'至少' if stat.zero_months_at_least else ''}连续{stat.zero_months}个月未有动态信息发布"
