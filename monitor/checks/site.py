"""Site checks beyond the columns (docs/rules.md §4.2, §4.3 and §8): W1 首页不更新 on the county
portal's home page and each unit's site page, and W10 the required 政府信息公开平台 columns.

Pure functions over (config, stored home pages, site fetches, column verdicts, today). Only a page
read recently is evidence: a page that could not be read, or not within `rules.max_observation_age`
days, is `uncertain`, and so is a unit whose column list is not known in full — a missing column
is a `fail` only when the unit's site page was read recently and its navigation showed columns.
"""
from __future__ import annotations

import re
from datetime import date
from typing import Any, Sequence

from monitor.categories import REQUIRED_COLUMNS
from monitor.checks.columns import ColumnVerdict, local_day, read_cutoff
from monitor.config import Config, UnitConfig
from monitor.observations import HomePage, SiteState
from monitor.outcomes import REACHABLE, fetch_reason
from monitor.results import Result

#: 单项否决 3 of the 2019 indicators: no new item on the home page in 2 weeks
HOME_STALE_DAYS = 14


def home_urls(config: Config) -> list[str]:
    """The pages W1 judges: the county portal's home page and the site page of each unit whose
    site is read (a unit with `discover: false` has its site page never requested)."""
    urls = [u.site for u in config.units if u.site and u.discover]
    return [config.county_portal, *urls] if config.county_portal else urls


def check_home(unit: UnitConfig, url: str, page: HomePage | None, config: Config, today: date, *,
               portal: bool = False, columns: Sequence[ColumnVerdict] = ()) -> Result:
    """W1 for one home page. `columns`: the unit's columns, whose newest item stands in for a site
    page that is only navigation (the rule: then no new item on any second-level page)."""
    where = f"{config.county}人民政府门户网站首页" if portal else f"{unit.name}网站信息公开页面"
    subject = {"site": url}

    def uncertain(why: str, **evidence: Any) -> Result:
        return Result("W1", "site_home_stale", "uncertain", unit.id, unit.name, subject,
                      f"{where}{why}，未能检测首页更新情况", "info", {"checked_url": url, **evidence})

    if page is None:
        return uncertain("尚未读取")
    if page.outcome not in REACHABLE:
        return uncertain(f"无法访问（{fetch_reason(page.outcome, page.http_status, page.error)}）",
                         outcome=page.outcome, http_status=page.http_status, last_fetch_at=page.fetch_at)
    max_age = config.rules.max_observation_age
    if (page.read_at or "") < read_cutoff(today, max_age, config.timezone):
        read_on = local_day(page.read_at, config.timezone) if page.read_at else "（无记录）"
        return uncertain(f"最近一次读取成功是在 {read_on}，已超过 {max_age} 天",
                         last_read_at=page.read_at, max_observation_age=max_age)
    newest = {"newest_item_date": page.newest_date, "newest_item_title": page.newest_title,
              "newest_item_url": page.newest_url, "source": "page"}
    if page.newest_date is None:
        listed = [v.column for v in columns if v.listed and v.column.newest_date]
        if not listed:
            return uncertain("未显示带日期的信息")
        col = max(listed, key=lambda c: c.newest_date or "")
        newest = {"newest_item_date": col.newest_date, "newest_item_title": col.newest_title,
                  "newest_item_url": col.newest_url, "source": "columns", "column": col.name}
    age = (today - date.fromisoformat(newest["newest_item_date"])).days
    if age <= HOME_STALE_DAYS:
        return Result("W1", "site_home_stale", "pass", unit.id, unit.name, subject)
    veto = "（单项否决）" if portal else ""
    via = "未显示带日期的信息，其栏目" if newest["source"] == "columns" else ""
    return Result("W1", "site_home_stale", "fail", unit.id, unit.name, subject,
                  f"{where}{via}已 {age} 天未更新{veto}，最新信息发布于 {newest['newest_item_date']}",
                  "critical" if portal else "high",
                  {"checked_url": url, "days_since_update": age, "limit_days": HOME_STALE_DAYS,
                   "county_portal": portal, **newest})


