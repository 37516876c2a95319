"""Publication counts per unit and month (issue 11: 信息发布情况), read from the store.

An item counts once per unit and URL, in the month of the date its site shows (not when the crawl
first saw it): 动态类 when its column is `dynamic`, 信息公开类 otherwise. A back-dated item (shown
more than `rules.backdate_tolerance_days` before it was first seen, and not on the column's first
listing) still counts in the month it shows, and is counted as back-dated too.

The counts are honest about what was read. A column covers a month when its latest successful read
is recent enough to have seen the month's end and its listing reaches back before the month's start
(a complete listing reaches back to everything; an item without a date can be placed in no month).
`UnitPublication.all_read` / `dynamic_read` say whether every column did; judging the counts
against the standard is `monitor/checks/publication.py`.

At 5 million items: a period's items are read through store migration 17's index (column, date
shown, first seen), one seek per column; the dashboard keeps a load's item counts (`CountCache`)
while the store's change counters of the months loaded and of what the columns count as stay put.
"""
from __future__ import annotations

import re
import sqlite3
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Iterable
from zoneinfo import ZoneInfo

from sqlite_utils import Database

from monitor.config import Config, UnitConfig, column_category
from monitor.months import Month
from monitor.observations import column_id
from monitor.store import in_list

#: month ordinal (year * 12 + month - 1) below every real one: a complete listing covers all the past
FOREVER = -1
_PARAMS = 900     # ids per `IN (…)`: old SQLite builds allow 999 parameters


@dataclass(frozen=True, slots=True)
class Period:
    """A month, quarter or year, as `gongkai stats` and the bulletin name it."""

    label: str                  # 2026-10, 2026-Q4, 2026
    months: tuple[Month, ...]

    @property
    def last(self) -> Month:
        return self.months[-1]


def month_period(month: Month) -> Period:
    return Period(str(month), (month,))


def parse_period(*, month: str | None = None, quarter: str | None = None, year: str | None = None,
                 today: date) -> Period:
    """At most one of month (YYYY-MM), quarter (YYYY-Qn), year (YYYY); none: the month before `today`
    (the bulletin's month, the last complete one). A quarter or year still under way ends with the
    current month."""
    period = _period(month, quarter, year, today)
    months = tuple(m for m in period.months if m <= Month.of(today))
    if not months:
        raise ValueError(f"{period.label} has not begun yet")
    return Period(period.label, months)


def _period(month: str | None, quarter: str | None, year: str | None, today: date) -> Period:
    if sum(x is not None for x in (month, quarter, year)) > 1:
        raise ValueError("give one of --month, --quarter, --year")
    if quarter is not None:
        m = re.fullmatch(r"(\d{4})-Q([1-4])", quarter.upper())
        if not m:
            raise ValueError(f"quarter should be YYYY-Qn (got {quarter!r})")
        first = Month(int(m.group(1)), (int(m.group(2)) - 1) * 3 + 1)
        return Period(f"{m.group(1)}-Q{m.group(2)}", tuple(first + k for k in range(3)))
    if year is not None:
        if not re.fullmatch(r"\d{4}", year):
            raise ValueError(f"year should be YYYY (got {year!r})")
        return Period(year, tuple(Month(int(year), k) for k in range(1, 13)))
    if month is not None and not re.fullmatch(r"\d{4}-\d{2}", month):
        raise ValueError(f"month should be YYYY-MM (got {month!r})")
    return month_period(Month.parse(month) if month else Month.before(today))


@dataclass(slots=True)
class MonthCount:
    items: int = 0
    dynamic: int = 0
    backdated: int = 0
    columns: Counter = field(default_factory=Counter)     # column name -> items

    @property
    def disclosure(self) -> int:
        return self.items - self.dynamic

    def add(self, other: "MonthCount") -> None:
        self.items += other.items
        self.dynamic += other.dynamic
        self.backdated += other.backdated
        self.columns.update(other.columns)


