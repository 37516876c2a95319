"""Annual-report checks per unit (docs/rules.md §1.1, §8: A1–A4, A14, K1–K13) over what the crawler saw:
the unit's 政府信息公开年报 column listing and the stored report documents.

Absence is only evidence when we could see far enough back: a report for year Y that is not
listed counts as missing (A1) only if the report column was read and its listing reaches back to
the start of Y+1 (or the column is empty); otherwise the result is `uncertain`.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from monitor.config import Config, UnitConfig
from monitor.reports import ParsedReport, check_presence, check_report, deadline_for
from monitor.reports.limits import DocumentTooLarge
from monitor.reports.years import expected_years, report_year
from monitor.results import Result


@dataclass(frozen=True, slots=True)
class ListedReport:
    title: str
    url: str
    date: date | None


@dataclass(slots=True)
class ReportListing:
    """A unit's report column(s) as last read: reachable at all, items, oldest dated item."""

    found: bool = False          # a report column exists (configured or discovered)
    reachable: bool = False      # and its list page was read in the last crawl
    items: list[ListedReport] = field(default_factory=list)
    site_unreachable: bool = False   # the unit's site page (where columns are found) could not be read
    #: listed reports whose page could not be read in that crawl: URL -> why, in words
    unread: dict[str, str] = field(default_factory=dict)

    @property
    def oldest(self) -> date | None:
        dates = [i.date for i in self.items if i.date]
        return min(dates) if dates else None


@dataclass(frozen=True, slots=True)
class ReportDocument:
    """The best stored document of a report year; `report` None when none of them could be parsed
    (`problem` says why)."""

    year: int
    url: str
    report: ParsedReport | DocumentTooLarge | None   # DocumentTooLarge: over a document limit, not parsed
    problem: str | None = None


def check_unit_reports(unit: UnitConfig, listing: ReportListing, documents: dict[int, ReportDocument],
                       config: Config, today: date) -> list[Result]:
    """A1/A2 for each of the last three years, and the content checks of every stored report."""
    deadlines = config.rules.report_deadlines
    results: list[Result] = []
    years = expected_years(today)
    if not listing.reachable:   # one 未能检测 per unit is enough when its report column cannot be read
        due = [y for y in years if (d := deadline_for(y, unit.type, deadlines)) is None or today > d]
        years = due[:1] or years[:1]
    for year in years:
        results += _presence(unit, year, [i for i in listing.items if report_year(i.title) == year],
                             listing, deadlines, today)
    for year, doc in sorted(documents.items()):
        if doc.report is None:
            results.append(_unreadable(unit, year, doc.url, "无法解析", {"error": doc.problem}))
            continue
        if isinstance(doc.report, DocumentTooLarge):
            results.append(_unreadable(unit, year, doc.url, str(doc.report),
                                       {"limit": doc.report.limit, "detail": doc.report.detail}))
            continue
        previous = documents.get(year - 1)
        published = min((i.date for i in listing.items if i.date and report_year(i.title) == year), default=None)
        results += check_report(
            doc.report, unit_id=unit.id, unit_name=unit.name, unit_type=unit.type, published=published,
            today=today, deadlines=deadlines, year=year,
            previous=previous.report if previous and isinstance(previous.report, ParsedReport) else None,
            url=doc.url, timeliness=False)
    unread: dict[int, ListedReport] = {}
    for item in listing.items:
        year = report_year(item.title)
        if year and year not in documents and item.url in listing.unread:
            unread.setdefault(year, item)
    for year, item in sorted(unread.items()):
        results.append(_unreadable(unit, year, item.url, listing.unread[item.url], {"title": item.title}))
    return results


def _unreadable(unit: UnitConfig, year: int, url: str, reason: str, evidence: dict[str, object]) -> Result:
    """A listed or stored report that could not be read is `uncertain`, never silence: its content
    checks could not run. Same subject as those checks, so it leaves their findings as they were."""
    return Result("A4", "report_sections_missing", "uncertain", unit.id, unit.name, {"year": year, "url": url},
                  f"{year}年度报告{reason}，未能检查报告内容", "info", {"url": url, **evidence})


def _presence(unit: UnitConfig, year: int, listed: list[ListedReport], listing: ReportListing,
              deadlines: dict[str, str], today: date) -> list[Result]:
    kwargs = dict(unit_id=unit.id, unit_name=unit.name, unit_type=unit.type, year=year, today=today,
                  deadlines=deadlines)
    if listed:
        published = min((i.date for i in listed if i.date), default=None)
        if published is None:
            return [Result("A2", "report_late", "uncertain", unit.id, unit.name, {"year": year},
                           f"{year}年度报告已列出但未标注发布日期，无法判断是否按期公布", "info",
                           {"items": [i.url for i in listed]})]
        return check_presence(published=published, **kwargs)
    due = deadline_for(year, unit.type, deadlines)
    seen_far_enough = listing.reachable and (not listing.items or (
        listing.oldest is not None and listing.oldest <= date(year + 1, 1, 1)))
    if due is None or today <= due or seen_far_enough:
        return check_presence(published=None, **kwargs)
    reason = ("网站无法访问，未能查找年报栏目" if not listing.found and listing.site_unreachable else
              "未找到年报栏目" if not listing.found else "年报栏目无法访问" if not listing.reachable
              else f"年报栏目仅显示到 {listing.oldest or '（无日期）'}，看不到该年度")
    return [Result("A1", "report_missing", "uncertain", unit.id, unit.name, {"year": year},
                   f"{year}年度报告：{reason}，未能判定是否公布", "info",
                   {"deadline": due.isoformat(), "listing_oldest": listing.oldest and listing.oldest.isoformat(),
                    "report_column_found": listing.found, "report_column_reachable": listing.reachable,
                    "site_unreachable": listing.site_unreachable})]