#: each required column's words as one pattern: every unit's every column name is matched against them
_REQUIRED = {required: re.compile("|".join(map(re.escape, words))) for required, words in REQUIRED_COLUMNS.items()}


def check_required_columns(unit: UnitConfig, site: SiteState | None, columns: list[ColumnVerdict],
                           config: Config, today: date) -> list[Result]:
    """W10: one result per required column when the unit's navigation was read recently and showed
    columns (a missing one is a `fail`), with a pass for the unit as a whole; otherwise the column
    list is not known in full, and one `uncertain` result stands for the unit (not one per column),
    unless the configured columns name every required one."""
    names = {c.name for c in unit.columns} | {v.column.name for v in columns}
    matched = {required: sorted(n for n in names if pattern.search(n)) for required, pattern in _REQUIRED.items()}
    discovered = sum(1 for v in columns if v.column.discovered)
    unknown = None if all(matched.values()) else _columns_unknown(unit, site, discovered, config, today)
    whole = {"site": unit.site or unit.id}
    if unknown:
        missing = [required for required, found in matched.items() if not found]
        return [Result("W10", "site_column_missing", "uncertain", unit.id, unit.name, whole,
                       f"{unit.name}{unknown}，未能检测是否设有“{'”“'.join(missing)}”栏目", "info",
                       {"checked_url": unit.site, "reason": unknown, "not_found": missing})]
    results = [Result("W10", "site_column_missing", "pass", unit.id, unit.name, whole)]
    for required, found in matched.items():
        subject = {**whole, "column": required}
        if found:
            results.append(Result("W10", "site_column_missing", "pass", unit.id, unit.name, subject,
                                  evidence={"columns": found}))
        else:
            results.append(Result("W10", "site_column_missing", "fail", unit.id, unit.name, subject,
                                  f"{unit.name}政府信息公开平台未设“{required}”栏目（国办公开办函〔2019〕61号）",
                                  "medium", {"checked_url": unit.site, "required": required,
                                             "columns_seen": sorted(names)}))
    return results


def _columns_unknown(unit: UnitConfig, site: SiteState | None, discovered: int, config: Config,
                     today: date) -> str | None:
    """Why the unit's column list may be incomplete, or None when its navigation was read recently."""
    if not (unit.site and unit.discover):
        return "未启用栏目发现，栏目清单仅为配置的栏目"
    if site is None:
        return "网站信息公开页面尚未读取"
    if site.outcome not in REACHABLE:
        return f"网站信息公开页面无法访问（{fetch_reason(site.outcome, site.http_status, site.error)}）"
    if site.fetch_at < read_cutoff(today, config.rules.max_observation_age, config.timezone):
        return f"网站信息公开页面超过 {config.rules.max_observation_age} 天未能读取"
    if discovered == 0:
        return "网站信息公开页面上未识别到栏目导航"
    return None


def check_sites(config: Config, homes: dict[str, HomePage], sites: dict[str, SiteState],
                verdicts: list[ColumnVerdict], today: date, *, portal_owner: str | None = None) -> list[Result]:
    """W1 and W10 for every unit of `config`, and W1 for the county portal when its owner
    (`Config.portal_owner` of the whole county, default this config's) is among them."""
    by_unit: dict[str, list[ColumnVerdict]] = {}
    for v in verdicts:
        by_unit.setdefault(v.column.unit_id, []).append(v)
    results: list[Result] = []
    owner = next((u for u in config.units if u.id == (portal_owner or config.portal_owner.id)), None)
    if config.county_portal and owner is not None:
        results.append(check_home(owner, config.county_portal, homes.get(config.county_portal), config, today,
                                  portal=True))
    for unit in config.units:
        columns = by_unit.get(unit.id, [])
        if unit.site and unit.discover:
            results.append(check_home(unit, unit.site, homes.get(unit.site), config, today, columns=columns))
        results.extend(check_required_columns(unit, sites.get(unit.id), columns, config, today))
    return results