@dataclass(slots=True)
class UnitPublication:
    """What the store says about one unit's publications in the months loaded."""

    unit_id: str
    unit_name: str
    unit_type: str
    columns: int                          # active columns
    dynamic_columns: int
    counted: tuple[int, int] | None       # months [from, to] every column covers; None: none
    dynamic_counted: tuple[int, int] | None
    dynamic_history: int | None           # earliest month the store's dynamic listings reach
    months: dict[int, MonthCount]         # month ordinal -> counts, for the months loaded
    last_dynamic_before: date | None      # the newest dynamic item before the first month loaded

    def total(self, months: Iterable[Month]) -> MonthCount:
        out = MonthCount()
        for m in months:
            if m.ordinal in self.months:
                out.add(self.months[m.ordinal])
        return out

    def all_read(self, months: Iterable[Month]) -> bool:
        return _within(self.counted, months)

    def dynamic_read(self, months: Iterable[Month]) -> bool:
        return _within(self.dynamic_counted, months)

    def zero_run(self, month: Month) -> tuple[int, bool]:
        """(months in a row up to `month` without a dynamic item, whether the store's history ends
        before the run does — "at least"). (0, False) when `month` has dynamic items."""
        loaded = sorted(self.months)
        run = 0
        m = month.ordinal
        while m in self.months and self.months[m].dynamic == 0:
            run, m = run + 1, m - 1
        if run == 0 or (loaded and m >= loaded[0]):      # ended on a month with dynamic items
            return run, False
        start = Month.of(self.last_dynamic_before).ordinal + 1 if self.last_dynamic_before else None
        horizon = self.dynamic_history
        if start is None or (horizon is not None and horizon > start):
            if horizon is None or horizon == FOREVER:
                return run, True
            return max(run, month.ordinal - horizon + 1), True
        return month.ordinal - start + 1, False


def _within(span: tuple[int, int] | None, months: Iterable[Month]) -> bool:
    return span is not None and all(span[0] <= m.ordinal <= span[1] for m in months)


@dataclass(slots=True)
class _Column:
    id: str
    unit_id: str
    name: str
    dynamic: bool
    datable: bool                 # every listed item shows a date (an undated one belongs to no month)
    complete: bool                # the latest read reached the end of the listing
    reaches_back: bool            # it shows an item older than the first month loaded
    read_to: int | None           # last month its latest read saw the end of; None: never read
    first_seen: date              # when the store first saw the column (county time)
    oldest_loaded: int | None = None   # month of its oldest item among the months loaded

    def count_from(self, after: int) -> int | None:
        """The first month whose items its listing reaches (`after`: the month after those loaded)."""
        if not self.datable:
            return None
        if self.complete or self.reaches_back:
            return FOREVER
        return after if self.oldest_loaded is None else self.oldest_loaded + 1


class _LocalDays:
    """UTC stamps to county dates, once per minute of stamp (a crawl writes thousands per minute)."""

    def __init__(self, zone: ZoneInfo):
        self.zone, self.cache = zone, {}

    def __call__(self, stamp: str) -> date:
        key = stamp[:16]
        if key not in self.cache:
            self.cache[key] = datetime.fromisoformat(stamp).astimezone(self.zone).date()
        return self.cache[key]


@lru_cache(maxsize=4096)      # a crawl reads its columns on a few days: one answer per day
def _read_to(read: date | None, today: date, max_age: int) -> int | None:
    """The last month whose end the latest successful read saw (the current month when it is recent)."""
    if read is None:
        return None
    if read >= today - timedelta(days=max_age):
        return Month.of(today).ordinal
    month = Month.of(read)
    return month.ordinal if read >= month.last else month.ordinal - 1


def _columns(db: Database, config: Config, unit_ids: list[str], first: Month, today: date,
             local: _LocalDays) -> list[_Column]:
    """The active columns of `unit_ids`. A change to any field read here must change one of the store's
    publication counters: the triggers columns_changed and columns_read (migration 17) list them."""
    configured = {column_id(u.id, c.url): c for u in config.units for c in u.columns}
    units, params = in_list("c.unit_id", unit_ids)
    # whether an incomplete listing reaches back before the months loaded (a complete one reaches everything)
    rows = db.execute(
        f"""SELECT *, CASE WHEN complete THEN 0 ELSE EXISTS (SELECT 1 FROM items i WHERE i.column_id = c.id
                                                                 AND i.date < ?) END
            FROM (SELECT c.id, c.unit_id, c.name, c.category, c.first_seen, c.last_ok_at, c.item_count, c.dated_count,
                         c.list_complete = 1 OR (c.page_kind = 'empty' AND NOT c.item_count) AS complete
                  FROM columns c WHERE (c.in_config = 1 OR c.discovered > 0)   -- linked from the site or a sub-nav
                    AND c.page_kind IS NOT 'navigation' AND {units}) c""",       # a page of sub-columns lists nothing
        [first.first.isoformat(), *params]).fetchall()
    max_age = config.rules.max_observation_age
    kinds = [row[3] or column_category(configured.get(row[0]), row[2])[0] for row in rows]
    # a message board's rows are questions asked, not information published (W7 reads them)
    return [_Column(cid, unit_id, name, kind == "dynamic", (count or 0) <= (dated or 0), bool(complete), bool(older),
                    _read_to(local(last_ok) if last_ok else None, today, max_age), local(first_seen))
            for (cid, unit_id, name, _, first_seen, last_ok, count, dated, complete, older), kind in zip(rows, kinds)
            if kind != "interaction"]


