"""W7 互动回应: the messages of each unit's interaction boards (columns of category `interaction`) and
whether the county portal has such a channel at all (docs/rules.md §8).

Pure functions over (config, column verdicts, the boards' latest messages, the portal's home page,
today). A board whose page was not read recently, or read without a recognisable message list, is
`uncertain` — never "no unanswered message". Only a message the page shows as unanswered (its state,
or an empty reply column) counts as unanswered; one whose state the page does not show is unknown.
"""
from __future__ import annotations

from datetime import date
from typing import Collection, Sequence

from monitor.categories import Cycle
from monitor.checks.columns import PAGE_LABELS, ColumnVerdict, read_cutoff
from monitor.config import Config
from monitor.messages import Message
from monitor.observations import HomePage, column_id
from monitor.outcomes import REACHABLE
from monitor.results import Result
from monitor.workdays import WorkCalendar

#: 单项否决 5 of the 2019 indicators: a message unanswered for more than 3 months within the past year
UNANSWERED_AFTER = Cycle(3, "m")
WINDOW = Cycle(1, "y")
#: the states of a board column whose page was not read (recently) — monitor.checks.columns
_UNREAD = ("unreachable", "not_recent", "pending")


def check_boards(config: Config, verdicts: Sequence[ColumnVerdict], messages: dict[str, list[Message]],
                 today: date, calendar: WorkCalendar, *, shared: Collection[str] = ()) -> list[Result]:
    """Two results per board: unanswered (fail / uncertain / pass) and late replies (warning / uncertain / pass).
    `shared`: URLs several units' navigations link (`monitor.observations.shared_links`): a board found
    there is the site's, not the unit's, and no unit answers for it unless it configures it."""
    names = {u.id: u.name for u in config.units}
    configured = {column_id(u.id, c.url) for u in config.units for c in u.columns}
    results: list[Result] = []
    for v in verdicts:
        if v.category != "interaction" or v.state in ("removed", "navigation") or v.column.unit_id not in names \
                or (v.column.id not in configured and v.column.url in shared):
            continue    # no board of the unit's: gone, a page of sub-boards (read themselves), the site's own
        col, unit_name = v.column, names[v.column.unit_id]
        subject = {"board": col.name, "url": col.url}
        listed = messages.get(col.id)
        # a board's page with no list says why (crawler.messages: a form to write a message, …)
        shown = PAGE_LABELS.get(col.page_note or "") if col.page_kind == "unreadable" else None
        why = (f"{col.name}无法读取或近期未读取" if v.state in _UNREAD
               else None if listed else f"{col.name}{shown or '页面未能识别留言列表（留言时间、回复情况）'}")
        if why:
            for kind in ("interaction_unanswered", "interaction_late_replies"):
                results.append(Result("W7", kind, "uncertain", col.unit_id, unit_name, subject,
                                      f"{why}，未能检测互动回应情况", "info",
                                      {"checked_url": col.url, "column_state": v.state, "page_note": col.page_note}))
            continue
        recent = [m for m in listed if WINDOW.due(date.fromisoformat(m.asked)) > today]
        results.append(_unanswered(col.unit_id, unit_name, subject, recent, today))
        results.append(_late(col.unit_id, unit_name, subject, recent, calendar, config.rules.reply_workdays))
    return results


def _unanswered(unit_id: str, unit_name: str, subject: dict, recent: list[Message], today: date) -> Result:
    old = [m for m in recent if UNANSWERED_AFTER.due(date.fromisoformat(m.asked)) < today]
    pending = [m for m in old if m.state == "pending"]
    unknown = [m for m in old if m.state is None]
    if pending:
        oldest = min(pending, key=lambda m: m.asked)
        days = (today - date.fromisoformat(oldest.asked)).days
        return Result("W7", "interaction_unanswered", "fail", unit_id, unit_name, subject,
                      f"{subject['board']}有 {len(pending)} 条留言超过3个月未回复（单项否决），最早一条"
                      f"“{oldest.title}”留言于 {oldest.asked}，已 {days} 天", "critical",
                      {"checked_url": subject["url"], "count": len(pending), "oldest_asked": oldest.asked,
                       "oldest_title": oldest.title, "oldest_url": oldest.url,
                       "messages": [{"title": m.title, "asked": m.asked, "url": m.url} for m in pending[:20]]})
    if unknown:
        return Result("W7", "interaction_unanswered", "uncertain", unit_id, unit_name, subject,
                      f"{subject['board']}有 {len(unknown)} 条3个月前的留言未显示回复情况，未能检测是否超期未回复",
                      "info", {"checked_url": subject["url"], "count": len(unknown)})
    return Result("W7", "interaction_unanswered", "pass", unit_id, unit_name, subject)


def _late(unit_id: str, unit_name: str, subject: dict, recent: list[Message], calendar: WorkCalendar,
          workdays: int) -> Result:
    late = [m for m in recent if m.replied and
            date.fromisoformat(m.replied) > calendar.add_workdays(date.fromisoformat(m.asked), workdays)]
    if late:
        return Result("W7", "interaction_late_replies", "warning", unit_id, unit_name, subject,
                      f"{subject['board']}近一年有 {len(late)} 条留言超过 {workdays} 个工作日才回复", "medium",
                      {"checked_url": subject["url"], "count": len(late), "reply_workdays": workdays,
                       "messages": [{"title": m.title, "asked": m.asked, "replied": m.replied, "url": m.url}
                                    for m in late[:20]]})
    if any(m.state == "replied" and not m.replied for m in recent):
        return Result("W7", "interaction_late_replies", "uncertain", unit_id, unit_name, subject,
                      f"{subject['board']}部分留言未显示回复时间，未能检测回复是否及时", "info",
                      {"checked_url": subject["url"]})
    return Result("W7", "interaction_late_replies", "pass", unit_id, unit_name, subject)


def check_channel(config: Config, verdicts: Sequence[ColumnVerdict], home: HomePage | None, today: date,
                  *, owner_id: str) -> Result | None:
    """The county portal has an interaction channel: a board among its owner's columns, or a link to one
    on its home page read recently; none on a recent read is a `fail`. None: no county portal configured."""
    if not config.county_portal:
        return None
    owner = config.unit(owner_id)
    subject = {"site": config.county_portal}
    board = next((v.column.url for v in verdicts if v.category == "interaction" and v.column.unit_id == owner_id
                  and v.state != "removed"), None)
    if board or (home and home.interaction_url and home.outcome in REACHABLE):
        return Result("W7", "interaction_missing", "pass", owner.id, owner.name, subject)
    where = f"{config.county}人民政府门户网站"
    if home is None or home.outcome not in REACHABLE or \
            (home.read_at or "") < read_cutoff(today, config.rules.max_observation_age, config.timezone):
        return Result("W7", "interaction_missing", "uncertain", owner.id, owner.name, subject,
                      f"{where}首页近期未能读取，未能检测是否设有互动交流渠道", "info",
                      {"checked_url": config.county_portal})
    return Result("W7", "interaction_missing", "fail", owner.id, owner.name, subject,
                  f"{where}首页未见政务咨询、领导信箱、网民留言等互动交流渠道（单项否决）", "critical",
                  {"checked_url": config.county_portal, "read_at": home.read_at})