def _span(columns: list[_Column], after: int) -> tuple[int, int] | None:
    """Months every one of `columns` covers (all of them: none to read covers everything)."""
    starts = [c.count_from(after) for c in columns]
    if any(s is None for s in starts) or any(c.read_to is None for c in columns):
        return None
    if not columns:
        return FOREVER, 1 << 30
    start, end = max(starts), min(c.read_to for c in columns)   # type: ignore[type-var]
    return (start, end) if start <= end else None


def publication_versions(db: Database) -> dict[str, int] | None:
    """The store's counters of changes to what the counts are made of (migration 17): per month shown
    ('YYYY-MM'), 'columns' and 'reads'; None in an older store."""
    try:
        return dict(db.execute("SELECT what, version FROM publication_changes").fetchall())
    except sqlite3.OperationalError:           # no such table: not migrated yet (a read-only dashboard)
        return None


@dataclass(slots=True)
class CountCache:
    """The items' counts of a load, kept with the change counters of what they are made of, for the
    next load of the same months (the dashboard's grid): reused while no item shown in those months
    changed and no column changed what it counts as, e.g. after a crawl that listed this month's items."""

    key: tuple | None = None
    counted: tuple[dict[str, dict[int, MonthCount]], dict[str, int]] | None = None


def load_publication(db: Database, config: Config, months: tuple[Month, ...], today: date, *,
                     unit_ids: list[str] | None = None, by_month: bool = True,
                     cache: CountCache | None = None) -> list[UnitPublication]:
    """Counts per configured unit (or those of `unit_ids`) for each of `months` (consecutive).
    `by_month=False`: the months as one period (what judging a quarter or year reads), its counts kept
    under its last month and the others empty, so the items are grouped per column, not per column and
    month: no sort, a tenth of the groups for a year. The counts are not to be changed: with a `cache`,
    another load may return them again."""
    zone = ZoneInfo(config.timezone)
    units = [u for u in config.units if unit_ids is None or u.id in unit_ids]
    columns = _columns(db, config, [u.id for u in units], months[0], today, _LocalDays(zone))
    offset = datetime.combine(today, datetime.min.time(), zone).utcoffset()
    shift = int(offset.total_seconds() // 60) if offset else 0          # UTC stamps to county days, in minutes
    versions = publication_versions(db) if cache is not None else None
    key = None if versions is None else (
        tuple(versions.get(str(m), 0) for m in months), versions.get("columns", 0), months, by_month,
        tuple(u.id for u in units), shift, id(config))
    if cache is not None and key is not None and cache.key == key and cache.counted is not None:
        counts, oldest = cache.counted
    else:
        counts, oldest = _count_items(db, config, {c.id: c for c in columns}, units, months, shift, by_month)
        if cache is not None:
            cache.key, cache.counted = key, (counts, oldest)
    per_unit: dict[str, list[_Column]] = {u.id: [] for u in units}
    for col in columns:
        col.oldest_loaded = oldest.get(col.id)
        per_unit[col.unit_id].append(col)
    quiet = [c for u in units if not any(m.dynamic for m in counts[u.id].values()) for c in per_unit[u.id] if c.dynamic]
    before, history = _dynamic_history(db, quiet, months[0].first.isoformat())
    after = months[-1].ordinal + 1
    out = []
    for unit in units:
        cols = per_unit[unit.id]
        dynamic = [c for c in cols if c.dynamic]
        out.append(UnitPublication(
            unit.id, unit.name, unit.type, len(cols), len(dynamic), _span(cols, after) if cols else None,
            _span(dynamic, after) if dynamic else None, history.get(unit.id), counts[unit.id], before.get(unit.id)))
    return out


def _count_items(db: Database, config: Config, by_id: dict[str, _Column], units: list[UnitConfig],
                 months: tuple[Month, ...], shift: int, by_month: bool,
                 ) -> tuple[dict[str, dict[int, MonthCount]], dict[str, int]]:
    """Items per unit and month shown (or under the period's last month), and per column the month of
    its oldest item among them."""
    start, end = months[0].first.isoformat(), (months[-1] + 1).first.isoformat()
    counts: dict[str, dict[int, MonthCount]] = {u.id: {m.ordinal: MonthCount() for m in months} for u in units}
    oldest: dict[str, int] = {}
    period = None if by_month else months[-1].ordinal        # where the counts go: the month shown, or this
    shown = "i.date" if by_month else "min(i.date)"
    # in SQL, one pass over each column's items of the months loaded (index items_column_date): items per column
    # (and month shown), the month of the oldest, the back-dated among them (shown more than the tolerance before
    # the county day first seen, and first seen on a later day than the column; the first test is the likelier
    # to fail)
    for cid, month, n, backdated in db.execute(
            f"""SELECT c.id, CAST(substr({shown}, 1, 4) AS INTEGER) * 12 + CAST(substr({shown}, 6, 2) AS INTEGER) - 1,
                       count(*), sum(CASE WHEN i.date < date(i.first_seen, :tolerance)
                                          THEN date(i.first_seen, :shift) > date(c.first_seen, :shift) ELSE 0 END)
                FROM columns c JOIN items i ON i.column_id = c.id
                WHERE i.date >= :start AND i.date < :end GROUP BY {'1, 2' if by_month else '1'}""",
            {"shift": f"{shift:+d} minutes", "start": start, "end": end,
             "tolerance": f"{shift - config.rules.backdate_tolerance_days * 24 * 60:+d} minutes"}):
        col = by_id.get(cid)
        if col is None:
            continue
        count = counts[col.unit_id][month if period is None else period]
        count.items += n
        if col.dynamic:
            count.dynamic += n
        count.backdated += backdated
        named = count.columns
        named[col.name] = named.get(col.name, 0) + n
        if month < oldest.get(cid, month + 1):
            oldest[cid] = month
    _count_pages_once(db, by_id, counts, start, end, period)
    return counts, oldest


def _count_pages_once(db: Database, by_id: dict[str, _Column], counts: dict[str, dict[int, MonthCount]],
                      start: str, end: str, period: int | None) -> None:
    """A page listed in several columns of one unit counts once: in its earliest month shown, in a
    动态 column if one lists it. The other listings are taken off the counts (of the month shown, or
    of `period` where they are kept)."""
    for (listings,) in db.execute(
            "SELECT group_concat(column_id || ' ' || date, '|') FROM items NOT INDEXED "
            "WHERE date >= ? AND date < ? GROUP BY url HAVING count(*) > 1", [start, end]):
        per_unit: dict[str, list[tuple[str, bool, _Column]]] = {}
        for one in listings.split("|"):
            cid, shown = one.split(" ")
            col = by_id.get(cid)
            if col is not None:
                per_unit.setdefault(col.unit_id, []).append((shown, not col.dynamic, col))
        for unit_id, seen in per_unit.items():
            for shown, _, col in sorted(seen, key=lambda s: s[:2])[1:]:
                count = counts[unit_id][int(shown[:4]) * 12 + int(shown[5:7]) - 1 if period is None else period]
                count.items -= 1
                count.dynamic -= col.dynamic
                count.columns[col.name] -= 1
                count.columns += Counter()      # drops a column whose count fell to zero


def _dynamic_history(db: Database, columns: list[_Column], start: str) -> tuple[dict[str, date], dict[str, int]]:
    """For units without a 动态 item in the months loaded, over their 动态 columns: the newest item
    before `start`, and the earliest month the store's listings reach (for "at least N months")."""
    newest: dict[str, date] = {}
    reach: dict[str, list[int | None]] = {}
    found: dict[str, tuple[str | None, str | None]] = {}
    for k in range(0, len(columns), _PARAMS):
        where, params = in_list("column_id", [c.id for c in columns[k:k + _PARAMS]])
        for cid, oldest, last in db.execute(
                f"SELECT column_id, min(date), max(CASE WHEN date < ? THEN date END) FROM items "
                f"WHERE {where} AND date IS NOT NULL GROUP BY column_id", [start, *params]):
            found[cid] = (oldest, last)
    for col in columns:
        oldest, last = found.get(col.id, (None, None))
        if last:
            day = date.fromisoformat(last)
            newest[col.unit_id] = max(newest.get(col.unit_id, day), day)
        if not col.datable:
            horizon = None
        elif col.complete:       # the whole listing: its history starts at its oldest item or when first seen
            horizon = Month.of(min(col.first_seen, date.fromisoformat(oldest or "9999-12-31"))).ordinal
        else:
            horizon = Month(int(oldest[:4]), int(oldest[5:7])).ordinal + 1 if oldest else None
        reach.setdefault(col.unit_id, []).append(horizon)
    history = {u: max(h) for u, h in reach.items() if None not in h}   # type: ignore[type-var]
    return newest, history
